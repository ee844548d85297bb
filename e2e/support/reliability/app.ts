/**
 * Node side of the page test app (app.entry.ts): bundle it once per worker with esbuild from the sources (the
 * same mqtt-packet shims as the e2e harness bundle), serve it to a browser context with `context.route` under
 * the static server's origin (routes also answer while the context is offline, like a cached app shell), and
 * open it in a page.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Plugin } from 'esbuild'
import type { BrowserContext, Page } from '@playwright/test'
import type { E2EEnv } from '../env.js'
import type { RelApp } from './app.entry.js'

export type { RelApp }
export type { AppClientOptions, PendingSummary, RecordedStatus } from './app.entry.js'

declare global {
  interface Window { rel: RelApp }
}

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))
const SHIMS_DIR = here('../../../packages/browser/build/shims/')

/** mqtt-packet's Node-only dependencies → the browser package's build shims (as support/bundle.ts does). */
const browserShims: Plugin = {
  name: 'webmqtt-browser-shims',
  setup(b) {
    const shims: Record<string, string> = {
      debug: `${SHIMS_DIR}debug.cjs`,
      'process-nextick-args': `${SHIMS_DIR}process-nextick-args.cjs`,
      events: `${SHIMS_DIR}events.cjs`,
    }
    b.onResolve({ filter: /^(bl|debug|process-nextick-args|events)$/ }, async (args) => {
      if (args.path === 'bl') {
        const r = await b.resolve('bl/BufferList.js', { resolveDir: args.resolveDir, kind: args.kind })
        return r.errors.length > 0 ? { errors: r.errors } : { path: r.path }
      }
      return { path: shims[args.path] as string }
    })
  },
}

let bundled: Promise<string> | undefined

/** The app as an IIFE script (built once per worker process). */
export function appScript(): Promise<string> {
  bundled ??= build({
    entryPoints: [here('./app.entry.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    sourcemap: 'inline',
    logLevel: 'warning',
    plugins: [browserShims],
    define: { 'process.env.NODE_ENV': '"production"' },
  }).then((r) => {
    const out = r.outputFiles[0]
    if (!out) throw new Error('esbuild produced no output for the reliability app')
    return out.text
  })
  return bundled
}

const APP_PATH = '/reliability/app.html'
const SCRIPT_PATH = '/reliability/app.js'

/** Serve the app in `context` (idempotent per context). */
export async function routeApp(context: BrowserContext, env: E2EEnv): Promise<string> {
  const script = await appScript()
  const url = `${env.baseUrl}${APP_PATH}`
  if (!routed.has(context)) {
    routed.add(context)
    // A fulfilled (routed) document has no address space of its own, so Chromium's Local Network Access checks
    // treat it as public and block its WebSockets to 127.0.0.1; a page served by the loopback server is not
    // blocked. Grant the permission a user would grant.
    await context.grantPermissions(['local-network-access'], { origin: env.baseUrl })
    await context.route(url, (route) => route.fulfill({
      status: 200, contentType: 'text/html; charset=utf-8', headers: { 'cache-control': 'no-store' },
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>webmqtt reliability app</title></head>
<body><p>webmqtt reliability app: <code>window.rel</code></p><script src="${SCRIPT_PATH}"></script></body></html>`,
    }))
    await context.route(`${env.baseUrl}${SCRIPT_PATH}`, (route) => route.fulfill({
      status: 200, contentType: 'text/javascript; charset=utf-8', headers: { 'cache-control': 'no-store' }, body: script,
    }))
  }
  return url
}
const routed = new WeakSet<BrowserContext>()

/** Open the app in `page` and wait for `window.rel`. */
export async function openApp(page: Page, env: E2EEnv): Promise<void> {
  const url = await routeApp(page.context(), env)
  await page.goto(url)
  await page.waitForFunction(() => typeof window.rel === 'object', undefined, { timeout: 10_000 })
}

/** Wait until the app has been loaded `loads` times in this tab (after a reload). */
export async function waitForLoad(page: Page, loads: number, timeout = 15_000): Promise<void> {
  await page.waitForFunction((n) => typeof window.rel === 'object' && window.rel.loads >= n, loads, { timeout })
}

/** Wait until an autostarted client (after a reload) has restored its session and made its first attempt. */
export async function waitForAutostart(page: Page, timeout = 15_000): Promise<NonNullable<RelApp['autostarted']>> {
  await page.waitForFunction(() => window.rel?.autostarted !== undefined, undefined, { timeout })
  return page.evaluate(() => window.rel.autostarted!)
}

/**
 * The page's wire trace for some messages of `topic` (for failure reports): the lines about those seqs, then
 * every line about the packet ids they used, plus connection status lines.
 */
export async function traceFor(page: Page, topic: string, seqs: readonly number[]): Promise<string[]> {
  const needles = seqs.slice(0, 6).map((s) => `=${topic}|${s}`)
  if (needles.length === 0) return []
  const lines = await page.evaluate((n) => window.rel.trace(n), needles)
  const mids = [...new Set(lines.flatMap((l) => /\bm(\d+)\b/.exec(l)?.[1] ?? []))].map((m) => ` m${m} `)
  return page.evaluate((n) => window.rel.trace(n), [...needles, ...mids, 'status connected', 'reloading'])
}
