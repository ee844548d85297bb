// The published bundles: built here with the package's own Vite settings (the same as `pnpm build`), then
// checked the way consumers use them: a zero-config esbuild consumer build, the IIFE in a <script>-like scope,
// SSR/Node imports, tree-shaking, no Node-only code, and the size budget of the IIFE (30 KB gzip).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runInContext } from 'node:vm'
import { build as esbuild } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build as viteBuild } from 'vite'
import { viteOptions } from '../build/vite-options.mjs'
import { IIFE_BUDGET_BYTES, kb, measure, measureEsm } from '../scripts/size.mjs'
import { browserLikeContext, runSmoke } from './support/sandbox.js'

const packageDir = new URL('..', import.meta.url).pathname
let tmp: string
let dist: string
let consumerDir: string
const bundledModules = new Set<string>()

/** What must not reach the browser bundle (the point of the shims). */
const FORBIDDEN_MODULES = /readable-stream|\/debug\/src\/|\/ms\/index|\/buffer\/index\.js|base64-js|ieee754|\/bl\/bl\.js|\/bl\/BufferList\.js|\/events\/events\.js|process-nextick-args\/index|string_decoder|inherits/

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'webmqtt-build-'))
  dist = join(tmp, 'dist')
  for (const format of ['es', 'iife'] as const) {
    const o = viteOptions(format) as { build: { outDir: string }; plugins: unknown[] }
    o.build.outDir = dist
    o.plugins.push({
      name: 'record-modules',
      generateBundle(_: unknown, bundle: Record<string, { type: string; modules?: Record<string, unknown> }>) {
        for (const c of Object.values(bundle)) if (c.type === 'chunk' && c.modules) for (const m of Object.keys(c.modules)) bundledModules.add(m)
      },
    })
    await viteBuild(o as never)
  }
  // A consumer project: node_modules/@webmqtt/browser is this package's manifest plus the fresh dist.
  consumerDir = join(tmp, 'consumer')
  const installed = join(consumerDir, 'node_modules', '@webmqtt', 'browser')
  mkdirSync(installed, { recursive: true })
  cpSync(join(packageDir, 'package.json'), join(installed, 'package.json'))
  cpSync(dist, join(installed, 'dist'), { recursive: true })
}, 120_000)

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

async function consumerBuild(source: string, minify = false): Promise<string> {
  const entry = join(consumerDir, `entry-${Math.random().toString(36).slice(2)}.js`)
  writeFileSync(entry, source)
  const r = await esbuild({
    entryPoints: [entry], bundle: true, write: false, platform: 'browser', format: 'iife', minify,
    absWorkingDir: consumerDir, logLevel: 'silent',
  })
  // A zero-config consumer build is also warning-free. (esbuild does not report "ignored-bare-import" inside
  // node_modules; e2e/consumers builds through the workspace link, where it does.)
  expect(r.warnings.map((w) => `${w.id}: ${w.text}`)).toEqual([])
  return r.outputFiles[0]!.text
}

