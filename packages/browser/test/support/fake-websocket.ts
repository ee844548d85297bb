/**
 * A scriptable WebSocket for transport unit tests: records every construction (url, protocols, headers) and
 * lets the test open, fail, close or feed it.
 */
import type { CreateWebSocket, WebSocketHeaders, WebSocketLike } from '../../src/websocket-transport.js'

type Listener = (event: unknown) => void

export class FakeWebSocket implements WebSocketLike {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3

  binaryType = 'blob'
  bufferedAmount = 0
  readyState = FakeWebSocket.CONNECTING
  protocol = ''
  readonly sent: Uint8Array[] = []
  closeCalls: Array<{ code: number | undefined }> = []
  readonly #listeners = new Map<string, Listener[]>()

  constructor(
    readonly url: string,
    readonly protocols: string[],
    readonly headers: WebSocketHeaders | undefined,
  ) {}

  addEventListener(type: string, listener: Listener): void {
    const list = this.#listeners.get(type) ?? []
    list.push(listener)
    this.#listeners.set(type, list)
  }

  listenerCount(type: string): number {
    return this.#listeners.get(type)?.length ?? 0
  }

  send(data: Uint8Array): void {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error('InvalidStateError')
    this.sent.push(data)
  }

  close(code?: number): void {
    // As in browsers: only 1000 and 3000–4999 may be sent.
    if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) throw new Error('InvalidAccessError')
    this.closeCalls.push({ code })
    if (this.readyState === FakeWebSocket.CLOSED) return
    this.readyState = FakeWebSocket.CLOSING
  }

  // ---- driven by the test

  emit(type: string, event: unknown): void {
    for (const l of [...(this.#listeners.get(type) ?? [])]) l(event)
  }

  open(protocol = this.protocols[0] ?? ''): void {
    this.readyState = FakeWebSocket.OPEN
    this.protocol = protocol
    this.emit('open', {})
  }

  fail(error?: Error): void {
    this.emit('error', error ? { error, message: error.message } : {})
    this.serverClose(1006)
  }

  serverClose(code = 1000, reason = ''): void {
    this.readyState = FakeWebSocket.CLOSED
    this.emit('close', { code, reason, wasClean: code === 1000 })
  }

  receive(data: unknown): void {
    this.emit('message', { data })
  }
}

/** A createWebSocket that records sockets; `behave` runs on each new socket (e.g. open it). */
export function fakeFactory(behave: (ws: FakeWebSocket, index: number) => void = () => {}): {
  create: CreateWebSocket
  sockets: FakeWebSocket[]
} {
  const sockets: FakeWebSocket[] = []
  const create: CreateWebSocket = (url, protocols, headers) => {
    const ws = new FakeWebSocket(url, protocols, headers)
    sockets.push(ws)
    const index = sockets.length - 1
    queueMicrotask(() => behave(ws, index))
    return ws
  }
  return { create, sockets }
}
