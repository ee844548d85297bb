import type { TimerHandle, Timers } from '@webmqtt/core'

/** Timers driven by the test: nothing fires until `advance(ms)`. */
export class ManualTimers implements Timers {
  #now = 0
  #next = 1
  readonly #pending = new Map<number, { at: number; fn: () => void }>()

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++
    this.#pending.set(id, { at: this.#now + Math.max(0, ms), fn })
    return id
  }

  clearTimeout(handle: TimerHandle): void {
    this.#pending.delete(handle as number)
  }

  now(): number {
    return this.#now
  }

  get size(): number {
    return this.#pending.size
  }

  advance(ms: number): void {
    const until = this.#now + ms
    for (;;) {
      let best: [number, { at: number; fn: () => void }] | undefined
      for (const e of this.#pending) if (e[1].at <= until && (!best || e[1].at < best[1].at)) best = e
      if (!best) break
      this.#pending.delete(best[0])
      this.#now = best[1].at
      best[1].fn()
    }
    this.#now = until
  }
}
