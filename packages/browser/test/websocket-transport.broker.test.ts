// The WebSocket transport in Node, through `createWebSocket` with the `ws` package (which can send headers),
// driving the browser Client against a real Aedes broker on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startAedes } from '../../core/test/harness/aedes.js'
import type { AedesBroker } from '../../core/test/harness/aedes.js'
import { freePort } from '../../core/test/harness/ports.js'
import { Client, ConnectionClosedError, WebSocketRefusedError, callback, multiple, simple, single } from '../src/index.js'
import type { CreateWebSocket, MqttMessage } from '../src/index.js'

interface Seen { url: string; headers: Record<string, string | string[] | undefined> }

let aedes: AedesBroker
const seen: Seen[] = []

const nodeWebSocket: CreateWebSocket = (url, protocols, headers) => new WebSocket(url, protocols, { headers })

beforeAll(async () => {
  aedes = await startAedes()
  aedes.broker.on('client', ((client: { req?: { url?: string; headers: Seen['headers'] } }) => {
    if (client.req) seen.push({ url: client.req.url ?? '', headers: client.req.headers })
  }) as never)
})
afterAll(async () => {
  await aedes?.stop()
})

function nextMessage(client: Client): Promise<MqttMessage> {
  return new Promise((resolve) => {
    client.onMessage = (_c, _u, m) => resolve(m)
  })
}

describe('WebSocketTransport + ws + Aedes', () => {
  it('connects with path, async transformUrl and headers hooks seen by the broker, and round-trips QoS 1', async () => {
    const client = new Client({ clientId: 'browser-transport-1', reconnectOnFailure: false, sessionLock: false })
    let attempts = 0
    client.wsSetOptions({
      path: () => '/custom-path',
      headers: async (defaults) => ({ ...defaults, Authorization: 'Bearer from-hook' }),
      transformUrl: async (url, attempt) => {
        attempts = attempt
        return `${url}?token=t${attempt}`
      },
      createWebSocket: nodeWebSocket,
    })
    const before = seen.length
    const connack = await client.connect('127.0.0.1', aedes.wsPort, 30)
    try {
      expect(connack.reasonCode.value).toBe(0)
      expect(attempts).toBe(1)
      const s = seen[before]!
      expect(s.url).toBe('/custom-path?token=t1')
      expect(s.headers.authorization).toBe('Bearer from-hook')
      expect(s.headers['sec-websocket-protocol']).toBe('mqtt')
      expect(s.headers.host).toBe(`127.0.0.1:${aedes.wsPort}`)

      const granted = await client.subscribe('browser/transport/#', 1)
      expect(granted.map((r) => r.value)).toEqual([1])
      const got = nextMessage(client)
      const info = client.publish('browser/transport/a', 'hello over ws', 1)
      await info.waitForPublish(10_000)
      const m = await got
      expect(m.topic).toBe('browser/transport/a')
      expect(new TextDecoder().decode(m.payload)).toBe('hello over ws')
      expect(m.qos).toBe(1)
    } finally {
      await client.disconnect()
    }
    expect(client.state).toBe('disconnected')
  })

  it('fails over from a refused URL to the next one within the same attempt', async () => {
    const closedPort = await freePort()
    const client = new Client({
      clientId: 'browser-transport-2', reconnectOnFailure: false, sessionLock: false,
      webSocket: { createWebSocket: nodeWebSocket, failover: [aedes.wsUrl] },
    })
    try {
      await client.connect('127.0.0.1', closedPort, 30)
      expect(client.isConnected()).toBe(true)
    } finally {
      await client.disconnect()
    }
  })

  it('a refused connection rejects connect() with WebSocketRefusedError', async () => {
    const closedPort = await freePort()
    const client = new Client({
      clientId: 'browser-transport-3', reconnectOnFailure: false, sessionLock: false,
      webSocket: { createWebSocket: nodeWebSocket },
    })
    const err = await client.connect('127.0.0.1', closedPort, 30).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WebSocketRefusedError)
    expect((err as Error).message).toMatch(/ECONNREFUSED/)
    expect(client.state).toBe('disconnected')
  })

  it('a broker that drops the connection is reported as ConnectionClosedError and the client goes reconnecting', async () => {
    const own = await startAedes()
    const client = new Client({
      clientId: 'browser-transport-4', sessionLock: false, webSocket: { createWebSocket: nodeWebSocket },
    })
    client.reconnectDelaySet(30, 60)
    const lost = new Promise<Error | undefined>((resolve) => {
      client.on('status', (ev) => { if (ev.type === 'reconnecting') resolve(ev.error) })
    })
    try {
      await client.connect('127.0.0.1', own.wsPort, 30)
      await own.stop()
      const err = await lost
      expect(err).toBeInstanceOf(ConnectionClosedError)
      expect(client.state).toBe('reconnecting')
    } finally {
      await client.disconnect()
      await own.stop()
    }
  })
})

describe('one-shot helpers with the default WebSocket transport + Aedes', () => {
  it('single/multiple publish, simple/callback receive, each without a transport argument', async () => {
    const base = { hostname: '127.0.0.1', port: aedes.wsPort, webSocket: { createWebSocket: nodeWebSocket } }
    const handle = await callback(() => {}, 'helpers/live/#', { ...base, qos: 1 })
    const live: string[] = []
    const reading = (async () => {
      for await (const m of handle) {
        live.push(`${m.topic}=${m.text}`)
        if (live.length === 3) break
      }
    })()
    await single('helpers/live/1', 'one', 1, false, base)
    await multiple([['helpers/live/2', 'two', 1], { topic: 'helpers/live/3', payload: 'three', qos: 2 }], base)
    await reading
    await handle.stop()
    // (Aedes may reorder messages that were published at different QoS.)
    expect(live.sort()).toEqual(['helpers/live/1=one', 'helpers/live/2=two', 'helpers/live/3=three'])

    await single('helpers/retained', { ...base, payload: 'kept', qos: 1, retain: true })
    const m = await simple('helpers/retained', { ...base, timeoutMs: 5000 }) as MqttMessage
    expect([m.topic, m.text, m.retain]).toEqual(['helpers/retained', 'kept', true])
    await single('helpers/retained', { ...base, payload: '', retain: true })
  })
})
