/**
 * The Client facade: paho-mqtt's API in camelCase, plus promises, events and async iterators.
 * Connection lifecycle lives here; packet handling is in inbound.ts, outgoing flows in session/outbox.ts,
 * session state persistence in session/persister.ts.
 */
import {
  MQTT_CLEAN_START_FIRST_ONLY, MQTT_ERR_AGAIN, MQTT_ERR_NO_CONN, MQTT_ERR_SUCCESS, MQTT_LOG_DEBUG, MQTT_LOG_ERR, MQTT_LOG_INFO,
  MQTT_LOG_WARNING, ReasonCode,
} from './codes.js'
import type { LogLevel, MqttErrorCode } from './codes.js'
import type {
  ClientEvents, ClientOptions, ClientState, ConnackResult, ConnectOptions, Logger, OnConnect, OnConnectFail, OnDisconnect,
  OnLog, OnMessage, OnPublish, OnSubscribe, OnUnsubscribe, StatusEvent, SubscribeResult, UnsubscribeResult,
} from './client-types.js'
import type { Packet } from './codec.js'
import { Connection, topicAliasError } from './connection.js'
import {
  ConnectTimeoutError, ConnectionClosedError, InvalidArgumentError, InvalidPropertyError, MqttError, InvalidQosError, InvalidStateError, KeepaliveTimeoutError,
  NotConnectedError, StorageError,
} from './errors.js'
import type { ProtocolError } from './errors.js'
import { AsyncQueue, Emitter, deferred } from './events.js'
import type { Deferred } from './events.js'
import { handlePacket } from './inbound.js'
import type { InboundContext, PendingRequest } from './inbound.js'
import { MemoryStore } from './memory-store.js'
import type { MqttMessage } from './message.js'
import { MessageInfo } from './message-info.js'
import { copyPayload, toPayload } from './payload.js'
import { outgoingProperties } from './properties.js'
import { Backoff } from './protocol/backoff.js'
import { MQTTv311, MQTTv5, isProtocolVersion } from './protocol-version.js'
import type { ProtocolVersion } from './protocol-version.js'
import { Inbox } from './session/inbox.js'
import { Outbox } from './session/outbox.js'
import type { OutMsg } from './session/outbox.js'
import { PacketIds } from './session/packet-ids.js'
import { Persister } from './session/persister.js'
import type { SessionStore } from './store.js'
import { parseSubscribeArgs, parseUnsubscribeArgs, validateQos } from './subscribe-args.js'
import type { SubscribeTopicArg } from './subscribe-args.js'
import { nativeTimers } from './timers.js'
import type { TimerHandle, Timers } from './timers.js'
import { compileFilter, validateTopic } from './topic.js'
import type { Transport } from './transport.js'
import type {
  ConnectProperties, DisconnectProperties, PayloadInput,
  PublishProperties, QoS, SubscribeOptions, SubscribeProperties, UnsubscribeProperties, WillProperties,
} from './types.js'

interface ConnectParams {
  host: string
  port: number | undefined
  keepalive: number
  cleanStart: boolean | typeof MQTT_CLEAN_START_FIRST_ONLY
  properties: ConnectProperties | undefined
}

const PERMANENT_REFUSALS = new Set([132, 133, 134, 135, 138, 140])

