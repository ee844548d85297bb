import { describe, expect, it } from 'vitest'
import { SessionLockedError } from '@webmqtt/core'
import { SESSION_LOCK_PREFIX, acquireSessionLock } from '../src/tab-lock.js'

/**
 * An exclusive-mode LockManager with the Web Locks semantics the lock relies on: FIFO waiters per name,
 * `ifAvailable` grants `null` when held, `signal` aborts a waiting request with its reason, ifAvailable + signal
 * is NotSupportedError, the request promise settles with the callback's promise.
 */
class FakeLockManager {
  readonly held = new Set<string>()
  readonly queues = new Map<string, (() => void)[]>()
  requests = 0

  request(name: string, options: LockOptions, cb: (lock: Lock | null) => Promise<unknown>): Promise<unknown> {
    this.requests++
    if (options.ifAvailable && options.signal) return Promise.reject(new DOMException('both', 'NotSupportedError'))
    if (options.signal?.aborted) return Promise.reject(options.signal.reason)
    const run = async (): Promise<unknown> => {
      this.held.add(name)
      try {
        return await cb({ name, mode: 'exclusive' } as Lock)
      } finally {
        this.held.delete(name)
        this.queues.get(name)?.shift()?.()
      }
    }
    if (!this.held.has(name)) return run()
    if (options.ifAvailable) return Promise.resolve().then(() => cb(null))
    return new Promise((resolve, reject) => {
      const q = this.queues.get(name) ?? []
      this.queues.set(name, q)
      const grant = (): void => { options.signal?.removeEventListener('abort', onAbort); run().then(resolve, reject) }
      const onAbort = (): void => {
        q.splice(q.indexOf(grant), 1)
        reject(options.signal?.reason)
      }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      q.push(grant)
    })
  }

  waiting(name: string): number {
    return this.queues.get(name)?.length ?? 0
  }
}

const asLocks = (f: FakeLockManager): LockManager => f as unknown as LockManager

describe('acquireSessionLock', () => {
  it('takes the lock; a second try without wait fails with SessionLockedError', async () => {
    const locks = new FakeLockManager()
    const a = await acquireSessionLock('ws://h/mqtt|c1', { locks: asLocks(locks) })
    expect(a.supported).toBe(true)
    expect(a.held).toBe(true)
    expect(a.reason).toBeUndefined()
    expect(a.name).toBe(`${SESSION_LOCK_PREFIX}ws://h/mqtt|c1`)
    expect(locks.held.has(a.name)).toBe(true)
    const err = await acquireSessionLock('ws://h/mqtt|c1', { locks: asLocks(locks) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SessionLockedError)
    expect((err as Error).message).toContain('ws://h/mqtt|c1')
    expect(locks.waiting(a.name)).toBe(0)
    await a.release()
    expect(a.held).toBe(false)
    expect(locks.held.size).toBe(0)
    const again = await acquireSessionLock('ws://h/mqtt|c1', { locks: asLocks(locks) })
    expect(again.held).toBe(true)
    await again.release()
  })

  it('different keys do not exclude each other', async () => {
    const locks = new FakeLockManager()
    const a = await acquireSessionLock('k1', { locks: asLocks(locks) })
    const b = await acquireSessionLock('k2', { locks: asLocks(locks) })
    expect([a.held, b.held]).toEqual([true, true])
    await Promise.all([a.release(), b.release()])
  })

  it('wait: true queues until the holder releases, in request order', async () => {
    const locks = new FakeLockManager()
    const first = await acquireSessionLock('k', { locks: asLocks(locks) })
    const order: string[] = []
    const second = acquireSessionLock('k', { locks: asLocks(locks), wait: true }).then((l) => { order.push('second'); return l })
    const third = acquireSessionLock('k', { locks: asLocks(locks), wait: true }).then((l) => { order.push('third'); return l })
    await Promise.resolve()
    expect(locks.waiting(first.name)).toBe(2)
    expect(order).toEqual([])
    await first.release()
    const s = await second
    expect(order).toEqual(['second'])
    expect(s.held).toBe(true)
    await s.release()
    const t = await third
    expect(order).toEqual(['second', 'third'])
    await t.release()
    expect(locks.held.size).toBe(0)
  })

  it('an abort while waiting rejects with the signal reason and leaves the queue', async () => {
    const locks = new FakeLockManager()
    const holder = await acquireSessionLock('k', { locks: asLocks(locks) })
    const ac = new AbortController()
    const waiting = acquireSessionLock('k', { locks: asLocks(locks), wait: true, signal: ac.signal })
    const reason = new Error('gave up')
    ac.abort(reason)
    await expect(waiting).rejects.toBe(reason)
    expect(locks.waiting(holder.name)).toBe(0)
    await holder.release()
    expect(locks.held.size).toBe(0)
  })

  it('an already aborted signal rejects without requesting; a signal with wait: false is not passed on', async () => {
    const locks = new FakeLockManager()
    const ac = new AbortController()
    ac.abort()
    await expect(acquireSessionLock('k', { locks: asLocks(locks), signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' })
    expect(locks.requests).toBe(0)
    const l = await acquireSessionLock('k', { locks: asLocks(locks), signal: new AbortController().signal })
    expect(l.held).toBe(true)
    await l.release()
  })

  it('release is idempotent and resolves `released`', async () => {
    const locks = new FakeLockManager()
    const l = await acquireSessionLock('k', { locks: asLocks(locks) })
    let done = false
    void l.released.then(() => { done = true })
    await l.release()
    await l.release()
    expect(done).toBe(true)
  })

  it('without the Web Locks API returns a no-op handle with a reason', async () => {
    const l = await acquireSessionLock('k', { locks: null })
    expect(l.supported).toBe(false)
    expect(l.held).toBe(false)
    expect(l.reason).toMatch(/no Web Locks API/)
    await l.release()
    // The default (navigator.locks) when the runtime has none.
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator')
    Object.defineProperty(globalThis, 'navigator', { configurable: true, value: {} })
    try {
      expect((await acquireSessionLock('k')).supported).toBe(false)
    } finally {
      if (saved) Object.defineProperty(globalThis, 'navigator', saved)
      else delete (globalThis as { navigator?: unknown }).navigator
    }
    // And navigator.locks is the default when present.
    const locks = new FakeLockManager()
    Object.defineProperty(globalThis, 'navigator', { configurable: true, value: { locks } })
    try {
      const held = await acquireSessionLock('k')
      expect(held.supported && held.held && locks.held.has(held.name)).toBe(true)
      await held.release()
    } finally {
      if (saved) Object.defineProperty(globalThis, 'navigator', saved)
      else delete (globalThis as { navigator?: unknown }).navigator
    }
  })
})
