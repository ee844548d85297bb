/** Scheduling contract. The browser passes Worker-backed timers so hidden tabs are not throttled. */
export type TimerHandle = unknown

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
  /** Milliseconds, monotonic where the platform allows. */
  now(): number
}

/** Native timers of the current global scope. */
export const nativeTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
  now: () => (typeof performance !== 'undefined' ? performance.now() : Date.now()),
}
