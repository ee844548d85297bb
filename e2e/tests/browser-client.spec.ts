/**
 * The browser Client in real Chromium against real brokers, through the package's builds (packages/browser/dist):
 * the IIFE (`<script src>`, global `webmqtt`) and the ESM build (native `import`). Pages: pages/iife.html,
 * pages/esm.html, both with pages/client-helpers.js (`window.ct`). Node-side observers use the core harness.
 */
import type { Page } from '@playwright/test'
import { rawConnect } from '../../packages/core/test/harness/raw-mqtt.js'
import type { RawClient } from '../../packages/core/test/harness/raw-mqtt.js'
import { startWsProxy } from '../../packages/core/test/harness/proxy.js'
import { expect, test } from '../fixtures/test.js'
import type { E2EEnv } from '../support/env.js'
import type { UpgradeRecord } from '../support/static-server.js'

declare global {
  interface Window { ct: any; ctReady?: boolean; ctError?: string }
}

async function openClientPage(page: Page, env: E2EEnv, build: 'iife' | 'esm'): Promise<void> {
  expect(env.browserDist, 'packages/browser/dist must hold the IIFE and ESM builds').toBe(true)
  await page.goto(`${env.baseUrl}/pages/${build}.html`)
  await page.waitForFunction(() => window.ctReady === true || window.ctError !== undefined)
  expect(await page.evaluate(() => window.ctError)).toBeUndefined()
}

function uid(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`
}

const wsPort = (url: string): number => Number(new URL(url).port)

const brokers = [
  { name: 'Mosquitto, MQTT 3.1.1', broker: 'mosquitto', protocol: 4 },
  { name: 'Mosquitto, MQTT 5', broker: 'mosquitto', protocol: 5 },
  { name: 'Aedes, MQTT 3.1.1', broker: 'aedes', protocol: 4 },
] as const

test.describe('browser Client: builds and round trips', () => {
  for (const build of ['iife', 'esm'] as const) {
    for (const b of brokers) {
      test(`${build} build: connect, subscribe, publish QoS 0/1/2 both ways (${b.name})`, async ({ page, e2e }) => {
        await openClientPage(page, e2e, build)
        const url = b.broker === 'mosquitto' ? e2e.mosquitto.wsUrl : e2e.aedes.wsUrl
        const tcpPort = b.broker === 'mosquitto' ? e2e.mosquitto.tcpPort : e2e.aedes.tcpPort
        const topic = `rt/${uid()}`
        const observer = await rawConnect({ tcpPort, protocolVersion: 4 })
        try {
          await observer.subscribe(`${topic}/#`, 2)
          const connack = await page.evaluate(async ([u, p]) => {
            window.ct.create('a', { protocol: p })
            return window.ct.connect('a', u)
          }, [url, b.protocol] as const)
          expect(connack).toMatchObject({ ok: true, sessionPresent: false, reasonCode: 0 })
          expect(await page.evaluate((t) => window.ct.subscribe('a', `${t}/#`, 2), topic)).toEqual([2])
          await page.evaluate((t) => {
            for (const q of [0, 1, 2]) window.ct.publishMany('a', `${t}/q${q}`, `page-q${q}-`, 0, 1, q)
            return window.ct.waitPublished('a')
          }, topic)
          // Broker side: the observer got the three messages.
          const got = await observer.waitForPublishes(3, undefined, 10_000)
          expect(got.map((p) => `${p.topic} ${p.payload.toString()} ${p.qos}`).sort()).toEqual(
            [0, 1, 2].map((q) => `${topic}/q${q} page-q${q}-0 ${q}`))
          // And the other way: the page gets what a Node client publishes, QoS2 exactly once.
          await observer.publish(`${topic}/from-node`, 'node-2', 2)
          await observer.publish(`${topic}/from-node`, 'node-1', 1)
          await expect.poll(() => page.evaluate(() => window.ct.messages('a').length)).toBe(5)
          const msgs = await page.evaluate(() => window.ct.messages('a'))
          expect(msgs.map((m: { text: string; qos: number }) => `${m.text}:${m.qos}`).sort()).toEqual(
            ['node-1:1', 'node-2:2', 'page-q0-0:0', 'page-q1-0:1', 'page-q2-0:2'])
          expect(await page.evaluate(() => window.ct.disconnect('a'))).toEqual({ ok: true })
          expect(await page.evaluate(() => window.ct.state('a'))).toBe('disconnected')
        } finally {
          observer.destroy()
        }
      })
    }
  }
})

