/**
 * A SessionStore that opens IndexedDB on first use (the Client constructor is synchronous, opening a database
 * is not). When IndexedDB cannot be opened (unavailable, blocked by the browser's privacy settings, blocked by
 * another version), the first call rejects with that StorageError — the client logs a warning, emits a status
 * `error` event and goes on in memory — and later calls use a MemoryStore, so the session is still kept for
 * reconnects within the page.
 */
import type { SessionSnapshot, SessionStore, StoreOp } from '@webmqtt/core'
import { openSessionStore } from './indexeddb-store.js'
import type { IndexedDBStoreOptions } from './indexeddb-store.js'

export class LazyIndexedDBStore implements SessionStore {
  readonly #options: IndexedDBStoreOptions
  #opening: Promise<SessionStore> | undefined
  #store: SessionStore | undefined
  #closed = false

  constructor(options: IndexedDBStoreOptions = {}) {
    this.#options = options
  }

  /** 'indexeddb' (also before it is opened), or 'memory' after a fallback. */
  get kind(): string {
    return this.#store?.kind ?? 'indexeddb'
  }

  /** The store in use once opened. */
  get current(): SessionStore | undefined {
    return this.#store
  }

  async load(key: string): Promise<SessionSnapshot> {
    return (await this.#open()).load(key)
  }

  async apply(key: string, ops: readonly StoreOp[]): Promise<void> {
    return (await this.#open()).apply(key, ops)
  }

  async clear(key: string): Promise<void> {
    return (await this.#open()).clear(key)
  }

  async keys(): Promise<string[]> {
    return (await this.#open()).keys()
  }

  async close(): Promise<void> {
    this.#closed = true
    const store = this.#store ?? (this.#opening ? await this.#opening.catch(() => undefined) : undefined)
    await store?.close()
  }

  #open(): Promise<SessionStore> {
    if (this.#store) return Promise.resolve(this.#store)
    this.#opening ??= openSessionStore(this.#options).then(async (r) => {
      this.#store = r.store
      if (this.#closed) await r.store.close()
      if (r.error) throw r.error
      return r.store
    })
    return this.#opening
  }
}
