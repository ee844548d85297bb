/**
 * Bundles the e2e page entry points (e2e/pages/*.entry.ts) with esbuild straight from the TypeScript sources
 * (`source` condition: @webmqtt/core → packages/core/src), so the page code never depends on a stale build.
 * The browser package's own module rules apply (its shims for mqtt-packet's Node-only dependencies and `buffer`,
 * and mqtt-packet without its server-side code paths: packages/browser/build/esbuild-plugin.mjs), so these
 * bundles run what the published bundles ship.
 */
import { readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { esbuildBrowserModules } from '../../packages/browser/build/esbuild-plugin.mjs'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))
export const E2E_ROOT = here('../')
export const REPO_ROOT = here('../../')
export const PAGES_DIR = join(E2E_ROOT, 'pages')
export const BUNDLE_DIR = join(E2E_ROOT, 'dist')
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
    plugins: [esbuildBrowserModules()],
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  return entries.map((f) => `${basename(f, '.ts')}.js`)
}
