/**
 * Messages per second over a sliding window of whole seconds, for the live chart. A ring of per-second
 * buckets keyed by `floor(now / 1000)`: O(1) per record, no allocation, and idle seconds read as zero.
 */
export class RateCounter {
  readonly #buckets: Float64Array
  readonly #seconds: Float64Array
  #total = 0

  /** `window`: how many seconds `series()` returns. */
  constructor(readonly window = 60) {
    if (!Number.isInteger(window) || window < 2) throw new RangeError('window must be an integer ≥ 2')
    this.#buckets = new Float64Array(window)
    this.#seconds = new Float64Array(window).fill(-1)
  }

  /** Count `n` events at time `nowMs`. */
  record(nowMs: number, n = 1): void {
    const s = Math.floor(nowMs / 1000)
    const i = s % this.window
    if (this.#seconds[i] !== s) {
      this.#seconds[i] = s
      this.#buckets[i] = 0
    }
    this.#buckets[i] = (this.#buckets[i] as number) + n
    this.#total += n
  }

  /** Events counted in the whole second containing `secondMs` (0 when outside the window). */
  countAt(secondMs: number): number {
    const s = Math.floor(secondMs / 1000)
    const i = s % this.window
    return this.#seconds[i] === s ? (this.#buckets[i] as number) : 0
  }

  /**
   * Per-second counts, oldest first, for the `window` seconds ending with the last *complete* second before
   * `nowMs` (the current second is still filling, so it would always read low).
   */
  series(nowMs: number): number[] {
    const last = Math.floor(nowMs / 1000) - 1
    const out = new Array<number>(this.window)
    for (let k = 0; k < this.window; k++) out[k] = this.countAt((last - this.window + 1 + k) * 1000)
    return out
  }

  /** Rate of the last complete second. */
  lastRate(nowMs: number): number {
    return this.countAt((Math.floor(nowMs / 1000) - 1) * 1000)
  }

  /** Everything ever recorded. */
  get total(): number {
    return this.#total
  }

  reset(): void {
    this.#buckets.fill(0)
    this.#seconds.fill(-1)
    this.#total = 0
  }
}
