/**
 * The browser Client: the core Client with browser defaults, so `new Client({ clientId })` works in a page.
 *
 * - transport: WebSocketTransport (paho's `wsSetOptions`, `tlsSet`, `tlsInsecureSet` configure it)
 * - store: IndexedDB when a clientId is given: the session is kept there when the options ask for a persistent
 *   one (cleanSession false on 3.x; cleanStart false with sessionExpiryInterval > 0 on 5), and cleared for a clean
 *   one; memory without a clientId
 * - timers: one Worker per page (hidden tabs do not throttle it), native timers when Workers are blocked
 * - lifecycle: reconnect at once on `online` / page visible / back-forward cache restore; flush on `pagehide`
 * - tab ownership: a clientId chosen by the app is locked to one tab (Web Locks) before CONNECT, since two
 *   tabs connecting with one clientId make the broker kick them off in turn
 *
 * Nothing here touches `window` or `document` until a client is constructed or connected: importing the module
 * in Node or during server-side rendering is safe.
 */
import { Client as CoreClient, ConnectionClosedError, MQTT_LOG_WARNING, MemoryStore, NotSupportedError } from '@webmqtt/core'
import type { ClientOptions, ConnackResult, ConnectOptions, DisconnectProperties, ReasonCode, SessionStore, Timers, Transport } from '@webmqtt/core'
import type { IndexedDBStoreOptions } from './indexeddb-store.js'
import { LazyIndexedDBStore } from './lazy-store.js'
import { attachLifecycle } from './lifecycle.js'
import { acquireSessionLock } from './tab-lock.js'
import type { SessionLock } from './tab-lock.js'
import { WebSocketTransport } from './websocket-transport.js'
import type { WebSocketOptions, WebSocketTransportOptions } from './websocket-transport.js'
import { sharedWorkerTimers } from './worker-timers.js'

export interface BrowserClientOptions extends Omit<ClientOptions, 'transport'> {
  /** Another transport. Default: a WebSocketTransport built from `webSocket`. */
  transport?: Transport
  /** Options of the default WebSocket transport (same as `wsSetOptions`, plus `tls`). */
  webSocket?: Omit<WebSocketTransportOptions, 'timers'>
  /**
   * Where the session lives: 'auto' (default) uses IndexedDB when a `clientId` is given (a persistent session is
   * kept there, a clean one clears it), 'indexeddb' always, 'memory' never. Ignored when `store` is given.
   */
  persistence?: 'auto' | 'indexeddb' | 'memory'
  /** Options of the IndexedDB store (database name, durability, …). */
  indexedDB?: IndexedDBStoreOptions
  /** Run timers on a Worker (default true; falls back to native timers by itself). Ignored when `timers` is given. */
  workerTimers?: boolean
  /** Reconnect on online / visible / bfcache restore and flush on pagehide (default true). */
  lifecycle?: boolean
  /**
   * Lock (broker, clientId) to one tab before connecting (Web Locks), when `clientId` is given. 'fail' (default):
   * connect() rejects with SessionLockedError when another tab owns it; 'wait': wait for it; false: no lock.
   */
  sessionLock?: 'fail' | 'wait' | false
  /** The Web Locks manager (default `navigator.locks`; `null`: none). For tests and special runtimes. */
  locks?: LockManager | null
}

// With a clientId, 'auto' means IndexedDB even for a clean session: connecting clean then clears what an earlier
// persistent session of that (broker, clientId) left there.
function defaultStore(options: BrowserClientOptions): SessionStore {
  const mode = options.persistence ?? 'auto'
  const indexed = mode === 'indexeddb' || (mode === 'auto' && Boolean(options.clientId))
  return indexed ? new LazyIndexedDBStore(options.indexedDB) : new MemoryStore()
}

function defaultTimers(options: BrowserClientOptions): Timers | undefined {
  if (options.timers) return options.timers
  return options.workerTimers === false ? undefined : sharedWorkerTimers()
}

function coreOptions(options: BrowserClientOptions): ClientOptions {
  const {
    transport, webSocket, persistence: _p, indexedDB: _i, workerTimers: _w, lifecycle: _l, sessionLock: _s, locks: _k, ...rest
  } = options
  const timers = defaultTimers(options)
  return {
    ...rest,
    transport: transport ?? new WebSocketTransport({ ...webSocket, ...(timers ? { timers } : {}) }),
    store: options.store ?? defaultStore(options),
    ...(timers ? { timers } : {}),
  }
}

export class Client extends CoreClient {
  readonly #transport: Transport
  readonly #lifecycle: boolean
  readonly #sessionLock: 'fail' | 'wait' | false
  readonly #locks: LockManager | null | undefined
  /** A clientId chosen by the app (not generated): two tabs using it would kick each other off the broker. */
  #fixedClientId: boolean
  #detachLifecycle: (() => void) | undefined
  #lock: SessionLock | undefined
  #lockWait: AbortController | undefined

