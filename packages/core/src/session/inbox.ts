/**
 * Incoming QoS 2 state: packet ids received (and PUBREC'd) whose PUBREL has not come yet. A PUBLISH repeating
 * one of them is acknowledged again but not delivered again: exactly once, across reconnects and, with a
 * persistent store, across page reloads.
 *
 * With a store, a new message is stored together with its id first (`add`), delivered once that is durable, and
 * its entry rewritten without the message right after delivery (`take`), before PUBREC goes out. A page can
 * unload between any two of these steps, and the writes of its last moments may be lost (Chromium aborts
 * IndexedDB transactions still running when a page unloads), so an entry restored *with* its message may or may
 * not have been delivered. The broker tells which: it re-sends PUBREL when it got our PUBREC (sent only after
 * delivery), and re-sends the PUBLISH when it did not. So a restored undelivered entry is delivered when its
 * PUBLISH comes again (`isRestoredUndelivered`), dropped on PUBREL, and delivered from the store when the broker
 * has no session any more (`takeRestored`), since the store then holds the only copy.
 */
import { MqttMessage } from '../message.js'
import type { StoredIncoming } from '../store.js'
import type { Persister } from './persister.js'

export class Inbox {
  /** Packet id → its message while that message is stored undelivered, else undefined. */
  readonly #ids = new Map<number, MqttMessage | undefined>()
  /** Messages added or restored and not delivered yet (still delivered after `clear`: they were received). */
  readonly #undelivered = new Set<MqttMessage>()
  /** Ids restored from the store with an undelivered message, in arrival order. */
  readonly #restored = new Set<number>()
  /** Ids received on the current network connection and not released: what our Receive Maximum limits. */
  readonly #thisConnection = new Set<number>()
  /** Arrival order of stored undelivered messages. */
  #seq = 0
  readonly #persister: () => Persister | undefined

  constructor(persister: () => Persister | undefined) {
    this.#persister = persister
  }

  has(mid: number): boolean {
    return this.#ids.has(mid)
  }

  /**
   * Ids awaiting PUBREL that arrived on the current network connection. The Receive Maximum quota is counted per
   * network connection (MQTT 5, 4.9), so ids from earlier connections (or restored from the store, where one
   * whose release was not written before an unload would otherwise count for ever) do not use it up.
   */
  get sizeThisConnection(): number {
    return this.#thisConnection.size
  }

  /** A new network connection is up: its Receive Maximum quota starts empty. */
  newConnection(): void {
    this.#thisConnection.clear()
  }

  restore(mids: Iterable<number>, undelivered: readonly StoredIncoming[] = []): void {
    for (const m of mids) if (!this.#ids.has(m)) this.#ids.set(m, undefined)
    for (const u of undelivered) {
      const message = new MqttMessage({
        topic: u.topic, payload: u.payload, qos: 2, retain: u.retain, dup: u.dup, mid: u.mid, properties: u.properties,
      })
      this.#ids.set(u.mid, message)
      this.#undelivered.add(message)
      this.#restored.add(u.mid)
      this.#seq = Math.max(this.#seq, u.seq + 1)
    }
  }

  /** Restored from the store with its message, and neither re-sent nor released by the broker yet. */
  isRestoredUndelivered(mid: number): boolean {
    return this.#restored.has(mid)
  }

  /** Record a new QoS2 message; resolves once durable (undefined without persistence). Deliver it after `take`. */
  add(message: MqttMessage): Promise<void> | undefined {
    const { mid, topic, payload, retain, dup, properties } = message
    this.#forgetRestored(mid)
    this.#ids.set(mid, message)
    this.#thisConnection.add(mid)
    this.#undelivered.add(message)
    const stored = { seq: this.#seq++, topic, payload, retain, dup, ...(properties ? { properties } : {}) }
    return this.#persister()?.enqueue({ type: 'putIncoming', mid, message: stored })
  }

  /** True (once) when `message` is still to be delivered: marks it delivered, in the store too. */
  take(message: MqttMessage): boolean {
    if (!this.#undelivered.delete(message)) return false
    if (this.#ids.get(message.mid) === message) {
      this.#ids.set(message.mid, undefined)
      void this.#persister()?.enqueue({ type: 'putIncoming', mid: message.mid })
    }
    return true
  }

  /** Messages restored undelivered from the store (in arrival order), marked delivered: the caller delivers them. */
  takeRestored(): MqttMessage[] {
    const ids = [...this.#restored]
    this.#restored.clear()
    return ids.flatMap((mid) => {
      const m = this.#ids.get(mid)
      return m && this.take(m) ? [m] : []
    })
  }

  #forgetRestored(mid: number): void {
    if (!this.#restored.delete(mid)) return
    const m = this.#ids.get(mid)
    if (m) this.#undelivered.delete(m)
  }

  /** PUBREL arrived: forget the id. Returns whether it was known. */
  release(mid: number): boolean {
    this.#forgetRestored(mid)
    this.#thisConnection.delete(mid)
    const known = this.#ids.delete(mid)
    if (known) void this.#persister()?.enqueue({ type: 'deleteIncoming', mid })
    return known
  }

  clear(): void {
    const p = this.#persister()
    if (p) for (const mid of this.#ids.keys()) void p.enqueue({ type: 'deleteIncoming', mid })
    for (const mid of this.#restored) this.#forgetRestored(mid)
    this.#ids.clear()
    this.#thisConnection.clear()
  }
}
