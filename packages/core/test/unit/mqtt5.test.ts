import { describe, expect, it } from 'vitest'
import {
  InvalidArgumentError, InvalidQosError, MQTTv5, PacketTooLargeError, ProtocolError, PublishFailedError, ReasonCode,
  ServerDisconnectError,
} from '../../src/index.js'
import type { MqttMessage } from '../../src/index.js'
import type { Packet } from 'mqtt-packet'
import { bytesOf, connackWith, errorEvents, publishes, rig, settle, text } from '../support/rig.js'
import type { Rig, RigOptions } from '../support/rig.js'

async function v5(connackProps: Record<string, unknown> = {}, opts: RigOptions = {}): Promise<Rig & { got: MqttMessage[] }> {
  const r = rig({ protocol: MQTTv5, autoAck: false, connack: connackWith({ properties: connackProps }), ...opts })
  const got: MqttMessage[] = []
  r.client.onMessage = (_c, _u, m) => got.push(m)
  await r.client.connect('b')
  return Object.assign(r, { got })
}

const reply = (r: Rig, p: Record<string, unknown>) => r.broker.current.reply(p as unknown as Packet, 5)
const mids = (ps: Packet[]) => ps.map((p) => (p as { messageId: number }).messageId)

describe('MQTT 5: Receive Maximum', () => {
  it('the broker’s Receive Maximum caps QoS 1/2 in flight; a slot frees on PUBACK or PUBCOMP, not on PUBREC', async () => {
    const r = await v5({ receiveMaximum: 3 })
    const infos = [
      r.client.publish('t', 'q1', 1), r.client.publish('t', 'q2', 2), r.client.publish('t', 'q3', 1),
      r.client.publish('t', 'q4', 2), r.client.publish('t', 'q5', 1),
    ]
    await settle()
    expect(publishes(r.broker.current).map(text)).toEqual(['q1', 'q2', 'q3'])
    expect([r.client.inflightCount, r.client.queuedCount]).toEqual([3, 2])
    reply(r, { cmd: 'pubrec', messageId: infos[1]!.mid })
    await settle()
    expect(mids(r.broker.current.packets('pubrel'))).toEqual([infos[1]!.mid])
    expect(publishes(r.broker.current)).toHaveLength(3) // PUBREC does not free the slot
    reply(r, { cmd: 'pubcomp', messageId: infos[1]!.mid })
    await settle()
    expect(publishes(r.broker.current).map(text)).toEqual(['q1', 'q2', 'q3', 'q4'])
    reply(r, { cmd: 'puback', messageId: infos[0]!.mid })
    await settle()
    expect(publishes(r.broker.current).map(text)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5'])
    expect(r.client.inflightCount).toBe(3)
  })

  it('after a reconnect with a lower Receive Maximum, no more than that many are resent at once (in order, DUP)', async () => {
    const r = rig({ protocol: MQTTv5, autoAck: false, cleanStart: false, sessionExpiryInterval: 60 })
    r.broker.opts.connack = () => ({
      cmd: 'connack', reasonCode: 0, sessionPresent: r.broker.connections.length > 1,
      properties: { receiveMaximum: r.broker.connections.length > 1 ? 4 : 20 },
    }) as unknown as Packet
    r.client.maxInflightMessagesSet(10)
    await r.client.connect('b')
    const infos = Array.from({ length: 10 }, (_, i) => r.client.publish('t', `m${i}`, 1))
    await settle()
    expect(publishes(r.broker.current)).toHaveLength(10)
    r.broker.current.drop()
    await settle()
    await r.timers.advance(1_000)
    await settle()
    const conn = r.broker.current
    expect(publishes(conn).map((p) => [text(p), p.dup])).toEqual([['m0', true], ['m1', true], ['m2', true], ['m3', true]])
    reply(r, { cmd: 'puback', messageId: infos[0]!.mid })
    await settle()
    expect(publishes(conn).map(text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'])
    for (const i of infos.slice(1)) {
      reply(r, { cmd: 'puback', messageId: i.mid })
      await settle()
    }
    await Promise.all(infos.map((i) => i.waitForPublish()))
    expect(publishes(conn).map(text)).toEqual(infos.map((_, i) => `m${i}`))
  })

  it('our maxInflightMessagesSet wins when it is lower than the broker’s Receive Maximum', async () => {
    const r = rig({ protocol: MQTTv5, autoAck: false, connack: connackWith({ properties: { receiveMaximum: 10 } }) })
    r.client.maxInflightMessagesSet(2)
    await r.client.connect('b')
    for (let i = 0; i < 5; i++) r.client.publish('t', `m${i}`, 1)
    await settle()
    expect(publishes(r.broker.current)).toHaveLength(2)
  })

  it('QoS 0 does not count against Receive Maximum but keeps its place behind a blocked QoS 1', async () => {
    const r = await v5({ receiveMaximum: 1 })
    const a = r.client.publish('t', 'a', 1)
    r.client.publish('t', 'zero-1', 0)
    await settle()
    expect(publishes(r.broker.current).map(text)).toEqual(['a', 'zero-1'])
    r.client.publish('t', 'b', 1)
    r.client.publish('t', 'zero-2', 0)
    await settle()
    expect(publishes(r.broker.current).map(text)).toEqual(['a', 'zero-1'])
    reply(r, { cmd: 'puback', messageId: a.mid })
    await settle()
    expect(publishes(r.broker.current).map(text)).toEqual(['a', 'zero-1', 'b', 'zero-2'])
  })

  it('our Receive Maximum: a QoS 2 PUBLISH beyond it → Receive Maximum exceeded (0x93)', async () => {
    const r = rig({ protocol: MQTTv5, autoAck: false })
    await r.client.connect('b', 1883, 60, { properties: { receiveMaximum: 2 } })
    const conn = r.broker.current
    expect((conn.packets('connect')[0] as { properties: { receiveMaximum: number } }).properties.receiveMaximum).toBe(2)
    for (const id of [1, 2]) reply(r, { cmd: 'publish', topic: 't', payload: Buffer.from('x'), qos: 2, messageId: id })
    await settle()
    expect(mids(conn.packets('pubrec'))).toEqual([1, 2])
    reply(r, { cmd: 'publish', topic: 't', payload: Buffer.from('x'), qos: 2, messageId: 3 })
    await settle()
    expect(conn.closed).toBe(true)
    expect((errorEvents(r)[0] as ProtocolError).reasonCode?.value).toBe(0x93)
    expect((conn.packets('disconnect')[0] as { reasonCode: number }).reasonCode).toBe(0x93)
  })

  it('our Receive Maximum is counted per network connection (4.9): ids still awaiting PUBREL from before a reconnect do not use it up', async () => {
    const r = rig({ protocol: MQTTv5, autoAck: false, cleanStart: false, connack: connackWith({ sessionPresent: true }) })
    await r.client.connect('b', 1883, 60, { properties: { receiveMaximum: 2, sessionExpiryInterval: 60 } })
    for (const id of [1, 2]) reply(r, { cmd: 'publish', topic: 't', payload: Buffer.from('x'), qos: 2, messageId: id })
    await settle()
    expect(mids(r.broker.current.packets('pubrec'))).toEqual([1, 2])
    r.broker.current.drop()
    await settle()
    await r.client.reconnect()
    const conn = r.broker.current
    // The broker may hold 1 and 2 too (it re-sends their PUBREL), or have forgotten one: either way 3 and 4 fit.
    for (const id of [3, 4]) reply(r, { cmd: 'publish', topic: 't', payload: Buffer.from('x'), qos: 2, messageId: id })
    await settle()
    expect(conn.closed).toBe(false)
    expect(mids(conn.packets('pubrec'))).toEqual([3, 4])
    expect(errorEvents(r)).toEqual([])
    // A PUBREL for an old id is answered as before, and the quota of this connection is still enforced.
    reply(r, { cmd: 'pubrel', messageId: 1 })
    reply(r, { cmd: 'publish', topic: 't', payload: Buffer.from('x'), qos: 2, messageId: 5 })
    await settle()
    expect(mids(conn.packets('pubcomp'))).toEqual([1])
    expect(conn.closed).toBe(true)
    expect((errorEvents(r)[0] as ProtocolError).reasonCode?.value).toBe(0x93)
  })
})

describe('MQTT 5: Maximum Packet Size', () => {
  it('a PUBLISH larger than the broker’s Maximum Packet Size is refused: PacketTooLargeError, nothing sent, no slot held', async () => {
    const r = await v5({ maximumPacketSize: 100 })
    const big = r.client.publish('t', 'x'.repeat(200), 1)
    const bigQos0 = r.client.publish('t', 'y'.repeat(200), 0)
    const small = r.client.publish('t', 'ok', 1)
    const e1 = await big.waitForPublish().catch((e: unknown) => e)
    const e0 = await bigQos0.waitForPublish().catch((e: unknown) => e)
    expect(e1).toBeInstanceOf(PacketTooLargeError)
    expect(e0).toBeInstanceOf(PacketTooLargeError)
    expect((e1 as PacketTooLargeError).message).toMatch(/100/)
    expect(big.state).toBe('failed')
    await settle()
    expect(publishes(r.broker.current).map(text)).toEqual(['ok'])
    expect(small.mid).not.toBe(0)
    expect(r.client.inflightCount).toBe(1) // the refused message holds no slot
    expect(r.client.isConnected()).toBe(true)
  })

  it('exactly the Maximum Packet Size is sent', async () => {
    const r = await v5({ maximumPacketSize: 20 })
    // 2 (fixed header) + 3 ('t' with length) + 2 (packet id) + 1 (property length) + 12 payload = 20
    const info = r.client.publish('t', 'x'.repeat(12), 1)
    await settle()
    expect(info.state).toBe('inflight')
    expect(r.broker.current.raw.at(-1)!.length).toBe(20)
    const over = r.client.publish('t', 'x'.repeat(13), 1)
    await expect(over.waitForPublish()).rejects.toBeInstanceOf(PacketTooLargeError)
  })
})

describe('MQTT 5: CONNACK properties', () => {
  it('an assigned client identifier is adopted and used on reconnect', async () => {
    const r = rig({ protocol: MQTTv5, clientId: '', connack: connackWith({ properties: { assignedClientIdentifier: 'auto-7' } }) })
    expect(r.client.clientId).toBe('')
    await r.client.connect('b')
    expect((r.broker.current.packets('connect')[0] as { clientId: string }).clientId).toBe('')
    expect(r.client.clientId).toBe('auto-7')
    r.broker.opts.connack = connackWith({ sessionPresent: true })
    r.broker.current.drop()
    await settle()
    await r.timers.advance(1_000)
    expect((r.broker.current.packets('connect')[0] as { clientId: string }).clientId).toBe('auto-7')
  })

  it('Maximum QoS 1: a QoS 2 publish throws InvalidQosError; Retain Available false: a retained publish throws', async () => {
    const r = await v5({ maximumQoS: 1, retainAvailable: false })
    const before = r.broker.current.raw.length
    expect(() => r.client.publish('t', 'x', 2)).toThrow(InvalidQosError)
    expect(() => r.client.publish('t', 'x', 0, true)).toThrow(InvalidArgumentError)
    await settle()
    expect(r.broker.current.raw.length).toBe(before)
  })

  it('onConnect gets the CONNACK properties and a ReasonCode', async () => {
    const r = rig({ protocol: MQTTv5, connack: connackWith({ properties: { serverKeepAlive: 30, reasonString: 'hi', userProperties: { region: 'eu' } } }) })
    const calls: unknown[][] = []
    r.client.onConnect = (...a) => calls.push(a)
    const res = await r.client.connect('b')
    expect(res.properties).toMatchObject({ serverKeepAlive: 30, reasonString: 'hi', userProperties: { region: 'eu' } })
    expect(calls).toHaveLength(1)
    const [client, , flags, rc, props] = calls[0]!
    expect(client).toBe(r.client)
    expect(flags).toEqual({ sessionPresent: false })
    expect(rc).toBeInstanceOf(ReasonCode)
    expect((rc as ReasonCode).is('Success')).toBe(true)
    expect(props).toMatchObject({ reasonString: 'hi' })
  })

  it('a CONNACK refusal carries its reason code and reason string', async () => {
    const r = rig({ protocol: MQTTv5, connack: connackWith({ reasonCode: 0x9c, properties: { reasonString: 'go elsewhere', serverReference: 'other:1883' } }) })
    const err = await r.client.connect('b').catch((e: unknown) => e) as { name: string; reasonCode: ReasonCode; message: string }
    expect(err.name).toBe('ConnectionRefusedError')
    expect(err.reasonCode.value).toBe(0x9c)
    expect(err.reasonCode.name).toBe('Use another server')
    expect(err.message).toContain('go elsewhere')
  })
})

describe('MQTT 5: server DISCONNECT', () => {
  it('surfaces ServerDisconnectError with the reason code and reason string, in onDisconnect and the status events', async () => {
    const r = await v5()
    reply(r, { cmd: 'disconnect', reasonCode: 0x8b, properties: { reasonString: 'maintenance', userProperties: { k: 'v' } } })
    await settle()
    expect(r.broker.connections[0]!.closed).toBe(true)
    expect(r.disconnects).toHaveLength(1)
    const [client, , flags, rc, props] = r.disconnects[0]!
    expect(client).toBe(r.client)
    expect(flags).toEqual({ fromServer: true })
    expect((rc as ReasonCode).value).toBe(0x8b)
    expect((rc as ReasonCode).name).toBe('Server shutting down')
    expect(props).toMatchObject({ reasonString: 'maintenance', userProperties: { k: 'v' } })
    const ev = r.status.find((e) => e.type === 'reconnecting') as unknown as { error: ServerDisconnectError }
    expect(ev.error).toBeInstanceOf(ServerDisconnectError)
    expect(ev.error.reasonCode?.value).toBe(0x8b)
    expect(ev.error.message).toContain('maintenance')
    expect(r.broker.connections[0]!.packets('disconnect')).toEqual([]) // the client does not answer a DISCONNECT
    expect(errorEvents(r)).toEqual([])
  })

  it('Session taken over (0x8E) is not retried', async () => {
    const r = await v5()
    reply(r, { cmd: 'disconnect', reasonCode: 0x8e })
    await settle()
    expect(r.client.state).toBe('disconnected')
    expect(r.timers.pending).toBe(0)
    await r.timers.advance(600_000)
    expect(r.broker.connections).toHaveLength(1)
  })

  it('our disconnect(reasonCode, properties) sends them', async () => {
    const r = await v5()
    await r.client.disconnect(4, { reasonString: 'bye', sessionExpiryInterval: 0 })
    const d = r.broker.connections[0]!.packets('disconnect')[0] as { reasonCode: number; properties: unknown }
    expect(d.reasonCode).toBe(4)
    expect(d.properties).toEqual({ reasonString: 'bye', sessionExpiryInterval: 0 })
    expect((r.disconnects[0]![3] as ReasonCode).value).toBe(4)
    expect(r.disconnects[0]![2]).toEqual({ fromServer: false })
  })
})

describe('MQTT 5: incoming topic aliases', () => {
  it('are resolved, may be remapped, and do not survive a reconnect', async () => {
    const r = await v5()
    const pub = (topic: string, alias: number, payload: string) =>
      r.broker.current.deliver(bytesOf({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, properties: { topicAlias: alias } }, 5))
    pub('sensors/1', 2, 'a')
    pub('', 2, 'b')
    pub('sensors/2', 2, 'c')
    pub('', 2, 'd')
    pub('other', 1, 'e')
    pub('', 1, 'f')
    await settle()
    expect(r.got.map((m) => [m.topic, m.text])).toEqual([
      ['sensors/1', 'a'], ['sensors/1', 'b'], ['sensors/2', 'c'], ['sensors/2', 'd'], ['other', 'e'], ['other', 'f'],
    ])
    r.broker.opts.connack = connackWith({ sessionPresent: true })
    r.broker.current.drop()
    await settle()
    await r.timers.advance(1_000)
    r.status.length = 0
    pub('', 2, 'stale')
    await settle()
    expect(r.got).toHaveLength(6)
    expect((errorEvents(r)[0] as ProtocolError).reasonCode?.value).toBe(0x82)
  })

  it('messageCallbackAdd and messages(filter) see the resolved topic', async () => {
    const r = await v5()
    const routed: string[] = []
    r.client.messageCallbackAdd('sensors/#', (_c, _u, m) => routed.push(`${m.topic}:${m.text}`))
    r.broker.current.deliver(bytesOf({ cmd: 'publish', topic: 'sensors/9', payload: Buffer.from('1'), qos: 0, properties: { topicAlias: 4 } }, 5))
    r.broker.current.deliver(bytesOf({ cmd: 'publish', topic: '', payload: Buffer.from('2'), qos: 0, properties: { topicAlias: 4 } }, 5))
    await settle()
    expect(routed).toEqual(['sensors/9:1', 'sensors/9:2'])
    expect(r.got).toEqual([])
  })
})

describe('MQTT 5: properties round trip', () => {
  const props = {
    payloadFormatIndicator: true,
    messageExpiryInterval: 60,
    responseTopic: 'reply/here',
    correlationData: new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
    userProperties: { a: 'b', multi: ['1', '2'] },
    contentType: 'application/json',
  }

  it('publish properties are sent exactly (user properties with repeated keys, correlation data bytes)', async () => {
    const r = await v5()
    const info = r.client.publish('t', '{}', 1, false, props)
    await settle()
    const p = publishes(r.broker.current)[0]!
    expect(p.properties).toMatchObject({
      payloadFormatIndicator: true, messageExpiryInterval: 60, responseTopic: 'reply/here',
      userProperties: { a: 'b', multi: ['1', '2'] }, contentType: 'application/json',
    })
    expect([...(p.properties!.correlationData as Uint8Array)]).toEqual([0xde, 0xad, 0xbe, 0xef])
    // the caller's object is not kept by reference
    props.correlationData[0] = 0
    r.broker.current.drop()
    r.broker.opts.connack = connackWith({ sessionPresent: true })
    await settle()
    await r.timers.advance(1_000)
    const again = publishes(r.broker.current)[0]!
    expect(again.dup).toBe(true)
    expect([...(again.properties!.correlationData as Uint8Array)]).toEqual([0xde, 0xad, 0xbe, 0xef])
    props.correlationData[0] = 0xde
    reply(r, { cmd: 'puback', messageId: info.mid, reasonCode: 0x10, properties: { reasonString: 'nobody listening', userProperties: { x: 'y' } } })
    await info.waitForPublish()
    expect(info.reasonCode?.value).toBe(0x10)
    expect(info.reasonCode?.isFailure).toBe(false)
  })

  it('incoming properties reach the message as plain Uint8Array / strings', async () => {
    const r = await v5()
    reply(r, { cmd: 'publish', topic: 'in', payload: Buffer.from('p'), qos: 1, messageId: 5, properties: { ...props, correlationData: Buffer.from(props.correlationData), subscriptionIdentifier: 7 } })
    await settle()
    const m = r.got[0]!
    expect(Object.getPrototypeOf(m.payload)).toBe(Uint8Array.prototype)
    expect(m.properties).toMatchObject({ responseTopic: 'reply/here', userProperties: { a: 'b', multi: ['1', '2'] }, contentType: 'application/json', messageExpiryInterval: 60, payloadFormatIndicator: true })
    expect(Object.getPrototypeOf(m.properties!.correlationData)).toBe(Uint8Array.prototype)
    expect([...m.properties!.correlationData!]).toEqual([0xde, 0xad, 0xbe, 0xef])
    expect(m.properties!.subscriptionIdentifier).toEqual(7)
  })

  it('request/response: answering with the received response topic and correlation data', async () => {
    const r = await v5()
    r.client.onMessage = (c, _u, m) => {
      c.publish(m.properties!.responseTopic!, 'pong', 1, false, { correlationData: m.properties!.correlationData! })
    }
    reply(r, { cmd: 'publish', topic: 'ping', payload: Buffer.from('?'), qos: 0, properties: { responseTopic: 'resp/1', correlationData: Buffer.from([1, 2, 3]) } })
    await settle()
    const p = publishes(r.broker.current)[0]!
    expect(p.topic).toBe('resp/1')
    expect([...(p.properties!.correlationData as Uint8Array)]).toEqual([1, 2, 3])
  })

  it('CONNECT carries session expiry, topic alias maximum, user properties and will properties', async () => {
    const r = rig({ protocol: MQTTv5, sessionExpiryInterval: 300 })
    r.client.willSet('will/t', 'gone', 1, true, { willDelayInterval: 5, contentType: 'text/plain', userProperties: { w: '1' } })
    await r.client.connect('b', 1883, 30, { properties: { receiveMaximum: 50, userProperties: { app: 'x' } } })
    const c = r.broker.current.packets('connect')[0] as { properties: Record<string, unknown>; will: { topic: string; qos: number; retain: boolean; properties: Record<string, unknown>; payload: Uint8Array } }
    expect(c.properties).toMatchObject({ sessionExpiryInterval: 300, topicAliasMaximum: 10, receiveMaximum: 50, userProperties: { app: 'x' } })
    expect(c.will).toMatchObject({ topic: 'will/t', qos: 1, retain: true })
    expect(c.will.properties).toMatchObject({ willDelayInterval: 5, contentType: 'text/plain', userProperties: { w: '1' } })
    expect(Buffer.from(c.will.payload).toString()).toBe('gone')
  })

  it('SUBSCRIBE / UNSUBSCRIBE properties are sent; SUBACK / UNSUBACK properties reach the callbacks', async () => {
    const r = await v5()
    const subCalls: unknown[][] = []
    const unsubCalls: unknown[][] = []
    r.client.onSubscribe = (...a) => subCalls.push(a)
    r.client.onUnsubscribe = (...a) => unsubCalls.push(a)
    const sub = r.client.subscribe('s/#', { qos: 1 }, { subscriptionIdentifier: 42, userProperties: { s: '1' } })
    await settle()
    const sp = r.broker.current.packets('subscribe')[0] as { properties: unknown }
    expect(sp.properties).toEqual({ subscriptionIdentifier: 42, userProperties: { s: '1' } })
    reply(r, { cmd: 'suback', messageId: sub.mid, granted: [1], properties: { reasonString: 'ok', userProperties: { t: '2' } } })
    await sub
    expect(subCalls[0]![4]).toMatchObject({ reasonString: 'ok', userProperties: { t: '2' } })
    const un = r.client.unsubscribe('s/#', { userProperties: { u: '3' } })
    await settle()
    expect((r.broker.current.packets('unsubscribe')[0] as { properties: unknown }).properties).toEqual({ userProperties: { u: '3' } })
    reply(r, { cmd: 'unsuback', messageId: un.mid, granted: [0x11], properties: { reasonString: 'none' } })
    const codes = await un
    expect(codes.map((c) => [c.value, c.name, c.isFailure])).toEqual([[17, 'No subscription found', false]])
    expect(unsubCalls[0]![4]).toMatchObject({ reasonString: 'none' })
  })
})

describe('MQTT 5: reason codes', () => {
  it('SUBACK failure codes resolve as ReasonCode with isFailure (not a rejection); failed filters are not recorded', async () => {
    const r = await v5()
    const sub = r.client.subscribe([['ok', 1], ['denied', 2], ['w/+', 0]])
    await settle()
    reply(r, { cmd: 'suback', messageId: sub.mid, granted: [1, 0x87, 0xa2] })
    const codes = await sub
    expect(codes.every((c) => c instanceof ReasonCode)).toBe(true)
    expect(codes.map((c) => [c.value, c.name, c.isFailure])).toEqual([
      [1, 'Granted QoS 1', false],
      [0x87, 'Not authorized', true],
      [0xa2, 'Wildcard subscriptions not supported', true],
    ])
    expect(codes[1]!.is('not authorized')).toBe(true)
    expect(codes[1]!.is(135)).toBe(true)
    expect(Number(codes[0])).toBe(1)
    expect(`${codes[1]}`).toBe('Not authorized')
    // only 'ok' is restored when the broker loses the session
    r.broker.opts.connack = connackWith({ sessionPresent: false })
    r.broker.current.drop()
    await settle()
    await r.timers.advance(1_000)
    const again = r.broker.current.packets('subscribe').flatMap((p) => (p as { subscriptions: Array<{ topic: string }> }).subscriptions.map((s) => s.topic))
    expect(again).toEqual(['ok'])
  })

  it('3.1.1 SUBACK 0x80 is a failure ReasonCode too', async () => {
    const r = rig({ autoAck: false })
    await r.client.connect('b')
    const sub = r.client.subscribe([['a', 1], ['b', 2]])
    await settle()
    r.broker.current.reply({ cmd: 'suback', messageId: sub.mid, granted: [2, 0x80] } as never)
    const codes = await sub
    expect(codes.map((c) => [c.value, c.isFailure])).toEqual([[2, false], [0x80, true]])
  })

  it('PUBREC with a failure reason ends the QoS 2 flow: no PUBREL, PublishFailedError, slot freed', async () => {
    const r = await v5({ receiveMaximum: 1 })
    const a = r.client.publish('t', 'a', 2)
    const b = r.client.publish('t', 'b', 1)
    await settle()
    reply(r, { cmd: 'pubrec', messageId: a.mid, reasonCode: 0x97, properties: { reasonString: 'quota' } })
    const err = await a.waitForPublish().catch((e: unknown) => e) as PublishFailedError
    expect(err).toBeInstanceOf(PublishFailedError)
    expect(err.reasonCode?.value).toBe(0x97)
    expect(err.message).toContain('quota')
    await settle()
    expect(r.broker.current.packets('pubrel')).toEqual([])
    expect(publishes(r.broker.current).map(text)).toEqual(['a', 'b']) // Receive Maximum 1: the slot was freed
    expect(r.client.inflightCount).toBe(1)
    expect(b.state).toBe('inflight')
  })

  it('a PUBREL for an unknown id is answered with PUBCOMP 0x92 (Packet Identifier not found)', async () => {
    const r = await v5()
    reply(r, { cmd: 'pubrel', messageId: 77 })
    await settle()
    const pc = r.broker.current.packets('pubcomp') as Array<{ messageId: number; reasonCode?: number }>
    expect(pc.map((p) => [p.messageId, p.reasonCode])).toEqual([[77, 0x92]])
    expect(r.client.isConnected()).toBe(true)
  })
})
