/**
 * Node-side packages the adversarial specs use (`ws`, `fast-check`, `vite`, all e2e dev dependencies), behind the
 * narrow types the specs rely on (`ws`'s raw `_socket`, used to write invalid frames, is not in its typings).
 */
import * as fastCheck from 'fast-check'
import { WebSocketServer } from 'ws'

/** The parts of `ws` used here. */
export interface WsSocket {
  readonly readyState: number
  readonly protocol: string
  send(data: Uint8Array | string, opts?: { binary?: boolean }, cb?: (err?: Error) => void): void
  close(code?: number, reason?: string): void
  terminate(): void
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): void
  on(event: 'close', fn: (code: number, reason: Buffer) => void): void
  on(event: 'error', fn: (err: Error) => void): void
  /** The underlying TCP socket (ws internal, used to write raw, invalid frames). */
  readonly _socket: import('node:net').Socket
}

export interface WsServer {
  on(event: 'connection', fn: (ws: WsSocket, req: import('node:http').IncomingMessage) => void): void
  close(cb?: () => void): void
  readonly clients: Set<WsSocket>
}

interface WsModule {
  WebSocketServer: new (opts: {
    server: import('node:http').Server
    handleProtocols?: (protocols: Set<string>) => string | false
    maxPayload?: number
    perMessageDeflate?: boolean
  }) => WsServer
}

export const ws = { WebSocketServer } as unknown as WsModule

/** fast-check, typed loosely: only `sample` and a few arbitraries are used. */
export const fc = fastCheck as any

/** Vite's JS API (ESM). */
export async function loadVite(): Promise<any> {
  return import('vite')
}
