/**
 * Issue 5, scenario 10 — bundler consumers. The apps of e2e/consumers are built from the workspace with each
 * tool's default configuration (a Vite SPA, an esbuild ESM bundle, a webpack 5 production bundle, a Rollup ESM
 * bundle with only node-resolve, a plain page with the IIFE build via <script src>), served from loopback, and each
 * does a QoS 1 publish/subscribe round trip in Chromium against the shared Mosquitto — once as is (timers on the
 * Blob Worker) and once under a strict Content-Security-Policy (`default-src 'self'; connect-src ws://127.0.0.1:*`:
 * no 'unsafe-eval', no blob: workers), where the client must still work with native timers after the refused Worker.
 * The fixture fails a test on any page error (e.g. "Buffer is not defined", "process is not defined", a CSP-refused
 * eval).
 */
import { expect, test } from '../fixtures/test.js'
import { STRICT_CSP, buildConsumers, serveConsumer } from '../support/adversarial/consumers.js'
import type { BuiltConsumers, ConsumerName, ConsumerServer } from '../support/adversarial/consumers.js'

interface ConsumerResult {
  ok: boolean
  sent?: string
  received?: string
  timersMode?: string
  violations: string[]
  error?: string
}

const CONSUMERS: Array<{ name: ConsumerName; what: string }> = [
  { name: 'vite', what: 'Vite SPA (vite build, no config)' },
  { name: 'esbuild', what: 'esbuild bundle (--bundle --format=esm)' },
  { name: 'webpack', what: 'webpack 5 bundle (entry, output, mode production only)' },
  { name: 'rollup', what: 'Rollup bundle (ESM, node-resolve defaults only)' },
  { name: 'script', what: 'plain <script src> page with the IIFE global' },
]

test.describe('bundler consumers (scenario 10)', () => {
  // One build for all ten tests: they run in one worker, in order.
  test.describe.configure({ mode: 'serial' })

  let built: BuiltConsumers | undefined
  const servers = new Map<ConsumerName, ConsumerServer>()

  test.beforeAll(async () => {
    test.setTimeout(120_000)
    built = await buildConsumers()
    console.log(`[consumers] built in ${JSON.stringify(built.ms)} ms`)
    for (const { name } of CONSUMERS) servers.set(name, await serveConsumer(built.dirs[name]))
  })

  test.afterAll(async () => {
    for (const s of servers.values()) await s.stop()
    built?.remove()
  })

  for (const { name, what } of CONSUMERS) {
    for (const csp of [false, true]) {
      test(`${what}${csp ? ', under a strict CSP' : ''}: pub/sub round trip`, async ({ page, e2e }, testInfo) => {
        const server = servers.get(name)!
        const topic = `e2e/consumers/${name}/${csp ? 'csp' : 'plain'}/${testInfo.workerIndex}-${Date.now()}`
        const query = new URLSearchParams({ ...(csp ? { csp: '1' } : {}), broker: e2e.mosquitto.wsUrl, topic })
        const response = await page.goto(`${server.baseUrl}/index.html?${query}`)
        expect(response?.status()).toBe(200)
        expect(response?.headers()['content-security-policy']).toBe(csp ? STRICT_CSP : undefined)

        const result = await page.evaluate(() => (window as unknown as { webmqttConsumer: Promise<ConsumerResult> }).webmqttConsumer)
        expect(result.error, 'the round trip failed').toBeUndefined()
        expect(result.ok).toBe(true)
        expect(result.received).toBe(result.sent)

        if (csp) {
          // The policy is in force (the page saw it refuse the timers' Blob Worker), and the client went on with
          // native timers. (page.evaluate itself is not subject to the page's CSP, so it cannot probe eval.)
          expect(result.violations.filter((v) => /^(worker-src|script-src) blob/.test(v)).length, `CSP reports ${JSON.stringify(result.violations)}`).toBeGreaterThan(0)
          expect(result.timersMode).toBe('native')
        } else {
          expect(result.violations).toEqual([])
          expect(result.timersMode).toBe('worker')
        }
      })
    }
  }
})
