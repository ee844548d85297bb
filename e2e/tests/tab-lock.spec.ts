/**
 * Several tabs, one clientId: the session lock (Web Locks) in real Chromium. Pages of one browser context share
 * an origin's locks like tabs of one profile do.
 */
import { expect, test } from '../fixtures/test.js'
import { openHarness } from '../support/harness-page.js'

const KEY = 'ws://127.0.0.1:1883/mqtt|tab-client'
const NAME = `webmqtt:session:${KEY}`

test.describe('session lock across tabs', () => {
  test('exactly one of two tabs acquires; closing it lets the waiting tab take over', async ({ context, e2e }) => {
    const a = await context.newPage()
    const b = await context.newPage()
    await openHarness(a, e2e)
    await openHarness(b, e2e)

    const ra = await a.evaluate((k) => window.e2e.acquireLock('a', k), KEY)
    expect(ra).toMatchObject({ ok: true, supported: true, held: true, name: NAME })
    const rb = await b.evaluate((k) => window.e2e.acquireLock('b', k), KEY)
    expect(rb.ok).toBe(false)
    expect(rb).toMatchObject({ error: { name: 'SessionLockedError', isSessionLockedError: true } })

    await b.evaluate((k) => window.e2e.startLock('b-wait', k, { wait: true }), KEY)
    // The browser's own view: A holds the lock, B's request is queued behind it.
    await expect.poll(() => a.evaluate(() => window.e2e.queryLocks())).toEqual({ held: [NAME], pending: [NAME] })
    expect(await b.evaluate(() => window.e2e.lockSettled('b-wait'))).toBe(false)

    await a.close()
    const took = await b.evaluate(() => window.e2e.settleLock('b-wait'))
    expect(took).toMatchObject({ ok: true, held: true })
    expect(await b.evaluate(() => window.e2e.queryLocks())).toEqual({ held: [NAME], pending: [] })
  })

  test('release() hands the lock to the waiting tab; a reload of the holder releases it too', async ({ context, e2e }) => {
    const a = await context.newPage()
    const b = await context.newPage()
    await openHarness(a, e2e)
    await openHarness(b, e2e)
    expect((await a.evaluate((k) => window.e2e.acquireLock('a', k), KEY)).ok).toBe(true)
    await b.evaluate((k) => window.e2e.startLock('b', k, { wait: true }), KEY)
    await expect.poll(() => b.evaluate(() => window.e2e.queryLocks())).toEqual({ held: [NAME], pending: [NAME] })
    expect(await a.evaluate(() => window.e2e.releaseLock('a'))).toEqual({ held: false })
    expect(await b.evaluate(() => window.e2e.settleLock('b'))).toMatchObject({ ok: true, held: true })

    // Now A waits, and B reloads (the tab navigates away): the browser releases B's lock and A gets it.
    await a.evaluate((k) => window.e2e.startLock('a2', k, { wait: true }), KEY)
    await expect.poll(() => a.evaluate(() => window.e2e.queryLocks())).toEqual({ held: [NAME], pending: [NAME] })
    await b.reload()
    expect(await a.evaluate(() => window.e2e.settleLock('a2'))).toMatchObject({ ok: true, held: true })
    await b.waitForFunction(() => typeof window.e2e === 'object')
    expect(await b.evaluate((k) => window.e2e.acquireLock('b2', k), KEY)).toMatchObject({ ok: false, error: { name: 'SessionLockedError' } })
  })

  test('a waiting tab can give up with a timeout signal', async ({ context, e2e }) => {
    const a = await context.newPage()
    const b = await context.newPage()
    await openHarness(a, e2e)
    await openHarness(b, e2e)
    expect((await a.evaluate((k) => window.e2e.acquireLock('a', k), KEY)).ok).toBe(true)
    const r = await b.evaluate((k) => window.e2e.acquireLock('b', k, { wait: true, timeoutMs: 200 }), KEY)
    expect(r).toMatchObject({ ok: false, error: { name: 'TimeoutError' } })
    expect(await a.evaluate(() => window.e2e.queryLocks())).toEqual({ held: [NAME], pending: [] })
  })

  test('different clientIds do not exclude each other', async ({ context, e2e }) => {
    const a = await context.newPage()
    const b = await context.newPage()
    await openHarness(a, e2e)
    await openHarness(b, e2e)
    expect((await a.evaluate((k) => window.e2e.acquireLock('a', k), `${KEY}-1`)).ok).toBe(true)
    expect((await b.evaluate((k) => window.e2e.acquireLock('b', k), `${KEY}-2`)).ok).toBe(true)
  })

  test('without navigator.locks the lock is a no-op with a reason', async ({ page, e2e }) => {
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'locks', { configurable: true, get: () => undefined })
    })
    await openHarness(page, e2e)
    const r = await page.evaluate((k) => window.e2e.acquireLock('a', k), KEY)
    expect(r).toMatchObject({ ok: true, supported: false, held: false })
    expect(r.ok && r.reason).toMatch(/no Web Locks API/)
  })
})
