/**
 * Page-side test harness, bundled by global setup into /build/harness.entry.js (IIFE) from the sources.
 * Exposes `window.e2e` for specs to drive with page.evaluate: the SessionStore contract checks against real
 * IndexedDB, the IndexedDB store, openSessionStore and the tab lock.
 */
import { MemoryStore, SessionLockedError, StorageError } from '@webmqtt/core'
import type { SessionStore } from '@webmqtt/core'
import { createAssert } from '../../packages/core/test/contract/assert.js'
import { runStoreCheck, selectStoreChecks } from '../../packages/core/test/contract/session-store-checks.js'
import { IndexedDBStore, isIndexedDBStorageError, openSessionStore } from '../../packages/browser/src/indexeddb-store.js'
import type { IndexedDBStoreOptions } from '../../packages/browser/src/indexeddb-store.js'
import { acquireSessionLock } from '../../packages/browser/src/tab-lock.js'
import type { SessionLock } from '../../packages/browser/src/tab-lock.js'

export interface CheckResult {
  ok: boolean
  error?: string
}

/** A plain-data description of an error, for page.evaluate results. */
function describeError(err: unknown): { name: string; message: string; failure?: string; causeName?: string; isStorageError: boolean; isSessionLockedError: boolean } {
  const e = err as { name?: string; message?: string; failure?: string; cause?: { name?: string } }
  return {
    name: String(e?.name ?? typeof err), message: String(e?.message ?? err),
    ...(e?.failure !== undefined ? { failure: e.failure } : {}),
    ...(e?.cause?.name !== undefined ? { causeName: e.cause.name } : {}),
    isStorageError: err instanceof StorageError,
    isSessionLockedError: err instanceof SessionLockedError,
  }
}

const checks = selectStoreChecks({ reopen: true, strictOps: true })
let dbCounter = 0

const locks = new Map<string, SessionLock>()
const pendingLocks = new Map<string, Promise<unknown>>()

const e2e = {
  /** Names of the contract checks this harness runs (reopen and strict included). */
  storeCheckNames: checks.map((c) => c.name),

  /** Run one contract check on a fresh IndexedDB database; reopen = close + open the same database. */
  async runStoreCheck(name: string): Promise<CheckResult> {
    const check = checks.find((c) => c.name === name)
    if (!check) return { ok: false, error: `no such check: ${name}` }
    const dbName = `contract-${Date.now()}-${++dbCounter}`
    const open = (): Promise<SessionStore> => IndexedDBStore.open({ dbName })
    try {
      await runStoreCheck(check, open, createAssert(), async (s) => { await s.close(); return open() })
      return { ok: true }
    } catch (err) {
      return { ok: false, error: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err) }
    } finally {
      await new Promise<void>((resolve) => {
        const req = indexedDB.deleteDatabase(dbName)
        req.onsuccess = req.onerror = req.onblocked = () => resolve()
      })
    }
  },

  /** openSessionStore, reported as plain data; the store is kept as `lastStore`. */
  async openSessionStore(opts: IndexedDBStoreOptions = {}) {
    const r = await openSessionStore(opts)
    e2e.lastStore = r.store
    return {
      kind: r.store.kind, persistent: r.persistent, isMemoryStore: r.store instanceof MemoryStore,
      warning: r.warning, error: r.error ? describeError(r.error) : undefined,
      isIndexedDBStorageError: r.error ? isIndexedDBStorageError(r.error) : undefined,
    }
  },
  lastStore: undefined as SessionStore | undefined,

  /** Write `count` messages of `size` bytes in one batch to `store`; the outcome as plain data. */
  async writeBatch(store: SessionStore, key: string, count: number, size: number, firstSeq = 0) {
    const ops = []
    for (let i = 0; i < count; i++) {
      ops.push({ type: 'putOutgoing' as const, message: {
        seq: firstSeq + i, mid: 0, topic: 't', payload: new Uint8Array(size).fill(i & 255), qos: 1 as const, retain: false, stage: 'queued' as const,
      } })
    }
    try {
      await store.apply(key, ops)
      return { ok: true as const }
    } catch (err) {
      return { ok: false as const, error: describeError(err) }
    }
  },

  /** Open an IndexedDBStore kept as `lastStore`, recording its 'error' events in `storeErrors`. */
  async openIndexedDBStore(opts: IndexedDBStoreOptions = {}) {
    const store = await IndexedDBStore.open(opts)
    store.on('error', (err) => { e2e.storeErrors.push(describeError(err)) })
    e2e.lastStore = store
    return { kind: store.kind, dbName: store.dbName }
  },
  storeErrors: [] as ReturnType<typeof describeError>[],

  /** Load `key` from `lastStore`, as counts (or the error). */
  async loadCounts(key: string) {
    try {
      const s = await (e2e.lastStore as SessionStore).load(key)
      return { ok: true as const, outgoing: s.outgoing.length, incoming: s.incoming.length, seqs: s.outgoing.map((m) => m.seq) }
    } catch (err) {
      return { ok: false as const, error: describeError(err) }
    }
  },

  /** acquireSessionLock; the handle is kept under `id`. */
  async acquireLock(id: string, key: string, opts: { wait?: boolean; timeoutMs?: number } = {}) {
    const signal = opts.timeoutMs !== undefined ? AbortSignal.timeout(opts.timeoutMs) : undefined
    try {
      const lock = await acquireSessionLock(key, { wait: opts.wait === true, ...(signal ? { signal } : {}) })
      locks.set(id, lock)
      return { ok: true as const, supported: lock.supported, held: lock.held, reason: lock.reason, name: lock.name }
    } catch (err) {
      return { ok: false as const, error: describeError(err) }
    }
  },
  /** Start acquireLock without waiting for it (see `settleLock`). */
  startLock(id: string, key: string, opts: { wait?: boolean; timeoutMs?: number } = {}): void {
    pendingLocks.set(id, e2e.acquireLock(id, key, opts))
  },
  /** Whether a lock started with `startLock` has settled yet. */
  async lockSettled(id: string): Promise<boolean> {
    const p = pendingLocks.get(id)
    if (!p) throw new Error(`no pending lock ${id}`)
    return Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 0))])
  },
  /** The outcome of a lock started with `startLock`. */
  async settleLock(id: string) {
    const p = pendingLocks.get(id)
    if (!p) throw new Error(`no pending lock ${id}`)
    return p
  },
  /** navigator.locks.query(): held and pending lock names of this origin (every tab). */
  async queryLocks() {
    const q = await navigator.locks.query()
    return { held: (q.held ?? []).map((l) => l.name ?? ''), pending: (q.pending ?? []).map((l) => l.name ?? '') }
  },
  async releaseLock(id: string) {
    const lock = locks.get(id)
    if (!lock) throw new Error(`no lock ${id}`)
    await lock.release()
    return { held: lock.held }
  },
  lockHeld(id: string): boolean {
    return locks.get(id)?.held ?? false
  },

  describeError,
  IndexedDBStore, MemoryStore,
}

;(globalThis as unknown as { e2e: typeof e2e }).e2e = e2e
export type E2EHarness = typeof e2e
