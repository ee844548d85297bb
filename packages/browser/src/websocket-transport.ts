/**
 * MQTT over WebSocket (MQTT 3.1.1 §6, MQTT 5 §6) for the core `Transport` contract.
 *
 * - `host` is a host name (scheme `ws`, or `wss` after `setTls(true)`) or a full `ws://` / `wss://` URL
 *   (used verbatim: the port argument and `path` do not apply to it).
 * - Subprotocol `mqtt` (`mqttv3.1` for MQTT 3.1), `binaryType = 'arraybuffer'`, `bufferedAmount` exposed.
 * - Hooks (`path`, `headers`, `protocols`, `transformUrl`) run on every attempt, for every URL tried, and
 *   may return promises (token refresh, presigned URLs).
 * - A browser's WebSocket cannot send custom headers. Setting `headers` without `createWebSocket` is refused
 *   with a NotSupportedError (never silently dropped). In Node, pass the `ws` package:
 *   `createWebSocket: (url, protocols, headers) => new WebSocket(url, protocols, { headers })`.
 * - Failover: `failover` lists more brokers (URLs or host names). The first attempt of a `connect()` starts
 *   with the primary; each reconnect attempt starts with the URL after the one the previous attempt used.
 *   Within an attempt, a URL that cannot be opened is followed by the next one, each at most once.
 */
import { ConnectionClosedError, InvalidArgumentError, MQTTv31, NotSupportedError, ProtocolError, nativeTimers } from '@webmqtt/core'
import type { ConnectTarget, ProtocolVersion, Timers, Transport, TransportConnection, TransportHandlers } from '@webmqtt/core'
import { WebSocketRefusedError, WebSocketTimeoutError } from './errors.js'

export type MaybePromise<T> = T | PromiseLike<T>
export type WebSocketHeaders = Record<string, string>

/** The part of the WebSocket API the transport uses: the browser's WebSocket and Node's `ws` both fit. */
export interface WebSocketLike {
  binaryType: string
  readonly bufferedAmount: number
  readonly readyState: number
  readonly protocol: string
  send(data: Uint8Array): void
  close(code?: number, reason?: string): void
  addEventListener(type: string, listener: (event: any) => void): void
}

/** Opens a WebSocket. `headers` is undefined unless the `headers` option is set. */
export type CreateWebSocket = (url: string, protocols: string[], headers: WebSocketHeaders | undefined) => WebSocketLike

/** What the `path` hook is told. */
export interface PathContext {
  /** The host name being connected to. */
  readonly host: string
  readonly port: number | undefined
  readonly attempt: number
  readonly protocolVersion: ProtocolVersion
}

/** Options with paho's `ws_set_options` meaning, plus the hooks a browser needs. */
export interface WebSocketOptions {
  /** URL path used with a host name. Default `'/mqtt'`. */
  path?: string | ((context: PathContext) => MaybePromise<string>)
  /**
   * Handshake headers: an object, or a function given the default headers (`Host`) that returns the headers
   * to send. Needs `createWebSocket`: a browser's WebSocket cannot send headers.
   */
  headers?: WebSocketHeaders | ((defaultHeaders: WebSocketHeaders) => MaybePromise<WebSocketHeaders>)
  /** Rewrite the URL on every attempt (query-string tokens, presigned URLs). */
  transformUrl?: (url: string, attempt: number) => MaybePromise<string>
  /** WebSocket subprotocols to offer, or a function of the defaults (`['mqtt']`), e.g. to add a token. */
  protocols?: readonly string[] | ((defaultProtocols: string[], attempt: number) => MaybePromise<string[]>)
  /** Open the socket yourself, e.g. with Node's `ws` package (which can send `headers`). */
  createWebSocket?: CreateWebSocket
  /** More brokers (full URLs, or host names that take the primary's port, scheme and path). */
  failover?: readonly string[]
  /** Give up on one URL when it has not opened after this long; 0 = never. Default 10,000 ms. */
  openTimeoutMs?: number
}

export interface WebSocketTransportOptions extends WebSocketOptions {
  /** Use `wss` for host names. Default false. */
  tls?: boolean
  /** Timers for the open timeout. Default: native timers. */
  timers?: Timers
}

// Phases of a connection; OPEN is also WebSocket.OPEN (readyState).
const OPENING = 0
const OPEN = 1
const CLOSED = 2
const DEFAULT_PATH = '/mqtt'
const DEFAULT_OPEN_TIMEOUT_MS = 10_000
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i

