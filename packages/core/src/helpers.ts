/**
 * paho's one-shot helpers: `single`/`multiple` (publish then disconnect cleanly) and `simple`/`callback`
 * (subscribe and return / stream messages). Each takes the transport to use, since the core has none.
 */
import { Client } from './client.js'
import type { ClientOptions } from './client-types.js'
import { InvalidArgumentError, TimeoutError } from './errors.js'
import { nativeTimers } from './timers.js'
import type { TimerHandle } from './timers.js'
import type { MqttMessage } from './message.js'
import type { ProtocolVersion } from './protocol-version.js'
import type { Transport } from './transport.js'
import type { PayloadInput, PublishProperties, QoS, WillProperties } from './types.js'

export interface HelperOptions {
  transport: Transport
  hostname?: string
  port?: number
  clientId?: string
  keepalive?: number
  will?: { topic: string; payload?: PayloadInput; qos?: QoS; retain?: boolean; properties?: WillProperties }
  auth?: { username: string; password?: string }
  protocol?: ProtocolVersion
  /** Extra client options (timers, store, connectTimeoutMs …). */
  clientOptions?: Partial<Omit<ClientOptions, 'transport'>>
}

export type HelperMessage =
  | { topic: string; payload?: PayloadInput; qos?: QoS; retain?: boolean; properties?: PublishProperties }
  | readonly [topic: string, payload?: PayloadInput, qos?: QoS, retain?: boolean]

function makeClient(opts: HelperOptions, extra: Partial<ClientOptions> = {}): Client {
  if (!opts || !opts.transport) throw new InvalidArgumentError('helpers need { transport }')
  const client = new Client({
    ...opts.clientOptions, ...extra, transport: opts.transport,
    ...(opts.clientId !== undefined ? { clientId: opts.clientId } : {}),
    ...(opts.protocol !== undefined ? { protocol: opts.protocol } : {}),
    reconnectOnFailure: false,
  })
  if (opts.auth) client.usernamePwSet(opts.auth.username, opts.auth.password)
  if (opts.will) client.willSet(opts.will.topic, opts.will.payload, opts.will.qos ?? 0, opts.will.retain ?? false, opts.will.properties)
  return client
}

function normalise(m: HelperMessage): { topic: string; payload?: PayloadInput; qos: QoS; retain: boolean; properties?: PublishProperties } {
  if (Array.isArray(m)) return { topic: m[0], payload: m[1], qos: (m[2] ?? 0) as QoS, retain: m[3] ?? false }
  const o = m as Exclude<HelperMessage, readonly unknown[]>
  return { topic: o.topic, payload: o.payload, qos: o.qos ?? 0, retain: o.retain ?? false, ...(o.properties ? { properties: o.properties } : {}) }
}

/** Publish several messages, wait until each is published (QoS flows complete), then disconnect cleanly. */
export async function multiple(msgs: readonly HelperMessage[], opts: HelperOptions): Promise<void> {
  if (!Array.isArray(msgs) || msgs.length === 0) throw new InvalidArgumentError('multiple() needs a non-empty list of messages')
  const list = msgs.map(normalise)
  const client = makeClient(opts)
  await client.connect(opts.hostname ?? 'localhost', opts.port, opts.keepalive ?? 60)
  try {
    const infos = list.map((m) => client.publish(m.topic, m.payload, m.qos, m.retain, m.properties))
    await Promise.all(infos.map((i) => i.waitForPublish()))
  } finally {
    await client.disconnect()
  }
}

/** Publish one message then disconnect cleanly. */
export function single(topic: string, payload: PayloadInput, qos: QoS, retain: boolean, opts: HelperOptions): Promise<void>
export function single(topic: string, opts: HelperOptions & { payload?: PayloadInput; qos?: QoS; retain?: boolean }): Promise<void>
export function single(topic: string, a: unknown, qos?: QoS, retain?: boolean, opts?: HelperOptions): Promise<void> {
  const o = a as HelperOptions & { payload?: PayloadInput; qos?: QoS; retain?: boolean }
  return multiple([opts ? { topic, payload: a as PayloadInput, qos, retain } : { topic, payload: o.payload, qos: o.qos, retain: o.retain }], opts ?? o)
}

export interface SimpleOptions extends HelperOptions {
  qos?: QoS
  /** How many messages to wait for (default 1). */
  msgCount?: number
  /** Count retained messages too (default true, as paho). */
  retained?: boolean
  cleanSession?: boolean
  /** Give up after this many ms (rejects with TimeoutError); default no limit. */
  timeoutMs?: number
}

/** Subscribe, wait for `msgCount` messages, disconnect; resolves with the message (or list when msgCount > 1). */
export async function simple(topics: string | readonly string[], opts: SimpleOptions): Promise<MqttMessage | MqttMessage[]> {
  const count = opts.msgCount ?? 1
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError('msgCount must be a positive integer')
  const got: MqttMessage[] = []
  let stop!: () => void
  const enough = new Promise<void>((resolve) => { stop = resolve })
  const handle = await callback((_c, _u, m) => {
    if (got.length >= count) return
    if (!(opts.retained ?? true) && m.retain) return
    got.push(m)
    if (got.length >= count) stop()
  }, topics, opts)
  const timers = opts.clientOptions?.timers ?? nativeTimers
  let timer: TimerHandle | undefined
  try {
    await (opts.timeoutMs === undefined ? enough : Promise.race([enough, new Promise<never>((_, reject) => {
      timer = timers.setTimeout(() => reject(new TimeoutError(`simple(): ${got.length}/${count} messages within ${opts.timeoutMs} ms`)), opts.timeoutMs!)
    })]))
  } finally {
    if (timer !== undefined) timers.clearTimeout(timer)
    await handle.stop()
  }
  return count === 1 ? got[0]! : got
}

export interface CallbackHandle {
  readonly client: Client
  /** Disconnect cleanly. */
  stop(): Promise<void>
  /** The same messages as an async iterable. */
  [Symbol.asyncIterator](): AsyncIterator<MqttMessage>
}

/** Subscribe and call `cb` for every message until `stop()`. Resolves once the subscription is acknowledged. */
export async function callback(
  cb: (client: Client, userdata: unknown, message: MqttMessage) => void,
  topics: string | readonly string[],
  opts: SimpleOptions,
): Promise<CallbackHandle> {
  const list = typeof topics === 'string' ? [topics] : [...topics]
  if (list.length === 0) throw new InvalidArgumentError('callback() needs at least one topic')
  const client = makeClient(opts, { cleanSession: opts.cleanSession ?? true })
  client.onMessage = cb
  const iterator = client.messages()
  await client.connect(opts.hostname ?? 'localhost', opts.port, opts.keepalive ?? 60)
  try {
    await client.subscribe(list.map((t) => [t, opts.qos ?? 0] as [string, QoS]))
  } catch (err) {
    await client.disconnect()
    throw err
  }
  return {
    client,
    stop: async () => { await iterator.return?.(); await client.disconnect() },
    [Symbol.asyncIterator]: () => iterator,
  }
}
