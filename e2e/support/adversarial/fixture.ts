/**
 * The e2e `test` (fixtures/test.ts: `e2e`, `pageLog`) plus `adv`: a worker-scoped HTTP server for the
 * adversarial page (page-bundle.ts). Use `openAdvPage(page, adv)`.
 */
import { expect, test as base } from '../../fixtures/test.js'
import { startAdvServer } from './page-bundle.js'
import type { AdvServer } from './page-bundle.js'

export const test = base.extend<Record<never, never>, { adv: AdvServer }>({
  adv: [async ({}, use) => { // eslint-disable-line no-empty-pattern
    const server = await startAdvServer()
    await use(server)
    await server.stop()
  }, { scope: 'worker' }],
})

export { expect }
