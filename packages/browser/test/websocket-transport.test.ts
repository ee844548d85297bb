import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  ConnectTimeoutError, ConnectionClosedError, InvalidArgumentError, MQTTv31, MQTTv311, MQTTv5, NotSupportedError, ProtocolError,
} from '@webmqtt/core'
import type { ConnectTarget, ProtocolVersion, TransportHandlers } from '@webmqtt/core'
import { WebSocketRefusedError, WebSocketTimeoutError } from '../src/errors.js'
import { WebSocketTransport, baseUrl, redact } from '../src/websocket-transport.js'
import { FakeWebSocket, fakeFactory } from './support/fake-websocket.js'
import { ManualTimers } from './support/manual-timers.js'

function target(over: Partial<ConnectTarget> = {}): ConnectTarget {
  return { host: 'broker.example', port: 8080, protocolVersion: MQTTv311 as ProtocolVersion, attempt: 1, signal: new AbortController().signal, ...over }
}

function handlers(): TransportHandlers & { data: Uint8Array[]; closes: Array<Error | undefined> } {
  const data: Uint8Array[] = []
  const closes: Array<Error | undefined> = []
  return { data, closes, onData: (b) => data.push(b), onClose: (e) => closes.push(e) }
}

const opening = (ws: FakeWebSocket): void => ws.open()

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('URLs', () => {
  it('builds ws:// from a host name, port and path; wss:// after setTls(true)', () => {
    expect(baseUrl('broker.example', 8080, false, '/mqtt')).toBe('ws://broker.example:8080/mqtt')
    expect(baseUrl('broker.example', undefined, true, '/mqtt')).toBe('wss://broker.example/mqtt')
    expect(baseUrl('::1', 9001, false, 'ws')).toBe('ws://[::1]:9001/ws')
  })

  it('uses a full URL verbatim (port and path do not apply); http(s) maps to ws(s)', () => {
    expect(baseUrl('wss://b.example:443/x?token=1', 1883, false, '/mqtt')).toBe('wss://b.example:443/x?token=1')
    expect(baseUrl('WS://b.example/y', undefined, true, '/mqtt')).toBe('ws://b.example/y')
    expect(baseUrl('https://b.example/z', undefined, false, '/mqtt')).toBe('wss://b.example/z')
  })

  it('rejects unsupported schemes, bad host names and ports', () => {
    expect(() => baseUrl('mqtt://b.example', 1883, false, '/mqtt')).toThrow(InvalidArgumentError)
    expect(() => baseUrl('b.example/path', 1883, false, '/mqtt')).toThrow(InvalidArgumentError)
    expect(() => baseUrl('b.example', 70000, false, '/mqtt')).toThrow(InvalidArgumentError)
    expect(() => baseUrl('', 1, false, '/mqtt')).toThrow(InvalidArgumentError)
  })

  it('redacts the query string and fragment', () => {
    expect(redact('wss://b/mqtt?token=secret')).toBe('wss://b/mqtt?…')
    expect(redact('wss://b/mqtt#x')).toBe('wss://b/mqtt?…')
    expect(redact('wss://b/mqtt')).toBe('wss://b/mqtt')
  })

  it('endpointKey is the primary URL without query, and follows tls and path', () => {
    const t = new WebSocketTransport()
    expect(t.endpointKey('b.example', 8080)).toBe('ws://b.example:8080/mqtt')
    t.setTls(true)
    t.wsSetOptions({ path: '/ws' })
    expect(t.endpointKey('b.example', 8443)).toBe('wss://b.example:8443/ws')
    expect(t.endpointKey('wss://b.example/mqtt?token=abc', undefined)).toBe('wss://b.example/mqtt?…')
  })
})

