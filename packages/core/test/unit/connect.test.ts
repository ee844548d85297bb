import { describe, expect, it } from 'vitest'
import {
  Client, InvalidArgumentError, InvalidStateError, MQTT_CLEAN_START_FIRST_ONLY, MQTTv31, MQTTv5, NotConnectedError,
} from '../../src/index.js'
import type { Packet } from 'mqtt-packet'
import { ScriptedBroker } from '../support/scripted-broker.js'
import { connackWith, publishes, rig, settle, text } from '../support/rig.js'

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0))

describe('CONNECT', () => {
  it('3.1.1: exact bytes for clientId "c1", keepalive 30, clean session', async () => {
    const r = rig()
    await r.client.connect('b', 1883, 30)
    expect([...r.broker.current.raw[0]!]).toEqual([
      0x10, 0x0e, 0x00, 0x04, ...ascii('MQTT'), 0x04, 0x02, 0x00, 0x1e, 0x00, 0x02, ...ascii('c1'),
    ])
  })

  it('3.1: protocol name MQIsdp, level 3', async () => {
    const r = rig({ protocol: MQTTv31 })
    await r.client.connect('b', 1883, 30)
    expect([...r.broker.current.raw[0]!]).toEqual([
      0x10, 0x10, 0x00, 0x06, ...ascii('MQIsdp'), 0x03, 0x02, 0x00, 0x1e, 0x00, 0x02, ...ascii('c1'),
    ])
  })

  it('3.1.1: username, password and will (topic, payload, QoS 1, retain) in the flags and payload', async () => {
    const r = rig({ cleanSession: false })
    r.client.usernamePwSet('u', 'p')
    r.client.willSet('w', 'x', 1, true)
    await r.client.connect('b', 1883, 10)
    // flags: user 0x80 | password 0x40 | will retain 0x20 | will QoS 1 0x08 | will 0x04 ; clean 0 → 0xEC
    expect([...r.broker.current.raw[0]!]).toEqual([
      0x10, 0x1a, 0x00, 0x04, ...ascii('MQTT'), 0x04, 0xec, 0x00, 0x0a,
      0x00, 0x02, ...ascii('c1'), 0x00, 0x01, ...ascii('w'), 0x00, 0x01, ...ascii('x'), 0x00, 0x01, ...ascii('u'), 0x00, 0x01, ...ascii('p'),
    ])
  })

  it('willClear removes the will; reinitialise resets identity, credentials and will', async () => {
    const r = rig()
    r.client.usernamePwSet('u', 'p')
    r.client.willSet('w', 'x')
    r.client.willClear()
    await r.client.connect('b')
    expect((r.broker.current.packets('connect')[0] as { will?: unknown }).will).toBeUndefined()
    await r.client.disconnect()
    r.client.reinitialise('other', true, 'ud')
    expect(r.client.clientId).toBe('other')
    expect(r.client.userdata).toBe('ud')
    await r.client.connect('b')
    const c = r.broker.current.packets('connect')[0] as { clientId: string; username?: string; password?: unknown }
    expect([c.clientId, c.username, c.password]).toEqual(['other', undefined, undefined])
  })

  it('an empty clientId on 3.x gets a random one; with cleanSession false it is refused', () => {
    const t = new ScriptedBroker()
    const a = new Client({ transport: t })
    const b = new Client({ transport: t })
    expect(a.clientId).toMatch(/^webmqtt-[a-z0-9]{16}$/)
    expect(a.clientId).not.toBe(b.clientId)
    expect(() => new Client({ transport: t, cleanSession: false })).toThrow(InvalidArgumentError)
    expect(() => new Client({ transport: t, clientId: '', cleanSession: false })).toThrow(InvalidArgumentError)
    expect(() => new Client({ transport: t, protocol: 6 as never })).toThrow(InvalidArgumentError)
    expect(() => new Client({} as never)).toThrow(InvalidArgumentError)
  })

  it('MQTT 5 with MQTT_CLEAN_START_FIRST_ONLY: Clean Start on the first connection only', async () => {
    const r = rig({ protocol: MQTTv5, cleanStart: MQTT_CLEAN_START_FIRST_ONLY, connack: connackWith({ sessionPresent: false }) })
    await r.client.connect('b')
    r.broker.current.drop()
    await settle()
    await r.timers.advance(1_000)
    expect(r.broker.connections.map((c) => (c.packets('connect')[0] as { clean: boolean }).clean)).toEqual([true, false])
  })

  it('3.1.1 cleanSession false is sent on every connection', async () => {
    const r = rig({ cleanSession: false })
    await r.client.connect('b')
    r.broker.current.drop()
    await settle()
    await r.timers.advance(1_000)
    expect(r.broker.connections.map((c) => (c.packets('connect')[0] as { clean: boolean }).clean)).toEqual([false, false])
  })
})

