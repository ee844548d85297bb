/**
 * A Node `Transport` for @webmqtt/core on the `ws` package, for integration tests. Offers the `mqtt`
 * subprotocol (`mqttv3.1` for MQTT 3.1), sends binary frames, copies every received frame into a fresh
 * Uint8Array (ownership passes to the client), honours `target.signal`, and calls `onClose` exactly once,
 * with an Error unless the close was requested by the client or completed cleanly with code 1000.
 *
 * Test controls: `killAll()` drops every open connection abruptly (TCP destroy, no close frame: what a crash
 * or a lost network looks like to the broker), `setOffline(true)` makes further attempts fail at once.
 */
import WebSocket from 'ws'
import type { ClientOptions } from 'ws'
import type { ConnectTarget, Transport, TransportConnection, TransportHandlers } from '../../src/transport.js'
import { ConnectionClosedError } from '../../src/errors.js'

export interface NodeWsTransportOptions {
  /** Path used when `host` is not a URL. Default `/mqtt` (Mosquitto and the Aedes harness accept any path). */
  path?: string
  /** Override the WebSocket subprotocol (`''`: offer none). Default: `mqttv3.1` for protocol 3, otherwise `mqtt`. */
  subprotocol?: string
  /** Rewrite the URL per attempt (e.g. to route through a proxy). */
  url?: (target: ConnectTarget, defaultUrl: string) => string
  /** WebSocket handshake timeout, ms. Default 10000. */
  handshakeTimeoutMs?: number
  /** Extra `ws` client options. */
  wsOptions?: ClientOptions
  /** Observe every frame, e.g. to keep a packet trace (`decodePackets` in raw-mqtt.ts decodes it). */
  onFrame?: (direction: 'in' | 'out', bytes: Uint8Array, connectionIndex: number) => void
}

export interface NodeWsConnection extends TransportConnection {
  /** 1-based index of this connection among all opened by the transport. */
  readonly index: number
  /** Drop the TCP connection without a close frame. */
  kill(): void
}

/** Build the URL for a target: a `ws://`/`wss://` host is used as is, otherwise `ws://host:port<path>`. */
export function wsUrlFor(host: string, port: number | undefined, path = '/mqtt'): string {
  if (/^wss?:\/\//i.test(host)) return host
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  return `ws://${h}:${port ?? 80}${path.startsWith('/') ? path : `/${path}`}`
}

export class NodeWsTransport implements Transport {
  readonly #opts: NodeWsTransportOptions
  readonly #open = new Set<NodeWsConnection>()
  readonly #sockets = new Set<WebSocket>()
  #offline = false
  #opened = 0
  /** Number of `connect()` calls so far. */
  attempts = 0
  /** The target of the latest `connect()` call. */
  lastTarget: ConnectTarget | undefined

  constructor(opts: NodeWsTransportOptions = {}) {
    this.#opts = opts
  }

  /** Connections currently open. */
  get connections(): readonly NodeWsConnection[] {
    return [...this.#open]
  }

  /** Connections successfully opened so far. */
  get openedCount(): number {
    return this.#opened
  }

  endpointKey(host: string, port: number | undefined): string {
    return wsUrlFor(host, port, this.#opts.path)
  }

  /** Abruptly drop every open connection (and any handshake in progress). Returns how many were open. */
  killAll(): number {
    const n = this.#open.size
    for (const c of [...this.#open]) c.kill()
    for (const ws of [...this.#sockets]) ws.terminate()
    return n
  }

  /** While offline, `connect()` rejects at once; going offline also kills the open connections. */
  setOffline(on: boolean): void {
    this.#offline = on
    if (on) this.killAll()
  }

  connect(target: ConnectTarget, handlers: TransportHandlers): Promise<TransportConnection> {
    this.attempts++
    this.lastTarget = target
    const defaultUrl = wsUrlFor(target.host, target.port, this.#opts.path)
    const url = this.#opts.url ? this.#opts.url(target, defaultUrl) : defaultUrl
    if (target.signal.aborted) {
      return Promise.reject(new ConnectionClosedError(`connect to ${url} aborted`, { cause: target.signal.reason }))
    }
    if (this.#offline) return Promise.reject(new ConnectionClosedError(`connect to ${url} failed: offline (test)`))
    const subprotocol = this.#opts.subprotocol ?? (target.protocolVersion === 3 ? 'mqttv3.1' : 'mqtt')

    return new Promise<TransportConnection>((resolve, reject) => {
      const ws = new WebSocket(url, subprotocol === '' ? [] : [subprotocol], {
        perMessageDeflate: false,
        handshakeTimeout: this.#opts.handshakeTimeoutMs ?? 10_000,
        ...this.#opts.wsOptions,
      })
      ws.binaryType = 'nodebuffer'
      this.#sockets.add(ws)
      let opened = false
      let closed = false
      let closeRequested = false
      let lastError: Error | undefined
      let index = 0
      const onFrame = this.#opts.onFrame

      const conn: NodeWsConnection = {
        get index() { return index },
        get bufferedAmount() { return ws.bufferedAmount },
        remote: url,
        send: (bytes: Uint8Array) => {
          if (closed || ws.readyState !== WebSocket.OPEN) {
            throw new ConnectionClosedError(`send on a closed WebSocket (${url})`)
          }
          onFrame?.('out', bytes, index)
          ws.send(bytes, { binary: true })
        },
        close: () => {
          if (closed || closeRequested) return
          closeRequested = true
          ws.close(1000)
          // A peer that never answers the close handshake must not keep us waiting.
          setTimeout(() => { if (!closed) ws.terminate() }, 1000).unref()
        },
        kill: () => {
          if (!closed) ws.terminate()
        },
      }

      const onAbort = (): void => {
        if (!opened) {
          ws.terminate()
        } else {
          conn.close()
        }
      }
      target.signal.addEventListener('abort', onAbort, { once: true })

      ws.on('open', () => {
        opened = true
        index = ++this.#opened
        this.#open.add(conn)
        resolve(conn)
      })
      ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
        if (closed) return
        const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
        const bytes = new Uint8Array(chunk) // copy: the client owns it
        onFrame?.('in', bytes, index)
        handlers.onData(bytes)
      })
      ws.on('error', (err: Error) => {
        lastError = err
      })
      ws.on('close', (code: number, reason: Buffer) => {
        target.signal.removeEventListener('abort', onAbort)
        this.#sockets.delete(ws)
        if (!opened) {
          const why = target.signal.aborted ? 'aborted' : lastError?.message ?? `closed with code ${code}`
          reject(new ConnectionClosedError(`WebSocket to ${url} failed: ${why}`, { cause: lastError }))
          return
        }
        if (closed) return
        closed = true
        this.#open.delete(conn)
        const clean = closeRequested || (code === 1000 && lastError === undefined)
        if (clean) handlers.onClose()
        else {
          const text = reason.length > 0 ? `: ${reason.toString()}` : ''
          handlers.onClose(new ConnectionClosedError(`WebSocket to ${url} closed abnormally (code ${code}${text})`, {
            cause: lastError,
          }))
        }
      })
    })
  }
}
