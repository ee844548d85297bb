/** The e2e fixture itself: it must see uncaught errors and unhandled rejections, or its per-test check is void. */
import { expect, test } from '../fixtures/test.js'
import { openHarness } from '../support/harness-page.js'

test.describe('pageLog fixture', () => {
  test.use({ allowedPageErrors: /e2e-probe/ })

  test('records console output, uncaught errors and unhandled rejections of every page', async ({ page, context, e2e, pageLog }) => {
    await openHarness(page, e2e)
    await page.evaluate(() => {
      console.log('e2e-probe hello')
      void Promise.reject(new Error('e2e-probe rejection'))
      void Promise.reject('e2e-probe plain string')
      setTimeout(() => { throw new Error('e2e-probe uncaught') }, 0)
    })
    const second = await context.newPage()
    await openHarness(second, e2e)
    await second.evaluate(() => { void Promise.reject(new Error('e2e-probe second page')) })
    await expect.poll(() => pageLog.errors.length).toBe(4)
    expect(pageLog.errors.filter((e) => /e2e-probe rejection/.test(e))).toHaveLength(1)
    expect(pageLog.errors.filter((e) => /e2e-probe uncaught/.test(e))).toHaveLength(1)
    expect(pageLog.errors.filter((e) => /non-Error value: e2e-probe plain string/.test(e))).toHaveLength(1)
    expect(pageLog.lines.some((l) => l.includes('[e2e] unhandledrejection: e2e-probe plain string'))).toBe(true)
    expect(pageLog.errors.filter((e) => /\[page 2\] .*e2e-probe second page/.test(e))).toHaveLength(1)
    expect(pageLog.lines.some((l) => l.includes('log: e2e-probe hello'))).toBe(true)
  })

  test('the broker log and the ws relay are reachable', async ({ e2e }) => {
    const r = await fetch(`${e2e.baseUrl}/__log/mosquitto`)
    expect(r.status).toBe(200)
    expect(await r.text()).toMatch(/mosquitto version 2\.0/)
    const u = await fetch(`${e2e.baseUrl}/__upgrades`)
    expect(Array.isArray(await u.json())).toBe(true)
  })
})
