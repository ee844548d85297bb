/**
 * Issue 5, scenario 2: the broker is killed (SIGKILL) and restarted on the same port while the page publishes a
 * QoS 1 and a QoS 2 stream (500 messages each, in-flight window 10) to a persistent Node subscriber.
 *
 * (a) Broker persistence on: the session survives. The page reconnects with growing back-off while the broker
 *     is down, finds its session (sessionPresent true), resends what was unacknowledged, and nothing is lost:
 *     every seq arrives, QoS 2 exactly once, QoS 1 duplicates only where DUP explains them.
 *     Before the kill both links are held still (the proxies stall broker→page and the subscriber link) until
 *     Mosquitto has saved its state (time-based autosave every second; two "Saving in-memory database" lines
 *     after the links went still): the window in which a broker acknowledges a message and dies before saving
 *     it is the broker's business, not the client's. (Mosquitto's autosave_on_changes counts only queued
 *     messages and subscription changes, not in-flight state, so it cannot be relied on for this.)
 *
 * (b) Broker persistence off: the broker comes back empty. The page must notice (sessionPresent false),
 *     subscribe again by itself and resend what it still holds. What can be asserted when the broker itself
 *     loses state: messages the page had not seen completed when the broker died (no PUBACK; for QoS 2 not even
 *     PUBREC, i.e. no PUBREL sent) must arrive; messages the broker had acknowledged may be lost with it. QoS 2
 *     messages that were in flight at the kill may arrive twice (the broker forgot that it had them — Aedes
 *     forwards QoS 2 on PUBLISH, Mosquitto on PUBREL); no other duplicates. The page's acknowledgements are
 *     held back (proxy stalled broker→page) just before the kill, so the page's view is an exact snapshot.
 *     The page proxy refuses connections until the Node subscriber has re-subscribed, so nothing the page
 *     resends is dropped for want of a subscriber.
 */
import { AEDES_311, MOSQUITTO_311, MOSQUITTO_5, expect, test } from '../support/reliability/fixtures.js'
import { openApp } from '../support/reliability/app.js'
import type { RecordedStatus } from '../support/reliability/app.js'
import { checkStream, describeReport } from '../support/reliability/seq.js'
import type { StreamReport } from '../support/reliability/seq.js'
import { waitUntil } from '../support/reliability/node-client.js'

const PER_STREAM = 500
const KILL_AFTER = 300

function backoffProblems(events: RecordedStatus[]): string[] {
  const delays = events.filter((e) => e.type === 'reconnecting').map((e) => e.delayMs ?? 0)
  const problems: string[] = []
  if (delays.length < 3) problems.push(`expected at least 3 reconnect attempts while the broker was down, saw delays ${JSON.stringify(delays)}`)
  // Doubling with ±20 % jitter: each delay is larger than the one before until the maximum (2 s) is reached.
  for (let i = 1; i < delays.length && delays[i - 1]! < 1000; i++) {
    if (!(delays[i]! > delays[i - 1]!)) problems.push(`back-off did not grow: ${JSON.stringify(delays)}`)
  }
  return problems
}

