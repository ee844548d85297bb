/**
 * The core SessionStore contract against REAL IndexedDB in Chromium: one Playwright test per check (the same
 * checks vitest runs on MemoryStore and on fake-indexeddb). Each test has a fresh browser context, and each
 * check a fresh database, deleted afterwards.
 */
import { selectStoreChecks } from '../../packages/core/test/contract/session-store-checks.js'
import { expect, test } from '../fixtures/test.js'
import { openHarness } from '../support/harness-page.js'

const checks = selectStoreChecks({ reopen: true, strictOps: true })

test.describe('SessionStore contract on real IndexedDB', () => {
  test('the page runs exactly the checks listed here', async ({ page, e2e }) => {
    await openHarness(page, e2e)
    expect(await page.evaluate(() => window.e2e.storeCheckNames)).toEqual(checks.map((c) => c.name))
  })

  for (const check of checks) {
    test(check.name, async ({ page, e2e }) => {
      await openHarness(page, e2e)
      const r = await page.evaluate((name) => window.e2e.runStoreCheck(name), check.name)
      expect(r.error).toBeUndefined()
      expect(r.ok).toBe(true)
    })
  }

  test('a session written before a reload is loaded after it', async ({ page, e2e }) => {
    await openHarness(page, e2e)
    await page.evaluate(async () => {
      const s = await window.e2e.IndexedDBStore.open({ dbName: 'reload-db' })
      await s.apply('k', [
        { type: 'putOutgoing', message: { seq: 1, mid: 5, topic: 'a', payload: new Uint8Array([1, 2]), qos: 2, retain: false, stage: 'released' } },
        { type: 'putIncoming', mid: 9 },
        { type: 'putIncoming', mid: 11, message: { seq: 0, topic: 'in', payload: new Uint8Array([3]), retain: true, dup: false } },
        { type: 'putSubscription', subscription: { topic: 'x/#', options: { qos: 1 } } },
        { type: 'putMeta', meta: { clientId: 'c', protocolVersion: 4, nextMid: 6, nextSeq: 2, updatedAt: 1 } },
      ])
      // No close(): a reload must not lose what apply() resolved for.
    })
    await page.reload()
    await page.waitForFunction(() => typeof window.e2e === 'object')
    const snap = await page.evaluate(async () => {
      const s = await window.e2e.IndexedDBStore.open({ dbName: 'reload-db' })
      const loaded = await s.load('k')
      await s.close()
      return {
        ...loaded,
        outgoing: loaded.outgoing.map((m) => ({ ...m, payload: [...m.payload] })),
        undelivered: loaded.undelivered.map((m) => ({ ...m, payload: [...m.payload] })),
      }
    })
    expect(snap).toEqual({
      outgoing: [{ seq: 1, mid: 5, topic: 'a', payload: [1, 2], qos: 2, retain: false, stage: 'released' }],
      incoming: [9, 11],
      undelivered: [{ mid: 11, seq: 0, topic: 'in', payload: [3], retain: true, dup: false }],
      subscriptions: [{ topic: 'x/#', options: { qos: 1 } }],
      meta: { clientId: 'c', protocolVersion: 4, nextMid: 6, nextSeq: 2, updatedAt: 1 },
    })
  })
})
