/** The plugin that gives demo/script-tag.html its `<script src="/webmqtt.iife.js">`. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { Server as HttpServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, describe, expect, it } from 'vitest'
import { findIifeFile, iifePlugin } from '../server/iife-plugin.js'

const dirs: string[] = []
const tempPackage = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'webmqtt-iife-'))
  dirs.push(dir)
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, 'dist'), { recursive: true })
    writeFileSync(join(dir, 'dist', name), text)
  }
  return dir
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

async function serve(packageDir: string): Promise<{ server: ViteDevServer; base: string }> {
  const server = await createServer({
    configFile: false,
    root: packageDir,
    logLevel: 'silent',
    server: { host: '127.0.0.1', port: 0, ws: false },
    plugins: [iifePlugin({ packageDir })],
  })
  await server.listen()
  const addr = (server.httpServer as HttpServer).address()
  if (addr === null || typeof addr === 'string') throw new Error('not listening')
  return { server, base: `http://127.0.0.1:${addr.port}` }
}

describe('findIifeFile', () => {
  it('prefers webmqtt.iife.js, accepts other *.iife.js / *.global.js names, and reports none', () => {
    expect(findIifeFile(tempPackage({ 'index.js': '', 'webmqtt.iife.js': '', 'index.iife.js': '' }))).toMatch(/dist[\\/]webmqtt\.iife\.js$/)
    expect(findIifeFile(tempPackage({ 'index.js': '', 'bundle.global.min.js': '' }))).toMatch(/bundle\.global\.min\.js$/)
    expect(findIifeFile(tempPackage({ 'index.js': '' }))).toBeUndefined()
    expect(findIifeFile(join(tmpdir(), 'no-such-package-dir'))).toBeUndefined()
  })
})

describe('iifePlugin in a dev server', () => {
  it('serves the built IIFE from dist when there is one', async () => {
    const { server, base } = await serve(tempPackage({ 'webmqtt.iife.js': 'var webmqtt = { built: true };' }))
    try {
      const res = await fetch(`${base}/webmqtt.iife.js?v=1`)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('var webmqtt = { built: true };')
    } finally {
      await server.close()
    }
  })

  it('bundles the IIFE from the browser package sources when dist has none; it defines the global `webmqtt`', async () => {
    const { server, base } = await serve(tempPackage({}))
    try {
      const res = await fetch(`${base}/webmqtt.iife.js`)
      expect(res.status).toBe(200)
      const code = await res.text()
      // Evaluate it as a classic <script> would, in a bare context: it must define `webmqtt.Client`.
      const sandbox: Record<string, unknown> = { TextEncoder, TextDecoder, queueMicrotask, setTimeout, clearTimeout, console }
      sandbox.globalThis = sandbox
      sandbox.self = sandbox
      runInNewContext(code, sandbox, { filename: 'webmqtt.iife.js' })
      const g = sandbox.webmqtt as { Client?: unknown; MQTTv5?: unknown } | undefined
      expect(typeof g?.Client).toBe('function')
      expect(g?.MQTTv5).toBe(5)
    } finally {
      await server.close()
    }
  }, 120_000)
})
