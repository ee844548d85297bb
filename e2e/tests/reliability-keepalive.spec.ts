/**
 * Issue 5, scenario 6: keepalive.
 *
 * Dead link: with keepalive 2 s, the proxy between page and broker stops forwarding (the broker "stops
 * answering"). The client must declare the connection dead within 1.5 × keepalive (3 s) of the last byte it
 * received — measured here from the moment the stall began, with 250 ms allowed for timer and event delivery —
 * and reconnect once traffic flows again. Two variants: broker→page stalled only (the broker still sees the
 * page's PINGREQs and keeps the connection, so only the client's own keepalive can notice: the error must be a
 * KeepaliveTimeoutError), and both directions stalled (whichever side notices first).
 *
 * Hidden tab: the page reports itself hidden (document.hidden / visibilityState, visibilitychange) and its
 * main-thread timers are throttled the way Chrome throttles a hidden tab's (nothing sooner than once a minute),
 * for 8 s = 4 keepalive periods of an idle connection. The client on Worker timers (the default) keeps pinging
 * every keepalive period and stays connected on its first connection. A second client on native timers in the
 * same page is the control: it stops pinging, which shows the emulation bites. (Mosquitto 2.0.11 does not
 * always drop a silent websockets client after 1.5 × keepalive, so the control's connection is not judged.)
 */
import { AEDES_311, MOSQUITTO_311, MOSQUITTO_5, expect, test } from '../support/reliability/fixtures.js'
import type { Target } from '../support/reliability/fixtures.js'
import { openApp } from '../support/reliability/app.js'
import type { RecordedStatus } from '../support/reliability/app.js'
import { waitUntil } from '../support/reliability/node-client.js'

const KEEPALIVE = 2
const SLACK_MS = 250

