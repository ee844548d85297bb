/**
 * Timers that run on a dedicated Worker, so keepalive, reconnect back-off and CONNACK timeouts keep their
 * schedule in a hidden tab (Chrome throttles main-thread timers there to once a minute; a 60 s keepalive
 * then dies). The worker only keeps time: callbacks run on the main thread.
 *
 * Falls back to native timers when Worker, Blob or URL.createObjectURL is missing, when creating the worker
 * throws (a CSP `worker-src` without `blob:` may throw a SecurityError) and when the worker reports an error
 * (CSP may also block it asynchronously): pending timers then move to native timers with their remaining
 * time. No eval: the worker source is a fixed string.
 */
import { nativeTimers } from '@webmqtt/core'
import type { TimerHandle, Timers } from '@webmqtt/core'

/** Worker protocol: main → worker `[id, ms]` (ms < 0 clears); worker → main `id` when due, `0` once started. */
export const WORKER_SOURCE =
  'var t=new Map;' +
  'onmessage=e=>{var[i,m]=e.data;' +
  'if(m<0)clearTimeout(t.get(i)),t.delete(i);' +
  'else t.set(i,setTimeout(()=>{t.delete(i);postMessage(i)},m))};' +
  'postMessage(0)'

export type WorkerTimersMode = 'worker' | 'native'

export interface WorkerTimers extends Timers {
  /** 'worker' while the Worker keeps time; 'native' after a fallback (or when none could be created). */
  readonly mode: WorkerTimersMode
  /** Why the fallback happened, if it did. */
  readonly fallbackReason: unknown
  /** Pending timers. */
  readonly size: number
  /** Stop the worker; pending timers move to native timers. */
  dispose(): void
}

export interface WorkerTimersOptions {
  /** Called once if the worker cannot be used; timers then run natively. */
  onFallback?: (reason: unknown) => void
  /** Where to find Worker/Blob/URL (tests). Default globalThis. */
  scope?: WorkerScope
  /** Used after a fallback. Default: the core's native timers. */
  fallback?: Timers
}

/** The globals used. */
export interface WorkerScope {
  Worker?: new (url: string, options?: { name?: string }) => WorkerLike
  Blob?: new (parts: string[], options?: { type?: string }) => unknown
  URL?: { createObjectURL?(blob: unknown): string; revokeObjectURL?(url: string): void }
}

export interface WorkerLike {
  postMessage(message: unknown): void
  terminate(): void
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void
}

interface Pending {
  fn: () => void
  due: number
  /** Native handle once migrated. */
  native: TimerHandle | undefined
}

class WorkerBackedTimers implements WorkerTimers {
  readonly #pending = new Map<number, Pending>()
  readonly #fallback: Timers
  readonly #onFallback: ((reason: unknown) => void) | undefined
  #worker: WorkerLike | undefined
  #url: string | undefined
  #revoke: ((url: string) => void) | undefined
  #nextId = 1
  #fallbackReason: unknown

  constructor(options: WorkerTimersOptions) {
    this.#fallback = options.fallback ?? nativeTimers
    this.#onFallback = options.onFallback
    const scope = options.scope ?? (globalThis as WorkerScope)
    const { Worker, Blob, URL } = scope
    if (typeof Worker !== 'function' || typeof Blob !== 'function' || typeof URL?.createObjectURL !== 'function') {
      this.#fallbackReason = new Error('no Worker, Blob or URL.createObjectURL')
      return
    }
    try {
      this.#url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }))
      this.#revoke = URL.revokeObjectURL?.bind(URL)
      const worker = new Worker(this.#url, { name: 'webmqtt-timers' })
      worker.addEventListener('message', (e) => this.#onMessage(e.data))
      const failed = (event: unknown): void => this.#toNative(new Error(
        'timer Worker failed (CSP worker-src without blob:?); using native timers',
        { cause: event },
      ))
      worker.addEventListener('error', failed)
      worker.addEventListener('messageerror', failed)
      this.#worker = worker
    } catch (err) {
      // SecurityError from a CSP without blob: in worker-src, or any other refusal.
      this.#releaseUrl()
      this.#fallbackReason = err
      queueMicrotask(() => this.#onFallback?.(err))
    }
  }

  get mode(): WorkerTimersMode {
    return this.#worker ? 'worker' : 'native'
  }

  get fallbackReason(): unknown {
    return this.#fallbackReason
  }

  get size(): number {
    return this.#pending.size
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++
    const delay = Math.max(0, Number.isFinite(ms) ? ms : 0)
    const entry: Pending = { fn, due: this.now() + delay, native: undefined }
    this.#pending.set(id, entry)
    if (this.#worker) {
      try {
        this.#worker.postMessage([id, delay])
        return id
      } catch (err) {
        this.#toNative(err)
        return id
      }
    }
    entry.native = this.#fallback.setTimeout(() => this.#fire(id), delay)
    return id
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle !== 'number') return
    const entry = this.#pending.get(handle)
    if (!entry) return
    this.#pending.delete(handle)
    if (entry.native !== undefined) this.#fallback.clearTimeout(entry.native)
    else if (this.#worker) {
      try {
        this.#worker.postMessage([handle, -1])
      } catch {
        // the worker is gone; the entry is already removed
      }
    }
  }

  now(): number {
    return this.#fallback.now()
  }

  dispose(): void {
    if (this.#worker) this.#toNative(new Error('disposed'), false)
  }

  #onMessage(data: unknown): void {
    if (data === 0) {
      this.#releaseUrl()
      return
    }
    if (typeof data === 'number') this.#fire(data)
  }

  #fire(id: number): void {
    const entry = this.#pending.get(id)
    if (!entry) return
    this.#pending.delete(id)
    entry.fn()
  }

  /** Move every pending timer to native timers with its remaining time; the worker is not used again. */
  #toNative(reason: unknown, report = true): void {
    const worker = this.#worker
    if (!worker) return
    this.#worker = undefined
    this.#fallbackReason = reason
    try {
      worker.terminate()
    } catch {
      // nothing to do
    }
    this.#releaseUrl()
    const now = this.now()
    for (const [id, entry] of this.#pending) {
      if (entry.native === undefined) entry.native = this.#fallback.setTimeout(() => this.#fire(id), Math.max(0, entry.due - now))
    }
    if (report) this.#onFallback?.(reason)
  }

  #releaseUrl(): void {
    if (this.#url !== undefined) {
      try {
        this.#revoke?.(this.#url)
      } catch {
        // ignore
      }
      this.#url = undefined
    }
  }
}

/** A new set of Worker-backed timers (one Worker). */
export function createWorkerTimers(options: WorkerTimersOptions = {}): WorkerTimers {
  return new WorkerBackedTimers(options)
}

let shared: WorkerTimers | undefined

/** One Worker shared by every client of the page, created on first use. */
export function sharedWorkerTimers(): WorkerTimers {
  shared ??= createWorkerTimers()
  return shared
}
