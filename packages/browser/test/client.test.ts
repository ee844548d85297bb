// The browser Client facade in Node: defaults, paho's ws/tls setters, store choice, the tab lock and the
// lifecycle wiring, over a fake WebSocket that answers CONNECT with CONNACK.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  ConnectionClosedError, InvalidArgumentError, MemoryStore, MQTTv5, NotSupportedError, SessionLockedError, StorageError, nativeTimers,
  errors as coreErrors,
} from '@webmqtt/core'
import type { Transport } from '@webmqtt/core'
import { Client, LazyIndexedDBStore, WebSocketRefusedError, WebSocketTimeoutError, WebSocketTransport, errors } from '../src/index.js'
import { fakeFactory } from './support/fake-websocket.js'

/** A socket that opens and answers CONNECT (0x10) with a successful 3.1.1 CONNACK. */
function broker() {
  return fakeFactory((ws) => {
    const send = ws.send.bind(ws)
    ws.send = (data: Uint8Array) => {
      send(data)
      if (data[0] === 0x10) queueMicrotask(() => ws.receive(new Uint8Array([0x20, 2, 0, 0]).buffer))
    }
    ws.open()
  })
}

/** An in-memory LockManager with exclusive locks, ifAvailable and signal (what tab-lock.ts uses). */
function fakeLocks(): LockManager {
  const held = new Set<string>()
  const waiters = new Map<string, Array<() => void>>()
  const run = async (name: string, cb: (lock: Lock | null) => unknown): Promise<unknown> => {
    held.add(name)
    try {
      return await cb({ name, mode: 'exclusive' } as Lock)
    } finally {
      held.delete(name)
      waiters.get(name)?.shift()?.()
    }
  }
  return {
    async request(name: string, options: LockOptions, cb: (lock: Lock | null) => unknown) {
      if (!held.has(name)) return run(name, cb)
      if (options.ifAvailable) return cb(null)
      const signal = options.signal
      await new Promise<void>((resolve, reject) => {
        const waiter = (): void => resolve()
        waiters.set(name, [...(waiters.get(name) ?? []), waiter])
        signal?.addEventListener('abort', () => {
          waiters.set(name, (waiters.get(name) ?? []).filter((w) => w !== waiter))
          reject(signal.reason)
        }, { once: true })
      })
      return run(name, cb)
    },
    async query() {
      return { held: [...held].map((name) => ({ name, mode: 'exclusive' as const })), pending: [] }
    },
  } as unknown as LockManager
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('browser Client defaults', () => {
  it('new Client() gets a WebSocket transport, a memory store and timers, without touching window', () => {
    const c = new Client()
    expect(c.transport).toBeInstanceOf(WebSocketTransport)
    expect(c.store.kind).toBe('memory')
    expect(c.state).toBe('disconnected')
    expect(c.clientId).toMatch(/^webmqtt-/)
  })

  it('with a clientId the store is IndexedDB (kept for a persistent session, cleared for a clean one) unless told otherwise', () => {
    expect(new Client({ clientId: 'p', cleanSession: false }).store).toBeInstanceOf(LazyIndexedDBStore)
    expect(new Client({ clientId: 'p', protocol: MQTTv5, cleanStart: false, sessionExpiryInterval: 60 }).store)
      .toBeInstanceOf(LazyIndexedDBStore)
    expect(new Client({ clientId: 'p' }).store).toBeInstanceOf(LazyIndexedDBStore)
    expect(new Client({ clientId: 'p', cleanSession: false, persistence: 'memory' }).store.kind).toBe('memory')
    expect(new Client({ persistence: 'indexeddb' }).store).toBeInstanceOf(LazyIndexedDBStore)
    const store = new MemoryStore()
    expect(new Client({ clientId: 'p', cleanSession: false, store }).store).toBe(store)
  })

  it('passes WebSocket options, timers and a custom transport through', async () => {
    const f = broker()
    const c = new Client({ clientId: 'page-2', timers: nativeTimers, sessionLock: false, webSocket: { createWebSocket: f.create, path: '/ws', tls: true } })
    await c.connect('b.example', 8443, 30)
    expect(f.sockets[0]!.url).toBe('wss://b.example:8443/ws')
    await c.disconnect()
    const transport: Transport = { connect: () => Promise.reject(new Error('x')) }
    expect(new Client({ transport }).transport).toBe(transport)
  })
})

describe('errors', () => {
  it("has every core error class, then the WebSocket transport's", () => {
    expect(Object.entries(errors)).toEqual([
      ...Object.entries(coreErrors), ['WebSocketRefusedError', WebSocketRefusedError], ['WebSocketTimeoutError', WebSocketTimeoutError],
    ])
  })
})

describe('persistent sessions', () => {
  it('are kept in IndexedDB: a new Client (a reload) finds the messages queued offline', async () => {
    const indexedDB = { indexedDB: new IDBFactory(), keyRange: IDBKeyRange, dbName: 'client-test' }
    const first = new Client({ clientId: 'reload', cleanSession: false, sessionLock: false, indexedDB })
    await first.restoreSession('b.example', 1)
    first.publish('queued/1', 'one', 1)
    first.publish('queued/2', 'two', 2)
    await first.flush()
    expect(first.store.kind).toBe('indexeddb')
    await first.store.close()

    const second = new Client({ clientId: 'reload', cleanSession: false, sessionLock: false, indexedDB })
    await second.restoreSession('b.example', 1)
    expect(second.pendingMessages().map((m) => [m.topic, m.qos])).toEqual([['queued/1', 1], ['queued/2', 2]])
    await second.store.close()
  })

  it('a clean session with the same clientId clears what a persistent one left in IndexedDB', async () => {
    const indexedDB = { indexedDB: new IDBFactory(), keyRange: IDBKeyRange, dbName: 'clean-test' }
    const f = broker()
    const webSocket = { createWebSocket: f.create }
    const first = new Client({ clientId: 'cc', cleanSession: false, sessionLock: false, indexedDB, webSocket })
    await first.restoreSession('b.example', 1)
    first.publish('left/behind', 'x', 1)
    await first.flush()
    const key = first.sessionKey('b.example', 1)
    expect((await first.store.load(key)).outgoing).toHaveLength(1)
    await first.store.close()

    const clean = new Client({ clientId: 'cc', sessionLock: false, indexedDB, webSocket })
    await clean.connect('b.example', 1, 30)
    await clean.disconnect()
    expect(await clean.store.load(key)).toEqual({ outgoing: [], incoming: [], undelivered: [], subscriptions: [], meta: undefined })
    await clean.store.close()
    const again = new Client({ clientId: 'cc', cleanSession: false, sessionLock: false, indexedDB })
    await again.restoreSession('b.example', 1)
    expect(again.pendingMessages()).toEqual([])
    await again.store.close()
  })

  it('a clean session without IndexedDB connects with a log line, no error status', async () => {
    const f = broker()
    const c = new Client({ clientId: 'clean-noidb', sessionLock: false, indexedDB: { indexedDB: null }, webSocket: { createWebSocket: f.create } })
    const statusErrors: Error[] = []
    const logs: string[] = []
    c.on('status', (ev) => { if (ev.type === 'error') statusErrors.push(ev.error) })
    c.onLog = (_c, _u, _level, text) => logs.push(text)
    await c.connect('b.example', 1, 30)
    expect(c.isConnected()).toBe(true)
    expect(statusErrors).toEqual([])
    expect(logs.some((t) => /stored session .* not cleared: .*IndexedDB is not available/.test(t))).toBe(true)
    await c.disconnect()
  })

  it('without IndexedDB: a clear StorageError status, then the session goes on in memory and connect() works', async () => {
    const f = broker()
    const c = new Client({
      clientId: 'noidb', cleanSession: false, sessionLock: false, indexedDB: { indexedDB: null },
      webSocket: { createWebSocket: f.create },
    })
    const errors: Error[] = []
    c.on('status', (ev) => { if (ev.type === 'error') errors.push(ev.error) })
    await c.connect('b.example', 1, 30)
    expect(c.isConnected()).toBe(true)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(StorageError)
    expect(errors[0]!.message).toMatch(/IndexedDB is not available/)
    expect(c.store.kind).toBe('memory')
    await c.disconnect()
    // The next connect uses the memory store without a new error.
    await c.connect('b.example', 1, 30)
    expect(errors).toHaveLength(1)
    await c.disconnect()
  })
})

describe('paho setters', () => {
  it('wsSetOptions configures the transport and refuses headers a browser cannot send', async () => {
    const c = new Client({ clientId: 'page-3', sessionLock: false })
    expect(() => c.wsSetOptions({ headers: { Authorization: 'x' } })).toThrow(NotSupportedError)
    expect(() => c.wsSetOptions({ path: 7 as never })).toThrow(InvalidArgumentError)
    const f = broker()
    c.wsSetOptions({ path: '/p', transformUrl: async (u) => `${u}?t=1`, createWebSocket: f.create })
    await c.connect('b.example', 9001, 30)
    expect(f.sockets[0]!.url).toBe('ws://b.example:9001/p?t=1')
    await c.disconnect()
  })

  it('tlsSet() switches host names to wss; certificate arguments and tlsInsecureSet(true) are refused', () => {
    const c = new Client({ clientId: 'page-4' })
    expect(() => c.tlsSet('ca.pem')).toThrow(NotSupportedError)
    expect(() => c.tlsSet(undefined, 'client.crt', 'client.key')).toThrow(/certfile, keyfile/)
    expect(c.sessionKey('b.example', 8883)).toBe('ws://b.example:8883/mqtt|page-4')
    c.tlsSet()
    expect(c.sessionKey('b.example', 8883)).toBe('wss://b.example:8883/mqtt|page-4')
    expect(() => c.tlsInsecureSet(true)).toThrow(NotSupportedError)
    expect(() => c.tlsInsecureSet(false)).not.toThrow()
  })

  it('ws/tls setters say so when the client was given another transport', () => {
    const c = new Client({ transport: { connect: () => Promise.reject(new Error('x')) } })
    expect(() => c.wsSetOptions({})).toThrow(NotSupportedError)
    expect(() => c.tlsSet()).toThrow(NotSupportedError)
  })
})

describe('tab lock', () => {
  it('a second client with the same clientId (another tab) is refused with SessionLockedError until the first disconnects', async () => {
    const locks = fakeLocks()
    const f = broker()
    const a = new Client({ clientId: 'shared', locks, webSocket: { createWebSocket: f.create } })
    const b = new Client({ clientId: 'shared', locks, webSocket: { createWebSocket: f.create } })
    await a.connect('b.example', 1, 30)
    expect(a.sessionLock?.held).toBe(true)
    await expect(b.connect('b.example', 1, 30)).rejects.toBeInstanceOf(SessionLockedError)
    expect(f.sockets).toHaveLength(1) // b opened nothing
    expect(b.state).toBe('disconnected')
    await a.disconnect()
    await vi.waitFor(() => expect(a.sessionLock).toBeUndefined())
    await b.connect('b.example', 1, 30)
    expect(b.isConnected()).toBe(true)
    await b.disconnect()
  })

  it("sessionLock: 'wait' waits for the other tab to let go", async () => {
    const locks = fakeLocks()
    const f = broker()
    const a = new Client({ clientId: 'w', locks, webSocket: { createWebSocket: f.create } })
    const b = new Client({ clientId: 'w', locks, sessionLock: 'wait', webSocket: { createWebSocket: f.create } })
    await a.connect('b.example', 1, 30)
    let bConnected = false
    const pb = b.connect('b.example', 1, 30).then(() => { bConnected = true })
    await Promise.resolve()
    expect(bConnected).toBe(false)
    await a.disconnect()
    await pb
    expect(b.isConnected()).toBe(true)
    await b.disconnect()
  })

  it('disconnect() while waiting for the lock gives up: connect() rejects and never opens a socket', async () => {
    const locks = fakeLocks()
    const f = broker()
    const a = new Client({ clientId: 'w2', locks, webSocket: { createWebSocket: f.create } })
    const b = new Client({ clientId: 'w2', locks, sessionLock: 'wait', webSocket: { createWebSocket: f.create } })
    await a.connect('b.example', 1, 30)
    const pb = b.connect('b.example', 1, 30)
    await b.disconnect()
    await expect(pb).rejects.toBeInstanceOf(ConnectionClosedError)
    await a.disconnect()
    await new Promise((r) => setTimeout(r, 0))
    expect(f.sockets).toHaveLength(1)
    expect(b.state).toBe('disconnected')
    expect(b.sessionLock).toBeUndefined()
  })

  it('reconnect() after a disconnect takes the lock again', async () => {
    const locks = fakeLocks()
    const f = broker()
    const a = new Client({ clientId: 'r', locks, webSocket: { createWebSocket: f.create } })
    const b = new Client({ clientId: 'r', locks, webSocket: { createWebSocket: f.create } })
    await a.connect('b.example', 1, 30)
    await a.disconnect()
    await b.connect('b.example', 1, 30)
    await expect(a.reconnect()).rejects.toBeInstanceOf(SessionLockedError)
    await b.disconnect()
    await a.reconnect()
    expect(a.isConnected()).toBe(true)
    expect(a.sessionLock?.held).toBe(true)
    await a.disconnect()
  })

  it('argument errors: thrown synchronously without a lock; rejected with the lock released otherwise', async () => {
    const locks = fakeLocks()
    expect(() => new Client({ clientId: 'args', sessionLock: false }).connect('')).toThrow(InvalidArgumentError)
    const c = new Client({ clientId: 'args', locks })
    await expect(c.connect('b.example', 70000)).rejects.toBeInstanceOf(InvalidArgumentError)
    await vi.waitFor(() => expect(c.sessionLock).toBeUndefined())
    const other = new Client({ clientId: 'args', locks, webSocket: { createWebSocket: broker().create } })
    await other.connect('b.example', 1, 30)
    await other.disconnect()
  })

  it('different clientIds, generated clientIds and sessionLock: false take no lock', async () => {
    const locks = fakeLocks()
    const f = broker()
    const clients = [
      new Client({ clientId: 'x1', locks, webSocket: { createWebSocket: f.create } }),
      new Client({ clientId: 'x2', locks, webSocket: { createWebSocket: f.create } }),
      new Client({ locks, webSocket: { createWebSocket: f.create } }),
      new Client({ clientId: 'x1', locks, sessionLock: false, webSocket: { createWebSocket: f.create } }),
    ]
    for (const c of clients) await c.connect('b.example', 1, 30)
    expect(clients.map((c) => c.isConnected())).toEqual([true, true, true, true])
    expect(clients.map((c) => c.sessionLock?.held ?? false)).toEqual([true, true, false, false])
    for (const c of clients) await c.disconnect()
  })

  it('without Web Locks the client logs a warning and connects anyway', async () => {
    const f = broker()
    const c = new Client({ clientId: 'nolocks', locks: null, webSocket: { createWebSocket: f.create } })
    const logs: string[] = []
    c.onLog = (_c, _u, _level, text) => logs.push(text)
    await c.connect('b.example', 1, 30)
    expect(c.isConnected()).toBe(true)
    expect(logs.some((l) => /no tab lock/.test(l) && /Web Locks/.test(l))).toBe(true)
    await c.disconnect()
  })
})

describe('lifecycle wiring', () => {
  it('attaches page hooks while not disconnected: online reconnects at once instead of waiting out the back-off', async () => {
    const win = new EventTarget()
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' })
    vi.stubGlobal('window', win)
    vi.stubGlobal('document', doc)
    const f = broker()
    const c = new Client({ clientId: 'life', sessionLock: false, webSocket: { createWebSocket: f.create } })
    c.reconnectDelaySet(60, 120)
    await c.connect('b.example', 1, 30)
    f.sockets[0]!.serverClose(1006)
    expect(c.state).toBe('reconnecting')
    expect(f.sockets).toHaveLength(1)
    const connected = new Promise<void>((resolve) => c.on('state', (s) => { if (s === 'connected') resolve() }))
    win.dispatchEvent(new Event('online'))
    await connected
    expect(f.sockets).toHaveLength(2)
    await c.disconnect()
    // Detached once disconnected.
    win.dispatchEvent(new Event('online'))
    doc.dispatchEvent(new Event('visibilitychange'))
    expect(f.sockets).toHaveLength(2)
    expect(c.state).toBe('disconnected')
  })

  it('lifecycle: false attaches nothing', async () => {
    const win = new EventTarget()
    vi.stubGlobal('window', win)
    const add = vi.spyOn(win, 'addEventListener')
    const f = broker()
    const c = new Client({ clientId: 'nolife', lifecycle: false, sessionLock: false, webSocket: { createWebSocket: f.create } })
    await c.connect('b.example', 1, 30)
    expect(add).not.toHaveBeenCalled()
    await c.disconnect()
  })
})