test.describe('scenario 2: broker SIGKILL and restart on the same port while publishing', () => {
  test.describe.configure({ timeout: 90_000 })

  for (const target of [MOSQUITTO_311, MOSQUITTO_5]) {
    test(`persistence on: reconnect with back-off, session present, nothing lost (${target.name})`, async ({ page, e2e, rel }) => {
      const broker = await rel.broker(target, { persistence: true, extra: ['autosave_on_changes false', 'autosave_interval 1'] })
      const pageProxy = await rel.proxy(broker.wsPort)
      const subProxy = await rel.proxy(broker.wsPort)
      const base = `rel/${rel.id}/up`
      const streams = [{ topic: `${base}/q1`, qos: 1 as const }, { topic: `${base}/q2`, qos: 2 as const }]

      const sub = rel.nodeClient({ clientId: `rel-sub-${rel.id}`, url: subProxy.wsUrl, protocol: target.protocol, persistent: true })
      await sub.connect()
      expect(await sub.subscribe(`${base}/#`, 2)).toEqual([2])

      await openApp(page, e2e)
      await page.evaluate((o) => window.rel.create(o), {
        clientId: `rel-pub-${rel.id}`, url: pageProxy.wsUrl, protocol: target.protocol, persistent: true, maxInflight: 10,
        reconnectDelay: [0.25, 2] as [number, number],
      })
      expect(await page.evaluate(() => window.rel.connect())).toMatchObject({ ok: true, sessionPresent: false })
      await page.evaluate((s) => {
        window.rel.publishBurst(s.map((x) => ({ ...x, count: 500 })))
        return window.rel.flush()
      }, streams)

      const received = (): number => streams.reduce((n, s) => n + sub.distinct(s.topic), 0)
      await waitUntil(() => received() >= KILL_AFTER, 30_000, `${KILL_AFTER} messages at the subscriber`)
      pageProxy.stall(true, 'down')
      subProxy.stall(true)
      // Quiesce: let what is in transit arrive, then wait for Mosquitto to save that state (twice: the first save
      // is complete once the second starts).
      await new Promise((r) => setTimeout(r, 300))
      const mark = broker.log().length
      await waitUntil(() => broker.log().slice(mark).split('Saving in-memory database').length > 2, 8_000, 'Mosquitto to save its state')
      const killAt = Date.now()
      await broker.kill()
      // Un-stall only once the proxies have dropped the dead links: bytes held for a live link would be delivered.
      await waitUntil(() => pageProxy.openConnections === 0 && subProxy.openConnections === 0, 5_000, 'the proxies to drop the links')
      pageProxy.stall(false)
      subProxy.stall(false)
      rel.note(`killed the broker after ${received()} deliveries; page ${JSON.stringify(await page.evaluate(() => window.rel.status()))}`)

      const eventsSinceKill = async (): Promise<RecordedStatus[]> =>
        (await page.evaluate(() => window.rel.events())).filter((e) => e.at >= killAt)
      await waitUntil(async () => (await eventsSinceKill()).filter((e) => e.type === 'reconnecting').length >= 3, 15_000,
        'three failed reconnect attempts while the broker is down')
      await broker.restart()
      rel.note('broker restarted')

      await waitUntil(async () => (await eventsSinceKill()).some((e) => e.type === 'connected'), 15_000, 'the page to reconnect')
      await waitUntil(async () => (await page.evaluate(() => window.rel.status().pending)) === 0
        && streams.every((s) => sub.distinct(s.topic) >= PER_STREAM), 45_000, 'every message published and received',
      async () => ({
        received: streams.map((s) => sub.distinct(s.topic)), page: await page.evaluate(() => window.rel.status()),
        missing: streams.map((s) => checkStream({ name: s.topic, qos: s.qos, count: PER_STREAM, tally: sub.tally(s.topic) }).missing),
        pending: await page.evaluate(() => window.rel.publishedStates()),
      }))
      for (const s of streams) await page.evaluate((x) => window.rel.publishFence(`${x.topic}/fence`, x.qos), s)
      await waitUntil(() => streams.every((s) => sub.fences.has(`${s.topic}/fence`)), 10_000, 'the fences')

      const events = await eventsSinceKill()
      rel.note(`events since the kill: ${JSON.stringify(events)}`)
      const connected = events.filter((e) => e.type === 'connected')
      expect(connected[0], 'the broker kept the session').toMatchObject({ sessionPresent: true })
      expect(sub.events.filter((e) => e.at >= killAt && e.type === 'connected')[0]).toMatchObject({ sessionPresent: true })
      const sends = await page.evaluate(() => window.rel.sends())
      const reports = streams.map((s) => checkStream({
        name: `page→node QoS ${s.qos}`, qos: s.qos, count: PER_STREAM, tally: sub.tally(s.topic), sends: sends[s.topic],
      }))
      for (const r of reports) test.info().annotations.push({ type: 'result', description: describeReport(r) })
      const violations = await page.evaluate(() => window.rel.violations())
      expect([
        ...backoffProblems(events.filter((e) => e.at < (connected[0]?.at ?? Infinity))),
        ...violations.map((v) => `page client broke MQTT 4.3.3: ${v}`),
        ...reports.flatMap((r) => r.problems),
      ]).toEqual([])
    })
  }

  for (const target of [MOSQUITTO_5, AEDES_311]) {
    test(`persistence off: the page notices the lost session, re-subscribes and resends what it holds (${target.name})`, async ({ page, e2e, rel }) => {
      const broker = await rel.broker(target, { persistence: false, killable: true })
      const pageProxy = await rel.proxy(broker.wsPort)
      const base = `rel/${rel.id}/up`
      const down = `rel/${rel.id}/down`
      const streams = [{ topic: `${base}/q1`, qos: 1 as const }, { topic: `${base}/q2`, qos: 2 as const }]

      const sub = rel.nodeClient({ clientId: `rel-sub-${rel.id}`, url: broker.wsUrl, protocol: target.protocol, persistent: true })
      await sub.connect()
      expect(await sub.subscribe(`${base}/#`, 2)).toEqual([2])

      await openApp(page, e2e)
      await page.evaluate((o) => window.rel.create(o), {
        clientId: `rel-pub-${rel.id}`, url: pageProxy.wsUrl, protocol: target.protocol, persistent: true, maxInflight: 10,
        reconnectDelay: [0.25, 2] as [number, number],
      })
      expect(await page.evaluate(() => window.rel.connect())).toMatchObject({ ok: true, sessionPresent: false })
      expect(await page.evaluate((t) => window.rel.subscribe(t, 1), down)).toEqual([1])
      await page.evaluate((s) => {
        window.rel.publishBurst(s.map((x) => ({ ...x, count: 500 })))
        return window.rel.flush()
      }, streams)

      const received = (): number => streams.reduce((n, s) => n + sub.distinct(s.topic), 0)
      await waitUntil(() => received() >= KILL_AFTER, 30_000, `${KILL_AFTER} messages at the subscriber`)
      pageProxy.stall(true, 'down')
      await new Promise((r) => setTimeout(r, 300)) // let acknowledgements already past the proxy reach the page
      const snapshot = await page.evaluate(() => ({ states: window.rel.publishedStates(), released: window.rel.released(), subacks: window.rel.subacks() }))
      const killAt = Date.now()
      await broker.kill()
      pageProxy.pause()
      // Un-stall only once the proxy has dropped the dead link: held acknowledgements must not reach the page.
      await waitUntil(() => pageProxy.openConnections === 0, 5_000, 'the proxy to drop the link')
      pageProxy.stall(false)
      rel.note(`killed the broker after ${received()} deliveries; completed at the page: ${streams.map((s) => snapshot.states[s.topic]?.published.length).join('/')}`)

      await broker.restart()
      await waitUntil(() => sub.events.some((e) => e.at >= killAt && e.type === 'connected') && sub.subacks >= 2, 15_000,
        'the subscriber to reconnect and re-subscribe')
      expect(sub.events.filter((e) => e.at >= killAt && e.type === 'connected')[0]).toMatchObject({ sessionPresent: false })
      pageProxy.resume()

      const eventsSinceKill = async (): Promise<RecordedStatus[]> =>
        (await page.evaluate(() => window.rel.events())).filter((e) => e.at >= killAt)
      await waitUntil(async () => (await eventsSinceKill()).some((e) => e.type === 'connected')
        && (await page.evaluate(() => window.rel.subacks())) > snapshot.subacks, 20_000, 'the page to reconnect and re-subscribe')
      const connected = (await eventsSinceKill()).filter((e) => e.type === 'connected')
      expect(connected[0], 'the page sees the session is gone').toMatchObject({ sessionPresent: false })

      // Its subscription is back: a message published to it now reaches the page.
      sub.publishBurst([{ topic: down, qos: 1, count: 20 }])

      const mustArrive = new Map<string, number[]>()
      const inflightAtKill = new Map<string, number[]>()
      for (const s of streams) {
        const st = snapshot.states[s.topic] ?? { published: [], failed: [], other: [] }
        const released = new Set(snapshot.released[s.topic] ?? [])
        const done = new Set(st.published)
        mustArrive.set(s.topic, st.other.filter((seq) => !released.has(seq)))
        inflightAtKill.set(s.topic, st.other)
        expect(done.size + st.other.length + st.failed.length).toBe(PER_STREAM)
      }
      await waitUntil(async () => (await page.evaluate(() => window.rel.status().pending)) === 0
        && streams.every((s) => (mustArrive.get(s.topic) ?? []).every((seq) => sub.tally(s.topic)[seq]?.[0])), 45_000,
      'the page to resend everything it held', async () => ({
        received: streams.map((s) => sub.distinct(s.topic)), page: await page.evaluate(() => window.rel.status()),
        missing: streams.map((s) => (mustArrive.get(s.topic) ?? []).filter((seq) => !sub.tally(s.topic)[seq]?.[0])),
      }))
      for (const s of streams) await page.evaluate((x) => window.rel.publishFence(`${x.topic}/fence`, x.qos), s)
      await waitUntil(() => streams.every((s) => sub.fences.has(`${s.topic}/fence`)), 10_000, 'the fences')
      const downCount = async (): Promise<number> => Object.keys((await page.evaluate(() => window.rel.received()))[down] ?? {}).length
      await waitUntil(async () => (await downCount()) >= 20, 10_000, 'the page to receive on its restored subscription')

      const states = await page.evaluate(() => window.rel.publishedStates())
      const sends = await page.evaluate(() => window.rel.sends())
      const reports: StreamReport[] = streams.map((s) => checkStream({
        name: `page→node QoS ${s.qos}`, qos: s.qos, count: PER_STREAM, tally: sub.tally(s.topic), sends: sends[s.topic],
        mustArrive: mustArrive.get(s.topic), dupAllowed: s.qos === 2 ? inflightAtKill.get(s.topic) : [],
      }))
      for (const [i, r] of reports.entries()) {
        const s = streams[i]!
        const lost = PER_STREAM - r.delivered
        test.info().annotations.push({ type: 'result', description: `${describeReport(r)}; must arrive ${mustArrive.get(s.topic)?.length}, lost with the broker ${lost}` })
      }
      const violations = await page.evaluate(() => window.rel.violations())
      expect([
        ...violations.map((v) => `page client broke MQTT 4.3.3: ${v}`),
        ...reports.flatMap((r) => r.problems),
        ...streams.flatMap((s) => {
          const st = states[s.topic]
          return st && st.published.length === PER_STREAM ? [] : [`${s.topic}: not every publish completed: ${JSON.stringify({ failed: st?.failed.length, other: st?.other.length })}`]
        }),
      ]).toEqual([])
    })
  }
})
