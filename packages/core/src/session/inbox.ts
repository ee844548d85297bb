/**
 * Incoming QoS 2 state: packet ids received (and PUBREC'd) whose PUBREL has not come yet. A PUBLISH repeating
 * one of them is acknowledged again but not delivered again: exactly once, across reconnects and, with a
 * persistent store, across page reloads.
 *
 * With a store, a new message is stored together with its id first (`add`), delivered once that is durable, and
 * its entry rewritten without the message right after delivery (`take`). A page that unloads between the store
 * write and the delivery finds the message in the store on the next load (`restore`) and delivers it then
 * (`takeRestored`); the broker's DUP re-send of it is only acknowledged.
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
  #restored: number[] = []
  /** Arrival order of stored undelivered messages. */
  #seq = 0
  readonly #persister: () => Persister | undefined

  constructor(persister: () => Persister | undefined) {
    this.#persister = persister
  }

  get size(): number {
    return this.#ids.size
  }

  has(mid: number): boolean {
    return this.#ids.has(mid)
  }

  ids(): number[] {
    return [...this.#ids.keys()]
  }

  restore(mids: Iterable<number>, undelivered: readonly StoredIncoming[] = []): void {
    for (const m of mids) if (!this.#ids.has(m)) this.#ids.set(m, undefined)
    for (const u of undelivered) {
      const message = new MqttMessage({
        topic: u.topic, payload: u.payload, qos: 2, retain: u.retain, dup: u.dup, mid: u.mid, properties: u.properties,
      })
      this.#ids.set(u.mid, message)
      this.#undelivered.add(message)
      this.#restored.push(u.mid)
      this.#seq = Math.max(this.#seq, u.seq + 1)
    }
  }

  /** Record a new QoS2 message; resolves once durable (undefined without persistence). Deliver it after `take`. */
  add(message: MqttMessage): Promise<void> | undefined {
    const { mid, topic, payload, retain, dup, properties } = message
    this.#ids.set(mid, message)
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
    const ids = this.#restored
    this.#restored = []
    return ids.flatMap((mid) => {
      const m = this.#ids.get(mid)
      return m && this.take(m) ? [m] : []
    })
  }

  /** PUBREL arrived: forget the id. Returns whether it was known. */
  release(mid: number): boolean {
    const known = this.#ids.delete(mid)
    if (known) void this.#persister()?.enqueue({ type: 'deleteIncoming', mid })
    return known
  }

  clear(): void {
    const p = this.#persister()
    if (p) for (const mid of this.#ids.keys()) void p.enqueue({ type: 'deleteIncoming', mid })
    for (const mid of this.#restored) {
      const m = this.#ids.get(mid)
      if (m) this.#undelivered.delete(m)
    }
    this.#ids.clear()
    this.#restored = []
  }
}
