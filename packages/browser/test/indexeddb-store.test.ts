import { IDBFactory, IDBKeyRange, forceCloseDatabase } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { MemoryStore, StorageError } from '@webmqtt/core'
import type { SessionStore, StoreOp } from '@webmqtt/core'
import { runSessionStoreContract } from '../../core/test/contract/session-store.contract.js'
import { DB_VERSION, IndexedDBStore, isIndexedDBStorageError, openSessionStore } from '../src/indexeddb-store.js'
import type { IndexedDBStorageError } from '../src/indexeddb-store.js'

/** A fake-indexeddb factory that remembers the connections it opened (to force-close them in tests). */
function spyFactory(): { factory: IDBFactory; opened: IDBDatabase[] } {
  const real = new IDBFactory()
  const opened: IDBDatabase[] = []
  const factory = {
    open(name: string, version?: number) {
      const req = real.open(name, version)
      req.addEventListener('success', () => opened.push(req.result))
      return req
    },
    deleteDatabase: (name: string) => real.deleteDatabase(name),
    cmp: (a: unknown, b: unknown) => real.cmp(a, b),
    databases: () => real.databases(),
  } as unknown as IDBFactory
  return { factory, opened }
}

const backends = new WeakMap<SessionStore, IDBFactory>()

async function makeStore(): Promise<SessionStore> {
  const factory = new IDBFactory()
  const store = await IndexedDBStore.open({ indexedDB: factory, keyRange: IDBKeyRange })
  backends.set(store, factory)
  return store
}

async function reopen(store: SessionStore): Promise<SessionStore> {
  const factory = backends.get(store)
  if (!factory) throw new Error('unknown store')
  await store.close()
  const again = await IndexedDBStore.open({ indexedDB: factory, keyRange: IDBKeyRange })
  backends.set(again, factory)
  return again
}

runSessionStoreContract('IndexedDBStore on fake-indexeddb', makeStore, { reopen, strictOps: true })

/** Every record of every object store of `dbName`, read with the raw API. */
async function dumpDatabase(factory: IDBFactory, dbName: string): Promise<unknown[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = factory.open(dbName)
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
  const names = [...db.objectStoreNames]
  const tx = db.transaction(names, 'readonly')
  const all = await Promise.all(names.map((n) => new Promise<unknown[]>((resolve, reject) => {
    const req = tx.objectStore(n).getAll()
    req.onsuccess = () => resolve(req.result as unknown[])
    req.onerror = () => reject(req.error)
  })))
  db.close()
  return all.flat()
}

function walk(value: unknown, visit: (key: string | undefined, v: unknown) => void, key?: string): void {
  visit(key, value)
  if (value instanceof Uint8Array) return
  if (Array.isArray(value)) value.forEach((v) => walk(v, visit))
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, visit, k)
}

