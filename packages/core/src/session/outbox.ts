/**
 * Outgoing QoS flows: the offline queue, the in-flight window and the resend rules.
 *
 * A message is first persisted, then sent, so the store is always a superset of what the broker might lack.
 * In-flight messages keep their packet id until acknowledged. On reconnect with a present session they are
 * sent again with DUP=1 (a QoS2 message whose PUBREC arrived resumes with PUBREL); when the broker lost the
 * session they are sent again as new messages, except QoS2 messages past PUBREC, which the broker has already
 * taken ownership of and which therefore complete.
 */
import { MQTT_ERR_QUEUE_SIZE, ReasonCode } from '../codes.js'
import { unknownPacketId } from '../incoming-rules.js'
import { PublishFailedError, QueueFullError } from '../errors.js'
import type { MessageInfo } from '../message-info.js'
import type { OutgoingStage, StoreOp, StoredOutgoing } from '../store.js'
import type { PublishProperties, QoS } from '../types.js'
import type { PacketIds } from './packet-ids.js'
import type { Persister } from './persister.js'

export interface OutMsg {
  seq: number
  mid: number
  readonly topic: string
  readonly payload: Uint8Array
  readonly qos: QoS
  readonly retain: boolean
  readonly properties: PublishProperties | undefined
  stage: OutgoingStage
  readonly info: MessageInfo
  /** Sent at least once (so a resend carries DUP=1). */
  everSent: boolean
  /** Id of the link it was last sent on; 0 = not sent on any. */
  sentOn: number
  /** The latest state is durable in the store (always true without persistence). */
  durable: boolean
  /** A record of it was written to the store (so completing it must delete the record). */
  stored: boolean
  /** Number of the latest write of its record; an older write completing says nothing about the latest state. */
  writes?: number
}

/** What the outbox needs from the current connection. */
export interface Link {
  readonly id: number
  /** Send a PUBLISH; returns an error when it cannot be sent (e.g. too large for the broker). */
  publish(msg: OutMsg, dup: boolean): Error | undefined
  pubrel(mid: number, reasonCode?: number): void
}

export interface OutboxHooks {
  /** The link to send on, when connected. */
  link(): Link | undefined
  persister(): Persister | undefined
  /** A QoS≥1 flow completed (or failed with `error`). */
  completed(msg: OutMsg, reasonCode: ReasonCode | undefined, properties: unknown, error?: Error): void
  warn(text: string): void
}

export function toStored(m: OutMsg): StoredOutgoing {
  return {
    seq: m.seq, mid: m.mid, topic: m.topic, payload: m.payload, qos: m.qos, retain: m.retain, stage: m.stage,
    ...(m.properties ? { properties: m.properties } : {}),
  }
}

export class Outbox {
  readonly #ids: PacketIds
  readonly #hooks: OutboxHooks
  /** Waiting for a window slot (or a connection), in publish order. */
  readonly #queue: OutMsg[] = []
  /** In flight, by packet id; Map keeps insertion (= send) order. */
  readonly #inflight = new Map<number, OutMsg>()
  /** In flight, but not yet sent on the current connection (resends, records not yet durable), in order. */
  readonly #waiting = new Set<OutMsg>()
  /** Upper bound of #inflight (min of our setting and the broker's Receive Maximum). */
  window = 20
  /** paho's max_queued_messages: total outstanding messages; 0 = unlimited. */
  maxQueued = 0

  constructor(ids: PacketIds, hooks: OutboxHooks) {
    this.#ids = ids
    this.#hooks = hooks
  }

