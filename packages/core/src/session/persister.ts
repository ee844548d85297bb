/**
 * Group commit: operations enqueued while a batch is being written go into the next batch, so a burst of
 * publishes costs one store transaction. `enqueue` resolves when the batch holding the ops is durable.
 * After a store failure the persister turns itself off (the in-memory session stays authoritative) and
 * reports the error once through `onError`.
 */
import { StorageError } from '../errors.js'
import type { SessionStore, StoreOp } from '../store.js'

export class Persister {
  readonly #store: SessionStore
  readonly #key: string
  readonly #onError: (err: StorageError) => void
  #pending: StoreOp[] = []
  #waiters: Array<() => void> = []
  #writing: Promise<void> | undefined
  #scheduled = false
  #failed = false
  /** Number of batches written (for metrics/tests). */
  batches = 0

  constructor(store: SessionStore, key: string, onError: (err: StorageError) => void) {
    this.#store = store
    this.#key = key
    this.#onError = onError
  }

  get key(): string {
    return this.#key
  }

  get failed(): boolean {
    return this.#failed
  }

  /** Resolves once the ops are durable (or immediately when persistence has failed). */
  enqueue(...ops: StoreOp[]): Promise<void> {
    if (this.#failed) return Promise.resolve()
    this.#pending.push(...ops)
    const p = new Promise<void>((resolve) => this.#waiters.push(resolve))
    this.#schedule()
    return p
  }

  /** Resolves when everything enqueued so far is durable. */
  flush(): Promise<void> {
    if (this.#pending.length === 0 && !this.#writing) return Promise.resolve()
    return this.enqueue()
  }

  #schedule(): void {
    if (this.#scheduled || this.#writing) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      void this.#write()
    })
  }

  async #write(): Promise<void> {
    if (this.#writing || (this.#pending.length === 0 && this.#waiters.length === 0)) return
    const ops = this.#pending
    const waiters = this.#waiters
    this.#pending = []
    this.#waiters = []
    this.#writing = (async () => {
      try {
        if (ops.length > 0 && !this.#failed) {
          await this.#store.apply(this.#key, ops)
          this.batches++
        }
      } catch (err) {
        this.#failed = true
        this.#pending = []
        this.#onError(err instanceof StorageError ? err : new StorageError(`session store (${this.#store.kind}) write failed: ${(err as Error)?.message ?? err}`, { cause: err }))
      }
    })()
    await this.#writing
    this.#writing = undefined
    for (const w of waiters) w()
    if (this.#pending.length > 0 || this.#waiters.length > 0) void this.#write()
  }
}