describe('opening', () => {
  it.each([
    [MQTTv311, 'mqtt'], [MQTTv5, 'mqtt'], [MQTTv31, 'mqttv3.1'],
  ] as const)('protocol %i offers subprotocol %s and sets binaryType arraybuffer', async (version, sub) => {
    const f = fakeFactory(opening)
    const t = new WebSocketTransport({ createWebSocket: f.create })
    const conn = await t.connect(target({ protocolVersion: version }), handlers())
    expect(f.sockets[0]!.protocols).toEqual([sub])
    expect(f.sockets[0]!.binaryType).toBe('arraybuffer')
    expect(f.sockets[0]!.url).toBe('ws://broker.example:8080/mqtt')
    expect(f.sockets[0]!.headers).toBeUndefined()
    expect(conn.remote).toBe('ws://broker.example:8080/mqtt')
  })

  it('calls path, transformUrl, protocols and headers hooks on every attempt, awaiting promises', async () => {
    const f = fakeFactory(opening)
    const calls: string[] = []
    const t = new WebSocketTransport({ createWebSocket: f.create })
    t.wsSetOptions({
      path: async (ctx) => {
        calls.push(`path ${ctx.host}:${ctx.port} #${ctx.attempt} v${ctx.protocolVersion}`)
        return `/p${ctx.attempt}`
      },
      headers: async (defaults) => {
        calls.push(`headers ${JSON.stringify(defaults)}`)
        return { ...defaults, Authorization: `Bearer t${calls.length}` }
      },
      transformUrl: async (url, attempt) => {
        calls.push(`url ${url} #${attempt}`)
        await Promise.resolve()
        return `${url}?token=tok${attempt}`
      },
      protocols: (defaults, attempt) => [...defaults, `auth.${attempt}`],
    })
    await t.connect(target({ attempt: 1 }), handlers())
    await t.connect(target({ attempt: 2 }), handlers())
    expect(f.sockets.map((s) => s.url)).toEqual([
      'ws://broker.example:8080/p1?token=tok1', 'ws://broker.example:8080/p2?token=tok2',
    ])
    expect(f.sockets.map((s) => s.protocols)).toEqual([['mqtt', 'auth.1'], ['mqtt', 'auth.2']])
    expect(f.sockets[0]!.headers).toEqual({ Host: 'broker.example:8080', Authorization: 'Bearer t3' })
    expect(calls).toEqual([
      'path broker.example:8080 #1 v4', 'url ws://broker.example:8080/p1 #1', 'headers {"Host":"broker.example:8080"}',
      'path broker.example:8080 #2 v4', 'url ws://broker.example:8080/p2 #2', 'headers {"Host":"broker.example:8080"}',
    ])
  })

  it('wsSetOptions has paho semantics: path and headers reset when omitted, other options stay', async () => {
    const f = fakeFactory(opening)
    const t = new WebSocketTransport()
    t.wsSetOptions({ path: '/custom', createWebSocket: f.create, headers: { A: 'b' } })
    expect(t.options.path).toBe('/custom')
    t.wsSetOptions({ transformUrl: (u) => u })
    expect(t.options.path).toBe('/mqtt')
    expect(t.options.headers).toBeUndefined()
    expect(t.options.createWebSocket).toBe(f.create)
    await t.connect(target(), handlers())
    expect(f.sockets[0]!.url).toBe('ws://broker.example:8080/mqtt')
  })

  it('validates options and leaves them unchanged when refused', () => {
    const t = new WebSocketTransport()
    t.wsSetOptions({ path: '/keep' })
    expect(() => t.wsSetOptions({ path: 3 as never })).toThrow(InvalidArgumentError)
    expect(() => t.wsSetOptions({ path: '/keep', transformUrl: 'x' as never })).toThrow(InvalidArgumentError)
    expect(() => t.wsSetOptions({ path: '/keep', failover: [''] })).toThrow(InvalidArgumentError)
    expect(() => t.wsSetOptions({ path: '/keep', openTimeoutMs: -1 })).toThrow(InvalidArgumentError)
    expect(() => t.wsSetOptions({ path: '/keep', headers: { A: 1 as never }, createWebSocket: () => new FakeWebSocket('', [], undefined) })).toThrow(InvalidArgumentError)
    expect(t.options.path).toBe('/keep')
  })

  it('a transformUrl result that is not a ws(s) URL is an argument error', async () => {
    const t = new WebSocketTransport({ createWebSocket: fakeFactory(opening).create, transformUrl: () => 'http://x/' })
    await expect(t.connect(target(), handlers())).rejects.toBeInstanceOf(InvalidArgumentError)
  })

  it('a hook that throws rejects the attempt with its error and tries no failover URL', async () => {
    const f = fakeFactory(opening)
    const boom = new Error('token refresh failed')
    const t = new WebSocketTransport({ createWebSocket: f.create, failover: ['ws://b2/mqtt'], transformUrl: async () => { throw boom } })
    await expect(t.connect(target(), handlers())).rejects.toBe(boom)
    expect(f.sockets).toHaveLength(0)
  })
})

