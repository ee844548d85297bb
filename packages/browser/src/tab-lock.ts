/**
 * One tab owns a (broker, clientId) session: an exclusive Web Lock named after the session key. Two tabs with
 * the same clientId would otherwise make the broker kick them in turns, and both would write the same
 * IndexedDB state. The lock is held until `release()` or until the tab closes (the browser releases it).
 * Where the Web Locks API is missing (insecure context, old runtime, Node) the handle is a no-op with a `reason`
 * for the log: the caller continues without exclusion.
 */
import { SessionLockedError } from '@webmqtt/core'

export const SESSION_LOCK_PREFIX = 'webmqtt:session:'

export interface SessionLock {
  /** The session key passed to acquireSessionLock. */
  readonly key: string
  /** The Web Lock name (prefix + key). */
  readonly name: string
  /** False when the Web Locks API is missing: the handle excludes nothing. */
  readonly supported: boolean
  /** Why the handle is a no-op (for the log); undefined when a lock is held. */
  readonly reason: string | undefined
  /** True while the lock is held (always false for the no-op handle). */
  readonly held: boolean
  /** Resolves once the lock is no longer held (released, or stolen by a `steal` request). */
  readonly released: Promise<void>
  /** Let the next waiter (another tab) take the session. Idempotent. */
  release(): Promise<void>
}

export interface AcquireSessionLockOptions {
  /** Wait until the lock is free instead of failing with SessionLockedError. Default false. */
  wait?: boolean
  /** Stop waiting (wait: true): the promise rejects with `signal.reason`. */
  signal?: AbortSignal
  /** The LockManager; default `navigator.locks`. `null` means "not available". */
  locks?: LockManager | null
  /** Lock name prefix. Default 'webmqtt:session:'. */
  prefix?: string
}

/**
 * Take the session lock for `key`. Resolves with a handle once held; rejects with SessionLockedError when another
 * tab holds it and `wait` is false, or with the signal's reason when aborted while waiting.
 */
export async function acquireSessionLock(key: string, opts: AcquireSessionLockOptions = {}): Promise<SessionLock> {
  const name = `${opts.prefix ?? SESSION_LOCK_PREFIX}${key}`
  const locks = opts.locks === undefined ? defaultLockManager() : opts.locks
  if (!locks) return noopLock(key, name)
  const signal = opts.signal
  if (signal?.aborted) throw signal.reason ?? abortError()
  const wait = opts.wait === true

  return new Promise<SessionLock>((resolve, reject) => {
    let settled = false
    let held = false
    let releaseLock!: () => void
    const holding = new Promise<void>((r) => { releaseLock = r })
    let markReleased!: () => void
    const released = new Promise<void>((r) => { markReleased = r })

    const handle: SessionLock = {
      key, name, supported: true, reason: undefined,
      get held() { return held },
      released,
      async release() {
        releaseLock()
        await released
      },
    }

    // `ifAvailable` and `signal` may not be combined: an ifAvailable request never waits, so it needs no signal.
    const options: LockOptions = wait ? { mode: 'exclusive', ...(signal ? { signal } : {}) } : { mode: 'exclusive', ifAvailable: true }
    let request: Promise<unknown>
    try {
      request = locks.request(name, options, async (lock) => {
        if (lock === null) {
          settled = true
          reject(new SessionLockedError(`session "${key}" is owned by another tab`))
          return
        }
        held = true
        settled = true
        resolve(handle)
        await holding
      })
    } catch (err) {
      reject(err)
      return
    }
    request.then(
      () => { held = false; markReleased() },
      (err: unknown) => {
        held = false
        markReleased()
        // Aborted while waiting (or a steal ended our hold): report it if nobody was told yet.
        if (!settled) {
          settled = true
          reject(signal?.aborted ? (signal.reason ?? err) : err)
        }
      },
    )
  })
}

function defaultLockManager(): LockManager | null {
  const nav = (globalThis as { navigator?: { locks?: LockManager } }).navigator
  return nav?.locks ?? null
}

function noopLock(key: string, name: string): SessionLock {
  return {
    key, name, supported: false, held: false,
    reason: 'no Web Locks API (needs a secure context): other tabs are not excluded',
    released: Promise.resolve(),
    async release() {},
  }
}

function abortError(): Error {
  return new DOMException('The operation was aborted.', 'AbortError')
}