describe('ESM bundle', () => {
  it('bundles everything (only relative imports left, no node_modules folder) and none of the Node-only modules', () => {
    const files = readdirSync(dist, { recursive: true }).map(String).filter((f) => f.endsWith('.js') && !f.endsWith('iife.js'))
    expect(files).toContain('index.js')
    expect(files.filter((f) => f.includes('node_modules'))).toEqual([])
    for (const f of files) {
      const code = readFileSync(join(dist, f), 'utf8')
      const specifiers = [...code.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]!)
      expect(specifiers.filter((x) => !x.startsWith('.')), f).toEqual([])
      expect(code, f).not.toMatch(/\brequire\(\s*['"]/)
      expect(code, f).not.toMatch(/\bprocess\.(env|nextTick|version|browser)/)
    }
    const modules = [...bundledModules]
    expect(modules.length).toBeGreaterThan(20)
    expect(modules.filter((m) => /mqtt-packet/.test(m)).length).toBeGreaterThan(3)
    expect(modules.filter((m) => FORBIDDEN_MODULES.test(m))).toEqual([])
    // No debug.cjs: the client-only mqtt-packet has no debug(…) calls left, so it never even requires `debug`.
    expect(modules.filter((m) => /build\/shims\//.test(m)).map((m) => m.replace(/.*shims\//, '')).sort())
      .toEqual(['buffer-list.cjs', 'buffer.cjs', 'events.cjs', 'process-nextick-args.cjs'])
  })

  it('a zero-config esbuild consumer build runs in a browser-like scope without process/Buffer/require', async () => {
    const code = await consumerBuild("import * as lib from '@webmqtt/browser'\nglobalThis.lib = lib\n")
    const ctx = browserLikeContext()
    runInContext(code, ctx)
    const r = await runSmoke(ctx, 'globalThis.lib')
    expect(r).toEqual({
      url: 'ws://sandbox.example:9001/mqtt', protocols: ['mqtt'], binaryType: 'arraybuffer', granted: [1],
      topic: 's/1', text: 'héllo 😀', qos: 1, state: 'disconnected',
    })
  })

  it('is tree-shakable: importing topicMatchesSub alone leaves the codec and the client out', async () => {
    const small = await consumerBuild("import { topicMatchesSub } from '@webmqtt/browser'\nglobalThis.out = topicMatchesSub('a/#', 'a/b')\n", true)
    const full = await consumerBuild("import * as lib from '@webmqtt/browser'\nglobalThis.lib = lib\n", true)
    expect(small.length).toBeLessThan(full.length / 10)
    expect(small).not.toMatch(/MQIsdp|Invalid header flag bits|WebSocket|indexedDB/)
    const ctx = browserLikeContext()
    runInContext(small, ctx)
    expect(runInContext('globalThis.out', ctx)).toBe(true)
  })

  it('imports in Node (SSR) without throwing, and the source does too', async () => {
    const built = (await import(pathToFileURL(join(dist, 'index.js')).href)) as typeof import('../src/index.js')
    expect(typeof built.Client).toBe('function')
    expect(typeof built.WebSocketTransport).toBe('function')
    const c = new built.Client({ clientId: 'ssr' })
    expect(c.state).toBe('disconnected')
    const source = (await import('../src/index.js'))
    expect(Object.keys(built).sort()).toEqual(Object.keys(source).sort())
  })
})

describe('IIFE bundle', () => {
  it('defines the global webmqtt in a <script>-like scope and works there', async () => {
    const code = readFileSync(join(dist, 'webmqtt.iife.js'), 'utf8')
    const ctx = browserLikeContext()
    runInContext(code, ctx)
    expect(runInContext('typeof webmqtt.Client', ctx)).toBe('function')
    expect(runInContext('typeof webmqtt.MQTTv5 === "number" && typeof webmqtt.errors.WebSocketRefusedError', ctx)).toBe('function')
    // Every value the package exports, with the same values for the constants.
    const source = await import('../src/index.js')
    const global = runInContext('webmqtt', ctx) as Record<string, unknown>
    expect(Object.keys(global).sort()).toEqual(Object.keys(source).sort())
    for (const [k, v] of Object.entries(source)) if (typeof v === 'number') expect(global[k], k).toBe(v)
    const r = await runSmoke(ctx, 'webmqtt')
    expect(r.text).toBe('héllo 😀')
    expect(r.granted).toEqual([1])
  })

  it(`stays within its size budget (${kb(IIFE_BUDGET_BYTES)} gzip, level 9)`, () => {
    const size = measure(join(dist, 'webmqtt.iife.js'))
    const esm = measureEsm(dist)
    console.log(`webmqtt.iife.js: ${kb(size.raw)} minified, ${kb(size.gzip)} gzip (${size.gzip} of ${IIFE_BUDGET_BYTES} B); ESM (${esm.files} modules, unminified): ${kb(esm.gzip)} gzip`)
    expect(size.gzip).toBeLessThanOrEqual(IIFE_BUDGET_BYTES)
  })
})
