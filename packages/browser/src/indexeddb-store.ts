/**
 * SessionStore on IndexedDB. One database (default name 'webmqtt'), four object stores keyed by session key:
 *
 *   outgoing       [k, seq]    { k, seq, mid, topic, payload, qos, retain, stage, properties? }
 *   incoming       [k, mid]    { k, mid, message? }   (message: a QoS 2 message stored but not delivered yet)
 *   subscriptions  [k, topic]  { k, topic, options }
 *   meta           k           { k, meta }
 *
 * Each `apply` is ONE readwrite transaction over the stores it touches and resolves on `complete`; the client
 * batches its changes (group commit), the store only makes a batch atomic. Transactions are created
 * synchronously in call order, and IndexedDB runs overlapping readwrite transactions in creation order, so
 * concurrent applies land in call order.
 *
 * Records are built field by field from the ops (never spread), so nothing the caller did not mean to persist —
 * credentials above all — can reach storage. Payload and correlationData views are copied to their own buffer,
 * because structured clone would otherwise store the whole underlying ArrayBuffer.
 *
 * Failures are explicit: every storage failure rejects with a StorageError (the DOMException is its `cause`,
 * `failure` says which kind) and is also reported to `on('error')` listeners, so the client can fall back to
 * memory with a logged warning. The raw IndexedDB API is used (no wrapper library): `idb` proxies only objects
 * that are instances of the *global* IDB classes, which breaks an injected factory, and the four helpers below
 * are all this store needs.
 */
import { InvalidArgumentError, MemoryStore, StorageError, validateStoreOp } from '@webmqtt/core'
import type { StorageFailure } from '@webmqtt/core'
export { validateStoreOp }
import type {
  PublishProperties, SessionMeta, SessionSnapshot, SessionStore, StoreOp, StoredIncomingMessage, StoredOutgoing, StoredSubscription,
  SubscribeOptions,
} from '@webmqtt/core'

export const DEFAULT_DB_NAME = 'webmqtt'
export const DB_VERSION = 1

const OUT = 'outgoing'
const IN = 'incoming'
const SUBS = 'subscriptions'
const META = 'meta'
const ALL_STORES = [OUT, IN, SUBS, META] as const

export type { StorageFailure }

export type IndexedDBStorageError = StorageError & { readonly failure: StorageFailure }

export function storageError(failure: StorageFailure, message: string, cause?: unknown): IndexedDBStorageError {
  return new StorageError(message, { failure, ...(cause !== undefined ? { cause } : {}) }) as IndexedDBStorageError
}

export interface IndexedDBStoreOptions {
  /** Database name. Default 'webmqtt'. */
  dbName?: string
  /** The IDBFactory; default `globalThis.indexedDB`. `null` means "not available". */
  indexedDB?: IDBFactory | null
  /** The IDBKeyRange class matching the factory; default `globalThis.IDBKeyRange`. */
  keyRange?: typeof IDBKeyRange
  /** Transaction durability hint for writes. Default 'default' (the browser's choice). */
  durability?: IDBTransactionDurability
  /** How long to wait when the open is blocked by another connection before failing. Default 3000 ms. */
  blockedTimeoutMs?: number
  /** Called with every storage failure (same as `on('error', …)`). */
  onError?: (error: IndexedDBStorageError) => void
}

type ErrorListener = (error: IndexedDBStorageError) => void

interface OutgoingRecord {
  k: string; seq: number; mid: number; topic: string; payload: Uint8Array; qos: 0 | 1 | 2; retain: boolean
  stage: StoredOutgoing['stage']; properties?: PublishProperties
}
interface IncomingRecord { k: string; mid: number; message?: StoredIncomingMessage }
interface SubscriptionRecord { k: string; topic: string; options: SubscribeOptions }
interface MetaRecord { k: string; meta: SessionMeta }

export class IndexedDBStore implements SessionStore {
  readonly kind = 'indexeddb'
  readonly dbName: string
  readonly #db: IDBDatabase
  readonly #range: typeof IDBKeyRange
  readonly #durability: IDBTransactionDurability
  readonly #listeners = new Set<ErrorListener>()
  /** Why the store can no longer be used; undefined while usable. */
  #dead: IndexedDBStorageError | undefined
  #closedByUser = false

  private constructor(db: IDBDatabase, dbName: string, range: typeof IDBKeyRange, opts: IndexedDBStoreOptions) {
    this.#db = db
    this.dbName = dbName
    this.#range = range
    this.#durability = opts.durability ?? 'default'
    if (opts.onError) this.#listeners.add(opts.onError)
    db.onversionchange = () => {
      // Another tab wants a new version or to delete the database: let it, and stop using this connection.
      db.close()
      this.#fail(storageError('versionchange', `IndexedDB "${dbName}" upgraded or deleted by another tab`))
    }
    db.onclose = () => {
      this.#fail(storageError('closed', `IndexedDB "${dbName}" closed by the browser`))
    }
  }