test.describe('scenario 6: keepalive', () => {
  const stallCases: Array<{ target: Target; direction: 'down' | 'both' }> = [
    { target: AEDES_311, direction: 'down' },
    { target: MOSQUITTO_5, direction: 'both' },
  ]
  for (const { target, direction } of stallCases) {
    test(`a stalled link (${direction === 'down' ? 'broker→page' : 'both ways'}) is declared dead within 1.5 × keepalive and the client reconnects after the stall (${target.name})`, async ({ page, e2e, rel }) => {
      const broker = await rel.broker(target)
      const proxy = await rel.proxy(broker.wsPort)
      await openApp(page, e2e)
      await page.evaluate((o) => window.rel.create(o), {
        clientId: `rel-ka-${rel.id}`, url: proxy.wsUrl, protocol: target.protocol, persistent: false, keepalive: KEEPALIVE,
        reconnectDelay: [0.2, 1] as [number, number], openTimeoutMs: 1500, connectTimeoutMs: 2500,
      })
      expect(await page.evaluate(() => window.rel.connect())).toMatchObject({ ok: true })
      // Let a keepalive period pass so the link is in its steady state (pings answered).
      const bytesBefore = proxy.bytesDown
      await waitUntil(() => proxy.bytesDown > bytesBefore, (KEEPALIVE + 1) * 1000, 'a PINGRESP')

      const stallAt = Date.now()
      proxy.stall(true, direction)
      const since = async (from: number): Promise<RecordedStatus[]> =>
        (await page.evaluate(() => window.rel.events())).filter((e) => e.at >= from)
      await waitUntil(async () => (await since(stallAt)).some((e) => e.type === 'reconnecting'), 3 * KEEPALIVE * 1000,
        'the client to give up the stalled connection')
      const lost = (await since(stallAt)).find((e) => e.type === 'reconnecting')!
      const detectedMs = lost.at - stallAt
      rel.note(`declared dead after ${detectedMs} ms: ${lost.error}`)
      test.info().annotations.push({ type: 'result', description: `dead after ${detectedMs} ms (limit ${1.5 * KEEPALIVE * 1000} ms): ${lost.error}` })
      expect(detectedMs).toBeLessThanOrEqual(1.5 * KEEPALIVE * 1000 + SLACK_MS)
      if (direction === 'down') expect(lost.error).toMatch(/^KeepaliveTimeoutError/)

      // While the stall lasts, attempts cannot complete (the proxy holds their handshakes too).
      await new Promise((r) => setTimeout(r, 1500))
      expect(await page.evaluate(() => window.rel.state())).not.toBe('connected')

      const resumeAt = Date.now()
      proxy.stall(false)
      await waitUntil(async () => (await since(resumeAt)).some((e) => e.type === 'connected'), 10_000, 'the client to reconnect after the stall')
      const back = (await since(resumeAt)).find((e) => e.type === 'connected')!
      rel.note(`reconnected ${back.at - resumeAt} ms after the stall ended`)
      // And the new link carries traffic: a QoS 1 publish completes.
      await page.evaluate((t) => window.rel.publishBurst([{ topic: t, qos: 1, count: 1 }]), `rel/${rel.id}/ka`)
      await waitUntil(async () => (await page.evaluate(() => window.rel.status().pending)) === 0, 5_000, 'a PUBACK on the new link')
    })
  }

  test(`a hidden tab with throttled main-thread timers keeps its connection on Worker timers (${MOSQUITTO_311.name})`, async ({ page, e2e, rel }) => {
    const target = MOSQUITTO_311
    const broker = await rel.broker(target)
    const proxy = await rel.proxy(broker.wsPort)
    await openApp(page, e2e)
    // The query strings tell the two clients' sockets apart in the page's wire tap (brokers ignore them).
    const common = { protocol: target.protocol, persistent: false, keepalive: KEEPALIVE, reconnectDelay: [0.2, 1] as [number, number] }
    await page.evaluate((o) => window.rel.create(o), { ...common, url: `${proxy.wsUrl}?client=main`, name: 'main', clientId: `rel-hid-${rel.id}` })
    await page.evaluate((o) => window.rel.create(o), {
      ...common, url: `${proxy.wsUrl}?client=control`, name: 'control', clientId: `rel-hidc-${rel.id}`, workerTimers: false,
    })
    expect(await page.evaluate(() => window.rel.connect('main'))).toMatchObject({ ok: true })
    expect(await page.evaluate(() => window.rel.connect('control'))).toMatchObject({ ok: true })
    expect(await page.evaluate(() => window.rel.workerTimersMode())).toBe('worker')

    const hiddenAt = Date.now()
    await page.evaluate(() => {
      window.rel.setHidden(true)
      window.rel.throttleMainThreadTimers(60_000)
    })
    expect(await page.evaluate(() => [document.hidden, document.visibilityState])).toEqual([true, 'hidden'])
    // An idle period of 4 keepalive intervals: the scenario itself, not a wait for a result.
    await new Promise((r) => setTimeout(r, 4 * KEEPALIVE * 1000))
    const shownAt = Date.now()
    const main = await page.evaluate(() => ({ state: window.rel.state('main'), events: window.rel.events('main'), pings: window.rel.pings('client=main') }))
    const control = await page.evaluate(() => ({ state: window.rel.state('control'), events: window.rel.events('control'), pings: window.rel.pings('client=control') }))
    await page.evaluate(() => {
      window.rel.throttleMainThreadTimers(false)
      window.rel.setHidden(false)
    })
    rel.note(`main: ${JSON.stringify(main)}\ncontrol: ${JSON.stringify(control)}`)

    const hidden = (t: number): boolean => t >= hiddenAt && t <= shownAt
    const mainPings = main.pings.filter(hidden).length
    const controlPings = control.pings.filter(hidden).length
    const mainSince = main.events.filter((e) => e.at >= hiddenAt)
    test.info().annotations.push({
      type: 'result',
      description: `while hidden for ${shownAt - hiddenAt} ms: main (Worker timers) sent ${mainPings} PINGREQs, ${mainSince.length} status events; control (native timers) sent ${controlPings} PINGREQs`,
    })
    expect(main.state).toBe('connected')
    expect(mainSince, 'the Worker-timed client neither dropped nor re-made its connection').toEqual([])
    expect(main.events.filter((e) => e.type === 'connected')).toHaveLength(1)
    expect(mainPings, 'the Worker-timed client pinged every keepalive period').toBeGreaterThanOrEqual(3)
    expect(controlPings, 'the control client on throttled native timers stopped pinging').toBeLessThanOrEqual(1)

    // Visible again, the main client's link still carries traffic.
    await page.evaluate((t) => window.rel.publishBurst([{ topic: t, qos: 1, count: 1 }], 'main'), `rel/${rel.id}/hid`)
    await waitUntil(async () => (await page.evaluate(() => window.rel.status('main').pending)) === 0, 5_000, 'a PUBACK for the main client')
  })
})
