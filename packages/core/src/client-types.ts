/**
 * The Client's public types: options, results, events, callbacks (paho's signatures).
 */
import type { LogLevel, MQTT_CLEAN_START_FIRST_ONLY, MqttErrorCode, ReasonCode } from './codes.js'
import type { Client } from './client.js'
import type { MqttMessage } from './message.js'
import type { ProtocolVersion } from './protocol-version.js'
import type { SessionStore } from './store.js'
import type { Timers } from './timers.js'
import type { Transport } from './transport.js'
import type {
  ConnackProperties, ConnectFlags, ConnectProperties, DisconnectFlags, DisconnectProperties,
} from './types.js'

export type ClientState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'disconnecting'

export type StatusEvent =
  | { type: 'connecting'; attempt: number }
  | { type: 'connected'; sessionPresent: boolean; reasonCode: ReasonCode }
  | { type: 'reconnecting'; attempt: number; delayMs: number; error: Error | undefined }
  | { type: 'disconnected'; error: Error | undefined }
  | { type: 'error'; error: Error }

export interface ClientEvents extends Record<string, unknown[]> {
  state: [state: ClientState, previous: ClientState]
  status: [event: StatusEvent]
  message: [message: MqttMessage]
}

export interface ClientOptions {
  transport: Transport
  clientId?: string
  cleanSession?: boolean
  cleanStart?: boolean | typeof MQTT_CLEAN_START_FIRST_ONLY
  protocol?: ProtocolVersion
  userdata?: unknown
  reconnectOnFailure?: boolean
  store?: SessionStore
  timers?: Timers
  sessionKey?: string
  connectTimeoutMs?: number
  /** Also queue QoS 0 messages published while offline (default false: they fail with MQTT_ERR_NO_CONN). */
  queueQos0?: boolean
  /** MQTT 5 Session Expiry Interval sent on CONNECT unless `connect()` properties set one. */
  sessionExpiryInterval?: number
  /** Re-subscribe when the broker reports no session on a reconnect (default true). */
  resubscribe?: boolean
  random?: () => number
}

export interface ConnectOptions {
  cleanStart?: boolean | typeof MQTT_CLEAN_START_FIRST_ONLY
  properties?: ConnectProperties
}

export interface ConnackResult {
  sessionPresent: boolean
  reasonCode: ReasonCode
  properties: ConnackProperties | undefined
}

export interface SubscribeResult extends PromiseLike<ReasonCode[]> {
  rc: MqttErrorCode
  mid: number
  /** Granted QoS / reason codes, one per filter. */
  granted: Promise<ReasonCode[]>
}

export interface UnsubscribeResult extends PromiseLike<ReasonCode[]> {
  rc: MqttErrorCode
  mid: number
  done: Promise<ReasonCode[]>
}

export interface Logger {
  debug?(msg: string): void
  info?(msg: string): void
  warn?(msg: string): void
  error?(msg: string): void
}

export type OnConnect = (client: Client, userdata: unknown, flags: ConnectFlags, reasonCode: ReasonCode, properties: ConnackProperties | undefined) => void
export type OnConnectFail = (client: Client, userdata: unknown, error: Error) => void
export type OnDisconnect = (client: Client, userdata: unknown, flags: DisconnectFlags, reasonCode: ReasonCode, properties: DisconnectProperties | undefined) => void
export type OnMessage = (client: Client, userdata: unknown, message: MqttMessage) => void
export type OnPublish = (client: Client, userdata: unknown, mid: number, reasonCode: ReasonCode, properties: unknown) => void
export type OnSubscribe = (client: Client, userdata: unknown, mid: number, reasonCodes: ReasonCode[], properties: unknown) => void
export type OnUnsubscribe = OnSubscribe
export type OnLog = (client: Client, userdata: unknown, level: LogLevel, text: string) => void
