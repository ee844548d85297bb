import { describe, expect, it } from 'vitest'
import { Client, MemoryStore, MQTTv5 } from '../../src/index.js'
import type { IPublishPacket } from '../../src/codec.js'
import { FakeTimers, flushMicrotasks } from '../support/fake-timers.js'
import { ScriptedBroker } from '../support/scripted-broker.js'

function setup(opts: { autoAck?: boolean; cleanSession?: boolean; store?: MemoryStore; protocol?: 4 | 5 } = {}) {
  const timers = new FakeTimers()
  const broker = new ScriptedBroker({ autoAck: opts.autoAck ?? true })
  const client = new Client({
    clientId: 'c1', transport: broker, timers, cleanSession: opts.cleanSession ?? true, random: () => 0.5,
    ...(opts.store ? { store: opts.store } : {}), ...(opts.protocol ? { protocol: opts.protocol } : {}),
  })
  return { timers, broker, client }
}

describe('connect', () => {
  it('resolves on CONNACK and reports state changes', async () => {
    const { client, broker } = setup()
    const states: string[] = []
    client.on('state', (s) => states.push(s))
    const r = await client.connect('broker', 1883, 30)
    expect(r.sessionPresent).toBe(false)
    expect(client.isConnected()).toBe(true)
    expect(states).toEqual(['connecting', 'connected'])
    const connect = broker.current.packets('connect')[0] as { clientId: string; keepalive: number; clean: boolean }
    expect(connect.clientId).toBe('c1')
    expect(connect.keepalive).toBe(30)
    expect(connect.clean).toBe(true)
  })

  it('rejects with ConnectionRefusedError carrying the reason code', async () => {
    const timers = new FakeTimers()
    const broker = new ScriptedBroker({ connack: () => ({ cmd: 'connack', returnCode: 5, sessionPresent: false }) as never })
    const client = new Client({ clientId: 'c1', transport: broker, timers })
    const err = await client.connect('b').catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'ConnectionRefusedError' })
    expect((err as { reasonCode: { value: number } }).reasonCode.value).toBe(135)
    expect(client.state).toBe('disconnected') // not authorised: permanent, no retry
  })
})

