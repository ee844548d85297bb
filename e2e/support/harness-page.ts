/** Open the page-side harness (pages/harness.html → window.e2e) in `page`. */
import type { Page } from '@playwright/test'
import type { E2EEnv } from './env.js'
import type { E2EHarness } from '../pages/harness.entry.js'

export type { E2EHarness }

declare global {
  interface Window { e2e: E2EHarness }
}

export async function openHarness(page: Page, env: E2EEnv): Promise<void> {
  await page.goto(`${env.baseUrl}/pages/harness.html`)
  await page.waitForFunction(() => typeof window.e2e === 'object')
}
