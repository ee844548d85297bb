/**
 * Serves the adversarial page: `${baseUrl}/adv/index.html` and `/adv/adv.js` (page.entry.ts bundled with esbuild
 * from the TypeScript sources, once per worker, in memory), through a route on the browser context. Same origin
 * as the shared static server, so IndexedDB and Web Locks behave as on any page of that origin.
 *
 * The bundling mirrors support/bundle.ts (which does not export its plugin): `source` condition, and
 * mqtt-packet's Node-only dependencies replaced with the browser package's build shims.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Plugin } from 'esbuild'
import type { BrowserContext, Page } from '@playwright/test'
import { REPO_ROOT } from '../bundle.js'
import type { E2EEnv } from '../env.js'
import type { Adv } from './page.entry.js'

export type { Adv }

declare global {
  interface Window { adv: Adv }
}

const SHIMS_DIR = join(REPO_ROOT, 'packages/browser/build/shims')
const ENTRY = fileURLToPath(new URL('./page.entry.ts', import.meta.url))

const browserShims: Plugin = {
  name: 'webmqtt-browser-shims',
  setup(b) {
    const shims: Record<string, string> = {
      debug: join(SHIMS_DIR, 'debug.cjs'),
      'process-nextick-args': join(SHIMS_DIR, 'process-nextick-args.cjs'),
      events: join(SHIMS_DIR, 'events.cjs'),
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
    plugins: [browserShims],
    define: { 'process.env.NODE_ENV': '"production"' },
  }).then((r) => r.outputFiles[0]!.text)
  return bundle
}

const HTML = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>webmqtt adversarial</title></head>' +
  '<body><p>webmqtt adversarial page: <code>window.adv</code></p><script src="/adv/adv.js"></script></body></html>'

const routed = new WeakSet<BrowserContext>()

/** Serve /adv/* on `context` (idempotent). */
export async function routeAdvPage(context: BrowserContext, env: E2EEnv): Promise<void> {
  if (routed.has(context)) return
  routed.add(context)
  const js = await advBundle()
  await context.route(`${env.baseUrl}/adv/**`, (route) => {
    const path = new URL(route.request().url()).pathname
    if (path === '/adv/index.html') return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: HTML })
    if (path === '/adv/adv.js') return route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: js })
    return route.fulfill({ status: 404, body: 'not found' })
  })
}

/** Open the adversarial page in `page` and wait for `window.adv`. */
export async function openAdvPage(page: Page, env: E2EEnv): Promise<void> {
  await routeAdvPage(page.context(), env)
  await page.goto(`${env.baseUrl}/adv/index.html`)
  await page.waitForFunction(() => typeof window.adv === 'object', undefined, { timeout: 10_000 })
}