describe('QoS flows', () => {
  it('QoS 1: PUBLISH then PUBACK resolves waitForPublish', async () => {
    const { client, broker } = setup()
    await client.connect('b')
    const info = client.publish('t/1', 'hello', 1)
    await info.waitForPublish()
    expect(info.isPublished()).toBe(true)
    const p = broker.current.packets('publish')[0] as IPublishPacket
    expect(p.qos).toBe(1)
    expect(p.dup).toBe(false)
    expect(Buffer.from(p.payload as Uint8Array).toString()).toBe('hello')
    expect(p.messageId).toBe(info.mid)
  })

  it('QoS 2: PUBLISH, PUBREC, PUBREL, PUBCOMP', async () => {
    const { client, broker } = setup()
    await client.connect('b')
    const info = client.publish('t/2', new Uint8Array([1, 2, 3]), 2)
    await info.waitForPublish()
    expect(broker.current.received.map((p) => p.cmd)).toEqual(['connect', 'publish', 'pubrel'])
  })

  it('resends in-flight QoS1 with DUP=1 and resumes QoS2 with PUBREL after reconnect with session', async () => {
    const timers = new FakeTimers()
    const broker: ScriptedBroker = new ScriptedBroker({
      autoAck: false,
      connack: (_p, _c) => ({ cmd: 'connack', returnCode: 0, sessionPresent: broker.connections.length > 1 }) as never,
    })
    const client = new Client({ clientId: 'c1', transport: broker, timers, cleanSession: false, random: () => 0.5 })
    client.reconnectDelaySet(1, 8)
    await client.connect('b')
    const a = client.publish('t', 'a', 1)
    const b = client.publish('t', 'b', 2)
    await flushMicrotasks()
    const first = broker.current
    const pubB = first.packets('publish')[1] as IPublishPacket
    first.reply({ cmd: 'pubrec', messageId: pubB.messageId } as never)
    await flushMicrotasks()
    expect(first.packets('pubrel')).toHaveLength(1)
    first.drop()
    await flushMicrotasks()
    expect(client.state).toBe('reconnecting')
    await timers.advance(1000)
    await flushMicrotasks()
    const second = broker.current
    expect(second).not.toBe(first)
    const resent = second.packets('publish') as IPublishPacket[]
    expect(resent).toHaveLength(1)
    expect(resent[0]!.dup).toBe(true)
    expect(resent[0]!.messageId).toBe(a.mid)
    expect(second.packets('pubrel').map((p) => (p as { messageId: number }).messageId)).toEqual([b.mid])
    second.reply({ cmd: 'puback', messageId: a.mid } as never)
    second.reply({ cmd: 'pubcomp', messageId: b.mid } as never)
    await a.waitForPublish()
    await b.waitForPublish()
  })

  it('in-flight window: 10 in flight + 2 queued → after reconnect 10 resent, then one new per ack', async () => {
    const timers = new FakeTimers()
    const broker: ScriptedBroker = new ScriptedBroker({
      autoAck: false,
      connack: () => ({ cmd: 'connack', returnCode: 0, sessionPresent: broker.connections.length > 1 }) as never,
    })
    const client = new Client({ clientId: 'c1', transport: broker, timers, cleanSession: false, random: () => 0.5 })
    client.maxInflightMessagesSet(10)
    await client.connect('b')
    const infos = Array.from({ length: 12 }, (_, i) => client.publish('t', `m${i}`, 1))
    await flushMicrotasks()
    expect(broker.current.packets('publish')).toHaveLength(10)
    expect(client.inflightCount).toBe(10)
    expect(client.queuedCount).toBe(2)
    broker.current.drop()
    await timers.advance(1000)
    const c2 = broker.current
    const resent = c2.packets('publish') as IPublishPacket[]
    expect(resent).toHaveLength(10)
    expect(resent.every((p) => p.dup)).toBe(true)
    expect(resent.map((p) => Buffer.from(p.payload as Uint8Array).toString())).toEqual(infos.slice(0, 10).map((_, i) => `m${i}`))
    c2.reply({ cmd: 'puback', messageId: infos[0]!.mid } as never)
    await flushMicrotasks()
    const after = c2.packets('publish') as IPublishPacket[]
    expect(after).toHaveLength(11)
    expect(after[10]!.dup).toBe(false)
    expect(Buffer.from(after[10]!.payload as Uint8Array).toString()).toBe('m10')
  })

  it('incoming QoS 2 is delivered once even when PUBLISH repeats before PUBREL', async () => {
    const { client, broker } = setup()
    const got: string[] = []
    client.onMessage = (_c, _u, m) => got.push(m.text)
    await client.connect('b')
    const pub = { cmd: 'publish', topic: 'x', payload: Buffer.from('once'), qos: 2, messageId: 7, dup: false, retain: false }
    broker.current.reply(pub as never)
    broker.current.reply({ ...pub, dup: true } as never)
    await flushMicrotasks()
    expect(got).toEqual(['once'])
    expect(broker.current.packets('pubrec')).toHaveLength(2)
    broker.current.reply({ cmd: 'pubrel', messageId: 7 } as never)
    await flushMicrotasks()
    expect(broker.current.packets('pubcomp')).toHaveLength(1)
  })
})

describe('QoS 2 packet id reuse', () => {
  it('an id awaiting PUBREL reused with DUP=0 is a new message (a broker that lost the id), with DUP=1 a repeat', async () => {
    const { client, broker } = setup()
    const got: string[] = []
    client.onMessage = (_c, _u, m) => got.push(m.text)
    await client.connect('b')
    const pub = (text: string, dup: boolean) => broker.current.reply({ cmd: 'publish', topic: 'x', payload: Buffer.from(text), qos: 2, messageId: 9, dup, retain: false } as never)
    pub('first', false)
    pub('first', true) // redelivery: not delivered again
    pub('second', false) // the broker reused id 9 without releasing it: a new message
    await flushMicrotasks()
    expect(got).toEqual(['first', 'second'])
    expect(broker.current.packets('pubrec')).toHaveLength(3)
  })
})

