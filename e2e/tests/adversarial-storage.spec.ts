/**
 * Issue 5, scenario 9 — storage trouble. A client that asks for a persistent session (fixed clientId,
 * cleanSession false → IndexedDB) in a page where IndexedDB is missing, refuses to open, is at another
 * version, or runs out of quota mid-session (a put that throws QuotaExceededError, or a transaction that
 * aborts with it, as Chromium reports a full origin). Each time: the failure is surfaced (a status `error`
 * event carrying a StorageError with its failure kind, and a logged warning), the client goes on in memory,
 * and nothing accepted is lost: every message published — before connecting, while connected, and while the
 * failure happened with the broker unreachable — is delivered, counted by sequence number at a subscriber.
 */
import { rawConnect } from '../../packages/core/test/harness/raw-mqtt.js'
import type { RawClient } from '../../packages/core/test/harness/raw-mqtt.js'
import { expect, test } from '../support/adversarial/fixture.js'
import { openAdvPage } from '../support/adversarial/page-bundle.js'
import { portOf, startRecordingProxy } from '../support/adversarial/recording-proxy.js'
import type { RecordingProxy } from '../support/adversarial/recording-proxy.js'
import type { Page } from '@playwright/test'

interface Observed {
  statusErrors: Array<{ name: string; failure?: string; causeName?: string; isStorageError?: boolean }>
  warnings: string[]
  persistent: boolean
  state: string
}

/** Create client `c` (persistent 3.1.1 session), recording status errors and warnings. */
async function createClient(page: Page, id: string): Promise<void> {
  await page.evaluate((id) => {
    const c = new window.adv.webmqtt.Client({ clientId: id, cleanSession: false })
    const observed: Observed = { statusErrors: [], warnings: [], persistent: false, state: '' }
    c.on('status', (ev) => { if (ev.type === 'error') observed.statusErrors.push(window.adv.describe(ev.error)) })
    c.onLog = (_c, _u, level, text) => { if (level === window.adv.webmqtt.MQTT_LOG_WARNING) observed.warnings.push(text) }
    Object.assign(window, { observed })
    window.adv.clients.set('c', c)
  }, id)
}

async function observed(page: Page): Promise<Observed> {
  return page.evaluate(() => {
    const o = (window as unknown as { observed: Observed }).observed
    const c = window.adv.client('c')
    return { ...o, persistent: c.persistent, state: c.state }
  })
}

/** Publish seq `from`…`to - 1` (QoS 1) to `topic`; the MessageInfos are kept for `settled`. */
async function publish(page: Page, topic: string, from: number, to: number): Promise<void> {
  await page.evaluate(([topic, from, to]) => {
    const c = window.adv.client('c')
    const w = window as unknown as { infos?: Array<{ waitForPublish(ms: number): Promise<void> }> }
    w.infos ??= []
    for (let i = from; i < to; i++) w.infos.push(c.publish(topic, `seq:${i}`, 1))
  }, [topic, from, to] as const)
}

/** Every MessageInfo completes (PUBACK), none fails. */
async function settled(page: Page): Promise<{ ok: number; failed: string[] }> {
  return page.evaluate(async () => {
    const infos = (window as unknown as { infos: Array<{ waitForPublish(ms: number): Promise<void> }> }).infos
    const r = await Promise.allSettled(infos.map((i) => i.waitForPublish(20_000)))
    return {
      ok: r.filter((x) => x.status === 'fulfilled').length,
      failed: r.flatMap((x) => (x.status === 'rejected' ? [window.adv.describe(x.reason).name] : [])),
    }
  })
}

async function expectDelivered(sub: RawClient, topic: string, count: number): Promise<void> {
  const got = await sub.waitForPublishes(count, topic, 20_000)
  const seqs = [...new Set(got.map((p) => Number(/^seq:(\d+)$/.exec(p.payload.toString())?.[1])))].sort((a, b) => a - b)
  expect(seqs, 'sequence numbers delivered').toEqual(Array.from({ length: count }, (_, i) => i))
}

/** Init scripts that break IndexedDB before any page script runs. */
const BREAK = {
  missing: () => {
    Object.defineProperty(window, 'indexedDB', { configurable: true, get: () => undefined })
  },
  openThrows: () => {
    IDBFactory.prototype.open = function open(): IDBOpenDBRequest {
      throw new DOMException('The user denied permission to access the database.', 'SecurityError')
    }
  },
  /** Quota: once `window.quotaFull` is set, every put/add throws QuotaExceededError. */
  putThrows: () => {
    const w = window as unknown as { quotaFull?: boolean }
    for (const name of ['put', 'add'] as const) {
      const original = IDBObjectStore.prototype[name]
      IDBObjectStore.prototype[name] = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>): IDBRequest<IDBValidKey> {
        if (w.quotaFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
        return original.apply(this, args)
      }
    }
  },
  /** Quota as Chromium reports a full origin: once `window.quotaFull` is set, readwrite transactions abort with QuotaExceededError. */
  txAborts: () => {
    const w = window as unknown as { quotaFull?: boolean }
    const original = IDBDatabase.prototype.transaction
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>): IDBTransaction {
      const tx = original.apply(this, args)
      if (w.quotaFull && args[1] === 'readwrite') {
        Object.defineProperty(tx, 'error', { configurable: true, value: new DOMException('The quota has been exceeded.', 'QuotaExceededError') })
        setTimeout(() => { try { tx.abort() } catch { /* already finished */ } }, 0)
      }
      return tx
    }
  },
}