describe('connection lifecycle', () => {
  it('connect() while connected rejects with InvalidStateError and opens nothing', async () => {
    const r = rig()
    await r.client.connect('b')
    await expect(r.client.connect('b')).rejects.toBeInstanceOf(InvalidStateError)
    expect(r.broker.connections).toHaveLength(1)
  })

  it('reconnect() closes the current connection and connects again at once, resending what is in flight', async () => {
    const r = rig({ autoAck: false, cleanSession: false, connack: connackWith({ sessionPresent: true }) })
    await r.client.connect('b')
    const first = r.broker.current
    const info = r.client.publish('t', 'x', 1)
    await settle()
    const res = await r.client.reconnect()
    expect(res.sessionPresent).toBe(true)
    expect(first.closed).toBe(true)
    expect(r.broker.connections).toHaveLength(2)
    expect(publishes(r.broker.current).map((p) => [text(p), p.dup, p.messageId])).toEqual([['x', true, info.mid]])
    expect(first.packets('disconnect')).toEqual([]) // an abrupt reconnect, not a graceful disconnect
  })

  it('reconnect() before connect() rejects', async () => {
    const r = rig()
    await expect(r.client.reconnect()).rejects.toBeInstanceOf(InvalidStateError)
  })

  it('disconnect() sends DISCONNECT, closes, and keeps outstanding messages for the next connect()', async () => {
    const r = rig({ autoAck: false, cleanSession: false, connack: connackWith({ sessionPresent: true }) })
    await r.client.connect('b')
    const info = r.client.publish('t', 'x', 1)
    await settle()
    await r.client.disconnect()
    const c1 = r.broker.connections[0]!
    expect(c1.received.map((p) => p.cmd)).toEqual(['connect', 'publish', 'disconnect'])
    expect([...c1.raw.at(-1)!]).toEqual([0xe0, 0x00])
    expect(c1.closed).toBe(true)
    expect(r.client.pendingMessages()).toEqual([info])
    await r.client.connect('b')
    expect(publishes(r.broker.current).map((p) => [text(p), p.dup])).toEqual([['x', true]])
  })

  it('subscribe() while disconnected fails with NotConnectedError; while reconnecting it is sent after CONNACK', async () => {
    const r = rig()
    const early = r.client.subscribe('a', 1)
    expect(early.rc).toBe(4)
    await expect(early.granted).rejects.toBeInstanceOf(NotConnectedError)
    await r.client.connect('b')
    r.broker.current.drop()
    await settle()
    expect(r.client.state).toBe('reconnecting')
    const during = r.client.subscribe('b', 1)
    expect(during.rc).toBe(0)
    await r.timers.advance(1_000)
    expect((await during).map((c) => c.value)).toEqual([1])
    expect(r.broker.current.packets('subscribe').map((p) => (p as { subscriptions: Array<{ topic: string }> }).subscriptions[0]!.topic)).toEqual(['b'])
  })

  it('waitForPublish(timeoutMs) rejects with TimeoutError on the injected Timers; the message is still sent later', async () => {
    const r = rig()
    const info = r.client.publish('t', 'x', 1)
    let outcome: unknown = 'pending'
    info.waitForPublish(5_000).then(() => { outcome = 'ok' }, (e: unknown) => { outcome = e })
    await r.timers.advance(4_999)
    expect(outcome).toBe('pending')
    await r.timers.advance(1)
    expect((outcome as Error).name).toBe('TimeoutError')
    await r.client.connect('b')
    await info.waitForPublish()
    expect(publishes(r.broker.current).map(text)).toEqual(['x'])
  })

  it('Symbol.asyncDispose disconnects', async () => {
    const r = rig()
    await r.client.connect('b')
    await (r.client as unknown as Record<symbol, () => Promise<void>>)[Symbol.asyncDispose]!()
    expect(r.client.state).toBe('disconnected')
    expect(r.broker.current.packets('disconnect')).toHaveLength(1)
  })

  it('the transport gets host, port, protocol version and an abort signal; endpointKey feeds the session key', async () => {
    const broker = new ScriptedBroker()
    ;(broker as unknown as { endpointKey: (h: string, p?: number) => string }).endpointKey = (h, p) => `ws://${h}:${p}/mqtt`
    const r = rig()
    const c = new Client({ clientId: 'k', transport: broker, timers: r.timers })
    await c.connect('host', 8080)
    const t = broker.current.target
    expect([t.host, t.port, t.protocolVersion, t.attempt, t.signal.aborted]).toEqual(['host', 8080, 4, 1, false])
    expect(c.sessionKey()).toBe('ws://host:8080/mqtt|k')
    const p = broker.current.packets('connect')[0] as Packet & { clientId: string }
    expect(p.clientId).toBe('k')
  })
})