describe('headers', () => {
  it('are refused with NotSupportedError when no createWebSocket can carry them', () => {
    const t = new WebSocketTransport()
    expect(() => t.wsSetOptions({ headers: { Authorization: 'Bearer x' } })).toThrow(NotSupportedError)
    expect(() => t.wsSetOptions({ headers: (d) => d })).toThrow(NotSupportedError)
    expect(() => new WebSocketTransport({ headers: { Authorization: 'x' } })).toThrow(/cannot send headers/)
    expect(t.options.headers).toBeUndefined()
    // An empty object asks for nothing.
    expect(() => t.wsSetOptions({ headers: {} })).not.toThrow()
  })

  it('are passed to createWebSocket (the function form gets the default Host header)', async () => {
    const f = fakeFactory(opening)
    const t = new WebSocketTransport({ createWebSocket: f.create })
    t.wsSetOptions({ headers: { Authorization: 'Bearer abc' }, createWebSocket: f.create })
    await t.connect(target({ host: 'wss://secure.example/mqtt', port: undefined }), handlers())
    expect(f.sockets[0]!.headers).toEqual({ Authorization: 'Bearer abc' })
  })

  it('are checked again at connect time (removing createWebSocket later is refused)', () => {
    const f = fakeFactory(opening)
    const t = new WebSocketTransport({ createWebSocket: f.create, headers: { A: 'b' } })
    expect(() => t.wsSetOptions({ headers: { A: 'b' }, createWebSocket: undefined })).toThrow(NotSupportedError)
  })
})