  get inflightCount(): number { return this.#inflight.size }
  get queuedCount(): number { return this.#queue.length }

  /** All outstanding messages in publish order. */
  all(): OutMsg[] {
    return [...this.#inflight.values(), ...this.#queue].sort((a, b) => a.seq - b.seq)
  }

  /** Remove and return the queued messages (not in flight), in order. */
  takeQueued(): OutMsg[] {
    return this.#queue.splice(0)
  }

  /** Put a message taken with takeQueued() back at the end of the queue, persisting it. */
  requeue(m: OutMsg): void {
    this.#queue.push(m)
    this.#persist(m, { type: 'putOutgoing', message: toStored(m) })
  }

  /** Restore a message loaded from the store. */
  restore(m: OutMsg): void {
    if (m.stage === 'queued' || m.mid === 0) {
      m.stage = 'queued'
      m.mid = 0
      this.#queue.push(m)
    } else {
      this.#ids.reserve(m.mid)
      m.info._setMid(m.mid)
      this.#inflight.set(m.mid, m)
    }
  }

  /** Accept a new message. Throws QueueFullError when the queue is full (nothing is kept). */
  add(m: OutMsg): void {
    if (this.maxQueued > 0 && this.#queue.length + this.#inflight.size >= this.maxQueued) {
      const err = new QueueFullError(`outgoing queue is full (${this.maxQueued} messages)`)
      m.info._reject(err, MQTT_ERR_QUEUE_SIZE)
      throw err
    }
    this.#queue.push(m)
    this.pump()
    if (m.stage === 'queued') this.#persist(m, { type: 'putOutgoing', message: toStored(m) })
  }

  /**
   * Send what may be sent now, in publish order: first in-flight messages not yet sent on this connection (resends
   * after a reconnect, messages whose record just became durable), then queued messages moved into the window.
   * Never more on the wire than the window (the broker's Receive Maximum).
   */
  pump(): void {
    const link = this.#hooks.link()
    if (!link) return
    // In flight but not on this connection yet, in order; the rest of the window is on the wire.
    let active = this.#inflight.size - this.#waiting.size
    for (const m of this.#waiting) {
      if (this.window > 0 && active >= this.window) return
      if (!m.durable) break // its batch is not committed yet: it (and what follows) goes when it is
      this.#transmit(m, link)
      active++
    }
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!
      if (head.qos === 0) {
        this.#queue.shift()
        this.#sendQos0(head, link)
        continue
      }
      if (this.window > 0 && this.#inflight.size >= this.window) return
      const mid = this.#ids.allocate()
      if (mid === undefined) return
      this.#queue.shift()
      head.mid = mid
      head.stage = 'sent'
      head.info._setMid(mid)
      this.#inflight.set(mid, head)
      this.#persist(head, { type: 'putOutgoing', message: toStored(head) })
      if (head.durable && this.#waiting.size === 0) this.#transmit(head, link)
      else this.#waiting.add(head)
    }
  }

  /** After CONNACK: resume or settle what is in flight, then send within the window. */
  resume(sessionPresent: boolean): void {
    const link = this.#hooks.link()
    if (!link) return
    this.#waiting.clear()
    for (const m of [...this.#inflight.values()]) {
      if (m.stage !== 'released') this.#waiting.add(m)
      else if (sessionPresent) link.pubrel(m.mid)
      else this.#finish(m, new ReasonCode('PUBCOMP', 0), undefined)
    }
    this.pump()
  }

  onPuback(mid: number, rc: ReasonCode, properties: unknown): void {
    const m = this.#inflight.get(mid)
    if (!m || m.qos !== 1) {
      this.#hooks.warn(unknownPacketId('PUBACK', mid))
      return
    }
    this.#finish(m, rc, properties, rc.isFailure ? failure(m, rc, properties) : undefined)
  }

  /** Returns true when a PUBREL was (re)sent. */
  onPubrec(mid: number, rc: ReasonCode, properties: unknown): void {
    const link = this.#hooks.link()
    const m = this.#inflight.get(mid)
    if (!m || m.qos !== 2) {
      this.#hooks.warn(unknownPacketId('PUBREC', mid, 'answered with PUBREL'))
      link?.pubrel(mid, 146)
      return
    }
    if (rc.isFailure) {
      this.#finish(m, rc, properties, failure(m, rc, properties))
      return
    }
    if (m.stage !== 'released') {
      m.stage = 'released'
      // PUBREL only once 'released' is durable: after a reload a message still stored as 'sent' would be published
      // again, and the broker, its id already released, would deliver it a second time.
      const p = this.#hooks.persister()
      if (p) {
        void p.enqueue({ type: 'putOutgoing', message: toStored(m) }).then(() => {
          const l = this.#hooks.link()
          if (l && m.stage === 'released' && this.#inflight.get(m.mid) === m) l.pubrel(mid)
        })
        return
      }
    }
    link?.pubrel(mid)
  }

  onPubcomp(mid: number, rc: ReasonCode, properties: unknown): void {
    const m = this.#inflight.get(mid)
    if (!m || m.stage !== 'released') {
      this.#hooks.warn(unknownPacketId('PUBCOMP', mid))
      return
    }
    this.#finish(m, rc, properties, rc.isFailure ? failure(m, rc, properties) : undefined)
  }

  /** Fail and drop every outstanding message (clearSession()). */
  failAll(error: Error): void {
    const all = this.all()
    this.#queue.length = 0
    for (const m of this.#inflight.values()) this.#ids.release(m.mid)
    this.#inflight.clear()
    this.#waiting.clear()
    for (const m of all) m.info._reject(error)
  }

  /** Fail one message that cannot be sent (e.g. larger than the broker accepts). */
  fail(m: OutMsg, error: Error): void {
    this.#finish(m, undefined, undefined, error)
  }

  #sendQos0(m: OutMsg, link: Link): void {
    m.stage = 'sent'
    const p = this.#hooks.persister()
    const send = (l: Link | undefined): void => {
      if (!l) {
        // The connection went away while earlier messages became durable: back to the head of the queue.
        m.stage = 'queued'
        this.#queue.unshift(m)
        return
      }
      const err = l.publish(m, false)
      if (m.stored) this.#persist(m, { type: 'deleteOutgoing', seq: m.seq })
      this.#hooks.completed(m, err ? undefined : new ReasonCode('PUBACK', 0), undefined, err)
    }
    // With persistence, messages ahead of it are sent once their batch is durable: wait for the same point.
    if (p) void p.flush().then(() => send(this.#hooks.link()))
    else send(link)
  }

  #transmit(m: OutMsg, link: Link): void {
    this.#waiting.delete(m)
    if (m.sentOn === link.id) return
    const err = link.publish(m, m.everSent)
    if (err) {
      this.fail(m, err)
      return
    }
    m.everSent = true
    m.sentOn = link.id
  }

  #finish(m: OutMsg, rc: ReasonCode | undefined, properties: unknown, error?: Error): void {
    this.#waiting.delete(m)
    if (m.mid !== 0 && this.#inflight.get(m.mid) === m) {
      this.#inflight.delete(m.mid)
      this.#ids.release(m.mid)
    } else {
      const i = this.#queue.indexOf(m)
      if (i >= 0) this.#queue.splice(i, 1)
    }
    m.stage = 'sent'
    if (m.stored) this.#persist(m, { type: 'deleteOutgoing', seq: m.seq })
    this.#hooks.completed(m, rc, properties, error)
    this.pump()
  }

  /** Write `op`; the message is durable once the batch commits, and is then sent if it should be. */
  #persist(m: OutMsg, op: StoreOp): void {
    const p = this.#hooks.persister()
    if (!p) return
    const removing = op.type === 'deleteOutgoing'
    if (!removing) {
      m.durable = false
      m.stored = true
    } else m.stored = false
    const write = (m.writes = (m.writes ?? 0) + 1)
    void p.enqueue(op).then(() => {
      if (removing || m.writes !== write) return
      m.durable = true
      if (this.#waiting.has(m)) this.pump()
    })
  }
}

function failure(m: OutMsg, rc: ReasonCode, properties: unknown): PublishFailedError {
  const reason = (properties as { reasonString?: string } | undefined)?.reasonString
  return new PublishFailedError(
    `broker refused message ${m.seq} on ${JSON.stringify(m.topic)}: ${rc.name}${reason ? ` (${reason})` : ''}`,
    { reasonCode: rc },
  )
}