describe('IndexedDBStore', () => {
  it('never writes credentials or fields the ops do not define', async () => {
    const factory = new IDBFactory()
    const store = await IndexedDBStore.open({ indexedDB: factory, keyRange: IDBKeyRange, dbName: 'creds' })
    const secret = 'hunter2-secret'
    const sneaky = { password: secret, username: 'u', token: secret, authenticationData: new TextEncoder().encode(secret) }
    const ops = [
      { type: 'putOutgoing', message: { seq: 1, mid: 1, topic: 't', payload: new Uint8Array([1]), qos: 1, retain: false, stage: 'sent',
        properties: { userProperties: { a: 'b' }, ...sneaky }, ...sneaky } },
      { type: 'putSubscription', subscription: { topic: 'a/#', options: { qos: 1, ...sneaky }, ...sneaky } },
      { type: 'putMeta', meta: { clientId: 'c', protocolVersion: 5, nextMid: 2, nextSeq: 2, updatedAt: 1, ...sneaky } },
      { type: 'putIncoming', mid: 4, ...sneaky },
    ] as unknown as StoreOp[]
    await store.apply('k', ops)
    await store.close()
    const records = await dumpDatabase(factory, 'creds')
    expect(records.length).toBe(4)
    const offending: string[] = []
    walk(records, (k, v) => {
      if (k !== undefined && /pass|secret|token|credential|auth|user(name)?$/i.test(k)) offending.push(`key ${k}`)
      if (typeof v === 'string' && v.includes(secret)) offending.push(`value ${v}`)
    })
    expect(offending).toEqual([])
  })

  it('creates the four object stores with compound keys at version DB_VERSION', async () => {
    const factory = new IDBFactory()
    const store = await IndexedDBStore.open({ indexedDB: factory, keyRange: IDBKeyRange, dbName: 'schema' })
    await store.close()
    const db = await new Promise<IDBDatabase>((resolve) => {
      const req = factory.open('schema')
      req.onsuccess = () => resolve(req.result)
    })
    expect(db.version).toBe(DB_VERSION)
    expect([...db.objectStoreNames].sort()).toEqual(['incoming', 'meta', 'outgoing', 'subscriptions'])
    const tx = db.transaction(['outgoing', 'incoming', 'subscriptions', 'meta'])
    expect(tx.objectStore('outgoing').keyPath).toEqual(['k', 'seq'])
    expect(tx.objectStore('incoming').keyPath).toEqual(['k', 'mid'])
    expect(tx.objectStore('subscriptions').keyPath).toEqual(['k', 'topic'])
    expect(tx.objectStore('meta').keyPath).toBe('k')
    db.close()
  })

  it('uses the database name given (default "webmqtt") and keeps databases apart', async () => {
    const factory = new IDBFactory()
    const a = await IndexedDBStore.open({ indexedDB: factory, keyRange: IDBKeyRange })
    const b = await IndexedDBStore.open({ indexedDB: factory, keyRange: IDBKeyRange, dbName: 'other' })
    expect(a.dbName).toBe('webmqtt')
    await a.apply('k', [{ type: 'putIncoming', mid: 1 }])
    expect(await b.keys()).toEqual([])
    expect((await factory.databases()).map((d) => d.name).sort()).toEqual(['other', 'webmqtt'])
    await a.close()
    await b.close()
  })

  it('another tab upgrading the database closes this store with a versionchange StorageError', async () => {
    const factory = new IDBFactory()
    const errors: IndexedDBStorageError[] = []
    const store = await IndexedDBStore.open({ indexedDB: factory, keyRange: IDBKeyRange, onError: (e) => errors.push(e) })
    await store.apply('k', [{ type: 'putIncoming', mid: 1 }])
    // The "other tab": a newer version. It must not be blocked by us.
    const newer = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open('webmqtt', DB_VERSION + 1)
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
      req.onblocked = () => reject(new Error('blocked by the store'))
    })
    newer.close()
    expect(errors.map((e) => e.failure)).toEqual(['versionchange'])
    expect(errors[0]).toBeInstanceOf(StorageError)
    const err = await store.apply('k', [{ type: 'putIncoming', mid: 2 }]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StorageError)
    expect((err as IndexedDBStorageError).failure).toBe('versionchange')
    await expect(store.load('k')).rejects.toBeInstanceOf(StorageError)
  })

  it('a connection closed by the browser is reported once, and later calls reject', async () => {
    const { factory, opened } = spyFactory()
    const store = await IndexedDBStore.open({ indexedDB: factory, keyRange: IDBKeyRange })
    const errors: IndexedDBStorageError[] = []
    const off = store.on('error', (e) => errors.push(e))
    const db = opened[0]
    expect(db).toBeDefined()
    forceCloseDatabase(db as never)
    expect(errors.map((e) => e.failure)).toEqual(['closed'])
    await expect(store.apply('k', [{ type: 'putIncoming', mid: 1 }])).rejects.toMatchObject({ name: 'StorageError', failure: 'closed' })
    off()
    await store.close()
    expect(errors.length).toBe(1)
  })

  it('rejects an open that stays blocked with a blocked StorageError and closes the late connection', async () => {
    let closed = 0
    const req = {
      result: { close: () => { closed++ } },
      error: null,
    } as unknown as IDBOpenDBRequest & { onblocked: () => void; onsuccess: () => void }
    const factory = { open: () => req } as unknown as IDBFactory
    const opening = IndexedDBStore.open({ indexedDB: factory, keyRange: IDBKeyRange, blockedTimeoutMs: 20 })
    req.onblocked()
    const err = await opening.catch((e: unknown) => e)
    expect(isIndexedDBStorageError(err) && err.failure).toBe('blocked')
    req.onsuccess() // the other tab finally closed: our late connection must not leak
    expect(closed).toBe(1)
  })

  it('reports a failed open request (a newer version on disk) with the DOMException as cause', async () => {
    const factory = new IDBFactory()
    await new Promise<void>((resolve) => {
      const r = factory.open('webmqtt', DB_VERSION + 5)
      r.onsuccess = () => { r.result.close(); resolve() }
    })
    const err = await IndexedDBStore.open({ indexedDB: factory, keyRange: IDBKeyRange }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StorageError)
    expect((err as IndexedDBStorageError).failure).toBe('failed')
    expect(((err as Error).cause as DOMException).name).toBe('VersionError')
  })
})

describe('openSessionStore', () => {
  it('returns the IndexedDB store when it opens', async () => {
    const r = await openSessionStore({ indexedDB: new IDBFactory(), keyRange: IDBKeyRange })
    expect(r.persistent).toBe(true)
    expect(r.store.kind).toBe('indexeddb')
    expect(r.error).toBeUndefined()
    await r.store.close()
  })

  it('falls back to memory with an "unavailable" StorageError when there is no IndexedDB', async () => {
    const r = await openSessionStore({ indexedDB: null })
    expect(r.persistent).toBe(false)
    expect(r.store).toBeInstanceOf(MemoryStore)
    expect(r.error).toBeInstanceOf(StorageError)
    expect(r.error?.failure).toBe('unavailable')
    expect(r.warning).toMatch(/memory only.*not available/)
    // The default (globalThis.indexedDB) when the runtime has none, as in Node or SSR.
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB')
    Object.defineProperty(globalThis, 'indexedDB', { configurable: true, value: undefined })
    try {
      expect((await openSessionStore()).error?.failure).toBe('unavailable')
    } finally {
      if (saved) Object.defineProperty(globalThis, 'indexedDB', saved)
      else delete (globalThis as { indexedDB?: unknown }).indexedDB
    }
  })

  it('falls back to memory with a "denied" StorageError when open() throws SecurityError', async () => {
    const cause = new DOMException('access denied', 'SecurityError')
    const factory = { open: () => { throw cause } } as unknown as IDBFactory
    const r = await openSessionStore({ indexedDB: factory, keyRange: IDBKeyRange })
    expect(r.store).toBeInstanceOf(MemoryStore)
    expect(r.error?.failure).toBe('denied')
    expect(r.error?.cause).toBe(cause)
    // The fallback store works.
    await r.store.apply('k', [{ type: 'putIncoming', mid: 1 }])
    expect((await r.store.load('k')).incoming).toEqual([1])
  })
})
