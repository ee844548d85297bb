import { Worker as NodeWorker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { WORKER_SOURCE, createWorkerTimers } from '../src/worker-timers.js'
import type { WorkerLike, WorkerScope } from '../src/worker-timers.js'
import { ManualTimers } from './support/manual-timers.js'

type Listener = (event: { data?: unknown }) => void

class FakeWorker implements WorkerLike {
  static instances: FakeWorker[] = []
  readonly posted: unknown[] = []
  terminated = false
  readonly #listeners = new Map<string, Listener[]>()
  constructor(readonly url: string) {
    FakeWorker.instances.push(this)
  }
  postMessage(message: unknown): void {
    if (this.terminated) throw new Error('terminated')
    this.posted.push(message)
  }
  terminate(): void {
    this.terminated = true
  }
  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener])
  }
  emit(type: string, data?: unknown): void {
    for (const l of this.#listeners.get(type) ?? []) l({ data })
  }
}

function fakeScope(overrides: Partial<WorkerScope> = {}): WorkerScope & { revoked: string[] } {
  const revoked: string[] = []
  let n = 0
  return {
    Worker: FakeWorker,
    Blob: class { constructor(readonly parts: string[]) {} },
    URL: { createObjectURL: () => `blob:fake/${++n}`, revokeObjectURL: (u: string) => { revoked.push(u) } },
    revoked,
    ...overrides,
  }
}

describe('worker timers', () => {
  it('keeps time on the Worker: setTimeout posts [id, ms], a message with the id runs the callback once', () => {
    FakeWorker.instances = []
    const scope = fakeScope()
    const timers = createWorkerTimers({ scope, fallback: new ManualTimers() })
    expect(timers.mode).toBe('worker')
    const w = FakeWorker.instances[0]!
    expect(w.url).toBe('blob:fake/1')
    const fired: string[] = []
    const a = timers.setTimeout(() => fired.push('a'), 50)
    const b = timers.setTimeout(() => fired.push('b'), 10)
    expect(w.posted).toEqual([[a, 50], [b, 10]])
    w.emit('message', b)
    w.emit('message', b)
    expect(fired).toEqual(['b'])
    timers.clearTimeout(a)
    expect(w.posted.at(-1)).toEqual([a, -1])
    w.emit('message', a) // already cleared: ignored
    expect(fired).toEqual(['b'])
    expect(timers.size).toBe(0)
    // The worker's start-up message lets the Blob URL go.
    expect(scope.revoked).toEqual([])
    w.emit('message', 0)
    expect(scope.revoked).toEqual(['blob:fake/1'])
  })

  it('falls back to native timers when Worker, Blob or createObjectURL is missing', () => {
    for (const scope of [fakeScope({ Worker: undefined }), fakeScope({ Blob: undefined }), fakeScope({ URL: {} }), {}]) {
      const fallback = new ManualTimers()
      const timers = createWorkerTimers({ scope, fallback })
      expect(timers.mode).toBe('native')
      let fired = 0
      timers.setTimeout(() => fired++, 100)
      fallback.advance(99)
      expect(fired).toBe(0)
      fallback.advance(1)
      expect(fired).toBe(1)
    }
  })

  it('falls back when constructing the Worker throws (CSP SecurityError), reporting why', async () => {
    const securityError = Object.assign(new Error('Refused to create a worker from blob:'), { name: 'SecurityError' })
    const scope = fakeScope({ Worker: class { constructor() { throw securityError } } as never })
    const fallback = new ManualTimers()
    const reasons: unknown[] = []
    const timers = createWorkerTimers({ scope, fallback, onFallback: (r) => reasons.push(r) })
    expect(timers.mode).toBe('native')
    expect(timers.fallbackReason).toBe(securityError)
    expect(scope.revoked).toEqual(['blob:fake/1'])
    await Promise.resolve()
    expect(reasons).toEqual([securityError])
    let fired = 0
    timers.setTimeout(() => fired++, 10)
    fallback.advance(10)
    expect(fired).toBe(1)
  })

  it('moves pending timers to native timers with their remaining time when the Worker reports an error', () => {
    FakeWorker.instances = []
    const fallback = new ManualTimers()
    const reasons: unknown[] = []
    const timers = createWorkerTimers({ scope: fakeScope(), fallback, onFallback: (r) => reasons.push(r) })
    const w = FakeWorker.instances[0]!
    const fired: string[] = []
    timers.setTimeout(() => fired.push('long'), 1000)
    const cleared = timers.setTimeout(() => fired.push('cleared'), 500)
    timers.setTimeout(() => fired.push('short'), 200)
    timers.clearTimeout(cleared)
    fallback.advance(300) // the worker never answered: 'short' is overdue, 'long' has 700 ms left
    w.emit('error', { message: 'blocked by CSP' })
    expect(timers.mode).toBe('native')
    expect(w.terminated).toBe(true)
    expect(reasons).toHaveLength(1)
    expect(reasons[0]).toBeInstanceOf(Error)
    expect((reasons[0] as Error).message).toMatch(/CSP worker-src/)
    expect(timers.fallbackReason).toBe(reasons[0])
    fallback.advance(0)
    expect(fired).toEqual(['short'])
    fallback.advance(699)
    expect(fired).toEqual(['short'])
    fallback.advance(1)
    expect(fired).toEqual(['short', 'long'])
    // Late messages from the dead worker change nothing; new timers run natively.
    w.emit('message', 1)
    timers.setTimeout(() => fired.push('after'), 5)
    fallback.advance(5)
    expect(fired).toEqual(['short', 'long', 'after'])
    expect(w.posted).toHaveLength(4) // 3 set + 1 clear, nothing after the error
  })

  it('dispose() stops the worker and keeps pending timers', () => {
    FakeWorker.instances = []
    const fallback = new ManualTimers()
    const timers = createWorkerTimers({ scope: fakeScope(), fallback })
    let fired = 0
    timers.setTimeout(() => fired++, 40)
    timers.dispose()
    expect(FakeWorker.instances[0]!.terminated).toBe(true)
    fallback.advance(40)
    expect(fired).toBe(1)
  })

  it('the worker source schedules, fires and clears (run in a real thread)', async () => {
    // Web-worker globals on top of worker_threads, then the exact source string the Blob would hold.
    const prelude = "const { parentPort } = require('node:worker_threads');" +
      'globalThis.postMessage = (m) => parentPort.postMessage(m);' +
      "parentPort.on('message', (data) => globalThis.onmessage({ data }));"
    const worker = new NodeWorker(`${prelude}\n${WORKER_SOURCE}`, { eval: true })
    try {
      const got: number[] = []
      const done = new Promise<void>((resolve, reject) => {
        const timeout = setTimeout(() => reject(new Error(`worker answered only ${JSON.stringify(got)}`)), 5000)
        worker.on('message', (id: number) => {
          got.push(id)
          if (id === 3) {
            clearTimeout(timeout)
            resolve()
          }
        })
      })
      worker.postMessage([1, 20])
      worker.postMessage([2, 30])
      worker.postMessage([3, 60])
      worker.postMessage([2, -1])
      await done
      expect(got).toEqual([0, 1, 3])
    } finally {
      await worker.terminate()
    }
  })
})
