/**
 * The demo (issue 4) in real Chromium: its own Vite dev server with the embedded Aedes broker, started here on an
 * ephemeral loopback port exactly as `pnpm demo` configures it (demo/vite.config.ts). Screenshots of each scene
 * are saved as test artifacts (test-results/…/*.png) and attached to the report.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildAndPreviewDemo, startDemoServer } from '../../demo/server/dev-server.js'
import type { DemoPreview, DemoServer } from '../../demo/server/dev-server.js'
import { rawConnect } from '../../packages/core/test/harness/raw-mqtt.js'
import { expect, test } from '../fixtures/test.js'
import { DemoPage, storageContains, uniqueTopic } from './demo-page.js'

let demo: DemoServer
let cacheDir: string

test.beforeAll(async ({}, workerInfo) => { // eslint-disable-line no-empty-pattern
  // Each worker has its own server and its own Vite dependency cache (two optimizers must not share one).
  cacheDir = mkdtempSync(join(tmpdir(), `webmqtt-demo-vite-${workerInfo.workerIndex}-`))
  demo = await startDemoServer({ cacheDir, logLevel: 'error', watch: false })
})

test.afterAll(async () => {
  await demo?.close()
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true })
})

/** A loopback port with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const port = (srv.address() as { port: number }).port
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  return port
}

test.describe('demo page', () => {
  test('loads ready to connect to the embedded broker on its own origin', async ({ page }, testInfo) => {
    const d = new DemoPage(page, demo.url)
    await d.goto()
    await expect(page).toHaveTitle('webmqtt demo')
    await d.expectState('disconnected')
    await expect(page.getByLabel('Broker', { exact: true })).toHaveValue('local')
    await expect(page.locator('#broker-url')).toHaveText(demo.brokerUrl)
    await expect(page.getByLabel('Client ID', { exact: true })).toHaveValue(/^webmqtt-demo-[0-9a-z]{8}$/)
    await expect(page.getByRole('button', { name: 'Disconnect' })).toBeDisabled()
    await d.screenshot(testInfo, 'demo-initial')
  })

  test('connects, subscribes, publishes; the message shows in the log with its status and in the chart', async ({ page }, testInfo) => {
    const d = new DemoPage(page, demo.url)
    const base = uniqueTopic(testInfo)
    await d.goto()
    await d.connect()
    await expect(d.statusText).toHaveText('Connected · new session')
    await expect(d.statusDetail).toHaveText(demo.brokerUrl)
    await expect(page.getByRole('status')).toContainText('Connected')
    await d.subscribe(`${base}/#`, 1)

    await d.publish(`${base}/hello`, 'Hello from Playwright', { qos: 1 })
    const hello = d.entry(`${base}/hello`)
    await expect(hello).toHaveCount(1)
    await expect(hello.locator('.log-payload')).toHaveText('Hello from Playwright')
    await expect(hello).toContainText('QoS 1')
    await expect(d.publishes.first()).toContainText('acknowledged')

    await d.publish(`${base}/json`, '{"temp":21.5,"ok":true}', { qos: 0, mode: 'json' })
    await expect(d.entry(`${base}/json`).locator('.log-payload')).toHaveText('{\n  "temp": 21.5,\n  "ok": true\n}')
    await expect(d.entry(`${base}/json`)).toContainText('JSON')
    await expect(d.publishes.first()).toContainText('sent')

    // Newest first.
    await expect(d.log.first()).toHaveAttribute('data-topic', `${base}/json`)
    await expect(page.locator('#count-in')).toHaveText('2')
    await expect(page.locator('#count-out')).toHaveText('2')

    // A burst for the chart: 50 QoS 0 messages; the chart reports them within the next seconds.
    await d.publish(`${base}/burst`, 'tick', { qos: 0, repeat: 50 })
    await expect(d.publishes.first()).toContainText('50/50 sent')
    await expect(page.locator('#count-in')).toHaveText('52')
    await expect.poll(async () => Number(await page.locator('#rate-in').textContent()), { timeout: 5_000 }).toBeGreaterThan(0)
    await expect(page.locator('#rate-chart')).toHaveAttribute('aria-label', /Messages per second/)
    await expect(page.locator('#count-inflight')).toHaveText('0')
    await d.screenshot(testInfo, 'demo-connected')

    await page.getByRole('button', { name: 'Disconnect' }).click()
    await d.expectState('disconnected')
    await expect(page.getByRole('button', { name: 'Connect', exact: true })).toBeEnabled()
  })

  test('keep session: a QoS 1 message published while the page was away is delivered after reload', async ({ page }, testInfo) => {
    const d = new DemoPage(page, demo.url)
    const base = uniqueTopic(testInfo)
    await d.goto()
    await d.connect({ keepSession: true })
    await expect(page.getByLabel('Clean session')).not.toBeChecked()
    await d.subscribe(`${base}/#`, 1)
    const clientId = await page.getByLabel('Client ID', { exact: true }).inputValue()

    // Leave the page without disconnecting (the broker keeps the session), publish from Node, come back.
    await page.goto('about:blank')
    const pub = await rawConnect({ url: demo.brokerUrl, clientId: `${clientId}-pub` })
    await pub.publish(`${base}/away`, 'sent while the page was away', 1)
    await pub.disconnect()

    await d.goto()
    await d.expectState('connected') // reconnects by itself: keep session was on and it was connected
    await expect(d.statusText).toHaveText('Connected · session resumed')
    await expect(page.getByLabel('Client ID', { exact: true })).toHaveValue(clientId)
    await expect(d.entry(`${base}/away`).locator('.log-payload')).toHaveText('sent while the page was away')
    await expect(d.subscriptions.filter({ hasText: `${base}/#` })).toContainText('kept by the broker')
    await d.screenshot(testInfo, 'demo-session-resumed')
  })

  test('keep session: a message published while disconnected is kept in IndexedDB and sent after reload', async ({ page }, testInfo) => {
    const d = new DemoPage(page, demo.url)
    const base = uniqueTopic(testInfo)
    await d.goto()
    await d.connect({ keepSession: true })
    await d.subscribe(`${base}/#`, 1)
    await page.getByRole('button', { name: 'Disconnect' }).click()
    await d.expectState('disconnected')

    await d.publish(`${base}/offline`, 'queued while offline', { qos: 1 })
    await expect(d.publishes.first()).toContainText('queued')
    await expect(page.locator('#count-queued')).toHaveText('1')

    await page.reload()
    // Disconnected by hand, so no automatic reconnect; the saved subscription list is shown.
    await d.expectState('disconnected')
    await expect(d.subscriptions.filter({ hasText: `${base}/#` })).toContainText('saved with the session')
    await page.getByRole('button', { name: 'Connect', exact: true }).click()
    await d.expectState('connected')
    await expect(d.statusText).toHaveText('Connected · session resumed')
    const restored = d.publishes.filter({ hasText: 'restored from the previous page' })
    await expect(restored).toContainText(`${base}/offline`)
    await expect(restored).toContainText('acknowledged')
    await expect(d.entry(`${base}/offline`).locator('.log-payload')).toHaveText('queued while offline')
    await expect(page.locator('#count-queued')).toHaveText('0')
    await d.screenshot(testInfo, 'demo-offline-queue-restored')
  })

  test('keep session in two tabs: the second tab is refused with a clear error, the first stays connected', async ({ page, context }, testInfo) => {
    const first = new DemoPage(page, demo.url)
    await first.goto()
    await first.connect({ keepSession: true })
    const clientId = await page.getByLabel('Client ID', { exact: true }).inputValue()

    const tab2 = await context.newPage()
    const second = new DemoPage(tab2, demo.url)
    await second.goto() // same origin: same remembered client ID and session, so it tries to resume it
    await expect(tab2.getByLabel('Client ID', { exact: true })).toHaveValue(clientId)
    await expect(tab2.locator('#connect-error')).toContainText('SessionLockedError')
    await second.expectState('disconnected')
    await expect(tab2.getByRole('button', { name: 'Connect', exact: true })).toBeEnabled()
    await second.screenshot(testInfo, 'demo-second-tab-locked')
    await first.expectState('connected')
    await expect(first.statusText).toHaveText('Connected · new session')

    // With a new client ID the second tab has its own session.
    await tab2.getByRole('button', { name: 'Generate a new client ID' }).click()
    await tab2.getByRole('button', { name: 'Connect', exact: true }).click()
    await second.expectState('connected')
    await first.expectState('connected')
    await tab2.close()
  })

  test('shows reconnect attempts with their delay and the last error, and stops on Disconnect', async ({ page }, testInfo) => {
    const d = new DemoPage(page, demo.url)
    await d.goto()
    const url = `ws://127.0.0.1:${await closedPort()}/mqtt`
    await page.getByLabel('Broker', { exact: true }).selectOption('custom')
    await page.getByLabel('Broker URL').fill(url)
    await expect(page.locator('#broker-url')).toHaveText(url)
    await page.getByRole('button', { name: 'Connect', exact: true }).click()
    await d.expectState('reconnecting')
    await expect(d.statusText).toHaveText(/^Reconnecting: attempt \d+ in \d+\.\d s$/)
    await expect(d.statusDetail).toContainText(`Last error: WebSocket to ${url}`)
    await expect(page.getByRole('status')).toContainText('Reconnecting: attempt')
    await expect(page.getByLabel('Broker URL')).toBeDisabled() // settings apply at connect time
    await d.screenshot(testInfo, 'demo-reconnecting')
    await page.getByRole('button', { name: 'Disconnect' }).click()
    await d.expectState('disconnected')
    await expect(page.getByLabel('Broker URL')).toBeEnabled()

    // A custom URL that is not ws(s):// is refused by the form before any connection.
    await page.getByLabel('Broker URL').fill('http://127.0.0.1/mqtt')
    await page.getByRole('button', { name: 'Connect', exact: true }).click()
    await expect(page.locator('#connect-error')).toHaveText('the URL must start with ws:// or wss://')
    await d.expectState('disconnected')
  })

  test('last will and credentials: the will fires when the page goes away; the password is never stored', async ({ page }, testInfo) => {
    const d = new DemoPage(page, demo.url)
    const base = uniqueTopic(testInfo)
    const watcher = await rawConnect({ url: demo.brokerUrl })
    try {
      await watcher.subscribe(`${base}/will`, 1)
      await d.goto()
      await page.getByText('Username and password').click()
      await page.getByLabel('Username').fill('demo-user')
      await page.getByLabel('Password').fill('pw-7c1f-never-stored')
      await page.getByText('Last will').click()
      await page.getByLabel('Set a will message').check()
      await page.getByLabel('Will topic').fill(`${base}/will`)
      await page.getByLabel('Will payload').fill('page gone')
      await page.getByLabel('Will QoS').selectOption('1')
      await d.connect({ keepSession: true })
      await d.subscribe(`${base}/#`, 1)
      await d.publish(`${base}/x`, 'something to persist', { qos: 1 })
      await expect(d.publishes.first()).toContainText('acknowledged')

      expect(await storageContains(page, 'demo-user')).toBe(true) // the check does see what is stored
      expect(await storageContains(page, 'pw-7c1f-never-stored')).toBe(false)

      await page.goto('about:blank') // no DISCONNECT: the broker publishes the will
      const [will] = await watcher.waitForPublishes(1, `${base}/will`, 10_000)
      expect(will?.payload.toString()).toBe('page gone')
      expect(will?.qos).toBe(1)
    } finally {
      await watcher.disconnect()
    }
  })

  test('log: binary payloads as hex, filter by text or topic filter, clear', async ({ page }, testInfo) => {
    const d = new DemoPage(page, demo.url)
    const base = uniqueTopic(testInfo)
    await d.goto()
    await d.connect()
    await d.subscribe(`${base}/#`, 0)
    await d.publish(`${base}/bin`, 'de ad be ef 00', { qos: 0, mode: 'hex' })
    await d.publish(`${base}/sensors/kitchen/temp`, '21.5', { qos: 0 })
    await d.publish(`${base}/sensors/garden/temp`, '14.0', { qos: 0 })
    await expect(d.log).toHaveCount(3)
    await expect(d.entry(`${base}/bin`).locator('.log-payload')).toHaveText('de ad be ef 00')
    await expect(d.entry(`${base}/bin`)).toContainText('binary (hex)')

    const filter = page.getByLabel('Filter', { exact: true })
    await filter.fill('garden')
    await expect(d.log.locator('visible=true')).toHaveCount(1)
    await expect(page.locator('#log-count')).toHaveText('Showing 1 of 3 messages.')
    await filter.fill(`${base}/sensors/+/temp`)
    await expect(d.log.locator('visible=true')).toHaveCount(2)
    await filter.fill('')
    await expect(d.log.locator('visible=true')).toHaveCount(3)
    await page.getByRole('button', { name: 'Clear' }).click()
    await expect(d.log).toHaveCount(0)
    await expect(page.locator('#log-count')).toHaveText('Log cleared.')
  })

  test('works from the keyboard and at 375 px, in dark mode', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 375, height: 740 })
    await page.emulateMedia({ colorScheme: 'dark' })
    const d = new DemoPage(page, demo.url)
    await d.goto()
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)

    // Tab from the client ID to the Connect button and press Enter.
    await page.getByLabel('Client ID', { exact: true }).focus()
    const connect = page.getByRole('button', { name: 'Connect', exact: true })
    for (let i = 0; i < 30 && !(await connect.evaluate((b) => b === document.activeElement)); i++) await page.keyboard.press('Tab')
    await expect(connect).toBeFocused()
    const outline = await connect.evaluate((b) => getComputedStyle(b).outlineStyle)
    expect(outline).not.toBe('none') // visible focus
    await page.keyboard.press('Enter')
    await d.expectState('connected')

    const base = uniqueTopic(testInfo)
    await page.getByLabel('Topic filter').fill(`${base}/#`)
    await page.getByLabel('Topic filter').press('Enter') // submits the subscribe form
    await expect(d.subscriptions.filter({ hasText: `${base}/#` })).toContainText('granted QoS 1')
    await page.getByLabel('Topic', { exact: true }).fill(`${base}/kbd`)
    await page.getByLabel('Topic', { exact: true }).press('Enter')
    await expect(d.entry(`${base}/kbd`)).toHaveCount(1)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
    expect(bg).toBe('rgb(18, 19, 26)') // the dark palette
    await d.screenshot(testInfo, 'demo-mobile-dark')
  })

  test('MQTT 5 against Mosquitto: user properties, content type and no-local', async ({ page, e2e }, testInfo) => {
    const d = new DemoPage(page, demo.url)
    const base = uniqueTopic(testInfo)
    await d.goto()
    await d.connect({ url: e2e.mosquitto.wsUrl, protocol: 5 })
    await expect(page.getByLabel('Clean start')).toBeVisible()
    await d.subscribe(`${base}/#`, 1)
    await d.publish(`${base}/v5`, '{"v":5}', { qos: 1, mode: 'json', contentType: 'application/json', userProperties: 'origin=demo\norigin=e2e\ntrace=1' })
    const e = d.entry(`${base}/v5`)
    await expect(e).toContainText('content-type: application/json')
    await expect(e).toContainText('user: origin=demo, origin=e2e, trace=1')
    await expect(d.publishes.first()).toContainText('acknowledged')

    // No local: our own publishes on a no-local subscription are not sent back to us.
    await page.locator('#sub-list li', { hasText: `${base}/#` }).getByRole('button', { name: `Unsubscribe from ${base}/#` }).click()
    await expect(d.subscriptions).toHaveCount(0)
    await d.subscribe(`${base}/nl`, 1, { noLocal: true })
    await d.publish(`${base}/nl`, 'not echoed', { qos: 1 })
    await expect(d.publishes.first()).toContainText('acknowledged')
    const other = await rawConnect({ url: e2e.mosquitto.wsUrl, protocolVersion: 5 })
    await other.publish(`${base}/nl`, 'from someone else', 1)
    await other.disconnect()
    await expect(d.entry(`${base}/nl`)).toHaveCount(1)
    await expect(d.entry(`${base}/nl`).locator('.log-payload')).toHaveText('from someone else')
    await d.screenshot(testInfo, 'demo-mqtt5-mosquitto')
  })

  test('script-tag dashboard: the IIFE global `webmqtt` connects, subscribes and shows readings', async ({ page }, testInfo) => {
    await page.goto(new URL('script-tag.html', demo.url).href)
    expect(await page.evaluate(() => typeof (window as unknown as { webmqtt?: { Client?: unknown } }).webmqtt?.Client)).toBe('function')
    await expect(page.locator('#status')).toHaveText('Connected')
    await expect(page.locator('#broker')).toHaveText(demo.brokerUrl)
    const pub = await rawConnect({ url: demo.brokerUrl })
    await pub.publish('webmqtt/demo/sensors/e2e', '42.0 °C', 1)
    await pub.disconnect()
    await expect(page.locator('.tile[data-topic="webmqtt/demo/sensors/e2e"] .value')).toHaveText('42.0 °C')
    await page.getByRole('button', { name: 'Start simulator' }).click()
    await expect(page.locator('.tile[data-topic="webmqtt/demo/sensors/kitchen"] .value')).toHaveText(/°C$/)
    await page.getByRole('button', { name: 'Stop simulator' }).click()
    await expect(page.getByRole('button', { name: 'Start simulator' })).toHaveAttribute('aria-pressed', 'false')
    await new DemoPage(page, demo.url).screenshot(testInfo, 'script-tag-dashboard')
  })
})

test.describe('built site (pnpm demo:build + vite preview)', () => {
  let site: DemoPreview | undefined
  let outDir: string | undefined

  test.afterAll(async () => {
    await site?.close()
    if (outDir) rmSync(outDir, { recursive: true, force: true })
  })

  test('runs under its strict Content-Security-Policy: connect, subscribe, publish, no violations', async ({ page }, testInfo) => {
    test.setTimeout(120_000)
    outDir = mkdtempSync(join(tmpdir(), 'webmqtt-demo-dist-'))
    site = await buildAndPreviewDemo({ outDir, cacheDir, logLevel: 'error' })
    const violations: string[] = []
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()) })
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`))
    })
    const d = new DemoPage(page, site.url)
    await d.goto()
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    // The build bundles the SDK with the browser package's shims: a CONNECT with credentials goes through them.
    await page.getByText('Username and password').click()
    await page.getByLabel('Username').fill('csp-user')
    await page.getByLabel('Password').fill('csp-password')
    await d.connect()
    const base = uniqueTopic(testInfo)
    await d.subscribe(`${base}/#`, 2)
    await d.publish(`${base}/csp`, 'strict', { qos: 2 })
    await expect(d.entry(`${base}/csp`).locator('.log-payload')).toHaveText('strict')
    await expect(d.publishes.first()).toContainText('acknowledged')
    await page.goto(new URL('script-tag.html', site.url).href)
    await expect(page.locator('#status')).toHaveText('Connected')
    expect(violations).toEqual([])
    await new DemoPage(page, site.url).screenshot(testInfo, 'built-site-script-tag')
  })
})