test.describe('storage trouble (scenario 9)', () => {
  let sub: RawClient
  let proxy: RecordingProxy
  let id: string
  let topic: string

  test.beforeEach(async ({ e2e }, testInfo) => {
    id = `storage-${testInfo.workerIndex}-${testInfo.title.replace(/\W+/g, '-').slice(0, 30)}-${Date.now()}`
    topic = `e2e/${id}/m`
    sub = await rawConnect({ tcpPort: e2e.mosquitto.tcpPort, clientId: `${id}-sub` })
    await sub.subscribe(topic, 1)
    proxy = await startRecordingProxy(portOf(e2e.mosquitto.wsUrl))
  })

  test.afterEach(async ({ page }) => {
    await page.evaluate(() => window.adv?.clients.get('c')?.disconnect()).catch(() => {})
    await proxy.stop()
    await sub.disconnect().catch(() => {})
  })

  /** IndexedDB cannot be used from the start: error surfaced at connect, memory fallback, all delivered. */
  for (const [what, breakIt, failure, causeName] of [
    ['IndexedDB missing', BREAK.missing, 'unavailable', undefined],
    ['indexedDB.open() throws SecurityError', BREAK.openThrows, 'denied', 'SecurityError'],
  ] as const) {
    test(`${what}: StorageError (${failure}) surfaced, memory fallback, nothing lost`, async ({ page, adv }) => {
      await page.addInitScript(breakIt)
      await openAdvPage(page, adv)
      await createClient(page, id)
      await publish(page, topic, 0, 50) // queued before connecting
      await page.evaluate((url) => window.adv.client('c').connect(url, undefined, 60), proxy.wsUrl)
      await publish(page, topic, 50, 100)
      expect(await settled(page)).toEqual({ ok: 100, failed: [] })
      await expectDelivered(sub, topic, 100)
      const o = await observed(page)
      expect(o.statusErrors, 'status error events').toEqual([{ name: 'StorageError', failure, isStorageError: true, ...(causeName ? { causeName } : {}) }].map((e) => expect.objectContaining(e)))
      expect(o.warnings.some((w) => /in memory/.test(w)), `a warning about the memory fallback in ${JSON.stringify(o.warnings)}`).toBe(true)
      expect(o).toMatchObject({ persistent: false, state: 'connected' })
    })
  }

  test('IndexedDB at a newer version (open fails with VersionError): StorageError surfaced, memory fallback, nothing lost', async ({ page, adv }) => {
    await openAdvPage(page, adv)
    // Another (newer) version of the app left the database at version 7.
    await page.evaluate(() => new Promise<void>((resolve, reject) => {
      const r = indexedDB.open('webmqtt', 7)
      r.onsuccess = () => { r.result.close(); resolve() }
      r.onerror = () => reject(r.error)
    }))
    await createClient(page, id)
    await page.evaluate((url) => window.adv.client('c').connect(url, undefined, 60), proxy.wsUrl)
    await publish(page, topic, 0, 60)
    expect(await settled(page)).toEqual({ ok: 60, failed: [] })
    await expectDelivered(sub, topic, 60)
    const o = await observed(page)
    expect(o.statusErrors).toEqual([expect.objectContaining({ name: 'StorageError', isStorageError: true, causeName: 'VersionError' })])
    expect(o.warnings.some((w) => /in memory/.test(w)), `a warning about the memory fallback in ${JSON.stringify(o.warnings)}`).toBe(true)
    expect(o).toMatchObject({ persistent: false, state: 'connected' })
  })

  /** The quota runs out mid-session, while the broker cannot be reached: the messages caught in it still arrive. */
  for (const [what, breakIt] of [
    ['put() throws QuotaExceededError', BREAK.putThrows],
    ['the transaction aborts with QuotaExceededError', BREAK.txAborts],
  ] as const) {
    test(`quota exceeded mid-session (${what}): StorageError (quota) surfaced, memory fallback, nothing lost`, async ({ page, adv }) => {
      await page.addInitScript(breakIt)
      await openAdvPage(page, adv)
      await createClient(page, id)
      await page.evaluate((url) => window.adv.client('c').connect(url, undefined, 60), proxy.wsUrl)
      await publish(page, topic, 0, 40)
      await page.evaluate(() => window.adv.client('c').flush())
      expect(await observed(page), 'persisting to IndexedDB before the quota runs out').toMatchObject({ persistent: true, statusErrors: [] })

      // The broker goes quiet, the quota runs out, and the app keeps publishing.
      proxy.stall(true)
      await page.evaluate(() => { (window as unknown as { quotaFull: boolean }).quotaFull = true })
      await publish(page, topic, 40, 140)
      await expect.poll(async () => (await observed(page)).statusErrors.length, { timeout: 10_000, message: 'a storage error event' }).toBe(1)
      proxy.stall(false)

      expect(await settled(page)).toEqual({ ok: 140, failed: [] })
      await expectDelivered(sub, topic, 140)
      const o = await observed(page)
      expect(o.statusErrors).toEqual([expect.objectContaining({ name: 'StorageError', isStorageError: true, causeName: 'QuotaExceededError' })])
      expect.soft(o.statusErrors[0]?.failure, 'the StorageError says the quota is the problem').toBe('quota')
      expect(o.warnings.some((w) => /in memory/.test(w)), `a warning about the memory fallback in ${JSON.stringify(o.warnings)}`).toBe(true)
      expect(o).toMatchObject({ persistent: false, state: 'connected' })
      // Later publishes go on in memory.
      await publish(page, topic, 140, 160)
      expect(await settled(page)).toEqual({ ok: 160, failed: [] })
      await expectDelivered(sub, topic, 160)
    })
  }
})
