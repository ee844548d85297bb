/** Packet identifier allocator: 1…65535, round robin, never hands out an id that is in use. */

export class PacketIds {
  readonly #used = new Set<number>()
  #next: number

  constructor(next = 1) {
    this.#next = next >= 1 && next <= 65535 ? Math.floor(next) : 1
  }

  /** The id the next allocation starts from (persisted in session meta). */
  get next(): number {
    return this.#next
  }

  get size(): number {
    return this.#used.size
  }

  isUsed(id: number): boolean {
    return this.#used.has(id)
  }

  /** Mark an id (e.g. restored from the store) as in use. */
  reserve(id: number): void {
    this.#used.add(id)
  }

  /** A free id, now marked used; undefined when all 65,535 are in use. */
  allocate(): number | undefined {
    if (this.#used.size >= 65535) return undefined
    for (;;) {
      const id = this.#next
      this.#next = id === 65535 ? 1 : id + 1
      if (!this.#used.has(id)) {
        this.#used.add(id)
        return id
      }
    }
  }

  release(id: number): void {
    this.#used.delete(id)
  }

  clear(): void {
    this.#used.clear()
  }
}
