/** A minimal typed event emitter and an async queue for `for await` consumers. */

export type Listener<A extends unknown[]> = (...args: A) => void

export class Emitter<E extends Record<string, unknown[]>> {
  readonly #listeners = new Map<keyof E, Set<Listener<never[]>>>()
  /** Called when a listener throws; it never propagates to the emitter's caller. */
  onListenerError: (err: unknown) => void = () => {}

  on<K extends keyof E>(event: K, fn: Listener<E[K]>): () => void {
    let set = this.#listeners.get(event)
    if (!set) this.#listeners.set(event, (set = new Set()))
    set.add(fn as unknown as Listener<never[]>)
    return () => this.off(event, fn)
  }

  off<K extends keyof E>(event: K, fn: Listener<E[K]>): void {
    this.#listeners.get(event)?.delete(fn as unknown as Listener<never[]>)
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.#listeners.get(event)
    if (!set || set.size === 0) return
    for (const fn of [...set]) {
      try {
        ;(fn as unknown as Listener<E[K]>)(...args)
      } catch (err) {
        this.onListenerError(err)
      }
    }
  }
}

/** Unbounded FIFO exposed as an AsyncIterableIterator; `end()` finishes it. */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  readonly #items: T[] = []
  readonly #waiters: Array<(r: IteratorResult<T>) => void> = []
  #done = false
  readonly #onReturn: () => void

  constructor(onReturn: () => void = () => {}) {
    this.#onReturn = onReturn
  }

  get size(): number {
    return this.#items.length
  }

  push(item: T): void {
    if (this.#done) return
    const w = this.#waiters.shift()
    if (w) w({ value: item, done: false })
    else this.#items.push(item)
  }

  end(): void {
    if (this.#done) return
    this.#done = true
    for (const w of this.#waiters.splice(0)) w({ value: undefined, done: true })
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#items.length > 0) return Promise.resolve({ value: this.#items.shift()!, done: false })
    if (this.#done) return Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve) => this.#waiters.push(resolve))
  }

  return(): Promise<IteratorResult<T>> {
    this.#items.length = 0
    this.end()
    this.#onReturn()
    return Promise.resolve({ value: undefined, done: true })
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this
  }
}

/** A promise with its resolvers, marked handled so an unobserved rejection is never reported as unhandled. */
export interface Deferred<T> {
  promise: Promise<T>
  resolve(v: T): void
  reject(e: unknown): void
  settled: boolean
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
  promise.catch(() => {})
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve: (v) => { if (!d.settled) { d.settled = true; resolve(v) } },
    reject: (e) => { if (!d.settled) { d.settled = true; reject(e) } },
  }
  return d
}
