import { describe, expect, it } from 'vitest'
import { attachLifecycle } from '../src/lifecycle.js'
import type { LifecycleClient } from '../src/lifecycle.js'

class FakeDocument extends EventTarget {
  visibilityState = 'visible'
}

function page() {
  const window = new EventTarget()
  const document = new FakeDocument()
  return { window, document }
}

function client(state = 'reconnecting') {
  const calls: string[] = []
  const c: LifecycleClient & { state: string; calls: string[] } = {
    state,
    calls,
    reconnect: () => { calls.push('reconnect') },
    flush: () => { calls.push('flush') },
  }
  return c
}

const pageshow = (persisted: boolean): Event => Object.assign(new Event('pageshow'), { persisted })

describe('lifecycle hooks', () => {
  it('reconnect at once on online, visible and bfcache restore — only while waiting to reconnect', () => {
    const scope = page()
    const c = client('reconnecting')
    const reasons: string[] = []
    attachLifecycle(c, { scope, onReconnect: (r) => reasons.push(r) })

    scope.window.dispatchEvent(new Event('online'))
    scope.document.visibilityState = 'hidden'
    scope.document.dispatchEvent(new Event('visibilitychange'))
    scope.document.visibilityState = 'visible'
    scope.document.dispatchEvent(new Event('visibilitychange'))
    scope.window.dispatchEvent(pageshow(false))
    scope.window.dispatchEvent(pageshow(true))
    expect(reasons).toEqual(['online', 'visible', 'pageshow'])
    expect(c.calls).toEqual(['reconnect', 'reconnect', 'reconnect'])

    for (const state of ['connected', 'connecting', 'disconnected', 'disconnecting']) {
      c.state = state
      scope.window.dispatchEvent(new Event('online'))
      scope.document.dispatchEvent(new Event('visibilitychange'))
      scope.window.dispatchEvent(pageshow(true))
    }
    expect(c.calls).toHaveLength(3)
  })

  it('flushes on pagehide and freeze, whatever the state', () => {
    const scope = page()
    const c = client('connected')
    attachLifecycle(c, { scope })
    scope.window.dispatchEvent(new Event('pagehide'))
    scope.document.dispatchEvent(new Event('freeze'))
    expect(c.calls).toEqual(['flush', 'flush'])
  })

  it('the returned function detaches every hook', () => {
    const scope = page()
    const c = client()
    const detach = attachLifecycle(c, { scope })
    detach()
    detach()
    scope.window.dispatchEvent(new Event('online'))
    scope.window.dispatchEvent(new Event('pagehide'))
    scope.document.dispatchEvent(new Event('visibilitychange'))
    expect(c.calls).toEqual([])
  })

  it('errors from reconnect() (thrown or rejected) and flush() go to onError, never to the event loop', async () => {
    const scope = page()
    const errors: unknown[] = []
    const boom = new Error('boom')
    const c: LifecycleClient = {
      state: 'reconnecting',
      reconnect: () => Promise.reject(boom),
      flush: () => { throw boom },
    }
    attachLifecycle(c, { scope, onError: (e) => errors.push(e) })
    scope.window.dispatchEvent(new Event('online'))
    scope.window.dispatchEvent(new Event('pagehide'))
    await Promise.resolve()
    await Promise.resolve()
    expect(errors).toEqual([boom, boom])
  })

  it('is a no-op outside a browser (no window): nothing attached, nothing thrown', () => {
    const c = client()
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined')
    const detach = attachLifecycle(c)
    expect(() => detach()).not.toThrow()
    expect(() => attachLifecycle(c, { scope: {} })()).not.toThrow()
    expect(c.calls).toEqual([])
  })
})
