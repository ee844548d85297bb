import { describe, expect, it } from 'vitest'
import { ConnectionRefusedError, MQTTv5, callback, multiple, simple, single } from '../../src/index.js'
import type { MqttMessage } from '../../src/index.js'
import type { IPublishPacket } from '../../src/codec.js'
import { FakeTimers } from '../support/fake-timers.js'
import { ScriptedBroker } from '../support/scripted-broker.js'
import { guardEscapes, settle, text } from '../support/rig.js'

function setup(protocolVersion?: number) {
  const timers = new FakeTimers()
  const broker = new ScriptedBroker({ autoAck: true, ...(protocolVersion ? { protocolVersion } : {}) })
  return { timers, broker, base: { transport: broker, hostname: 'h', port: 1883, clientOptions: { timers } } }
}

/** Publish `msgs` to the connection once its SUBSCRIBE was acknowledged. */
async function feedAfterSubscribe(broker: ScriptedBroker, msgs: Array<{ topic: string; payload: string; qos?: number; retain?: boolean }>) {
  for (let i = 0; i < 50 && broker.connections.length === 0; i++) await settle()
  const conn = broker.current
  await conn.waitFor((p) => p.cmd === 'subscribe')
  await settle()
  msgs.forEach((m, i) => conn.reply({ cmd: 'publish', topic: m.topic, payload: Buffer.from(m.payload), qos: m.qos ?? 0, retain: m.retain ?? false, dup: false, ...(m.qos ? { messageId: 100 + i } : {}) } as never))
  return conn
}

