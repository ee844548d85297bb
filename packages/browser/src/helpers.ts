/**
 * paho's one-shot helpers with the browser's default transport: the core's `single`, `multiple`, `simple` and
 * `callback` take a transport; these build a WebSocketTransport (configured by `webSocket`) when none is given.
 */
import { callback as coreCallback, multiple as coreMultiple, simple as coreSimple, single as coreSingle } from '@webmqtt/core'
import type {
  CallbackHandle, Client, HelperMessage, HelperOptions, MqttMessage, PayloadInput, QoS, SimpleOptions, Transport,
} from '@webmqtt/core'
import { WebSocketTransport } from './websocket-transport.js'
import type { WebSocketTransportOptions } from './websocket-transport.js'

interface DefaultTransport {
  /** Default: a WebSocketTransport built from `webSocket`. */
  transport?: Transport
  /** Options of the default WebSocket transport (path, transformUrl, createWebSocket, tls, …). */
  webSocket?: WebSocketTransportOptions
}

export type BrowserHelperOptions = Omit<HelperOptions, 'transport'> & DefaultTransport
export type BrowserSimpleOptions = Omit<SimpleOptions, 'transport'> & DefaultTransport

function withTransport<O extends DefaultTransport>(opts: O): O & { transport: Transport } {
  return { ...opts, transport: opts?.transport ?? new WebSocketTransport(opts?.webSocket) }
}

/** Publish several messages, wait until each is published, then disconnect cleanly. */
export function multiple(msgs: readonly HelperMessage[], opts: BrowserHelperOptions): Promise<void> {
  return coreMultiple(msgs, withTransport(opts))
}

/** Publish one message then disconnect cleanly. */
export function single(topic: string, payload: PayloadInput, qos: QoS, retain: boolean, opts: BrowserHelperOptions): Promise<void>
export function single(topic: string, opts: BrowserHelperOptions & { payload?: PayloadInput; qos?: QoS; retain?: boolean }): Promise<void>
export function single(topic: string, a: unknown, qos?: QoS, retain?: boolean, opts?: BrowserHelperOptions): Promise<void> {
  if (opts) return coreSingle(topic, a as PayloadInput, qos as QoS, retain as boolean, withTransport(opts))
  return coreSingle(topic, withTransport(a as BrowserHelperOptions))
}

/** Subscribe, wait for `msgCount` messages, disconnect; resolves with the message (or list when msgCount > 1). */
export function simple(topics: string | readonly string[], opts: BrowserSimpleOptions): Promise<MqttMessage | MqttMessage[]> {
  return coreSimple(topics, withTransport(opts))
}

/** Subscribe and call `cb` for every message until `stop()`. Resolves once the subscription is acknowledged. */
export function callback(
  cb: (client: Client, userdata: unknown, message: MqttMessage) => void,
  topics: string | readonly string[],
  opts: BrowserSimpleOptions,
): Promise<CallbackHandle> {
  return coreCallback(cb, topics, withTransport(opts))
}