describe('persistence', () => {
  it('a new client on the same store resumes in-flight messages', async () => {
    const store = new MemoryStore()
    const timers = new FakeTimers()
    const broker = new ScriptedBroker({ autoAck: false, connack: () => ({ cmd: 'connack', returnCode: 0, sessionPresent: true }) as never })
    const c1 = new Client({ clientId: 'p', transport: broker, timers, cleanSession: false, store })
    await c1.connect('b')
    c1.publish('t', 'one', 1)
    c1.publish('t', 'two', 2)
    await flushMicrotasks()
    await c1.flush()
    broker.current.drop()
    await flushMicrotasks()
    await c1.disconnect()
    const c2 = new Client({ clientId: 'p', transport: broker, timers, cleanSession: false, store })
    await c2.restoreSession('b')
    expect(c2.pendingMessages().map((m) => m.topic)).toEqual(['t', 't'])
    await c2.connect('b')
    const resent = broker.current.packets('publish') as IPublishPacket[]
    expect(resent.map((p) => [Buffer.from(p.payload as Uint8Array).toString(), p.dup])).toEqual([['one', true], ['two', true]])
  })
})

describe('MQTT 5', () => {
  it('sends properties and surfaces reason codes', async () => {
    const timers = new FakeTimers()
    const broker = new ScriptedBroker({ autoAck: false, protocolVersion: 5, connack: () => ({ cmd: 'connack', reasonCode: 0, sessionPresent: false, properties: { receiveMaximum: 2 } }) as never })
    const client = new Client({ clientId: 'v5', transport: broker, timers, protocol: MQTTv5 })
    await client.connect('b')
    const infos = [1, 2, 3].map((i) => client.publish('t', `p${i}`, 1, false, { userProperties: { a: 'b' }, contentType: 'text/plain' }))
    await flushMicrotasks()
    const pubs = broker.current.packets('publish') as IPublishPacket[]
    expect(pubs).toHaveLength(2) // receive maximum 2
    expect(pubs[0]!.properties?.userProperties).toEqual({ a: 'b' })
    broker.current.reply({ cmd: 'puback', messageId: infos[0]!.mid, reasonCode: 0x87, properties: { reasonString: 'nope' } } as never, 5)
    const err = await infos[0]!.waitForPublish().catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'PublishFailedError' })
    await flushMicrotasks()
    expect(broker.current.packets('publish')).toHaveLength(3)
  })
})

describe('session restore ordering', () => {
  it('messages published while the stored session loads go after the restored ones, renumbered', async () => {
    const store = new MemoryStore()
    const timers = new FakeTimers()
    const broker = new ScriptedBroker({ autoAck: false, connack: () => ({ cmd: 'connack', returnCode: 0, sessionPresent: true }) as never })
    const c1 = new Client({ clientId: 'r', transport: broker, timers, cleanSession: false, store })
    c1.publish('t', 'old-1', 1)
    c1.publish('t', 'old-2', 1)
    await c1.restoreSession('b')
    await c1.flush()
    const c2 = new Client({ clientId: 'r', transport: broker, timers, cleanSession: false, store })
    const connecting = c2.connect('b')
    const early = c2.publish('t', 'new-1', 1) // before the snapshot is loaded
    await connecting
    await flushMicrotasks()
    const sent = (broker.current.packets('publish') as IPublishPacket[]).map((p) => Buffer.from(p.payload as Uint8Array).toString())
    expect(sent).toEqual(['old-1', 'old-2', 'new-1'])
    const seqs = c2.pendingMessages().map((m) => m.seq)
    expect(new Set(seqs).size).toBe(3)
    expect(early.seq).toBe(Math.max(...seqs))
  })
})
