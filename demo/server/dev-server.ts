/**
 * Start the demo's Vite dev server (with the embedded broker) programmatically, on an ephemeral port by default.
 * Used by demo/test and by the Playwright demo spec (e2e/tests/demo.spec.ts), so both run the real `pnpm demo`
 * configuration rather than a copy of it.
 */
import type { Server as HttpServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { createServer, type LogLevel, type ViteDevServer } from 'vite'

export interface DemoServer {
  server: ViteDevServer
  /** http://127.0.0.1:PORT/ */
  url: string
  /** ws://127.0.0.1:PORT/mqtt */
  brokerUrl: string
  port: number
  close(): Promise<void>
}

export const DEMO_CONFIG_FILE = fileURLToPath(new URL('../vite.config.ts', import.meta.url))

export async function startDemoServer(options: { port?: number; host?: string; logLevel?: LogLevel } = {}): Promise<DemoServer> {
  const host = options.host ?? '127.0.0.1'
  const server = await createServer({
    configFile: DEMO_CONFIG_FILE,
    logLevel: options.logLevel ?? 'warn',
    clearScreen: false,
    server: { host, port: options.port ?? 0, strictPort: options.port !== undefined && options.port !== 0, open: false },
  })
  try {
    await server.listen()
  } catch (err) {
    await server.close()
    throw err
  }
  const http = server.httpServer as HttpServer
  const addr = http.address()
  if (addr === null || typeof addr === 'string') {
    await server.close()
    throw new Error('demo server is not listening on a TCP port')
  }
  const h = addr.address.includes(':') ? `[${addr.address}]` : addr.address
  return {
    server,
    port: addr.port,
    url: `http://${h}:${addr.port}/`,
    brokerUrl: `ws://${h}:${addr.port}/mqtt`,
    close: () => server.close(),
  }
}
