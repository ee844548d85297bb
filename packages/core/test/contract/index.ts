/** `@webmqtt/core/testing`: contract suites that other packages run against their implementations. */
export { runSessionStoreContract } from './session-store.contract.js'
export type { SessionStoreContractOptions } from './session-store.contract.js'
export { sessionStoreChecks, selectStoreChecks, runStoreCheck } from './session-store-checks.js'
export type { SessionStoreCheck, StoreCheckEnv, StoreCheckOptions } from './session-store-checks.js'
export { createAssert, AssertionFailure } from './assert.js'
export type { Assert } from './assert.js'