describe('one-shot helpers', () => {
  guardEscapes()

  it('single(): CONNECT, PUBLISH, DISCONNECT — and the connection is closed', async () => {
    const { broker, base } = setup()
    await single('greeting', 'hello', 1, true, { ...base, clientId: 'one', keepalive: 15 })
    const conn = broker.current
    expect(conn.received.map((p) => p.cmd)).toEqual(['connect', 'publish', 'disconnect'])
    const c = conn.received[0] as { clientId: string; keepalive: number }
    expect([c.clientId, c.keepalive]).toEqual(['one', 15])
    const p = conn.received[1] as IPublishPacket
    expect([p.topic, text(p), p.qos, p.retain]).toEqual(['greeting', 'hello', 1, true])
    expect([...conn.raw.at(-1)!]).toEqual([0xe0, 0x00])
    expect(conn.closed).toBe(true)
    expect(conn.target.host).toBe('h')
    expect(conn.target.port).toBe(1883)
  })

  it('single() with the options-object form and QoS 2 waits for PUBCOMP before DISCONNECT', async () => {
    const { broker, base } = setup()
    await single('t', { ...base, payload: 'x', qos: 2 })
    expect(broker.current.received.map((p) => p.cmd)).toEqual(['connect', 'publish', 'pubrel', 'disconnect'])
  })

  it('multiple(): every message published in order (objects and tuples), then DISCONNECT', async () => {
    const { broker, base } = setup()
    await multiple([
      { topic: 'a', payload: '1', qos: 1 },
      ['b', '2', 0, false],
      ['c', '3', 2, true],
      { topic: 'd', payload: new Uint8Array([4]), qos: 0 },
    ], base)
    const conn = broker.current
    expect(conn.received.map((p) => p.cmd)).toEqual(['connect', 'publish', 'publish', 'publish', 'publish', 'pubrel', 'disconnect'])
    expect((conn.packets('publish') as IPublishPacket[]).map((p) => [p.topic, p.qos, p.retain])).toEqual([
      ['a', 1, false], ['b', 0, false], ['c', 2, true], ['d', 0, false],
    ])
  })

  it('multiple() with MQTT 5 properties, will and auth', async () => {
    const { broker, base } = setup(5)
    await multiple([{ topic: 'p', payload: 'x', qos: 1, properties: { contentType: 'text/plain' } }], {
      ...base, protocol: MQTTv5, auth: { username: 'u', password: 'pw' }, will: { topic: 'w', payload: 'bye', qos: 1 },
    })
    const c = broker.current.received[0] as { username: string; password: Uint8Array; will: { topic: string } }
    expect(c.username).toBe('u')
    expect(Buffer.from(c.password).toString()).toBe('pw')
    expect(c.will.topic).toBe('w')
    expect((broker.current.packets('publish')[0] as IPublishPacket).properties?.contentType).toBe('text/plain')
    expect((broker.current.packets('disconnect')[0] as { reasonCode: number }).reasonCode).toBe(0)
  })

  it('a refused connection rejects the helper and is not retried', async () => {
    const { broker, base, timers } = setup()
    broker.opts.connack = () => ({ cmd: 'connack', returnCode: 3, sessionPresent: false }) as never
    await expect(single('t', 'x', 0, false, base)).rejects.toBeInstanceOf(ConnectionRefusedError)
    await timers.advance(600_000)
    expect(broker.connections).toHaveLength(1)
  })

  it('simple(): subscribes, resolves with msgCount messages, then DISCONNECT', async () => {
    const { broker, base } = setup()
    const p = simple(['s/#', 'other'], { ...base, qos: 1, msgCount: 2 })
    const conn = await feedAfterSubscribe(broker, [{ topic: 's/1', payload: 'a', qos: 1 }, { topic: 's/2', payload: 'b' }, { topic: 's/3', payload: 'c' }])
    const got = await p as MqttMessage[]
    expect(got.map((m) => [m.topic, m.text])).toEqual([['s/1', 'a'], ['s/2', 'b']])
    const sub = conn.packets('subscribe')[0] as { subscriptions: unknown[] }
    expect(sub.subscriptions).toEqual([{ topic: 's/#', qos: 1 }, { topic: 'other', qos: 1 }])
    expect(conn.received.at(-1)!.cmd).toBe('disconnect')
    expect(conn.closed).toBe(true)
  })

  it('simple() with msgCount 1 resolves with one message; retained: false skips retained ones', async () => {
    const { broker, base } = setup()
    const p = simple('r', { ...base, retained: false })
    await feedAfterSubscribe(broker, [{ topic: 'r', payload: 'old', retain: true }, { topic: 'r', payload: 'new' }])
    const m = await p as MqttMessage
    expect(m.text).toBe('new')
  })

  it('simple() timeoutMs is measured on the injected Timers', async () => {
    const { broker, base, timers } = setup()
    let outcome: unknown = 'pending'
    const p = simple('never', { ...base, timeoutMs: 50 }).then((v) => v, (e: unknown) => e)
    void p.then((v) => { outcome = v })
    await feedAfterSubscribe(broker, [])
    await timers.advance(49)
    expect(outcome).toBe('pending')
    await timers.advance(1)
    await settle()
    expect(outcome).toBeInstanceOf(Error)
    expect(broker.current.received.at(-1)!.cmd).toBe('disconnect')
    await p
  })

  it('callback(): calls back per message, is iterable, and stop() disconnects', async () => {
    const { broker, base } = setup()
    const seen: string[] = []
    const handleP = callback((_c, _u, m) => seen.push(m.text), 'cb/+', { ...base, qos: 2 })
    const conn = await feedAfterSubscribe(broker, [])
    const handle = await handleP
    conn.reply({ cmd: 'publish', topic: 'cb/1', payload: Buffer.from('x'), qos: 0, retain: false, dup: false } as never)
    conn.reply({ cmd: 'publish', topic: 'cb/2', payload: Buffer.from('y'), qos: 2, messageId: 9, retain: false, dup: false } as never)
    await settle()
    expect(seen).toEqual(['x', 'y'])
    const iter: string[] = []
    for await (const m of handle) {
      iter.push(m.text)
      if (iter.length === 2) break
    }
    expect(iter).toEqual(['x', 'y'])
    expect(handle.client.isConnected()).toBe(true)
    await handle.stop()
    expect(conn.received.at(-1)!.cmd).toBe('disconnect')
    expect(handle.client.state).toBe('disconnected')
  })
})