  /** Open (and create or upgrade) the database. Rejects with a StorageError saying why it cannot. */
  static async open(opts: IndexedDBStoreOptions = {}): Promise<IndexedDBStore> {
    const dbName = opts.dbName ?? DEFAULT_DB_NAME
    const factory = opts.indexedDB === undefined ? (globalThis as { indexedDB?: IDBFactory }).indexedDB : opts.indexedDB
    const range = opts.keyRange ?? (globalThis as { IDBKeyRange?: typeof IDBKeyRange }).IDBKeyRange
    if (!factory || !range) {
      throw storageError('unavailable', 'IndexedDB is not available in this runtime')
    }
    const db = await openDatabase(factory, dbName, opts.blockedTimeoutMs ?? 3000)
    return new IndexedDBStore(db, dbName, range, opts)
  }

  /** Listen for storage failures (quota, versionchange, closed by the browser, …). Returns an unsubscribe function. */
  on(event: 'error', listener: ErrorListener): () => void {
    if (event !== 'error') throw new InvalidArgumentError(`no event ${String(event)}`)
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  async load(key: string): Promise<SessionSnapshot> {
    const tx = this.#transaction(ALL_STORES, 'readonly')
    const r = this.#keyRange(key)
    const outgoing = request<OutgoingRecord[]>(tx.objectStore(OUT).getAll(r))
    const incoming = request<IncomingRecord[]>(tx.objectStore(IN).getAll(r))
    const subs = request<SubscriptionRecord[]>(tx.objectStore(SUBS).getAll(r))
    const meta = request<MetaRecord | undefined>(tx.objectStore(META).get(key))
    await this.#done(tx)
    return {
      outgoing: (await outgoing).map(withoutKey),
      incoming: (await incoming).map((i) => i.mid),
      undelivered: (await incoming).flatMap((i) => (i.message ? [{ ...i.message, mid: i.mid }] : [])).sort((a, b) => a.seq - b.seq),
      subscriptions: (await subs).map(withoutKey),
      meta: (await meta)?.meta,
    }
  }

  async apply(key: string, ops: readonly StoreOp[]): Promise<void> {
    for (const op of ops) validateStoreOp(op)
    if (ops.length === 0) {
      this.#check()
      return
    }
    const names = new Set<string>()
    for (const op of ops) names.add(storeOf(op))
    const tx = this.#transaction([...names], 'readwrite')
    try {
      for (const op of ops) {
        const store = tx.objectStore(storeOf(op))
        switch (op.type) {
          case 'putOutgoing': store.put(toOutgoingRecord(key, op.message)); break
          case 'deleteOutgoing': store.delete([key, op.seq]); break
          case 'putIncoming': store.put(toIncomingRecord(key, op.mid, op.message)); break
          case 'deleteIncoming': store.delete([key, op.mid]); break
          case 'putSubscription': store.put(toSubscriptionRecord(key, op.subscription)); break
          case 'deleteSubscription': store.delete([key, op.topic]); break
          case 'putMeta': store.put({ k: key, meta: copyMeta(op.meta) } satisfies MetaRecord); break
        }
      }
    } catch (err) {
      // A value IndexedDB cannot clone or a bad key: nothing of the batch may land.
      abortQuietly(tx)
      throw storageError(isQuota(err) ? 'quota' : 'failed', `IndexedDB refused a write: ${describe(err)}`, err)
    }
    await this.#done(tx)
  }

  async clear(key: string): Promise<void> {
    const tx = this.#transaction(ALL_STORES, 'readwrite')
    const r = this.#keyRange(key)
    for (const name of ALL_STORES) tx.objectStore(name).delete(name === META ? key : r)
    await this.#done(tx)
  }

  async keys(): Promise<string[]> {
    const tx = this.#transaction(ALL_STORES, 'readonly')
    const found = new Set<string>()
    const scans = [OUT, IN, SUBS].map((name) => distinctFirstKeys(tx.objectStore(name), found))
    const metaKeys = request<IDBValidKey[]>(tx.objectStore(META).getAllKeys())
    await this.#done(tx)
    await Promise.all(scans)
    for (const k of await metaKeys) found.add(k as string)
    return [...found].sort()
  }

  async close(): Promise<void> {
    if (this.#closedByUser) return
    this.#closedByUser = true
    this.#db.close()
    this.#dead = storageError('closed', 'IndexedDB store closed')
  }

  #check(): void {
    const d = this.#dead
    if (d) throw storageError(d.failure, d.message, d.cause)
  }

  #keyRange(key: string): IDBKeyRange {
    // [key] sorts before every [key, x]; [key, []] after every [key, number|string] (arrays sort last).
    return this.#range.bound([key], [key, []])
  }

