/** An incoming application message, as paho's MQTTMessage. */
import type { PublishProperties, QoS } from './types.js'

const decoder = /* @__PURE__ */ new TextDecoder()

export class MqttMessage {
  readonly topic: string
  readonly payload: Uint8Array
  readonly qos: QoS
  readonly retain: boolean
  readonly dup: boolean
  /** Packet identifier (0 for QoS 0). */
  readonly mid: number
  readonly properties: PublishProperties | undefined
  /** Wall-clock time of receipt (ms since epoch). */
  readonly timestamp: number

  constructor(init: {
    topic: string; payload: Uint8Array; qos: QoS; retain: boolean; dup: boolean; mid: number
    properties?: PublishProperties | undefined; timestamp?: number
  }) {
    this.topic = init.topic
    this.payload = init.payload
    this.qos = init.qos
    this.retain = init.retain
    this.dup = init.dup
    this.mid = init.mid
    this.properties = init.properties
    this.timestamp = init.timestamp ?? Date.now()
  }

  /** The payload decoded as UTF-8 (invalid sequences become U+FFFD). */
  get text(): string {
    return decoder.decode(this.payload)
  }

  /** The payload parsed as JSON; throws SyntaxError when it is not JSON. */
  json<T = unknown>(): T {
    return JSON.parse(this.text) as T
  }
}
