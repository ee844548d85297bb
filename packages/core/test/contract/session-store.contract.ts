/**
 * vitest adapter for the SessionStore contract: one `it` per check in session-store-checks.ts.
 *
 *   runSessionStoreContract('IndexedDBStore', () => IndexedDBStore.open({ … }), { reopen: (s) => …, strictOps: true })
 */
import { describe, it } from 'vitest'
import type { SessionStore } from '../../src/store.js'
import { createAssert } from './assert.js'
import { runStoreCheck, selectStoreChecks } from './session-store-checks.js'

export interface SessionStoreContractOptions {
  /** Close `store` and open a new one on the same backend. Enables the reopen checks. */
  reopen?: (store: SessionStore) => Promise<SessionStore>
  /** The store validates every op field (see session-store-checks.ts). Enables the strict checks. */
  strictOps?: boolean
  /** Per-check timeout (ms). */
  timeout?: number
}

export function runSessionStoreContract(
  name: string,
  makeStore: () => Promise<SessionStore>,
  opts: SessionStoreContractOptions = {},
): void {
  const checks = selectStoreChecks({ reopen: opts.reopen !== undefined, strictOps: opts.strictOps === true })
  describe(`SessionStore contract: ${name}`, () => {
    for (const check of checks) {
      it(check.name, async () => {
        await runStoreCheck(check, makeStore, createAssert(), opts.reopen)
      }, opts.timeout ?? 30_000)
    }
  })
}