  #transaction(names: readonly string[], mode: IDBTransactionMode): IDBTransaction {
    this.#check()
    try {
      return this.#db.transaction(names as string[], mode, mode === 'readwrite' ? { durability: this.#durability } : undefined)
    } catch (err) {
      // InvalidStateError: the connection is closing/closed (e.g. the browser closed it a moment ago).
      const e = storageError('closed', `IndexedDB "${this.dbName}" transaction refused: ${describe(err)}`, err)
      this.#fail(e)
      throw e
    }
  }

  /** Resolves on `complete`; on `abort`/`error` rejects with a StorageError, reported to listeners. */
  #done(tx: IDBTransaction): Promise<void> {
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve()
      tx.onabort = () => {
        const cause = tx.error ?? undefined
        const e = isQuota(cause)
          ? storageError('quota', 'IndexedDB quota exceeded: batch not stored', cause)
          : storageError('failed', `IndexedDB transaction aborted: ${describe(cause)}`, cause)
        this.#emit(e)
        reject(e)
      }
      // Request errors bubble to the transaction and then abort it; onabort reports them.
    })
  }

  #fail(e: IndexedDBStorageError): void {
    if (this.#dead) return
    this.#dead = e
    this.#emit(e)
  }

  #emit(e: IndexedDBStorageError): void {
    for (const l of [...this.#listeners]) {
      try {
        l(e)
      } catch {
        // A listener's bug must not break the store.
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// openSessionStore: IndexedDB when possible, memory otherwise (with the reason)

export interface OpenSessionStoreResult {
  store: SessionStore
  /** True when `store` is the IndexedDB store (the session survives a reload). */
  persistent: boolean
  /** Why IndexedDB is not used; undefined when it is. */
  error?: IndexedDBStorageError
  /** A one-line warning for the log when falling back to memory. */
  warning?: string
}

export async function openSessionStore(opts: IndexedDBStoreOptions = {}): Promise<OpenSessionStoreResult> {
  try {
    return { store: await IndexedDBStore.open(opts), persistent: true }
  } catch (err) {
    const error = isIndexedDBStorageError(err)
      ? err
      : storageError('failed', `IndexedDB open failed: ${describe(err)}`, err)
    return {
      store: new MemoryStore(),
      persistent: false,
      error,
      warning: `webmqtt: session in memory only (lost on reload): ${error.message}`,
    }
  }
}

export function isIndexedDBStorageError(err: unknown): err is IndexedDBStorageError {
  return err instanceof StorageError && typeof (err as { failure?: unknown }).failure === 'string'
}

// ---------------------------------------------------------------------------------------------------------------
// IndexedDB helpers

function openDatabase(factory: IDBFactory, name: string, blockedTimeoutMs: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let settled = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const fail = (e: IndexedDBStorageError): void => {
      if (settled) return
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      reject(e)
    }
    let req: IDBOpenDBRequest
    try {
      req = factory.open(name, DB_VERSION)
    } catch (err) {
      // SecurityError in opaque origins, or where the user/agent disabled site data.
      fail(storageError('denied', `IndexedDB denied: ${describe(err)}`, err))
      return
    }
    req.onupgradeneeded = () => {
      const db = req.result
      for (const [store, keyPath] of [[OUT, ['k', 'seq']], [IN, ['k', 'mid']], [SUBS, ['k', 'topic']], [META, 'k']] as const) {
        if (!db.objectStoreNames.contains(store)) db.createObjectStore(store, { keyPath: keyPath as string | string[] })
      }
    }
    req.onsuccess = () => {
      const db = req.result
      if (settled) {
        db.close() // opened after we gave up (blocked timeout): do not leak the connection
        return
      }
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      resolve(db)
    }
    req.onerror = (ev) => {
      ev.preventDefault?.()
      const cause = req.error
      const failure: StorageFailure = isQuota(cause) ? 'quota'
        : cause?.name === 'SecurityError' || cause?.name === 'InvalidStateError' ? 'denied' : 'failed'
      fail(storageError(failure, `IndexedDB "${name}" open failed: ${describe(cause)}`, cause ?? undefined))
    }
    req.onblocked = () => {
      if (timer !== undefined || settled) return
      timer = setTimeout(() => {
        fail(storageError('blocked', `IndexedDB "${name}" blocked by another tab`))
      }, blockedTimeoutMs)
    }
  })
}

/**
 * The result of a request inside a transaction the caller awaits with `#done`. Never rejects (a failed request
 * aborts its transaction, and `#done` reports that), so no promise is left unhandled; it then resolves undefined.
 */
function request<T>(req: IDBRequest): Promise<T> {
  return new Promise((resolve) => {
    req.onsuccess = () => resolve(req.result as T)
    req.onerror = () => resolve(undefined as T)
  })
}

/** Collect the distinct first key components ([k, …]) of a store, skipping each k's records with one jump. */
function distinctFirstKeys(store: IDBObjectStore, into: Set<string>): Promise<void> {
  return new Promise((resolve) => {
    const req = store.openKeyCursor()
    req.onsuccess = () => {
      const cursor = req.result
      if (!cursor) return resolve()
      const k = (cursor.key as [string, unknown])[0]
      into.add(k)
      cursor.continue([k, []])
    }
    req.onerror = () => resolve() // aborts the transaction; the caller's #done reports it
  })
}

function abortQuietly(tx: IDBTransaction): void {
  tx.onabort = null
  try {
    tx.abort()
  } catch {
    // already finished
  }
}

function isQuota(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'QuotaExceededError'
}

function describe(err: unknown): string {
  if (err && typeof err === 'object' && 'name' in err) {
    const e = err as { name: unknown; message?: unknown }
    return e.message ? `${String(e.name)}: ${String(e.message)}` : String(e.name)
  }
  return String(err)
}

function storeOf(op: StoreOp): string {
  switch (op.type) {
    case 'putOutgoing': case 'deleteOutgoing': return OUT
    case 'putIncoming': case 'deleteIncoming': return IN
    case 'putSubscription': case 'deleteSubscription': return SUBS
    case 'putMeta': return META
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Records: built field by field (never spread), views copied to their own buffer

/** A copy with its own, exactly-sized buffer (also turns a Node Buffer into a plain Uint8Array). */
function ownBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b)
}

function toOutgoingRecord(k: string, m: StoredOutgoing): OutgoingRecord {
  const r: OutgoingRecord = {
    k, seq: m.seq, mid: m.mid, topic: m.topic, payload: ownBytes(m.payload), qos: m.qos, retain: m.retain === true, stage: m.stage,
  }
  if (m.properties) r.properties = copyPublishProperties(m.properties)
  return r
}

/** A record as read back (it holds only what the builders above wrote), without its session key. */
function withoutKey<T extends { k: string }>({ k: _k, ...rest }: T): Omit<T, 'k'> {
  return rest
}

const PUBLISH_PROPERTIES = [
  'payloadFormatIndicator', 'messageExpiryInterval', 'topicAlias', 'responseTopic', 'correlationData', 'userProperties',
  'subscriptionIdentifier', 'contentType',
] as const

/** The PUBLISH properties, one by one: views copied, user property values as strings, arrays copied. */
function copyPublishProperties(p: PublishProperties): PublishProperties {
  const c: Record<string, unknown> = {}
  for (const k of PUBLISH_PROPERTIES) {
    const v: unknown = p[k]
    if (v === undefined) continue
    c[k] = v instanceof Uint8Array ? ownBytes(v)
      : k === 'userProperties' ? Object.fromEntries(Object.entries(v as object).map(([n, x]) => [n, Array.isArray(x) ? x.map(String) : String(x)]))
      : Array.isArray(v) ? [...v] : v
  }
  return c as PublishProperties
}

function toIncomingRecord(k: string, mid: number, m: StoredIncomingMessage | undefined): IncomingRecord {
  if (!m) return { k, mid }
  const message: { -readonly [P in keyof StoredIncomingMessage]: StoredIncomingMessage[P] } = {
    seq: m.seq, topic: m.topic, payload: ownBytes(m.payload), retain: m.retain, dup: m.dup,
  }
  if (m.properties) message.properties = copyPublishProperties(m.properties)
  return { k, mid, message }
}

function toSubscriptionRecord(k: string, s: StoredSubscription): SubscriptionRecord {
  const o: Record<string, unknown> = { qos: s.options.qos }
  for (const name of ['noLocal', 'retainAsPublished', 'retainHandling'] as const) {
    if (s.options[name] !== undefined) o[name] = s.options[name]
  }
  return { k, topic: s.topic, options: o as unknown as SubscribeOptions }
}

function copyMeta(m: SessionMeta): SessionMeta {
  return { clientId: m.clientId, protocolVersion: m.protocolVersion, nextMid: m.nextMid, nextSeq: m.nextSeq, updatedAt: m.updatedAt }
}