describe('typed failures', () => {
  it('an error before open is WebSocketRefusedError (a ConnectionClosedError) and the socket is closed', async () => {
    const f = fakeFactory((ws) => ws.fail(new Error('connect ECONNREFUSED 127.0.0.1:1')))
    const t = new WebSocketTransport({ createWebSocket: f.create })
    const err = await t.connect(target(), handlers()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WebSocketRefusedError)
    expect(err).toBeInstanceOf(ConnectionClosedError)
    expect((err as Error).message).toMatch(/ECONNREFUSED/)
    expect((err as WebSocketRefusedError).url).toBe('ws://broker.example:8080/mqtt')
    expect(((err as Error).cause as Error).message).toMatch(/ECONNREFUSED/)
  })

  it('a browser-style error event without details still says what happened', async () => {
    const f = fakeFactory((ws) => ws.fail())
    const t = new WebSocketTransport({ createWebSocket: f.create, transformUrl: (u) => `${u}?token=secret` })
    const err = (await t.connect(target(), handlers()).catch((e: unknown) => e)) as Error
    expect(err).toBeInstanceOf(WebSocketRefusedError)
    expect(err.message).toMatch(/could not be opened/)
    expect(err.message).not.toMatch(/secret/)
  })

  it('a close before open without an error event is ConnectionClosedError with the close code', async () => {
    const f = fakeFactory((ws) => ws.serverClose(1002, 'bad subprotocol'))
    const t = new WebSocketTransport({ createWebSocket: f.create })
    const err = (await t.connect(target(), handlers()).catch((e: unknown) => e)) as Error
    expect(err).toBeInstanceOf(ConnectionClosedError)
    expect(err).not.toBeInstanceOf(WebSocketRefusedError)
    expect(err.message).toMatch(/closed before it opened \(code 1002, bad subprotocol\)/)
  })

  it('no open within openTimeoutMs is WebSocketTimeoutError (a ConnectTimeoutError) and the socket is closed', async () => {
    const timers = new ManualTimers()
    const f = fakeFactory()
    const t = new WebSocketTransport({ createWebSocket: f.create, timers, openTimeoutMs: 5000 })
    const p = t.connect(target(), handlers())
    await vi.waitFor(() => expect(f.sockets).toHaveLength(1))
    timers.advance(4999)
    expect(f.sockets[0]!.closeCalls).toHaveLength(0)
    timers.advance(1)
    const err = await p.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WebSocketTimeoutError)
    expect(err).toBeInstanceOf(ConnectTimeoutError)
    expect(f.sockets[0]!.closeCalls).toHaveLength(1)
    expect(timers.size).toBe(0)
  })

  it('the target signal aborts an attempt that has not opened, rejecting with its reason', async () => {
    const timers = new ManualTimers()
    const f = fakeFactory()
    const ac = new AbortController()
    const t = new WebSocketTransport({ createWebSocket: f.create, timers })
    const p = t.connect(target({ signal: ac.signal }), handlers())
    await vi.waitFor(() => expect(f.sockets).toHaveLength(1))
    const reason = new ConnectTimeoutError('no CONNACK within 30000 ms')
    ac.abort(reason)
    await expect(p).rejects.toBe(reason)
    expect(f.sockets[0]!.closeCalls).toHaveLength(1)
    expect(timers.size).toBe(0)
    // A late open is ignored.
    f.sockets[0]!.open()
  })

  it('an already aborted signal opens nothing; a plain abort() becomes a ConnectionClosedError', async () => {
    const f = fakeFactory(opening)
    const ac = new AbortController()
    ac.abort()
    const t = new WebSocketTransport({ createWebSocket: f.create })
    await expect(t.connect(target({ signal: ac.signal }), handlers())).rejects.toBeInstanceOf(ConnectionClosedError)
    expect(f.sockets).toHaveLength(0)
  })

  it('without a WebSocket in the runtime and no createWebSocket: NotSupportedError', async () => {
    vi.stubGlobal('WebSocket', undefined)
    const t = new WebSocketTransport()
    await expect(t.connect(target(), handlers())).rejects.toBeInstanceOf(NotSupportedError)
  })

  it('a throwing constructor (bad URL, mixed content) is WebSocketRefusedError', async () => {
    const t = new WebSocketTransport({ createWebSocket: () => { throw new SyntaxError('bad url') } })
    await expect(t.connect(target(), handlers())).rejects.toBeInstanceOf(WebSocketRefusedError)
  })
})

describe('failover', () => {
  it('tries the URLs of one attempt in turn until one opens', async () => {
    const f = fakeFactory((ws, i) => (i < 2 ? ws.fail() : ws.open()))
    const t = new WebSocketTransport({ createWebSocket: f.create, failover: ['ws://b2:1/mqtt', 'b3'] })
    const conn = await t.connect(target({ host: 'b1', port: 9001 }), handlers())
    expect(f.sockets.map((s) => s.url)).toEqual(['ws://b1:9001/mqtt', 'ws://b2:1/mqtt', 'ws://b3:9001/mqtt'])
    expect(conn.remote).toBe('ws://b3:9001/mqtt')
  })

  it('each reconnect attempt starts after the URL the previous attempt used; attempt 1 starts at the primary', async () => {
    const f = fakeFactory(opening)
    const t = new WebSocketTransport({ createWebSocket: f.create, failover: ['b2', 'b3'] })
    for (const attempt of [1, 2, 3, 4, 1, 2]) await t.connect(target({ host: 'b1', port: 1, attempt }), handlers())
    expect(f.sockets.map((s) => new URL(s.url).hostname)).toEqual(['b1', 'b2', 'b3', 'b1', 'b1', 'b2'])
  })

  it('when every URL fails, the attempt rejects with the last failure and each URL was tried once', async () => {
    const timers = new ManualTimers()
    const f = fakeFactory((ws, i) => (i === 0 ? ws.fail() : undefined))
    const t = new WebSocketTransport({ createWebSocket: f.create, failover: ['b2'], timers, openTimeoutMs: 100 })
    const p = t.connect(target({ host: 'b1' }), handlers())
    await vi.waitFor(() => expect(f.sockets).toHaveLength(2))
    timers.advance(100)
    await expect(p).rejects.toBeInstanceOf(WebSocketTimeoutError)
    expect(f.sockets).toHaveLength(2)
  })
})

