/**
 * The embedded broker as `pnpm demo` runs it: the real Vite dev server (demo/vite.config.ts) on an ephemeral
 * loopback port, with MQTT over WebSocket at /mqtt on the same origin, and Vite's own HMR socket untouched.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { rawConnect } from '../../packages/core/test/harness/raw-mqtt.js'
import { startDemoServer, type DemoServer } from '../server/dev-server.js'

let demo: DemoServer
// Its own dependency cache, so a `pnpm demo` or the e2e suite running at the same time is not disturbed.
const cacheDir = mkdtempSync(join(tmpdir(), 'webmqtt-demo-test-vite-'))

beforeAll(async () => {
  demo = await startDemoServer({ logLevel: 'silent', cacheDir, watch: false })
})

afterAll(async () => {
  await demo?.close()
  rmSync(cacheDir, { recursive: true, force: true })
})

describe('embedded broker in the Vite dev server', () => {
  it('serves the demo page on loopback', async () => {
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    const res = await fetch(demo.url)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('<title>webmqtt demo</title>')
    expect(html).toContain('/src/main.ts')
  })

  it('round-trips a QoS 1 message between two MQTT clients at ws://<same origin>/mqtt', async () => {
    const sub = await rawConnect({ url: demo.brokerUrl, clientId: 'demo-test-sub' })
    const pub = await rawConnect({ url: demo.brokerUrl, clientId: 'demo-test-pub' })
    try {
      const suback = await sub.subscribe('demo/test/#', 1)
      expect(suback.granted).toEqual([1])
      await pub.publish('demo/test/hello', 'hi from the test', 1)
      const [msg] = await sub.waitForPublishes(1, 'demo/test/hello')
      expect(msg?.payload.toString()).toBe('hi from the test')
      expect(msg?.qos).toBe(1)
    } finally {
      await pub.disconnect()
      await sub.disconnect()
    }
  })

  it('keeps a persistent session: a QoS 1 message published while the client is away is delivered on return', async () => {
    const a = await rawConnect({ url: demo.brokerUrl, clientId: 'demo-test-persist', clean: false })
    await a.subscribe('demo/persist', 1)
    await a.disconnect()
    const pub = await rawConnect({ url: demo.brokerUrl, clientId: 'demo-test-persist-pub' })
    await pub.publish('demo/persist', 'while you were away', 1)
    await pub.disconnect()
    const back = await rawConnect({ url: demo.brokerUrl, clientId: 'demo-test-persist', clean: false })
    try {
      expect(back.connack.sessionPresent).toBe(true)
      const [msg] = await back.waitForPublishes(1, 'demo/persist')
      expect(msg?.payload.toString()).toBe('while you were away')
    } finally {
      await back.disconnect()
    }
  })

  it("leaves Vite's HMR WebSocket alone", async () => {
    const ws = new WebSocket(demo.url.replace('http', 'ws'), 'vite-hmr')
    try {
      const [data] = (await once(ws, 'message')) as [Buffer]
      expect(JSON.parse(data.toString())).toMatchObject({ type: 'connected' })
      expect(ws.protocol).toBe('vite-hmr')
    } finally {
      ws.close()
    }
  })

  it('serves the IIFE build at /webmqtt.iife.js for the script-tag page', async () => {
    const page = await fetch(new URL('script-tag.html', demo.url))
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('src="/webmqtt.iife.js"')
    expect(html).not.toMatch(/<script>(?!<\/script>)/) // no inline script (CSP)
    const res = await fetch(new URL('webmqtt.iife.js', demo.url))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/javascript/)
    const code = await res.text()
    expect(code).toMatch(/\bwebmqtt\b/)
    expect(code).not.toMatch(/^\s*import\s/m)
  }, 60_000)
})

describe('scripts/broker.mjs (standalone)', () => {
  it('prints its URL and brokers messages, then stops on SIGTERM', async () => {
    const script = fileURLToPath(new URL('../scripts/broker.mjs', import.meta.url))
    const child = spawn(process.execPath, [script, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = once(child, 'exit')
    try {
      const lines = createInterface({ input: child.stdout! })
      const [url] = (await Promise.race([
        once(lines, 'line'),
        exited.then(() => { throw new Error('broker exited before printing its URL') }),
      ])) as [string]
      expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/)
      const c = await rawConnect({ url, clientId: 'standalone-test' })
      await c.subscribe('s/t', 0)
      await c.publish('s/t', 'ok', 0)
      const [m] = await c.waitForPublishes(1, 's/t')
      expect(m?.payload.toString()).toBe('ok')
      await c.disconnect()
    } finally {
      child.kill('SIGTERM')
      const [code] = (await exited) as [number | null]
      expect(code).toBe(0)
    }
  })
})