test.describe('browser Client: WebSocket options seen by the server', () => {
  test('wsSetOptions path and an async transformUrl reach the server on every attempt', async ({ page, e2e }) => {
    await openClientPage(page, e2e, 'iife')
    const token = uid()
    const port = Number(new URL(e2e.baseUrl).port)
    const r = await page.evaluate(async ([tok, p]) => {
      window.ct.create('a', {})
      window.ct.client('a').wsSetOptions({
        path: '/ws/mosquitto/custom/path',
        transformUrl: async (url: string, attempt: number) => {
          await new Promise((res) => setTimeout(res, 20)) // e.g. fetching a fresh token
          return `${url}?token=${tok}&attempt=${attempt}`
        },
      })
      const first = await window.ct.connect('a', '127.0.0.1', p)
      await window.ct.disconnect('a')
      const second = await window.ct.connect('a', '127.0.0.1', p)
      await window.ct.disconnect('a')
      return { first, second }
    }, [token, port] as const)
    expect(r.first).toMatchObject({ ok: true })
    expect(r.second).toMatchObject({ ok: true })
    const upgrades = (await (await fetch(`${e2e.baseUrl}/__upgrades`)).json()) as UpgradeRecord[]
    const mine = upgrades.filter((u) => u.url.includes(`token=${token}`))
    expect(mine.map((u) => u.url.replace(/attempt=\d+/, 'attempt=N'))).toEqual([
      `/ws/mosquitto/custom/path?token=${token}&attempt=N`, `/ws/mosquitto/custom/path?token=${token}&attempt=N`,
    ])
    for (const u of mine) expect(u.protocols).toEqual(['mqtt'])
  })

  test('a path function is called per attempt, and MQTT 3.1 offers the mqttv3.1 subprotocol', async ({ page, e2e }) => {
    await openClientPage(page, e2e, 'esm')
    const token = uid()
    const port = Number(new URL(e2e.baseUrl).port)
    const r = await page.evaluate(async ([tok, p]) => {
      window.ct.create('a', { protocol: 3, clientId: `c31-${tok}` })
      window.ct.client('a').wsSetOptions({ path: async (ctx: { attempt: number }) => `/ws/mosquitto/fn-${tok}-${ctx.attempt}` })
      const res = await window.ct.connect('a', '127.0.0.1', p)
      await window.ct.disconnect('a')
      return res
    }, [token, port] as const)
    expect(r).toMatchObject({ ok: true })
    const upgrades = (await (await fetch(`${e2e.baseUrl}/__upgrades`)).json()) as UpgradeRecord[]
    const mine = upgrades.filter((u) => u.url.includes(`fn-${token}-`))
    expect(mine).toHaveLength(1)
    expect(mine[0]?.url).toMatch(new RegExp(`^/ws/mosquitto/fn-${token}-\\d+$`))
    expect(mine[0]?.protocols).toEqual(['mqttv3.1'])
  })
})