/** An integer >= 0 for `method`, or an InvalidArgumentError. */
function countArg(method: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${method} needs an integer >= 0, got ${n}`)
}

function randomClientId(random: () => number): string {
  const bytes = new Uint8Array(16)
  if (typeof crypto !== 'undefined' && typeof crypto?.getRandomValues === 'function') crypto.getRandomValues(bytes)
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256)
  let s = 'webmqtt-'
  for (const b of bytes) s += (b % 36).toString(36)
  return s
}

export class Client {
  // paho-style callbacks
  onConnect: OnConnect | undefined
  onConnectFail: OnConnectFail | undefined
  onDisconnect: OnDisconnect | undefined
  onMessage: OnMessage | undefined
  onPublish: OnPublish | undefined
  onSubscribe: OnSubscribe | undefined
  onUnsubscribe: OnUnsubscribe | undefined
  onLog: OnLog | undefined

  readonly #events = new Emitter<ClientEvents>()
  readonly #transport: Transport
  readonly #timers: Timers
  readonly #random: () => number
  #store: SessionStore
  #clientId: string
  #protocol: ProtocolVersion
  #cleanSession: boolean
  #cleanStart: boolean | typeof MQTT_CLEAN_START_FIRST_ONLY
  #userdata: unknown
  #reconnectOnFailure: boolean
  #connectTimeoutMs: number
  #queueQos0: boolean
  #sessionExpiry: number | undefined
  #resubscribe: boolean
  readonly #sessionKeyOption: string | undefined
  #username: string | undefined
  #password: Uint8Array | string | undefined
  #will: { topic: string; payload: Uint8Array; qos: QoS; retain: boolean; properties: WillProperties | undefined } | undefined
  #logger: Logger | undefined
  #maxInflight = 20

  #state: ClientState = 'disconnected'
  #params: ConnectParams | undefined
  #link: Connection | undefined
  #attemptLink: Connection | undefined
  #attemptResult: Deferred<ConnackResult> | undefined
  #attemptTimer: TimerHandle | undefined
  #reconnectTimer: TimerHandle | undefined
  #attempt = 0
  #userDisconnect = false
  #everConnected = false
  readonly #backoff: Backoff

  // session
  readonly #ids = new PacketIds()
  readonly #outbox: Outbox
  readonly #inbox: Inbox
  #persister: Persister | undefined
  #loadedKey: string | undefined
  #nextSeq = 1
  readonly #subscriptions = new Map<string, SubscribeOptions>()
  readonly #pending = new Map<number, PendingRequest>()
  readonly #callbacks = new Map<string, { match: (t: string) => boolean; cb: OnMessage }>()
  readonly #iterators = new Set<{ match: ((t: string) => boolean) | undefined; queue: AsyncQueue<MqttMessage> }>()
  readonly #statusIterators = new Set<AsyncQueue<StatusEvent>>()
  readonly #inbound: InboundContext
  /** Broker limits from CONNACK. */
  #serverMaxQos: QoS = 2
  #serverTopicAliasMax = 0
  #serverRetainAvailable = true

  constructor(options: ClientOptions) {
    if (!options || typeof options !== 'object' || !options.transport) {
      throw new InvalidArgumentError('new Client() needs { transport }')
    }
    const protocol = options.protocol ?? MQTTv311
    if (!isProtocolVersion(protocol)) throw new InvalidArgumentError(`protocol must be 3, 4 or 5, got ${String(protocol)}`)
    this.#transport = options.transport
    this.#timers = options.timers ?? nativeTimers
    this.#random = options.random ?? Math.random
    this.#store = options.store ?? new MemoryStore()
    this.#protocol = protocol
    this.#cleanSession = options.cleanSession ?? true
    this.#cleanStart = options.cleanStart ?? MQTT_CLEAN_START_FIRST_ONLY
    this.#clientId = this.#initialClientId(options.clientId)
    this.#userdata = options.userdata
    this.#reconnectOnFailure = options.reconnectOnFailure ?? true
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 30_000
    this.#queueQos0 = options.queueQos0 ?? false
    this.#sessionExpiry = options.sessionExpiryInterval
    this.#resubscribe = options.resubscribe ?? true
    this.#sessionKeyOption = options.sessionKey
    this.#will = undefined
    this.#backoff = new Backoff(1, 120, this.#random)
    this.#events.onListenerError = (err) => this.#log(MQTT_LOG_ERR, `event listener threw: ${errText(err)}`)
    this.#outbox = new Outbox(this.#ids, {
      link: () => (this.#state === 'connected' ? this.#link : undefined),
      persister: () => this.#persister,
      completed: (m, rc, props, error) => this.#published(m, rc, props, error),
      warn: (t) => this.#log(MQTT_LOG_WARNING, t),
    })
    this.#outbox.window = this.#maxInflight
    this.#inbox = new Inbox(() => this.#persister)
    this.#inbound = this.#makeInboundContext()
  }

  #initialClientId(id: string | undefined): string {
    if (id !== undefined && typeof id !== 'string') throw new InvalidArgumentError('clientId must be a string')
    if (id) return id
    if (this.#protocol !== MQTTv5) {
      if (!this.#cleanSession) throw new InvalidArgumentError('cleanSession false needs a clientId')
      return randomClientId(this.#random)
    }
    return ''
  }

  // ---------------------------------------------------------------- properties

  get state(): ClientState { return this.#state }
  get clientId(): string { return this.#clientId }
  get protocol(): ProtocolVersion { return this.#protocol }
  get userdata(): unknown { return this.#userdata }
  get inflightCount(): number { return this.#outbox.inflightCount }
  get queuedCount(): number { return this.#outbox.queuedCount }
  /** The store the session is written to (after a storage failure the client goes on in memory). */
  get store(): SessionStore { return this.#store }
  /** True when the session is being persisted to the store. */
  get persistent(): boolean { return this.#persister !== undefined && !this.#persister.failed }

  isConnected(): boolean { return this.#state === 'connected' }

  /** Granted subscriptions (restored from the store with a persistent session): filter → options. */
  subscriptions(): ReadonlyMap<string, SubscribeOptions> {
    return new Map(this.#subscriptions)
  }

  /** Write a line to `onLog` and the logger set with `enableLogger` (for code extending the client). */
  log(level: LogLevel, text: string): void {
    this.#log(level, text)
  }

  on<K extends keyof ClientEvents & string>(event: K, fn: (...args: ClientEvents[K]) => void): () => void {
    return this.#events.on(event, fn)
  }

  off<K extends keyof ClientEvents & string>(event: K, fn: (...args: ClientEvents[K]) => void): void {
    this.#events.off(event, fn)
  }

  // ---------------------------------------------------------------- options (paho names)

  #v5Only(properties: unknown, what: string): void {
    if (properties !== undefined && this.#protocol !== MQTTv5) throw new InvalidArgumentError(`${what} properties need MQTTv5`)
  }

  #requireIdle(what: string): void {
    if (this.#state !== 'disconnected') {
      throw new InvalidStateError(`${what}() only while disconnected, not ${this.#state}`)
    }
  }

  usernamePwSet(username: string | undefined, password?: string | Uint8Array): void {
    this.#requireIdle('usernamePwSet')
    if (username !== undefined && username !== null && typeof username !== 'string') throw new InvalidArgumentError('username must be a string')
    if (password !== undefined && typeof password !== 'string' && !(password instanceof Uint8Array)) {
      throw new InvalidArgumentError('password must be a string or Uint8Array')
    }
    this.#username = username ?? undefined
    this.#password = password
  }

  willSet(topic: string, payload?: PayloadInput, qos: QoS = 0, retain = false, properties?: WillProperties): void {
    this.#requireIdle('willSet')
    validateTopic(topic)
    validateQos(qos)
    const p = copyPayload(toPayload(payload))
    this.#v5Only(properties, 'will')
    outgoingProperties(properties)
    this.#will = { topic, payload: p, qos, retain: Boolean(retain), properties }
  }

  willClear(): void {
    this.#requireIdle('willClear')
    this.#will = undefined
  }

  reconnectDelaySet(minDelay = 1, maxDelay = 120): void {
    if (!(minDelay >= 0) || !(maxDelay >= minDelay) || !Number.isFinite(maxDelay)) {
      throw new InvalidArgumentError(`reconnectDelaySet needs 0 <= min <= max, got ${minDelay}, ${maxDelay}`)
    }
    this.#backoff.minDelay = minDelay
    this.#backoff.maxDelay = maxDelay
  }

  maxInflightMessagesSet(n: number): void {
    countArg('maxInflightMessagesSet', n)
    this.#maxInflight = n
    this.#applyWindow(this.#serverReceiveMax)
    this.#outbox.pump()
  }

  maxQueuedMessagesSet(n: number): void {
    countArg('maxQueuedMessagesSet', n)
    this.#outbox.maxQueued = n
  }

  userDataSet(userdata: unknown): void {
    this.#userdata = userdata
  }

  enableLogger(logger: Logger = console): void {
    this.#logger = logger
  }

  disableLogger(): void {
    this.#logger = undefined
  }

  /** paho's reinitialise(): reset to a fresh client (only while disconnected). */
  reinitialise(clientId = '', cleanSession = true, userdata?: unknown): void {
    this.#requireIdle('reinitialise')
    this.#cleanSession = cleanSession
    this.#clientId = this.#initialClientId(clientId)
    this.#userdata = userdata
    this.#outbox.failAll(new InvalidStateError('client reinitialised'))
    this.#inbox.clear()
    this.#pending.forEach((r) => r.done.reject(new InvalidStateError('client reinitialised')))
    this.#pending.clear()
    this.#ids.clear()
    this.#subscriptions.clear()
    this.#persister = undefined
    this.#loadedKey = undefined
    this.#username = this.#password = undefined
    this.#will = undefined
  }

  // ---------------------------------------------------------------- connection

  /**
   * Connect and resolve on a successful CONNACK. Rejects with ConnectionRefusedError (with the reason code),
   * ConnectionClosedError, ConnectTimeoutError, ProtocolError or StorageError. With reconnectOnFailure, a failed
   * first attempt (other than a permanent refusal) still goes on retrying in the background.
   */
  connect(host: string, port?: number, keepalive = 60, options: ConnectOptions = {}): Promise<ConnackResult> {
    if (this.#state !== 'disconnected') {
      return Promise.reject(new InvalidStateError(`connect() while ${this.#state}`))
    }
    if (typeof host !== 'string' || host.length === 0) throw new InvalidArgumentError('host must be a non-empty string')
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new InvalidArgumentError(`port must be 1–65535, got ${port}`)
    if (!Number.isInteger(keepalive) || keepalive < 0 || keepalive > 65535) throw new InvalidArgumentError(`keepalive must be 0–65535, got ${keepalive}`)
    this.#v5Only(options.properties, 'connect')
    outgoingProperties(options.properties)
    this.#params = { host, port, keepalive, cleanStart: options.cleanStart ?? this.#cleanStart, properties: options.properties }
    this.#userDisconnect = false
    this.#everConnected = false
    this.#backoff.reset()
    this.#attempt = 0
    return this.#startAttempt()
  }

  /** Reconnect now with the last connect() parameters (closing the current connection if any). */
  reconnect(): Promise<ConnackResult> {
    if (!this.#params) return Promise.reject(new InvalidStateError('reconnect() before connect()'))
    if (this.#state === 'connecting' || (this.#state === 'reconnecting' && this.#attemptResult)) {
      return this.#attemptResult!.promise
    }
    this.#cancelReconnectTimer()
    this.#userDisconnect = false
    if (this.#link) {
      const link = this.#link
      this.#link = undefined
      link.close()
      this.#connectionLost(new ConnectionClosedError('reconnect() requested'), false)
    }
    return this.#startAttempt()
  }

  /** Graceful disconnect: DISCONNECT is sent (so no will), pending reconnects stop. Outstanding messages stay queued. */
  async disconnect(reasonCode?: number | ReasonCode, properties?: DisconnectProperties): Promise<void> {
    this.#userDisconnect = true
    this.#cancelReconnectTimer()
    const closing = new ConnectionClosedError('disconnect() called')
    if (this.#attemptLink || this.#attemptResult) {
      this.#failAttempt(closing)
    }
    const link = this.#link
    if (link && this.#state === 'connected') {
      this.#setState('disconnecting')
      const rc = reasonCode === undefined ? 0 : Number(reasonCode)
      const packet = { cmd: 'disconnect', ...(this.#protocol === MQTTv5 ? { reasonCode: rc, ...(properties ? { properties: outgoingProperties(properties) } : {}) } : {}) } as Packet
      try { link.send(packet) } catch (err) { this.#log(MQTT_LOG_WARNING, `DISCONNECT not sent: ${errText(err)}`) }
      await this.#persister?.flush()
      this.#link = undefined
      link.close()
      this.#afterDisconnect(undefined, new ReasonCode('DISCONNECT', rc), false)
      return
    }
    await this.#persister?.flush()
    if (this.#state !== 'disconnected') {
      this.#disconnected(undefined)
    }
  }

  static {
    // `await using client = …` where the runtime has explicit resource management.
    const dispose = (Symbol as { asyncDispose?: symbol }).asyncDispose
    if (typeof dispose === 'symbol') {
      Object.defineProperty(Client.prototype, dispose, {
        value(this: Client) { return this.disconnect() }, configurable: true, writable: true,
      })
    }
  }

  #startAttempt(): Promise<ConnackResult> {
    const result = deferred<ConnackResult>()
    this.#attemptResult = result
    this.#attempt++
    const attempt = this.#attempt
    this.#setState(this.#everConnected || attempt > 1 ? 'reconnecting' : 'connecting')
    this.#status({ type: 'connecting', attempt })
    void this.#runAttempt(attempt, result)
    result.promise.then(
      () => {},
      (err: Error) => {
        if (this.#attemptResult === result) this.#attemptResult = undefined
        this.#attemptFailed(err)
      },
    )
    return result.promise
  }

  async #runAttempt(attempt: number, result: Deferred<ConnackResult>): Promise<void> {
    const params = this.#params!
    this.#attemptTimer = this.#timers.setTimeout(() => {
      this.#failAttempt(new ConnectTimeoutError(`no CONNACK within ${this.#connectTimeoutMs} ms`))
    }, this.#connectTimeoutMs)
    const abort = new AbortController()
    result.promise.catch(() => abort.abort())
    try {
      await this.#prepareSession(params)
    } catch (err) {
      this.#failAttempt(err as Error)
      return
    }
    if (result.settled) return
    const link = this.#newConnection()
    this.#attemptLink = link
    try {
      const conn = await this.#transport.connect(
        { host: params.host, port: params.port, protocolVersion: this.#protocol, attempt, signal: abort.signal },
        link.handlers,
      )
      if (result.settled) {
        try { conn.close() } catch { /* ignore */ }
        return
      }
      link.attach(conn)
    } catch (err) {
      this.#failAttempt(err instanceof Error && 'rc' in err ? err : new ConnectionClosedError(`cannot connect to ${params.host}${params.port ? `:${params.port}` : ''}: ${errText(err)}`, { cause: err }))
      return
    }
    try {
      link.send(this.#connectPacket(params, attempt))
    } catch (err) {
      this.#failAttempt(err as Error)
    }
  }

  #connectPacket(params: ConnectParams, attempt: number): Packet {
    const v5 = this.#protocol === MQTTv5
    const cleanStart = params.cleanStart === MQTT_CLEAN_START_FIRST_ONLY ? attempt === 1 && !this.#everConnected : Boolean(params.cleanStart)
    const clean = v5 ? cleanStart : this.#cleanSession
    let properties: ConnectProperties | undefined
    if (v5) {
      properties = { ...(params.properties ?? {}) }
      if (properties.sessionExpiryInterval === undefined && this.#sessionExpiry !== undefined) properties.sessionExpiryInterval = this.#sessionExpiry
      if (properties.topicAliasMaximum === undefined) properties.topicAliasMaximum = 10
    }
    const will = this.#will
    return {
      cmd: 'connect',
      protocolId: this.#protocol === 3 ? 'MQIsdp' : 'MQTT',
      protocolVersion: this.#protocol,
      clientId: this.#clientId,
      clean,
      keepalive: params.keepalive,
      ...(this.#username !== undefined ? { username: this.#username } : {}),
      ...(this.#password !== undefined ? { password: asBuffer(this.#password) } : {}),
      ...(will ? { will: { topic: will.topic, payload: asBuffer(will.payload), qos: will.qos, retain: will.retain, ...(v5 && will.properties ? { properties: outgoingProperties(will.properties) } : {}) } } : {}),
      ...(properties ? { properties: outgoingProperties(properties) } : {}),
    } as Packet
  }

  #newConnection(): Connection {
    const maxIn = this.#params?.properties?.maximumPacketSize
    return new Connection({
      protocolVersion: this.#protocol,
      maxIncomingPacket: maxIn ?? 268_435_460,
      timers: this.#timers,
      onPacket: (p, c) => handlePacket(this.#inbound, p, c),
      onClosed: (c, err) => this.#onConnectionClosed(c, err),
      onProtocolError: (c, err) => this.#protocolError(c, err),
      onKeepaliveTimeout: (c, seconds) => {
        const err = new KeepaliveTimeoutError(`nothing received for ${1.5 * seconds} s (keepalive ${seconds})`)
        this.#log(MQTT_LOG_WARNING, err.message)
        c.close(err)
      },
    })
  }

  #protocolError(c: Connection, err: ProtocolError): void {
    this.#log(MQTT_LOG_ERR, err.message)
    if (this.#protocol === MQTTv5 && err.reasonCode) {
      try { c.send({ cmd: 'disconnect', reasonCode: err.reasonCode.value } as Packet) } catch { /* closing anyway */ }
    }
    this.#status({ type: 'error', error: err })
    c.close(err)
  }

  #failAttempt(err: Error): void {
    const result = this.#attemptResult
    if (this.#attemptTimer !== undefined) this.#timers.clearTimeout(this.#attemptTimer)
    this.#attemptTimer = undefined
    const link = this.#attemptLink
    this.#attemptLink = undefined
    if (link && !link.closed) link.close(err)
    if (result && !result.settled) result.reject(err)
  }

  #attemptFailed(err: Error): void {
    this.#log(MQTT_LOG_WARNING, `connection attempt ${this.#attempt} failed: ${err.message}`)
    this.#paho('onConnectFail', err)
    const permanent = err.name === 'ConnectionRefusedError' && PERMANENT_REFUSALS.has((err as { reasonCode?: ReasonCode }).reasonCode?.value ?? -1)
    // Bad arguments (e.g. properties mqtt-packet cannot encode) fail the same way on every attempt.
    const hopeless = err instanceof StorageError || err instanceof InvalidArgumentError
    this.#scheduleReconnect(err, !permanent && !hopeless)
  }

  #scheduleReconnect(err: Error | undefined, retryable: boolean): void {
    if (this.#userDisconnect || !this.#reconnectOnFailure || !retryable || !this.#params) {
      this.#disconnected(err)
      return
    }
    const delayMs = this.#backoff.next()
    this.#setState('reconnecting')
    this.#status({ type: 'reconnecting', attempt: this.#attempt + 1, delayMs, error: err })
    this.#cancelReconnectTimer()
    this.#reconnectTimer = this.#timers.setTimeout(() => {
      this.#reconnectTimer = undefined
      if (!this.#userDisconnect && this.#state === 'reconnecting') void this.#startAttempt().catch(() => {})
    }, delayMs)
  }

  #cancelReconnectTimer(): void {
    if (this.#reconnectTimer !== undefined) this.#timers.clearTimeout(this.#reconnectTimer)
    this.#reconnectTimer = undefined
  }

  /** A transport connection ended (ours, or one still attempting). */
  #onConnectionClosed(c: Connection, err: Error | undefined): void {
    if (c === this.#attemptLink) {
      this.#failAttempt(asMqttError(err, 'connection closed before CONNACK'))
      return
    }
    if (c !== this.#link) return
    this.#link = undefined
    this.#connectionLost(asMqttError(err, 'connection closed by the server'), true)
  }

  #connectionLost(err: Error, schedule: boolean): void {
    this.#log(MQTT_LOG_WARNING, `connection lost: ${err.message}`)
    const rc = (err as { reasonCode?: ReasonCode }).reasonCode
    this.#afterDisconnect(err, rc && rc.packetType === 'DISCONNECT' ? rc : new ReasonCode('DISCONNECT', 128), err.name === 'ServerDisconnectError')
    if (schedule) {
      const takenOver = rc?.value === 142
      this.#scheduleReconnect(err, !takenOver)
    }
  }

  #afterDisconnect(err: Error | undefined, rc: ReasonCode, fromServer: boolean): void {
    const props = (err as { properties?: DisconnectProperties } | undefined)?.properties
    if (!err) {
      this.#disconnected(undefined)
    }
    this.#paho('onDisconnect', { fromServer }, rc, props)
  }

  // ---------------------------------------------------------------- session

  /** The store key of this client's session. */
  sessionKey(host = this.#params?.host ?? '', port = this.#params?.port): string {
    if (this.#sessionKeyOption) return this.#sessionKeyOption
    const endpoint = this.#transport.endpointKey?.(host, port) ?? `${host}${port ? `:${port}` : ''}`
    return `${endpoint}|${this.#clientId}`
  }

  #isPersistent(params: ConnectParams): boolean {
    if (!this.#clientId) return false
    if (this.#protocol !== MQTTv5) return !this.#cleanSession
    const expiry = params.properties?.sessionExpiryInterval ?? this.#sessionExpiry ?? 0
    return params.cleanStart === false && expiry > 0
  }

  /** Load (once per key) the persisted session before CONNECT, or clear it for a clean session. */
  async #prepareSession(params: ConnectParams): Promise<void> {
    const key = this.sessionKey(params.host, params.port)
    if (!this.#isPersistent(params)) {
      this.#persister = undefined
      if (this.#loadedKey !== key) {
        this.#loadedKey = key
        // Nothing is kept for a clean session, so a store that cannot even clear is only worth a log line.
        try { await this.#store.clear(key) } catch (err) { this.#log(MQTT_LOG_WARNING, `stored session ${key} not cleared: ${errText(err)}`) }
      }
      return
    }
    if (this.#loadedKey === key && this.#persister) return
    await this.restoreSession(params.host, params.port)
  }

  /**
   * Load the persisted session for (host, port) into memory now, so `pendingMessages()` shows restored
   * messages before connecting. connect() does this itself.
   */
  restoreSession(host: string, port?: number): Promise<void> {
    const key = this.sessionKey(host, port)
    if (this.#loadedKey === key && this.#persister) return Promise.resolve()
    if (this.#restoring?.key === key) return this.#restoring.promise
    const promise = this.#restore(key).finally(() => { if (this.#restoring?.promise === promise) this.#restoring = undefined })
    this.#restoring = { key, promise }
    return promise
  }

  #restoring: { key: string; promise: Promise<void> } | undefined

  async #restore(key: string): Promise<void> {
    let snap
    try {
      snap = await this.#store.load(key)
    } catch (err) {
      this.#storageFailed(err)
      return
    }
    this.#loadedKey = key
    this.#persister = new Persister(this.#store, key, (e) => this.#storageFailed(e))
    for (const s of snap.subscriptions) this.#subscriptions.set(s.topic, s.options)
    this.#inbox.restore(snap.incoming, snap.undelivered)
    if (snap.meta) this.#nextSeq = Math.max(this.#nextSeq, snap.meta.nextSeq)
    // Messages published before the session was loaded go after the stored ones, renumbered.
    const early = this.#outbox.takeQueued()
    for (const rec of snap.outgoing) {
      const info = new MessageInfo({ seq: rec.seq, topic: rec.topic, qos: rec.qos, timers: this.#timers })
      this.#outbox.restore({ ...rec, properties: rec.properties, info, everSent: rec.stage !== 'queued', sentOn: 0, durable: true, stored: true })
      this.#nextSeq = Math.max(this.#nextSeq, rec.seq + 1)
    }
    for (const m of early) {
      m.seq = this.#nextSeq++
      m.info._setSeq(m.seq)
      this.#outbox.requeue(m)
    }
    void this.#persister.enqueue({ type: 'putMeta', meta: this.#meta() })
    this.#log(MQTT_LOG_INFO, `session ${key} restored: ${snap.outgoing.length} out, ${snap.incoming.length} in (${snap.undelivered.length} undelivered), ${snap.subscriptions.length} subscriptions`)
  }

  #meta() {
    return { clientId: this.#clientId, protocolVersion: this.#protocol, nextMid: this.#ids.next, nextSeq: this.#nextSeq, updatedAt: Date.now() }
  }

  #storageFailed(err: unknown): void {
    const e = err instanceof StorageError ? err : new StorageError(`session store (${this.#store.kind}) failed: ${errText(err)}`, { cause: err })
    this.#log(MQTT_LOG_WARNING, `${e.message}; session kept in memory`)
    this.#persister = undefined
    this.#status({ type: 'error', error: e })
  }

  /** Outstanding QoS≥1 messages (and queued QoS0), including ones restored from the store, in publish order. */
  pendingMessages(): MessageInfo[] {
    return this.#outbox.all().map((m) => m.info)
  }

  /** Wipe the session: stored state and in-memory state. Outstanding messages fail with InvalidStateError. */
  async clearSession(): Promise<void> {
    this.#outbox.failAll(new InvalidStateError('clearSession()'))
    this.#inbox.clear()
    this.#subscriptions.clear()
    this.#ids.clear()
    for (const r of this.#pending.values()) this.#ids.reserve(r.mid)
    const key = this.#loadedKey ?? (this.#params || this.#sessionKeyOption ? this.sessionKey() : undefined)
    await this.#persister?.flush()
    if (key) await this.#store.clear(key)
  }

  /** Resolves when every session change so far is durable. */
  async flush(): Promise<void> {
    await this.#persister?.flush()
  }

  // ---------------------------------------------------------------- publish / subscribe

  publish(topic: string, payload?: PayloadInput, qos: QoS = 0, retain = false, properties?: PublishProperties): MessageInfo {
    validateTopic(topic, this.#protocol === MQTTv5 && properties?.topicAlias !== undefined)
    validateQos(qos)
    const bytes = copyPayload(toPayload(payload))
    this.#v5Only(properties, 'publish')
    outgoingProperties(properties)
    const connected = this.#state === 'connected'
    if (connected && qos > this.#serverMaxQos) throw new InvalidQosError(`broker accepts QoS up to ${this.#serverMaxQos}`)
    if (connected && retain && !this.#serverRetainAvailable) throw new InvalidArgumentError('broker does not support retain')
    const alias = properties?.topicAlias
    if (alias !== undefined) {
      if (!Number.isInteger(alias) || alias < 1 || alias > 65535) throw new InvalidPropertyError(`topicAlias must be 1–65535, got ${alias}`)
      const tooHigh = connected ? topicAliasError(alias, this.#serverTopicAliasMax) : undefined
      if (tooHigh) throw tooHigh
    }
    const seq = this.#nextSeq++
    const info = new MessageInfo({ seq, topic, qos, timers: this.#timers })
    const msg: OutMsg = {
      seq, mid: 0, topic, payload: bytes, qos, retain: Boolean(retain), properties: properties ? structuredCloneProps(properties) : undefined,
      stage: 'queued', info, everSent: false, sentOn: 0, durable: !this.#persister, stored: false,
    }
    if (qos === 0 && this.#state !== 'connected' && !this.#queueQos0) {
      info._reject(new NotConnectedError('not connected: QoS 0 message dropped (see queueQos0)'), MQTT_ERR_NO_CONN)
      return info
    }
    try {
      this.#outbox.add(msg)
    } catch {
      return info // QueueFullError: info carries rc MQTT_ERR_QUEUE_SIZE and a rejected waitForPublish
    }
    return info
  }

  subscribe(topic: SubscribeTopicArg, qos: QoS | SubscribeOptions = 0, properties?: SubscribeProperties): SubscribeResult {
    const entries = parseSubscribeArgs(topic, qos)
    this.#v5Only(properties, 'subscribe')
    const v5 = this.#protocol === MQTTv5
    const packet = {
      cmd: 'subscribe',
      subscriptions: entries.map((e) => ({
        topic: e.topic, qos: e.options.qos,
        ...(v5 ? { nl: e.options.noLocal ?? false, rap: e.options.retainAsPublished ?? false, rh: e.options.retainHandling ?? 0 } : {}),
      })),
      ...(properties ? { properties: outgoingProperties(properties) } : {}),
    }
    const r = this.#request('subscribe', packet, entries)
    return { rc: r.rc, mid: r.mid, granted: r.done.promise, then: r.then }
  }

  unsubscribe(topic: string | readonly string[], properties?: UnsubscribeProperties): UnsubscribeResult {
    const topics = parseUnsubscribeArgs(topic)
    this.#v5Only(properties, 'unsubscribe')
    const packet = { cmd: 'unsubscribe', unsubscriptions: topics, ...(properties ? { properties: outgoingProperties(properties) } : {}) }
    const r = this.#request('unsubscribe', packet, topics.map((t) => ({ topic: t })))
    return { rc: r.rc, mid: r.mid, done: r.done.promise, then: r.then }
  }

  #request(kind: PendingRequest['kind'], base: object, entries: PendingRequest['entries']): {
    rc: MqttErrorCode; mid: number; done: Deferred<ReasonCode[]>; then: PromiseLike<ReasonCode[]>['then']
  } {
    const done = deferred<ReasonCode[]>()
    const result = (rc: MqttErrorCode, mid: number) => ({ rc, mid, done, then: done.promise.then.bind(done.promise) })
    if (this.#state === 'disconnected' || this.#state === 'disconnecting') {
      done.reject(new NotConnectedError(`${kind}() while ${this.#state}`))
      return result(MQTT_ERR_NO_CONN, 0)
    }
    const mid = this.#ids.allocate()
    if (mid === undefined) {
      done.reject(new InvalidStateError('all packet ids in use'))
      return result(MQTT_ERR_AGAIN, 0)
    }
    const req: PendingRequest = { kind, mid, packet: { ...base, messageId: mid } as Packet, entries, done, sentOn: 0 }
    this.#pending.set(mid, req)
    if (this.#state === 'connected' && this.#link) this.#sendRequest(req, this.#link)
    return result(MQTT_ERR_SUCCESS, mid)
  }

  #sendRequest(req: PendingRequest, link: Connection): void {
    if (req.sentOn === link.id) return
    req.sentOn = link.id
    link.send(req.packet)
  }

  /** paho's message_callback_add: messages matching `filter` go to `cb` instead of onMessage. */
  messageCallbackAdd(filter: string, cb: OnMessage): void {
    if (typeof cb !== 'function') throw new InvalidArgumentError('callback must be a function')
    this.#callbacks.set(filter, { match: compileFilter(filter), cb })
  }

  messageCallbackRemove(filter: string): void {
    this.#callbacks.delete(filter)
  }

  /** Incoming messages (optionally only those matching `filter`) as an async iterable; `break` to stop. */
  messages(filter?: string): AsyncIterableIterator<MqttMessage> {
    const match = filter === undefined ? undefined : compileFilter(filter)
    const entry = { match, queue: undefined as unknown as AsyncQueue<MqttMessage> }
    entry.queue = new AsyncQueue<MqttMessage>(() => this.#iterators.delete(entry))
    this.#iterators.add(entry)
    return entry.queue
  }

  /** Status events as an async iterable. */
  status(): AsyncIterableIterator<StatusEvent> {
    const q: AsyncQueue<StatusEvent> = new AsyncQueue<StatusEvent>(() => this.#statusIterators.delete(q))
    this.#statusIterators.add(q)
    return q
  }

  // ---------------------------------------------------------------- internals shared with inbound.ts

  #serverReceiveMax = 65535

  #applyWindow(serverReceiveMax: number): void {
    this.#serverReceiveMax = serverReceiveMax
    const ours = this.#maxInflight === 0 ? 65535 : this.#maxInflight
    this.#outbox.window = Math.min(ours, serverReceiveMax)
  }

  #makeInboundContext(): InboundContext {
    return {
      protocol: () => this.#protocol,
      outbox: this.#outbox,
      inbox: this.#inbox,
      pending: this.#pending,
      subscriptions: this.#subscriptions,
      persister: () => this.#persister,
      isAttempt: (c) => c === this.#attemptLink,
      isCurrent: (c) => c === this.#link,
      receiveMaximum: () => this.#params?.properties?.receiveMaximum ?? 65535,
      topicAliasMaximum: () => this.#params?.properties?.topicAliasMaximum ?? 10,
      log: (level, text) => this.#log(level, text),
      connackOk: (c, result) => this.#connackOk(c, result),
      connackRefused: (c, err) => { this.#failAttempt(err); c.close(err) },
      deliver: (m) => this.#deliver(m),
      releaseId: (mid) => this.#ids.release(mid),
      subscribed: (mid, codes, props) => this.#paho('onSubscribe', mid, codes, props),
      unsubscribed: (mid, codes, props) => this.#paho('onUnsubscribe', mid, codes, props),
      protocolError: (c, err) => this.#protocolError(c, err),
    }
  }

  #connackOk(link: Connection, result: ConnackResult): void {
    if (this.#attemptTimer !== undefined) this.#timers.clearTimeout(this.#attemptTimer)
    this.#attemptTimer = undefined
    this.#attemptLink = undefined
    const props = result.properties
    if (props?.assignedClientIdentifier) this.#clientId = props.assignedClientIdentifier
    this.#serverMaxQos = (props?.maximumQoS ?? 2) as QoS
    this.#serverRetainAvailable = props?.retainAvailable ?? true
    if (props?.maximumPacketSize) link.maxOutgoingPacket = props.maximumPacketSize
    link.maxTopicAlias = props?.topicAliasMaximum ?? 0
    this.#serverTopicAliasMax = link.maxTopicAlias
    this.#applyWindow(props?.receiveMaximum ?? 65535)
    link.startKeepalive(props?.serverKeepAlive ?? this.#params!.keepalive)
    this.#link = link
    this.#backoff.reset()
    const firstOfConnect = !this.#everConnected
    this.#everConnected = true
    this.#setState('connected')
    this.#inbox.newConnection()
    // QoS 2 messages stored before a reload and maybe not delivered then: with the broker's session gone, the
    // store holds the only copy: delivered after onConnect. Otherwise the broker's re-sends decide (inbox.ts).
    const undelivered = result.sessionPresent ? [] : this.#inbox.takeRestored()
    if (!result.sessionPresent) {
      this.#inbox.clear()
      if (firstOfConnect && !this.#isPersistent(this.#params!)) this.#subscriptions.clear()
      if (this.#resubscribe && this.#subscriptions.size > 0) this.#restoreSubscriptions()
    }
    for (const req of this.#pending.values()) this.#sendRequest(req, link)
    this.#outbox.resume(result.sessionPresent)
    if (this.#persister) void this.#persister.enqueue({ type: 'putMeta', meta: this.#meta() })
    this.#log(MQTT_LOG_INFO, `connected (session present: ${result.sessionPresent})`)
    this.#status({ type: 'connected', sessionPresent: result.sessionPresent, reasonCode: result.reasonCode })
    this.#paho('onConnect', { sessionPresent: result.sessionPresent }, result.reasonCode, props)
    for (const m of undelivered) this.#deliver(m)
    this.#attemptResult?.resolve(result)
    this.#attemptResult = undefined
  }

  #restoreSubscriptions(): void {
    const entries = [...this.#subscriptions.entries()]
    this.#log(MQTT_LOG_INFO, `no session on broker: re-subscribing ${entries.length}`)
    for (const [topic, options] of entries) {
      if ([...this.#pending.values()].some((r) => r.kind === 'subscribe' && r.entries.some((e) => e.topic === topic))) continue
      this.subscribe(topic, options).granted.catch(() => {})
    }
  }

  #published(m: OutMsg, rc: ReasonCode | undefined, props: unknown, error?: Error): void {
    if (error) m.info._reject(error)
    else m.info._resolve(rc)
    if (rc) this.#paho('onPublish', m.mid, rc, props)
    if (error) this.#log(MQTT_LOG_WARNING, error.message)
  }

  #deliver(m: MqttMessage): void {
    let matched = false
    for (const { match, cb } of this.#callbacks.values()) {
      if (match(m.topic)) {
        matched = true
        this.#callback('message callback', () => cb(this, this.#userdata, m))
      }
    }
    if (!matched) this.#paho('onMessage', m)
    this.#events.emit('message', m)
    for (const it of this.#iterators) if (!it.match || it.match(m.topic)) it.queue.push(m)
  }

  #setState(s: ClientState): void {
    const prev = this.#state
    if (prev === s) return
    this.#state = s
    this.#log(MQTT_LOG_DEBUG, `state ${prev} → ${s}`)
    this.#events.emit('state', s, prev)
  }

  #disconnected(error: Error | undefined): void {
    this.#setState('disconnected')
    this.#status({ type: 'disconnected', error })
  }

  #status(ev: StatusEvent): void {
    this.#events.emit('status', ev)
    for (const q of this.#statusIterators) q.push(ev)
  }

  /** Call the paho-style callback `name` (client, userdata, …args), if set; a throwing callback is logged. */
  #paho(name: 'onConnect' | 'onConnectFail' | 'onDisconnect' | 'onMessage' | 'onPublish' | 'onSubscribe' | 'onUnsubscribe', ...args: unknown[]): void {
    this.#callback(name, () => (this[name] as ((...a: unknown[]) => void) | undefined)?.(this, this.#userdata, ...args))
  }

  #callback(name: string, fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.#log(MQTT_LOG_ERR, `${name} callback threw: ${errText(err)}`)
    }
  }

  #log(level: LogLevel, text: string): void {
    if (this.onLog) {
      try { this.onLog(this, this.#userdata, level, text) } catch { /* a logger must not break the client */ }
    }
    const l = this.#logger
    if (!l) return
    const line = `webmqtt[${this.#clientId}] ${text}`
    if (level === MQTT_LOG_ERR) l.error?.(line)
    else if (level === MQTT_LOG_WARNING) l.warn?.(line)
    else if (level === MQTT_LOG_DEBUG) l.debug?.(line)
    else l.info?.(line)
  }
}

/** Errors from a transport become ConnectionClosedError (with the original as `cause`); ours pass through. */
function asMqttError(err: Error | undefined, text: string): Error {
  if (err instanceof MqttError) return err
  return new ConnectionClosedError(err ? `${text}: ${err.message}` : text, err ? { cause: err } : {})
}

/** Bytes or a string as the Buffer mqtt-packet wants (the conversion used for binary properties). */
function asBuffer(v: Uint8Array | string): unknown {
  return outgoingProperties({ correlationData: v })!.correlationData
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function structuredCloneProps(p: PublishProperties): PublishProperties {
  const out: PublishProperties = { ...p }
  if (p.correlationData) out.correlationData = p.correlationData.slice()
  if (p.userProperties) out.userProperties = { ...p.userProperties }
  return out
}
