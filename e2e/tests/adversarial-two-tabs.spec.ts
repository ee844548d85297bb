/**
 * Issue 5, scenario 8 — two tabs (two pages of one browser context: one origin, shared IndexedDB and Web Locks)
 * with the same clientId and a persistent session. Exactly one owns the session: the other gets
 * SessionLockedError without opening a socket (so the broker never kicks the owner), or waits with
 * sessionLock 'wait'. When the owner's tab closes with QoS 1 messages in flight and queued, the waiting tab
 * takes over, restores the session from IndexedDB and delivers every message (the in-flight ones again with
 * DUP set), counted by sequence number at a subscriber on the broker. QoS 1 and 2 on Mosquitto, QoS 1 on Aedes.
 */
import { rawConnect } from '../../packages/core/test/harness/raw-mqtt.js'
import { expect, test } from '../support/adversarial/fixture.js'
import { openAdvPage } from '../support/adversarial/page-bundle.js'
import { portOf, publishTopic, startRecordingProxy } from '../support/adversarial/recording-proxy.js'
import type { Page } from '@playwright/test'

const COUNT = 30
const WINDOW = 5

/** Create client `name` in the page: clientId `id`, persistent 3.1.1 session (IndexedDB), with a session lock mode. */
async function createClient(page: Page, name: string, id: string, sessionLock: 'fail' | 'wait'): Promise<void> {
  await page.evaluate(([name, id, sessionLock]) => {
    const c = new window.adv.webmqtt.Client({ clientId: id, cleanSession: false, sessionLock, reconnectOnFailure: false })
    c.maxInflightMessagesSet(5)
    const log: string[] = []
    c.on('status', (ev) => log.push(ev.type === 'error' || ev.type === 'disconnected' ? `${ev.type} ${ev.error?.name ?? ''}`.trim() : ev.type))
    let published = 0
    c.onPublish = () => { published++ }
    const received: string[] = []
    c.on('message', (m) => received.push(`${m.topic} ${m.text}`))
    Object.assign(c, { e2eLog: log, e2ePublished: () => published, e2eReceived: received })
    window.adv.clients.set(name, c)
  }, [name, id, sessionLock] as const)
}

const VARIANTS = [
  { broker: 'mosquitto', qos: 1 },
  { broker: 'mosquitto', qos: 2 },
  { broker: 'aedes', qos: 1 },
] as const

