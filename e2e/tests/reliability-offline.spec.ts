/**
 * Issue 5, scenario 4: offline publishing. The page (persistent session in IndexedDB) goes offline —
 * Playwright's offline mode (new connections fail, `offline` fires) plus the proxy in front of the broker
 * dropping the open link and refusing new ones, since Chromium's offline emulation leaves an open cross-origin
 * WebSocket alone — publishes 500 messages, is reloaded while still offline (the app is served from a route,
 * like an app shell from a cache), restores all 500 from IndexedDB, and when the browser is back online
 * delivers all 500, in order. The client waits out a long back-off (10 s) while offline; the `online` event
 * must bring it back at once.
 */
import { AEDES_311, MOSQUITTO_311, MOSQUITTO_5, expect, test } from '../support/reliability/fixtures.js'
import type { Target } from '../support/reliability/fixtures.js'
import { openApp, waitForAutostart } from '../support/reliability/app.js'
import type { RecordedStatus } from '../support/reliability/app.js'
import { checkStream, describeReport } from '../support/reliability/seq.js'
import { waitUntil } from '../support/reliability/node-client.js'

const COUNT = 500

test.describe('scenario 4: offline publishing across a reload', () => {
  const cases: Array<{ target: Target; qos: 1 | 2 }> = [
    { target: MOSQUITTO_5, qos: 1 },
    { target: MOSQUITTO_311, qos: 2 },
    { target: AEDES_311, qos: 2 },
  ]
  for (const { target, qos } of cases) {
    test(`${COUNT} QoS ${qos} messages published offline, reloaded offline, delivered in order once online (${target.name})`, async ({ page, context, e2e, rel }) => {
      const broker = await rel.broker(target)
      const proxy = await rel.proxy(broker.wsPort)
      const url = proxy.wsUrl
      const topic = `rel/${rel.id}/offline`
      const sub = rel.nodeClient({ clientId: `rel-sub-${rel.id}`, url: broker.wsUrl, protocol: target.protocol, persistent: true })
      await sub.connect()
      expect(await sub.subscribe(topic, qos)).toEqual([qos])

      await openApp(page, e2e)
      await page.evaluate((o) => window.rel.create(o, { autostart: true }), {
        clientId: `rel-off-${rel.id}`, url, protocol: target.protocol, persistent: true, reconnectDelay: [10, 20] as [number, number],
      })
      expect(await page.evaluate(() => window.rel.connect())).toMatchObject({ ok: true })
      // Aedes reports a present session only to clients with subscriptions.
      expect(await page.evaluate((t) => window.rel.subscribe(t, 1), `rel/${rel.id}/control`)).toEqual([1])

      await context.setOffline(true)
      proxy.pause()
      proxy.cutAll()
      await waitUntil(async () => (await page.evaluate(() => window.rel.state())) === 'reconnecting', 10_000, 'the page to notice it is offline')
      const queued = await page.evaluate(async ({ topic, qos, count }) => {
        const burst = window.rel.publishBurst([{ topic, qos, count }])
        await window.rel.flush()
        return burst
      }, { topic, qos, count: COUNT })
      expect(queued).toMatchObject({ rcs: [0], pending: COUNT, inflight: 0, queued: COUNT })

      await page.reload()
      const started = await waitForAutostart(page)
      rel.note(`after the offline reload: ${JSON.stringify(started)}`)
      expect(started.restored).toMatchObject({ restored: COUNT, pending: COUNT, queued: COUNT, inflight: 0 })
      expect(started.connect.ok, 'connecting while offline fails').toBe(false)
      await waitUntil(async () => (await page.evaluate(() => window.rel.state())) === 'reconnecting', 10_000, 'the back-off to start')
      expect(sub.distinct(topic), 'nothing left the page while offline').toBe(0)

      const onlineAt = Date.now()
      proxy.resume()
      await context.setOffline(false)
      const connectedSince = async (): Promise<RecordedStatus | undefined> =>
        (await page.evaluate(() => window.rel.events())).find((e) => e.type === 'connected' && e.at >= onlineAt)
      await waitUntil(async () => (await connectedSince()) !== undefined, 15_000, 'the page to reconnect')
      const connected = (await connectedSince())!
      rel.note(`reconnected ${connected.at - onlineAt} ms after going online`)
      expect(connected.sessionPresent).toBe(true)
      expect(connected.at - onlineAt, 'the online event cuts the 10 s back-off short').toBeLessThan(5_000)

      await waitUntil(async () => (await page.evaluate(() => window.rel.status().pending)) === 0 && sub.distinct(topic) >= COUNT,
        30_000, 'all messages delivered', () => ({ received: sub.distinct(topic) }))
      await page.evaluate(({ topic, qos }) => window.rel.publishFence(topic, qos), { topic, qos })
      await waitUntil(() => sub.fences.has(topic), 10_000, 'the fence')

      const status = await page.evaluate(() => window.rel.status())
      expect(status).toMatchObject({ restored: COUNT, restoredPublished: COUNT, restoredFailed: 0 })
      const sends = (await page.evaluate(() => window.rel.sends()))[topic]
      const report = checkStream({ name: `offline page→node QoS ${qos}`, qos, count: COUNT, tally: sub.tally(topic), sends, order: sub.order.get(topic) ?? [] })
      test.info().annotations.push({ type: 'result', description: `${describeReport(report)}; reconnected ${connected.at - onlineAt} ms after online` })
      const violations = await page.evaluate(() => window.rel.violations())
      expect([...violations.map((v) => `page client broke MQTT 4.3.3: ${v}`), ...report.problems]).toEqual([])
    })
  }
})
