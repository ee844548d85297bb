/** Page object for the demo (demo/index.html), used by demo.spec.ts. */
import { expect } from '@playwright/test'
import type { Locator, Page, TestInfo } from '@playwright/test'

export type DemoState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'error'

export interface ConnectOptions {
  keepSession?: boolean
  protocol?: 3 | 4 | 5
  /** Custom broker URL (selects the "Custom URL" preset); default: the embedded broker. */
  url?: string
  clientId?: string
  sessionExpiry?: number
}

export interface PublishOptions {
  qos?: 0 | 1 | 2
  mode?: 'text' | 'json' | 'hex'
  retain?: boolean
  repeat?: number
  contentType?: string
  userProperties?: string
}

export class DemoPage {
  constructor(readonly page: Page, readonly url: string) {}

  get status(): Locator { return this.page.locator('#status') }
  get statusText(): Locator { return this.page.locator('#status-text') }
  get statusDetail(): Locator { return this.page.locator('#status-detail') }
  get log(): Locator { return this.page.locator('#log-list > li') }
  get subscriptions(): Locator { return this.page.locator('#sub-list > li') }
  get publishes(): Locator { return this.page.locator('#pub-list > li') }

  async goto(): Promise<void> {
    await this.page.goto(this.url)
    await expect(this.page.locator('#connect-btn')).toBeVisible()
  }

  async expectState(state: DemoState, timeout = 15_000): Promise<void> {
    await expect(this.status).toHaveAttribute('data-state', state, { timeout })
  }

  async connect(o: ConnectOptions = {}): Promise<void> {
    const p = this.page
    if (o.url) {
      await p.getByLabel('Broker', { exact: true }).selectOption('custom')
      await p.getByLabel('Broker URL').fill(o.url)
    }
    if (o.protocol) await p.getByLabel('MQTT version').selectOption(String(o.protocol))
    if (o.clientId) await p.getByLabel('Client ID', { exact: true }).fill(o.clientId)
    if (o.keepSession !== undefined) await p.getByLabel('Keep session across reloads').setChecked(o.keepSession)
    if (o.sessionExpiry !== undefined) await p.getByLabel('Session expiry (s, MQTT 5)').fill(String(o.sessionExpiry))
    await p.getByRole('button', { name: 'Connect', exact: true }).click()
    await this.expectState('connected')
  }

  async subscribe(filter: string, qos: 0 | 1 | 2 = 1, v5: { noLocal?: boolean } = {}): Promise<void> {
    const p = this.page
    await p.getByLabel('Topic filter').fill(filter)
    await p.locator('#sub-qos').selectOption(String(qos))
    if (v5.noLocal !== undefined) await p.getByLabel('No local').setChecked(v5.noLocal)
    await p.getByRole('button', { name: 'Subscribe', exact: true }).click()
    await expect(this.subscriptions.filter({ hasText: filter })).toContainText(`granted QoS ${qos}`)
  }

  async publish(topic: string, payload: string, o: PublishOptions = {}): Promise<void> {
    const p = this.page
    await p.getByLabel('Topic', { exact: true }).fill(topic)
    await p.getByLabel(o.mode === 'json' ? 'JSON' : o.mode === 'hex' ? 'Hex bytes' : 'Text', { exact: true }).check()
    await p.getByLabel('Payload', { exact: true }).fill(payload)
    await p.locator('#pub-qos').selectOption(String(o.qos ?? 1))
    await p.locator('#pub-retain').setChecked(o.retain ?? false)
    await p.getByLabel('Repeat').fill(String(o.repeat ?? 1))
    if (o.contentType !== undefined || o.userProperties !== undefined) {
      const details = p.locator('#pub-v5')
      if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click()
      if (o.contentType !== undefined) await p.getByLabel('Content type').fill(o.contentType)
      if (o.userProperties !== undefined) await p.getByLabel('User properties').fill(o.userProperties)
    }
    await p.getByRole('button', { name: 'Publish', exact: true }).click()
  }

  /** The log entry for `topic` (newest first). */
  entry(topic: string): Locator {
    return this.page.locator(`#log-list > li[data-topic="${topic}"]`)
  }

  async screenshot(testInfo: TestInfo, name: string): Promise<string> {
    const path = testInfo.outputPath(`${name}.png`)
    await this.page.screenshot({ path, fullPage: true })
    await testInfo.attach(name, { path, contentType: 'image/png' })
    return path
  }
}

/** A topic prefix unique to one test (parallel workers share nothing but the broker per worker). */
export function uniqueTopic(testInfo: TestInfo, leaf = ''): string {
  const id = `${testInfo.workerIndex}-${testInfo.testId.slice(0, 8)}-${testInfo.retry}`
  return `e2e/demo/${id}${leaf ? `/${leaf}` : ''}`
}

/**
 * Does `needle` occur anywhere in the page's localStorage, sessionStorage or IndexedDB (every database, every
 * store, every record; binary values decoded as UTF-8)?
 */
export async function storageContains(page: Page, needle: string): Promise<boolean> {
  return page.evaluate(async (n) => {
    const seen: string[] = []
    for (const st of [localStorage, sessionStorage]) {
      for (let i = 0; i < st.length; i++) {
        const k = st.key(i) ?? ''
        seen.push(k, st.getItem(k) ?? '')
      }
    }
    const text = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) =>
      x instanceof Uint8Array ? new TextDecoder().decode(x) : x instanceof ArrayBuffer ? new TextDecoder().decode(new Uint8Array(x)) : x)
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(info.name as string)
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error)
      })
      for (const name of Array.from(db.objectStoreNames)) {
        const all = await new Promise<unknown[]>((resolve, reject) => {
          const req = db.transaction(name, 'readonly').objectStore(name).getAll()
          req.onsuccess = () => resolve(req.result as unknown[])
          req.onerror = () => reject(req.error)
        })
        seen.push(name, text(all))
      }
      db.close()
    }
    return seen.some((s) => s.includes(n))
  }, needle)
}
