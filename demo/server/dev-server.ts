/**
 * Start the demo's Vite dev server (with the embedded broker) programmatically, on an ephemeral port by default.
 * Used by demo/test and by the Playwright demo spec (e2e/tests/demo.spec.ts), so both run the real `pnpm demo`
 * configuration rather than a copy of it.
 */
import type { Server as HttpServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { build, createServer, preview, type LogLevel, type PreviewServer, type ViteDevServer } from 'vite'

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

export interface DemoServerOptions {
  port?: number
  host?: string
  logLevel?: LogLevel
  /** Vite's dependency cache; give each concurrent server its own. Default: demo/node_modules/.vite. */
  cacheDir?: string
  /**
   * Watch the sources and reload pages on change (default true). Tests turn it off: an edit to the SDK sources
   * during a run would otherwise reload the page under test.
   */
  watch?: boolean
}

export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const host = options.host ?? '127.0.0.1'
  const server = await createServer({
    configFile: DEMO_CONFIG_FILE,
    logLevel: options.logLevel ?? 'warn',
    clearScreen: false,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    server: {
      host,
      port: options.port ?? 0,
      strictPort: options.port !== undefined && options.port !== 0,
      open: false,
      ...(options.watch === false ? { watch: null } : {}),
    },
  })
  try {
    await server.listen()
    return { server, ...addresses(server.httpServer as HttpServer), close: () => server.close() }
  } catch (err) {
    await server.close()
    throw err
  }
}

function addresses(http: HttpServer): { port: number; url: string; brokerUrl: string } {
  const addr = http.address()
  if (addr === null || typeof addr === 'string') throw new Error('demo server is not listening on a TCP port')
  const h = addr.address.includes(':') ? `[${addr.address}]` : addr.address
  return { port: addr.port, url: `http://${h}:${addr.port}/`, brokerUrl: `ws://${h}:${addr.port}/mqtt` }
}

export interface DemoPreview {
  server: PreviewServer
  url: string
  brokerUrl: string
  port: number
  close(): Promise<void>
}

/**
 * Build the static site (what `pnpm demo:build` makes) into `outDir` and serve it with `vite preview`, which
 * also runs the embedded broker. The built pages carry the strict Content-Security-Policy.
 */
export async function buildAndPreviewDemo(options: DemoServerOptions & { outDir: string }): Promise<DemoPreview> {
  const host = options.host ?? '127.0.0.1'
  await build({
    configFile: DEMO_CONFIG_FILE,
    logLevel: options.logLevel ?? 'warn',
    build: { outDir: options.outDir, emptyOutDir: true },
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
  })
  const server = await preview({
    configFile: DEMO_CONFIG_FILE,
    logLevel: options.logLevel ?? 'warn',
    build: { outDir: options.outDir },
    preview: { host, port: options.port ?? 0, strictPort: false, open: false },
  })
  const http = server.httpServer as HttpServer
  try {
    return { server, ...addresses(http), close: () => server.close() }
  } catch (err) {
    await server.close()
    throw err
  }
}
