/**
 * The adversarial page: `/adv/index.html` and `/adv/adv.js` (page.entry.ts bundled with esbuild from the
 * TypeScript sources, once per worker, in memory), served by a loopback HTTP server per worker (fixture.ts).
 *
 * The bundling is support/bundle.ts's: `source` condition, and the browser package's module rules (its shims,
 * mqtt-packet without server-side code paths), so the rogue server meets the parser the published bundles ship.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { esbuildBrowserModules } from '../../../packages/browser/build/esbuild-plugin.mjs'
import { createServer } from 'node:http'
import type { Page } from '@playwright/test'
import type { Adv } from './page.entry.js'

export type { Adv }

declare global {
  interface Window { adv: Adv }
}

const ENTRY = fileURLToPath(new URL('./page.entry.ts', import.meta.url))

let bundle: Promise<string> | undefined

/** page.entry.ts as one IIFE script (built once per worker process). */
export function advBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    sourcemap: 'inline',
    logLevel: 'warning',
    plugins: [esbuildBrowserModules()],
    define: { 'process.env.NODE_ENV': '"production"' },
  }).then((r) => r.outputFiles[0]!.text)
  return bundle
}

const HTML = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>webmqtt adversarial</title></head>' +
  '<body><p>webmqtt adversarial page: <code>window.adv</code></p><script src="/adv/adv.js"></script></body></html>'

export interface AdvServer {
  /** http://127.0.0.1:<port> */
  readonly baseUrl: string
  stop(): Promise<void>
}

/**
 * Serve /adv/index.html and /adv/adv.js from a real loopback HTTP server. (A document fulfilled by a Playwright
 * route has no IP address space, so Chromium's Local Network Access checks then block its WebSockets to
 * 127.0.0.1 with net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS.)
 */
export async function startAdvServer(): Promise<AdvServer> {
  const js = await advBundle()
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
      res.end(body)
    }
    if (path === '/adv/index.html') return send(200, 'text/html; charset=utf-8', HTML)
    if (path === '/adv/adv.js') return send(200, 'text/javascript; charset=utf-8', js)
    return send(404, 'text/plain', 'not found')
  })
  const sockets = new Set<import('node:net').Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const a = server.address()
      resolve(typeof a === 'object' && a ? a.port : 0)
    })
  })
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
}

/** Open the adversarial page in `page` and wait for `window.adv`. */
export async function openAdvPage(page: Page, server: AdvServer): Promise<void> {
  await page.goto(`${server.baseUrl}/adv/index.html`)
  await page.waitForFunction(() => typeof window.adv === 'object', undefined, { timeout: 10_000 })
}