interface Settings {
  path: NonNullable<WebSocketOptions['path']>
  headers: WebSocketOptions['headers']
  transformUrl: WebSocketOptions['transformUrl']
  protocols: WebSocketOptions['protocols']
  createWebSocket: CreateWebSocket | undefined
  failover: readonly string[]
  openTimeoutMs: number
}

export class WebSocketTransport implements Transport {
  #settings: Settings = {
    path: DEFAULT_PATH, headers: undefined, transformUrl: undefined, protocols: undefined,
    createWebSocket: undefined, failover: [], openTimeoutMs: DEFAULT_OPEN_TIMEOUT_MS,
  }
  #tls: boolean
  #timers: Timers
  /** Index (into primary + failover) used by the latest attempt. */
  #lastIndex = 0

  constructor(options: WebSocketTransportOptions = {}) {
    this.#tls = options.tls === true
    this.#timers = options.timers ?? nativeTimers
    this.#settings = merge(this.#settings, options)
  }

  /**
   * paho's `ws_set_options`: `path` and `headers` are both set by every call (to '/mqtt' and none when
   * omitted); the other options change only when given. Throws NotSupportedError for headers the runtime
   * cannot send, InvalidArgumentError for bad values; nothing changes then.
   */
  wsSetOptions(options: WebSocketOptions = {}): void {
    this.#settings = merge(this.#settings, { path: DEFAULT_PATH, headers: undefined, ...options })
  }

  /** Current options (read-only copy). */
  get options(): Readonly<WebSocketOptions> {
    return { ...this.#settings }
  }

  get tls(): boolean {
    return this.#tls
  }

  /** Use `wss` for host names. Full URLs keep their own scheme. */
  setTls(enabled: boolean): void {
    this.#tls = enabled
  }

  /** Timers used for the open timeout (the browser client passes Worker timers). */
  setTimers(timers: Timers): void {
    this.#timers = timers
  }

  /** The primary URL without query string: stable across token refreshes and failover. */
  endpointKey(host: string, port: number | undefined): string {
    const path = typeof this.#settings.path === 'string' ? this.#settings.path : DEFAULT_PATH
    try {
      return redact(baseUrl(host, port, this.#tls, path))
    } catch {
      return `${host}:${port ?? ''}`
    }
  }

  async connect(target: ConnectTarget, handlers: TransportHandlers): Promise<TransportConnection> {
    const settings = this.#settings
    assertHeadersSupported(settings)
    const entries = [target.host, ...settings.failover]
    const n = entries.length
    const start = target.attempt <= 1 ? 0 : (this.#lastIndex + 1) % n
    let lastError: Error | undefined
    for (let k = 0; k < n; k++) {
      throwIfAborted(target.signal)
      const index = (start + k) % n
      this.#lastIndex = index
      try {
        return await this.#open(entries[index]!, target, handlers, settings)
      } catch (err) {
        if (target.signal.aborted) throw abortError(target.signal)
        if (!(err instanceof Error)) throw new ConnectionClosedError(`hook failed: ${String(err)}`, { cause: err })
        // A URL that could not be opened moves on to the next one; hook and argument errors do not.
        if (!(err instanceof WebSocketRefusedError || err instanceof WebSocketTimeoutError || err instanceof ConnectionClosedError)) throw err
        lastError = err
      }
    }
    throw lastError ?? new ConnectionClosedError('no broker URL')
  }

  async #open(entry: string, target: ConnectTarget, handlers: TransportHandlers, s: Settings): Promise<TransportConnection> {
    const { attempt, signal } = target
    const port = target.port
    const path = typeof s.path === 'string'
      ? s.path
      : await s.path({ host: entry, port, attempt, protocolVersion: target.protocolVersion })
    let url = baseUrl(entry, port, this.#tls, path)
    if (s.transformUrl) url = checkUrl(await s.transformUrl(url, attempt))
    throwIfAborted(signal)

    const defaultProtocols = [target.protocolVersion === MQTTv31 ? 'mqttv3.1' : 'mqtt']
    const protocols = s.protocols === undefined ? defaultProtocols
      : typeof s.protocols === 'function' ? await s.protocols(defaultProtocols, attempt)
      : [...s.protocols]
    if (!isStrings(protocols)) throw new InvalidArgumentError('protocols hook must return string[]')
    let headers: WebSocketHeaders | undefined
    if (s.headers !== undefined) {
      headers = typeof s.headers === 'function' ? await s.headers({ Host: new URL(url).host }) : { ...s.headers }
      checkHeaders(headers)
    }
    throwIfAborted(signal)

    const shown = redact(url)
    let ws: WebSocketLike
    try {
      ws = (s.createWebSocket ?? nativeWebSocket)(url, protocols, headers)
    } catch (err) {
      if (err instanceof NotSupportedError) throw err
      throw new WebSocketRefusedError(`cannot open WebSocket to ${shown}: ${(err as Error)?.message ?? err}`, shown, { cause: err })
    }
    ws.binaryType = 'arraybuffer'
    const timers = this.#timers

    return new Promise<TransportConnection>((resolve, reject) => {
      let phase = OPENING
      let timer: unknown
      const stopOpening = (): void => {
        if (timer !== undefined) timers.clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
      }
      const failOpen = (err: Error): void => {
        if (phase !== OPENING) return
        phase = CLOSED
        stopOpening()
        safeClose(ws)
        reject(err)
      }
      const end = (err: Error | undefined): void => {
        if (phase !== OPEN) return
        phase = CLOSED
        safeClose(ws)
        handlers.onClose(err)
      }
      const onAbort = (): void => failOpen(abortError(signal))

      const connection: TransportConnection = {
        send(bytes: Uint8Array): void {
          if (phase !== OPEN || ws.readyState !== OPEN) throw new ConnectionClosedError(`WebSocket to ${shown} is closed`)
          ws.send(bytes)
        },
        close(): void {
          if (phase !== OPEN) return
          phase = CLOSED
          safeClose(ws, 1000)
          queueMicrotask(() => handlers.onClose())
        },
        get bufferedAmount(): number {
          return ws.bufferedAmount ?? 0
        },
        remote: shown,
      }

      // Listeners stay attached for the socket's life (removing the error listener of a Node `ws` socket
      // would turn a late error into an uncaught exception); `phase` makes late events no-ops.
      ws.addEventListener('open', () => {
        if (phase !== OPENING) return
        stopOpening()
        phase = OPEN
        resolve(connection)
      })
      ws.addEventListener('message', (event: { data: unknown }) => {
        if (phase !== OPEN) return
        const bytes = toBytes(event.data)
        if (bytes) handlers.onData(bytes)
        else end(new ProtocolError('server sent a non-binary WebSocket frame'))
      })
      ws.addEventListener('error', (event: unknown) => {
        const cause = errorOf(event)
        // A browser does not say why; Node's ws does.
        const detail = cause ? `: ${cause.message}` : ' (refused, unreachable, TLS or HTTP error)'
        if (phase === OPENING) failOpen(new WebSocketRefusedError(`WebSocket to ${shown} could not be opened${detail}`, shown, { cause }))
        else end(new ConnectionClosedError(`WebSocket error on ${shown}${detail}`, { cause }))
      })
      ws.addEventListener('close', (event: { code?: number; reason?: string }) => {
        const how = `(code ${event.code ?? 'unknown'}${event.reason ? `, ${event.reason}` : ''})`
        if (phase === OPENING) failOpen(new ConnectionClosedError(`WebSocket to ${shown} closed before it opened ${how}`))
        else end(new ConnectionClosedError(`WebSocket to ${shown} closed by the server ${how}`))
      })

      if (signal.aborted) return onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      if (s.openTimeoutMs > 0) {
        timer = timers.setTimeout(() => {
          timer = undefined
          failOpen(new WebSocketTimeoutError(`WebSocket to ${shown} not open after ${s.openTimeoutMs} ms`, shown))
        }, s.openTimeoutMs)
      }
    })
  }
}

const FUNCTION_OPTIONS = ['transformUrl', 'createWebSocket'] as const

function merge(current: Settings, options: WebSocketTransportOptions): Settings {
  const next: Settings = { ...current }
  const has = (k: keyof WebSocketOptions): boolean => Object.hasOwn(options, k)
  const bad = (what: string): never => {
    throw new InvalidArgumentError(`wsSetOptions: ${what}`)
  }
  if (has('path')) {
    const p = options.path
    if (typeof p !== 'string' && typeof p !== 'function') bad('path must be a string or function')
    next.path = p!
  }
  if (has('headers')) {
    const h = options.headers
    if (h !== undefined && typeof h !== 'function') checkHeaders(h)
    next.headers = h
  }
  for (const k of FUNCTION_OPTIONS) {
    if (!has(k)) continue
    if (options[k] !== undefined && typeof options[k] !== 'function') bad(`${k} must be a function`)
    ;(next as unknown as Record<string, unknown>)[k] = options[k]
  }
  if (has('protocols')) {
    const p = options.protocols
    if (p !== undefined && typeof p !== 'function' && !isStrings(p)) bad('protocols must be string[] or a function')
    next.protocols = Array.isArray(p) ? [...p] : p
  }
  if (has('failover')) {
    const f = options.failover ?? []
    if (!isStrings(f) || f.includes('')) bad('failover must be a list of URLs or host names')
    next.failover = [...f]
  }
  if (has('openTimeoutMs')) {
    const t = options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS
    if (!(t >= 0 && t < Infinity)) bad('openTimeoutMs must be >= 0')
    next.openTimeoutMs = t
  }
  assertHeadersSupported(next)
  return next
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string')
}

/** Headers need a factory that can send them; the browser's WebSocket cannot. */
function assertHeadersSupported(s: Settings): void {
  const h = s.headers
  if (h === undefined || s.createWebSocket || (typeof h === 'object' && Object.keys(h).length === 0)) return
  throw new NotSupportedError(
    "a browser's WebSocket cannot send headers: use transformUrl or protocols, or a createWebSocket that can (Node's ws)",
  )
}

function checkHeaders(h: unknown): asserts h is WebSocketHeaders {
  if (typeof h !== 'object' || h === null || Array.isArray(h) || !Object.values(h).every((v) => typeof v === 'string')) {
    throw new InvalidArgumentError('headers must be an object of strings')
  }
}

function checkUrl(v: unknown): string {
  if (typeof v !== 'string' || !/^wss?:\/\//i.test(v)) {
    throw new InvalidArgumentError(`transformUrl must return a ws(s):// URL, got ${typeof v === 'string' ? redact(v) : typeof v}`)
  }
  return v
}

/** The URL for a host name or full URL, before `transformUrl`. */
export function baseUrl(host: string, port: number | undefined, tls: boolean, path: string): string {
  if (typeof host !== 'string' || host.trim() === '') throw new InvalidArgumentError('host must be a non-empty string')
  const h = host.trim()
  const m = SCHEME.exec(h)
  if (m) {
    const scheme = m[1]!.toLowerCase()
    const rest = h.slice(m[0].length)
    if (scheme === 'ws' || scheme === 'wss') return `${scheme}://${rest}`
    if (scheme === 'http' || scheme === 'https') return `${scheme === 'https' ? 'wss' : 'ws'}://${rest}`
    throw new InvalidArgumentError(`URL scheme ${scheme} is not ws(s)://`)
  }
  if (/[\s/?#@]/.test(h)) throw new InvalidArgumentError(`not a host name: ${h}`)
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new InvalidArgumentError(`port must be 1–65535, got ${port}`)
  }
  if (typeof path !== 'string') throw new InvalidArgumentError('path must be a string')
  const name = h.includes(':') && !h.startsWith('[') ? `[${h}]` : h
  const p = path === '' || path.startsWith('/') ? path : `/${path}`
  return `${tls ? 'wss' : 'ws'}://${name}${port !== undefined ? `:${port}` : ''}${p}`
}

/** The URL without query string and fragment, which may carry tokens. */
export function redact(url: string): string {
  const cut = url.search(/[?#]/)
  return cut < 0 ? url : `${url.slice(0, cut)}?…`
}

function nativeWebSocket(url: string, protocols: string[]): WebSocketLike {
  const Ctor = (globalThis as { WebSocket?: new (url: string, protocols?: string[]) => WebSocketLike }).WebSocket
  if (typeof Ctor !== 'function') {
    throw new NotSupportedError("no WebSocket in this runtime: pass createWebSocket (e.g. Node's ws)")
  }
  return new Ctor(url, protocols)
}

/** Close without throwing. A browser only accepts code 1000 or 3000–4999, so errors close without a code. */
function safeClose(ws: WebSocketLike, code?: number): void {
  try {
    ws.close(code) // undefined: as if no code was given
  } catch {
    // already closed, or a runtime that refuses the call: nothing else to do
  }
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') return new Uint8Array(data as ArrayBuffer)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return undefined
}

function errorOf(event: unknown): Error | undefined {
  if (event instanceof Error) return event
  const e = event as { error?: unknown; message?: unknown } | null
  if (e?.error instanceof Error) return e.error
  if (typeof e?.message === 'string' && e.message) return new Error(e.message)
  return undefined
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal)
}

function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason
  if (r instanceof Error && r.name !== 'AbortError') return r
  return new ConnectionClosedError('connect aborted', { cause: r })
}
