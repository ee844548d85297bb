/** paho's MQTTMessageInfo, with a promise-based waitForPublish. */
import { MQTT_ERR_SUCCESS } from './codes.js'
import type { MqttErrorCode, ReasonCode } from './codes.js'
import { TimeoutError } from './errors.js'
import { deferred } from './events.js'
import type { Deferred } from './events.js'
import type { Timers } from './timers.js'
import type { QoS } from './types.js'

export type PublishState = 'queued' | 'inflight' | 'published' | 'failed'

export class MessageInfo {
  /** paho result code of the publish call (MQTT_ERR_SUCCESS when accepted, queued or sent). */
  rc: MqttErrorCode
  /** Client-local publish order, stable across reloads for persisted messages. */
  get seq(): number {
    return this.#seq
  }
  #seq: number
  readonly topic: string
  readonly qos: QoS
  /** Reason code of the final acknowledgement (MQTT 5), once published. */
  reasonCode: ReasonCode | undefined
  /** Why it failed, once failed. */
  error: unknown
  #mid = 0
  #state: PublishState
  readonly #done: Deferred<void>
  readonly #timers: Timers

  constructor(init: { seq: number; topic: string; qos: QoS; timers: Timers; rc?: MqttErrorCode; mid?: number }) {
    this.#seq = init.seq
    this.topic = init.topic
    this.qos = init.qos
    this.rc = init.rc ?? MQTT_ERR_SUCCESS
    this.#mid = init.mid ?? 0
    this.#timers = init.timers
    this.#state = 'queued'
    this.#done = deferred<void>()
  }

  /** Packet identifier; 0 while the message waits in the offline queue (and always for QoS 0). */
  get mid(): number {
    return this.#mid
  }

  get state(): PublishState {
    return this.#state
  }

  isPublished(): boolean {
    return this.#state === 'published'
  }

  /**
   * Resolves when the message is published (QoS0 written to the transport, QoS1 PUBACK, QoS2 PUBCOMP); rejects
   * with the failure (queue full, refused by the broker, too large, not connected for QoS 0). With `timeoutMs`,
   * rejects with TimeoutError when it takes longer; the publish itself goes on.
   */
  waitForPublish(timeoutMs?: number): Promise<void> {
    if (timeoutMs === undefined || this.#done.settled) return this.#done.promise
    return new Promise<void>((resolve, reject) => {
      const t = this.#timers.setTimeout(() => {
        reject(new TimeoutError(`message ${this.seq} not published within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#done.promise.then(
        () => { this.#timers.clearTimeout(t); resolve() },
        (e: unknown) => { this.#timers.clearTimeout(t); reject(e) },
      )
    })
  }

  /** @internal */
  _setSeq(seq: number): void {
    this.#seq = seq
  }

  /** @internal */
  _setMid(mid: number): void {
    this.#mid = mid
    if (this.#state === 'queued') this.#state = 'inflight'
  }

  /** @internal */
  _resolve(reasonCode?: ReasonCode): void {
    if (this.#done.settled) return
    this.reasonCode = reasonCode
    this.#state = 'published'
    this.#done.resolve()
  }

  /** @internal */
  _reject(error: unknown, rc?: MqttErrorCode): void {
    if (this.#done.settled) return
    this.error = error
    if (rc !== undefined) this.rc = rc
    this.#state = 'failed'
    this.#done.reject(error)
  }
}
