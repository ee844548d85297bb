/**
 * Node-side packages the adversarial specs use that e2e/package.json does not list (yet): `ws` and `fast-check`,
 * loaded from the core package's dev dependencies, and `vite`, from the browser package's. Resolution is
 * relative to those packages, so nothing new is installed and the versions are the workspace's own.
 * (If e2e ever lists them itself, plain imports can replace this file.)
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { REPO_ROOT } from '../bundle.js'

const fromCore = createRequire(`${REPO_ROOT}packages/core/package.json`)
const fromBrowser = createRequire(`${REPO_ROOT}packages/browser/package.json`)

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

export const ws = fromCore('ws') as WsModule

/** fast-check, typed loosely: only `sample` and a few arbitraries are used. */
export const fc = fromCore('fast-check') as any

/** Vite's JS API (ESM). */
export async function loadVite(): Promise<any> {
  return import(pathToFileURL(fromBrowser.resolve('vite')).href)
}
