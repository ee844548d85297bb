/** Keeps the newest `limit` items (the message log's bound). Pure, unit-tested. */
/** `push` returns the evicted items (oldest first). */
export class BoundedList<T> {
  #items: T[] = []
  #start = 0

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer')
  }

  get size(): number {
    return this.#items.length - this.#start
  }

  push(item: T): T[] {
    this.#items.push(item)
    const over = this.size - this.limit
    if (over <= 0) return []
    const evicted = this.#items.slice(this.#start, this.#start + over)
    this.#start += over
    // Compact now and then so the backing array stays O(limit).
    if (this.#start > this.limit) {
      this.#items = this.#items.slice(this.#start)
      this.#start = 0
    }
    return evicted
  }

  /** Oldest first. */
  toArray(): T[] {
    return this.#items.slice(this.#start)
  }

  clear(): void {
    this.#items = []
    this.#start = 0
  }
}
