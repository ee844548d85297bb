/**
 * Bundles the e2e page entry points (e2e/pages/*.entry.ts) with esbuild straight from the TypeScript sources
 * (`source` condition: @webmqtt/core → packages/core/src), so the page code never depends on a stale build.
 * mqtt-packet's Node-only dependencies are replaced with the browser package's own build shims (the same
 * aliases its Vite build uses), so these bundles see what the published bundles see.
 */
import { readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Plugin } from 'esbuild'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))
export const E2E_ROOT = here('../')
export const REPO_ROOT = here('../../')
export const PAGES_DIR = join(E2E_ROOT, 'pages')
export const BUNDLE_DIR = join(E2E_ROOT, 'dist')
const SHIMS_DIR = join(REPO_ROOT, 'packages/browser/build/shims')

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

/** Build every e2e/pages/*.entry.ts into e2e/dist/<name>.js (IIFE, with source maps). Returns the file names. */
export async function bundlePages(): Promise<string[]> {
  const entries = readdirSync(PAGES_DIR).filter((f) => f.endsWith('.entry.ts'))
  await build({
    entryPoints: entries.map((f) => join(PAGES_DIR, f)),
    outdir: BUNDLE_DIR,
    entryNames: '[name]',
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    sourcemap: true,
    logLevel: 'warning',
    plugins: [browserShims],
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  return entries.map((f) => `${basename(f, '.ts')}.js`)
}