test.describe('two tabs, one clientId (scenario 8)', () => {
  for (const { broker, qos } of VARIANTS) {
  test(`${broker}, QoS ${qos}: one owner; the other is refused or waits, then takes over and resumes the session from IndexedDB`, async ({ context, adv, e2e }, testInfo) => {
    test.setTimeout(60_000)
    const id = `two-tabs-${broker}-${qos}-${testInfo.workerIndex}-${Date.now()}`
    const topic = `e2e/${id}`
    const sub = await rawConnect({ tcpPort: e2e[broker].tcpPort, clientId: `${id}-sub` })
    await sub.subscribe(`${topic}/#`, qos)
    const proxy = await startRecordingProxy(portOf(e2e[broker].wsUrl))
    try {
      const a = await context.newPage()
      const b = await context.newPage()
      await openAdvPage(a, adv)
      await openAdvPage(b, adv)

      // Tab A owns the session.
      await createClient(a, 'a', id, 'fail')
      const connA = await a.evaluate(async ([url, topic]) => {
        const c = window.adv.client('a')
        const r = await c.connect(url, undefined, 600)
        const granted = await c.subscribe(`${topic}/in`, 1)
        return { sessionPresent: r.sessionPresent, granted: granted.map((g) => g.value) }
      }, [proxy.wsUrl, topic] as const)
      expect(connA).toEqual({ sessionPresent: false, granted: [1] })

      // Tab B, same clientId: refused with SessionLockedError before any socket is opened.
      await createClient(b, 'b', id, 'fail')
      const refused = await b.evaluate(async (url) => {
        try {
          await window.adv.client('b').connect(url, undefined, 600)
          return { ok: true as const }
        } catch (err) {
          return { ok: false as const, ...window.adv.describe(err), state: window.adv.client('b').state }
        }
      }, proxy.wsUrl)
      expect(refused).toMatchObject({ ok: false, name: 'SessionLockedError', state: 'disconnected' })
      expect(proxy.acceptedConnections, 'sockets opened (tab B must not open one)').toBe(1)
      expect(await a.evaluate(() => window.adv.client('a').state)).toBe('connected')

      // Tab B again, waiting for the session: its connect() stays pending behind A's lock.
      await createClient(b, 'b2', id, 'wait')
      await b.evaluate((url) => {
        const c = window.adv.client('b2')
        const outcome = c.connect(url, undefined, 600).then(
          (r) => ({ ok: true as const, sessionPresent: r.sessionPresent }),
          (err: unknown) => ({ ok: false as const, ...window.adv.describe(err) }),
        )
        Object.assign(window, { b2Connect: outcome })
      }, proxy.wsUrl)
      await expect.poll(async () => (await b.evaluate(() => navigator.locks.query())).pending?.length ?? 0, { timeout: 5000, message: 'tab B queued for the session lock' }).toBe(1)
      expect(await b.evaluate(() => window.adv.client('b2').state)).toBe('disconnected')

      // A publishes while the broker hears nothing: WINDOW messages go in flight, the rest stay queued.
      proxy.stall(true)
      const held = await a.evaluate(async ([topic, count, qos]) => {
        const c = window.adv.client('a')
        for (let i = 0; i < count; i++) c.publish(`${topic}/m`, `seq:${i}`, qos)
        await c.flush()
        return { pending: c.pendingMessages().length, inflight: c.inflightCount, queued: c.queuedCount, persistent: c.persistent }
      }, [topic, COUNT, qos] as const)
      expect(held).toEqual({ pending: COUNT, inflight: WINDOW, queued: COUNT - WINDOW, persistent: true })
      await expect.poll(() => proxy.up('publish').length, { timeout: 5000 }).toBe(0)

      // Close tab A: its socket goes (and with it the held bytes); its lock goes to tab B.
      await a.close()
      await expect.poll(() => proxy.openIds().includes(1), { timeout: 10_000, message: "tab A's connection closed" }).toBe(false)
      proxy.stall(false)

      const took = await b.evaluate(() => (window as unknown as { b2Connect: Promise<unknown> }).b2Connect)
      expect(took, 'tab B connects once A is gone; the broker still has the session').toEqual({ ok: true, sessionPresent: true })

      // Every message A accepted arrives, exactly once (none reached the broker before), the in-flight ones marked DUP.
      const got = await sub.waitForPublishes(COUNT, `${topic}/m`, 15_000)
      const seqs = got.map((p) => Number(/^seq:(\d+)$/.exec(p.payload.toString())?.[1]))
      expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: COUNT }, (_, i) => i))
      const upB = proxy.up('publish').filter((p) => p.conn !== 1 && publishTopic(p) === `${topic}/m`)
      expect(upB.length, 'PUBLISH packets tab B sent').toBe(COUNT)
      expect(upB.slice(0, WINDOW).map((p) => (p.flags & 8) !== 0), 'the first WINDOW resent with DUP (they were in flight)').toEqual(Array(WINDOW).fill(true))
      expect(upB.slice(WINDOW).some((p) => (p.flags & 8) !== 0), 'queued ones are first sends').toBe(false)

      await expect.poll(() => b.evaluate(() => window.adv.client('b2').pendingMessages().length), { timeout: 10_000 }).toBe(0)
      expect(await b.evaluate(() => (window.adv.client('b2') as unknown as { e2ePublished(): number }).e2ePublished()), 'onPublish for the restored messages').toBe(COUNT)
      // Nothing more arrives: the subscriber has exactly COUNT (checked after B's flows completed).
      expect(sub.publishes(`${topic}/m`).length).toBe(COUNT)
      // The session's subscription came along: tab B gets what is published to it without subscribing.
      await sub.publish(`${topic}/in`, 'to the session', 1)
      await expect.poll(() => b.evaluate(() => (window.adv.client('b2') as unknown as { e2eReceived: string[] }).e2eReceived), { timeout: 10_000 })
        .toEqual([`${topic}/in to the session`])
      await b.evaluate(() => window.adv.client('b2').clearSession())
      await b.evaluate(() => window.adv.client('b2').disconnect())
    } finally {
      await proxy.stop()
      await sub.disconnect().catch(() => {})
    }
  })
  }
})