test.describe('browser Client: persistent session across a reload', () => {
  test('QoS1 and QoS2 in flight and queued offline survive a reload: all delivered, QoS2 exactly once', async ({ page, e2e }) => {
    test.setTimeout(90_000)
    const id = uid()
    const topic = `reload/${id}`
    const clientId = `reload-${id}`
    const N = 40 // per QoS, while connected (10 in flight, the rest queued behind the window)
    const M = 10 // per QoS, published while offline
    const proxy = await startWsProxy(wsPort(e2e.mosquitto.wsUrl))
    let sub: RawClient | undefined
    try {
      sub = await rawConnect({ tcpPort: e2e.mosquitto.tcpPort, protocolVersion: 4, clientId: `sub-${id}` })
      await sub.subscribe(`${topic}/#`, 2)
      const options = { clientId, cleanSession: false }

      await openClientPage(page, e2e, 'iife')
      expect(await page.evaluate(async ([u, o]) => {
        window.ct.create('a', o)
        window.ct.client('a').maxInflightMessagesSet(10)
        return window.ct.connect('a', u)
      }, [proxy.wsUrl, options] as const)).toMatchObject({ ok: true })

      // Acks from the broker are held: the first 10 PUBLISHes reach the broker (and the subscriber) but stay
      // unacknowledged in the page; the rest wait behind the in-flight window.
      proxy.stall(true, 'down')
      await page.evaluate(([t, n]) => {
        for (let i = 0; i < n; i++) {
          window.ct.publishMany('a', `${t}/q1`, 'q1-', i, 1, 1)
          window.ct.publishMany('a', `${t}/q2`, 'q2-', i, 1, 2)
        }
      }, [topic, N] as const)
      // The window's QoS1 messages have reached the subscriber: they are in flight for real (sent, unacknowledged).
      await expect.poll(() => sub!.publishes(`${topic}/q1`).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(5)
      // The window's QoS2 messages are stored by the broker, awaiting a PUBREL that the page never sent (their
      // PUBRECs are held); Mosquitto forwards QoS2 only after PUBREL, so the page's resends after the reload (same
      // packet ids, DUP) must be recognised and delivered once.
      // Then the link goes down (and stays down), and the page publishes offline.
      proxy.pause()
      proxy.cutAll()
      proxy.stall(false)
      await expect.poll(() => page.evaluate(() => window.ct.state('a'))).not.toBe('connected')
      await page.evaluate(([t, n, m]) => {
        window.ct.publishMany('a', `${t}/q1`, 'q1-', n, m, 1)
        window.ct.publishMany('a', `${t}/q2`, 'q2-', n, m, 2)
      }, [topic, N, M] as const)
      // Every message is durably stored before the reload (nothing was acknowledged).
      await expect.poll(() => page.evaluate(() => window.ct.storedCount('outgoing'))).toBe(2 * (N + M))
      const seenBefore = sub.publishes().length

      await page.reload()
      await page.waitForFunction(() => window.ctReady === true || window.ctError !== undefined)
      expect(await page.evaluate(() => window.ctError)).toBeUndefined()
      // The restored session is visible before connecting.
      const restored = await page.evaluate(async ([u, o]) => {
        window.ct.create('a', o)
        return (await window.ct.restore('a', u)).length
      }, [proxy.wsUrl, options] as const)
      expect(restored).toBe(2 * (N + M))

      proxy.resume()
      expect(await page.evaluate((u) => window.ct.connect('a', u), proxy.wsUrl)).toMatchObject({ ok: true, sessionPresent: true })
      expect(await page.evaluate(() => window.ct.waitPublished('a', 30_000))).toBe(0)
      await expect.poll(() => page.evaluate(() => window.ct.storedCount('outgoing'))).toBe(0)

      const want = (q: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${q}-${i}`)
      await expect.poll(() => new Set(sub!.publishes().map((p) => p.payload.toString())).size, { timeout: 20_000 }).toBe(2 * (N + M))
      const q1 = sub.publishes(`${topic}/q1`).map((p) => p.payload.toString())
      const q2 = sub.publishes(`${topic}/q2`).map((p) => p.payload.toString())
      expect(seenBefore).toBeGreaterThan(0) // some really were in flight at the reload
      expect([...new Set(q1)].sort()).toEqual(want('q1', N + M).sort())
      expect(q2.slice().sort(), 'QoS2: every message exactly once').toEqual(want('q2', N + M).sort())
      expect(q2, 'QoS2: in publish order').toEqual(want('q2', N + M))
      await page.evaluate(() => window.ct.disconnect('a'))
    } finally {
      sub?.destroy()
      await proxy.stop()
    }
  })
})

test.describe('browser Client: several tabs, one clientId', () => {
  test('two tabs with one clientId: exactly one connects; closing it lets the waiting tab connect', async ({ context, e2e }) => {
    const clientId = `tabs-${uid()}`
    const a = await context.newPage()
    const b = await context.newPage()
    await openClientPage(a, e2e, 'iife')
    await openClientPage(b, e2e, 'iife')
    const opts = { clientId, cleanSession: false }
    expect(await a.evaluate(([u, o]) => { window.ct.create('a', o); return window.ct.connect('a', u) }, [e2e.mosquitto.wsUrl, opts] as const))
      .toMatchObject({ ok: true })
    expect(await b.evaluate(([u, o]) => { window.ct.create('b', o); return window.ct.connect('b', u) }, [e2e.mosquitto.wsUrl, opts] as const))
      .toMatchObject({ ok: false, error: { name: 'SessionLockedError' } })
    expect(await b.evaluate(() => window.ct.state('b'))).toBe('disconnected')

    // B waits for the session; A's tab closes; B takes over (and finds the broker's session).
    await b.evaluate(([u, o]) => {
      window.ct.create('b2', { ...o, sessionLock: 'wait' })
      ;(window as unknown as { pendingConnect: Promise<unknown> }).pendingConnect = window.ct.connect('b2', u)
    }, [e2e.mosquitto.wsUrl, opts] as const)
    expect(await a.evaluate(() => window.ct.state('a'))).toBe('connected')
    await a.close()
    expect(await b.evaluate(() => (window as unknown as { pendingConnect: Promise<unknown> }).pendingConnect))
      .toMatchObject({ ok: true, sessionPresent: true })
    // Never two connections with this clientId at once: the broker never had to kick one off.
    const log = await (await fetch(`${e2e.baseUrl}/__log/mosquitto`)).text()
    expect(log).toContain(clientId)
    expect(log).not.toMatch(new RegExp(`Client ${clientId} already connected`))
    await b.evaluate(() => window.ct.disconnect('b2'))
  })
})

test.describe('browser Client: storage trouble', () => {
  test('IndexedDB unavailable: a persistent session warns, reports a StorageError and works in memory', async ({ page, e2e }) => {
    await page.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', { configurable: true, value: undefined })
    })
    await openClientPage(page, e2e, 'esm')
    const topic = `nostore/${uid()}`
    const r = await page.evaluate(async ([u, t]) => {
      window.ct.create('a', { clientId: `nostore-${t.replace('/', '-')}`, cleanSession: false })
      const c = await window.ct.connect('a', u)
      await window.ct.subscribe('a', t, 1)
      window.ct.publishMany('a', t, 'm', 0, 3, 1)
      await window.ct.waitPublished('a')
      return { c, log: window.ct.log('a'), status: window.ct.status('a') }
    }, [e2e.mosquitto.wsUrl, topic] as const)
    expect(r.c).toMatchObject({ ok: true })
    expect(r.log.join('\n')).toMatch(/IndexedDB is not available[^\n]*memory/)
    expect(r.status).toContainEqual({ type: 'error', error: expect.objectContaining({ name: 'StorageError' }) })
    await expect.poll(() => page.evaluate(() => window.ct.messages('a').length)).toBe(3)
    await page.evaluate(() => window.ct.disconnect('a'))
  })
})
