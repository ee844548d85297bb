import type { TimerHandle, Timers } from '../../src/timers.js'

/** Deterministic Timers: time moves only through advance(). */
export class FakeTimers implements Timers {
  #now = 0
  #seq = 0
  readonly #tasks = new Map<number, { at: number; fn: () => void }>()

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.#seq
    this.#tasks.set(id, { at: this.#now + Math.max(0, ms), fn })
    return id
  }

  clearTimeout(h: TimerHandle): void {
    this.#tasks.delete(h as number)
  }

  now(): number {
    return this.#now
  }

  get pending(): number {
    return this.#tasks.size
  }

  /** Delays (relative to now) of pending timers, ascending. */
  pendingDelays(): number[] {
    return [...this.#tasks.values()].map((t) => t.at - this.#now).sort((a, b) => a - b)
  }

  /** Advance time, running due timers in order (and microtasks between them). */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms
    for (let guard = 0; guard < 100_000; guard++) {
      await flushMicrotasks()
      let next: [number, { at: number; fn: () => void }] | undefined
      for (const e of this.#tasks) if (e[1].at <= end && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[0] < next[0]))) next = e
      if (!next) break
      this.#tasks.delete(next[0])
      this.#now = next[1].at
      next[1].fn()
    }
    this.#now = end
    await flushMicrotasks()
  }
}

export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve()
}