  constructor(options: BrowserClientOptions = {}) {
    const core = coreOptions(options ?? {})
    super(core)
    this.#transport = core.transport
    this.#lifecycle = options?.lifecycle !== false
    this.#sessionLock = options?.sessionLock ?? 'fail'
    this.#fixedClientId = Boolean(options?.clientId)
    this.#locks = options?.locks
    this.on('state', (state) => this.#onState(state))
  }

  /** The transport in use (a WebSocketTransport unless one was passed). */
  get transport(): Transport {
    return this.#transport
  }

  /**
   * paho's `ws_set_options`: `path` (string or function, default '/mqtt') and `headers` (object, or a function
   * of the default headers); plus `transformUrl`, `protocols`, `createWebSocket`, `failover`, `openTimeoutMs`.
   * Hooks run on every connection attempt and may return promises. Headers need `createWebSocket` (a browser's
   * WebSocket cannot send them): without it this throws NotSupportedError.
   */
  wsSetOptions(options: WebSocketOptions = {}): void {
    this.#webSocket('wsSetOptions').wsSetOptions(options)
  }

  /**
   * paho's `tls_set`: use `wss://` for host names. The browser checks certificates against its own trust store;
   * certificate files and TLS parameters cannot be set from a page and are refused with NotSupportedError (in Node,
   * configure TLS in `createWebSocket`).
   */
  tlsSet(
    caCerts?: unknown, certfile?: unknown, keyfile?: unknown, certReqs?: unknown, tlsVersion?: unknown, ciphers?: unknown,
    keyfilePassword?: unknown, alpnProtocols?: unknown,
  ): void {
    const given = { caCerts, certfile, keyfile, certReqs, tlsVersion, ciphers, keyfilePassword, alpnProtocols }
    const set = Object.entries(given).filter(([, v]) => v !== undefined && v !== null).map(([k]) => k)
    if (set.length > 0) {
      throw new NotSupportedError(
        `tlsSet(${set.join(', ')}): a browser uses its own TLS settings; call tlsSet() without arguments`,
      )
    }
    this.#webSocket('tlsSet').setTls(true)
  }

  /** paho's `tls_insecure_set`. A page cannot turn off certificate checks: `true` throws NotSupportedError. */
  tlsInsecureSet(value: boolean): void {
    if (value) {
      throw new NotSupportedError(
        'tlsInsecureSet(true): a browser always verifies certificates',
      )
    }
  }

  /**
   * As the core's connect(); first, when `clientId` was given, takes the tab lock of the session (see
   * `sessionLock`). Argument errors still throw synchronously when no lock is involved.
   */
  override connect(host: string, port?: number, keepalive = 60, options: ConnectOptions = {}): Promise<ConnackResult> {
    if (!this.#needsLock()) return super.connect(host, port, keepalive, options)
    return this.#withLock(this.sessionKey(host, port), () => super.connect(host, port, keepalive, options))
  }

  /** As the core's reconnect(); after a disconnect, takes the tab lock again first. */
  override reconnect(): Promise<ConnackResult> {
    if (!this.#needsLock()) return super.reconnect()
    return this.#withLock(this.sessionKey(), () => super.reconnect())
  }

  override reinitialise(clientId = '', cleanSession = true, userdata?: unknown): void {
    super.reinitialise(clientId, cleanSession, userdata)
    this.#fixedClientId = Boolean(clientId)
    this.#releaseLock()
  }

  /** As the core's disconnect(); also stops waiting for the tab lock and releases it. */
  override async disconnect(reasonCode?: number | ReasonCode, properties?: DisconnectProperties): Promise<void> {
    this.#lockWait?.abort(new ConnectionClosedError('disconnect() while waiting for the session lock'))
    try {
      await super.disconnect(reasonCode, properties)
    } finally {
      this.#releaseLock()
    }
  }

  /** The session lock held by this client, if any. */
  get sessionLock(): SessionLock | undefined {
    return this.#lock
  }

  #needsLock(): boolean {
    return this.state === 'disconnected' && this.#sessionLock !== false && this.#fixedClientId
  }

  async #withLock(key: string, run: () => Promise<ConnackResult>): Promise<ConnackResult> {
    if (!(this.#lock?.key === key && (this.#lock.held || !this.#lock.supported))) {
      this.#releaseLock()
      const wait = new AbortController()
      this.#lockWait = wait
      try {
        const lock = await acquireSessionLock(key, {
          wait: this.#sessionLock === 'wait', signal: wait.signal, ...(this.#locks !== undefined ? { locks: this.#locks } : {}),
        })
        if (wait.signal.aborted) {
          void lock.release()
          throw wait.signal.reason
        }
        if (!lock.supported) this.log(MQTT_LOG_WARNING, `no tab lock for ${key}: ${lock.reason}`)
        this.#lock = lock
      } finally {
        if (this.#lockWait === wait) this.#lockWait = undefined
      }
    }
    try {
      return await run()
    } catch (err) {
      // Failed for good (a failure that is retried leaves the client 'reconnecting', still owning the session).
      if (this.state === 'disconnected') this.#releaseLock()
      throw err
    }
  }

  #releaseLock(): void {
    const lock = this.#lock
    this.#lock = undefined
    lock?.release().catch(() => {
      // best effort; the browser releases the lock when the tab goes away
    })
  }

  #onState(state: string): void {
    if (state === 'disconnected') {
      this.#detachLifecycle?.()
      this.#detachLifecycle = undefined
      this.#releaseLock()
    } else if (this.#lifecycle && !this.#detachLifecycle) {
      this.#detachLifecycle = attachLifecycle(this)
    }
  }

  #webSocket(what: string): WebSocketTransport {
    if (this.#transport instanceof WebSocketTransport) return this.#transport
    throw new NotSupportedError(`${what}() needs the WebSocket transport`)
  }
}