describe('open connection', () => {
  async function openConnection() {
    const f = fakeFactory(opening)
    const h = handlers()
    const t = new WebSocketTransport({ createWebSocket: f.create })
    const conn = await t.connect(target(), h)
    return { ws: f.sockets[0]!, h, conn }
  }

  it('passes received ArrayBuffers and views as fresh Uint8Arrays, and sends bytes as given', async () => {
    const { ws, h, conn } = await openConnection()
    ws.receive(new Uint8Array([0x20, 2, 0, 0]).buffer)
    ws.receive(new Uint8Array([9, 1, 2, 3]).subarray(1, 3))
    expect(h.data.map((d) => [...d])).toEqual([[0x20, 2, 0, 0], [1, 2]])
    expect(h.data[0]).toBeInstanceOf(Uint8Array)
    const bytes = new Uint8Array([0xc0, 0])
    conn.send(bytes)
    expect(ws.sent[0]).toBe(bytes)
    ws.bufferedAmount = 1234
    expect(conn.bufferedAmount).toBe(1234)
  })

  it('a text frame is a protocol error: the connection closes with ProtocolError', async () => {
    const { ws, h } = await openConnection()
    ws.receive('hello')
    expect(h.closes).toHaveLength(1)
    expect(h.closes[0]).toBeInstanceOf(ProtocolError)
    expect(ws.closeCalls).toEqual([{ code: undefined }]) // closed (a browser refuses code 1002 from a page)
    expect(ws.readyState).toBe(FakeWebSocket.CLOSING)
    ws.receive(new ArrayBuffer(2))
    expect(h.data).toHaveLength(0)
  })

  it('a close by the server calls onClose once with ConnectionClosedError', async () => {
    const { ws, h, conn } = await openConnection()
    ws.serverClose(1001, 'going away')
    ws.serverClose(1001)
    expect(h.closes).toHaveLength(1)
    expect(h.closes[0]).toBeInstanceOf(ConnectionClosedError)
    expect(h.closes[0]!.message).toMatch(/1001, going away/)
    expect(() => conn.send(new Uint8Array(1))).toThrow(ConnectionClosedError)
  })

  it('an error after open closes with ConnectionClosedError; the close event that follows is ignored', async () => {
    const { ws, h } = await openConnection()
    ws.fail(new Error('ECONNRESET'))
    expect(h.closes).toHaveLength(1)
    expect(h.closes[0]!.message).toMatch(/ECONNRESET/)
  })

  it('close() is idempotent, closes with code 1000 and calls onClose() without an error exactly once', async () => {
    const { ws, h, conn } = await openConnection()
    conn.close()
    conn.close()
    expect(ws.closeCalls).toEqual([{ code: 1000 }])
    expect(h.closes).toHaveLength(0) // delivered asynchronously, never re-entrantly
    await Promise.resolve()
    ws.serverClose(1000)
    ws.receive(new ArrayBuffer(1))
    expect(h.closes).toEqual([undefined])
    expect(h.data).toHaveLength(0)
    expect(() => conn.send(new Uint8Array(1))).toThrow(ConnectionClosedError)
  })

  it('a send while the socket is not open throws (never silently dropped)', async () => {
    const { ws, conn } = await openConnection()
    ws.readyState = FakeWebSocket.CLOSING
    expect(() => conn.send(new Uint8Array(1))).toThrow(ConnectionClosedError)
  })
})
