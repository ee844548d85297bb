/**
 * Storage trouble in real Chromium: no IndexedDB, IndexedDB denied (opaque origin), quota exceeded (the origin's
 * quota lowered through the DevTools protocol), and another tab upgrading the database. Each ends in a typed
 * StorageError with the reason, and openSessionStore falls back to memory where it cannot open.
 */
import { expect, test } from '../fixtures/test.js'
import { openHarness } from '../support/harness-page.js'

test.describe('IndexedDB trouble', () => {
  test('indexedDB missing → openSessionStore returns memory with an "unavailable" StorageError', async ({ page, e2e }) => {
    await page.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', { configurable: true, value: undefined })
    })
    await openHarness(page, e2e)
    expect(await page.evaluate(() => typeof indexedDB)).toBe('undefined')
    const r = await page.evaluate(() => window.e2e.openSessionStore())
    expect(r).toMatchObject({
      kind: 'memory', persistent: false, isMemoryStore: true, isIndexedDBStorageError: true,
      error: { name: 'StorageError', isStorageError: true, failure: 'unavailable' },
    })
    expect(r.warning).toMatch(/memory only/)
    // The memory store works.
    expect(await page.evaluate(() => window.e2e.writeBatch(window.e2e.lastStore!, 'k', 3, 10))).toEqual({ ok: true })
    expect(await page.evaluate(() => window.e2e.loadCounts('k'))).toMatchObject({ ok: true, outgoing: 3 })
  })

  test('IndexedDB denied (opaque origin: open() throws SecurityError) → memory with a "denied" StorageError', async ({ page, e2e }) => {
    // A sandboxed frame without allow-same-origin has an opaque origin: the browser refuses it IndexedDB, as it
    // does where site data is disabled.
    await page.goto(`${e2e.baseUrl}/pages/sandboxed.html`)
    const frame = page.frame({ name: 'sandboxed' })
    expect(frame).not.toBeNull()
    await frame!.waitForFunction(() => typeof window.e2e === 'object')
    expect(await frame!.evaluate(() => origin)).toBe('null')
    const r = await frame!.evaluate(() => window.e2e.openSessionStore())
    expect(r).toMatchObject({
      kind: 'memory', persistent: false, isMemoryStore: true,
      error: { name: 'StorageError', failure: 'denied', causeName: 'SecurityError' },
    })
  })

  test('quota exceeded → apply rejects with a "quota" StorageError, reports it, and stores nothing of the batch', async ({ page, e2e }) => {
    await openHarness(page, e2e)
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: e2e.baseUrl, quotaSize: 2 * 1024 * 1024 })
    await page.evaluate(() => window.e2e.openIndexedDBStore({ dbName: 'quota-db' }))
    // A small batch fits.
    expect(await page.evaluate(() => window.e2e.writeBatch(window.e2e.lastStore!, 'k', 10, 1000))).toEqual({ ok: true })
    // 40 × 256 KiB = 10 MiB does not. (Random bytes: Chromium compresses large values.)
    const r = await page.evaluate(async () => {
      const store = window.e2e.lastStore!
      const ops = []
      for (let i = 0; i < 40; i++) {
        const payload = new Uint8Array(256 * 1024)
        for (let off = 0; off < payload.length; off += 65536) crypto.getRandomValues(payload.subarray(off, off + 65536))
        ops.push({ type: 'putOutgoing' as const, message: { seq: 100 + i, mid: 0, topic: 't', payload, qos: 1 as const, retain: false, stage: 'queued' as const } })
      }
      try {
        await store.apply('k', ops)
        return { ok: true as const }
      } catch (err) {
        return { ok: false as const, error: window.e2e.describeError(err) }
      }
    })
    expect(r).toMatchObject({ ok: false, error: { name: 'StorageError', isStorageError: true, failure: 'quota', causeName: 'QuotaExceededError' } })
    expect(await page.evaluate(() => window.e2e.storeErrors)).toMatchObject([{ failure: 'quota' }])
    // All or nothing: the first batch is intact and nothing of the failed one landed.
    expect(await page.evaluate(() => window.e2e.loadCounts('k'))).toMatchObject({ ok: true, outgoing: 10 })
    // Once space is back, the same store writes again.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: e2e.baseUrl })
    expect(await page.evaluate(() => window.e2e.writeBatch(window.e2e.lastStore!, 'k', 1, 10, 500))).toEqual({ ok: true })
    expect(await page.evaluate(() => window.e2e.loadCounts('k'))).toMatchObject({ ok: true, outgoing: 11 })
  })

  test('another tab upgrading the database closes the store with a "versionchange" StorageError', async ({ context, e2e }) => {
    const a = await context.newPage()
    const b = await context.newPage()
    await openHarness(a, e2e)
    await openHarness(b, e2e)
    await a.evaluate(() => window.e2e.openIndexedDBStore({ dbName: 'shared-db' }))
    expect(await a.evaluate(() => window.e2e.writeBatch(window.e2e.lastStore!, 'k', 2, 10))).toEqual({ ok: true })
    // Tab B opens a newer version: tab A's store must step aside (not block it) and say why.
    const upgraded = await b.evaluate(() => new Promise<number>((resolve, reject) => {
      const req = indexedDB.open('shared-db', 7)
      req.onsuccess = () => { const v = req.result.version; req.result.close(); resolve(v) }
      req.onerror = () => reject(req.error)
      req.onblocked = () => reject(new Error('blocked by tab A'))
    }))
    expect(upgraded).toBe(7)
    await expect.poll(() => a.evaluate(() => window.e2e.storeErrors)).toMatchObject([{ name: 'StorageError', failure: 'versionchange' }])
    expect(await a.evaluate(() => window.e2e.writeBatch(window.e2e.lastStore!, 'k', 1, 10))).toMatchObject({
      ok: false, error: { name: 'StorageError', failure: 'versionchange' },
    })
    // And a fresh open now reports the newer version on disk instead of silently using it.
    const r = await a.evaluate(() => window.e2e.openSessionStore({ dbName: 'shared-db' }))
    expect(r).toMatchObject({ persistent: false, isMemoryStore: true, error: { failure: 'failed', causeName: 'VersionError' } })
  })
})
