import { describe, expect, it } from 'vitest'
import { ConnectionClosedError, MQTTv5, ProtocolError } from '../../src/index.js'
import type { ProtocolVersion } from '../../src/index.js'
import { bytesOf, concat, errorEvents, guardEscapes, rig, settle, text } from '../support/rig.js'
import type { Rig, RigOptions } from '../support/rig.js'

async function connected(protocol: ProtocolVersion, opts: RigOptions = {}): Promise<Rig & { got: string[] }> {
  const r = rig({ protocol, autoAck: false, ...opts })
  const got: string[] = []
  r.client.onMessage = (_c, _u, m) => got.push(`${m.topic}=${m.text}`)
  await r.client.connect('b')
  return Object.assign(r, { got })
}

/** The connection ended with exactly one ProtocolError carrying `code`; on MQTT 5 a DISCONNECT with it was sent first. */
async function closedWithProtocolError(r: Rig, code: number | number[]): Promise<ProtocolError> {
  await settle()
  const conn = r.broker.connections[0]!
  const errs = errorEvents(r)
  expect(errs, 'one status error event').toHaveLength(1)
  const err = errs[0] as ProtocolError
  expect(err).toBeInstanceOf(ProtocolError)
  const codes = Array.isArray(code) ? code : [code]
  expect(codes).toContain(err.reasonCode?.value)
  expect(conn.closed).toBe(true)
  const disconnects = conn.packets('disconnect') as Array<{ reasonCode?: number }>
  if (r.client.protocol === MQTTv5) {
    expect(disconnects).toHaveLength(1)
    expect(disconnects[0]!.reasonCode).toBe(err.reasonCode?.value)
    expect(conn.received.at(-1)!.cmd).toBe('disconnect')
  } else {
    expect(disconnects, 'no DISCONNECT on 3.1.1: the will must still be published').toHaveLength(0)
  }
  expect(r.client.state).toBe('reconnecting')
  return err
}

const PUBLISH_A = bytesOf({ cmd: 'publish', topic: 'a', payload: Buffer.from('x'), qos: 0 })

describe.each([4, 5] as const)('malformed input from the broker (protocol %s)', (v) => {
  guardEscapes()

  it('a PUBLISH split into 1-byte frames is waited for, then delivered once', async () => {
    const r = await connected(v)
    const bytes = bytesOf({ cmd: 'publish', topic: 'split/topic', payload: Buffer.from('x'.repeat(200)), qos: 1, messageId: 7 }, v)
    expect(bytes[1]! & 0x80).toBe(0x80) // remaining length takes two bytes: frames split inside it too
    for (const b of bytes.subarray(0, -1)) {
      r.broker.current.deliver(new Uint8Array([b]))
      await r.timers.advance(10)
    }
    expect(r.got).toEqual([])
    expect(errorEvents(r)).toEqual([])
    r.broker.current.deliver(bytes.subarray(-1))
    await settle()
    expect(r.got).toEqual([`split/topic=${'x'.repeat(200)}`])
    expect(r.broker.current.packets('puback').map((p) => (p as { messageId: number }).messageId)).toEqual([7])
    expect(r.client.isConnected()).toBe(true)
  })

  it('a CONNACK in four frames (as Aedes writes it) completes the connect', async () => {
    const r = rig({ protocol: v, connack: false })
    const p = r.client.connect('b')
    await settle()
    const connack = bytesOf({ cmd: 'connack', returnCode: 0, reasonCode: 0, sessionPresent: false }, v)
    for (const b of connack) {
      expect(r.client.isConnected()).toBe(false)
      r.broker.current.deliver(new Uint8Array([b]))
      await settle()
    }
    await expect(p).resolves.toMatchObject({ sessionPresent: false })
  })

  it('several packets in one frame, including CONNACK followed by queued messages', async () => {
    const r = rig({ protocol: v, connack: false, autoAck: false })
    const got: string[] = []
    r.client.onMessage = (_c, _u, m) => got.push(m.text)
    const p = r.client.connect('b')
    await settle()
    r.broker.current.deliver(concat(
      bytesOf({ cmd: 'connack', returnCode: 0, reasonCode: 0, sessionPresent: false }, v),
      bytesOf({ cmd: 'publish', topic: 't', payload: Buffer.from('1'), qos: 0 }, v),
      bytesOf({ cmd: 'publish', topic: 't', payload: Buffer.from('2'), qos: 1, messageId: 1 }, v),
      bytesOf({ cmd: 'publish', topic: 't', payload: Buffer.from('3'), qos: 2, messageId: 2 }, v),
      bytesOf({ cmd: 'pingresp' }, v),
    ))
    await p
    await settle()
    expect(got).toEqual(['1', '2', '3'])
    expect(r.broker.current.received.map((x) => x.cmd)).toEqual(['connect', 'puback', 'pubrec'])
    const info = r.client.publish('o', 'x', 1)
    await settle()
    // an ack and a message merged, then a frame ending half-way through the next packet
    const next = bytesOf({ cmd: 'publish', topic: 't', payload: Buffer.from('5'), qos: 0 }, v)
    r.broker.current.deliver(concat(
      bytesOf({ cmd: 'puback', messageId: info.mid }, v),
      bytesOf({ cmd: 'publish', topic: 't', payload: Buffer.from('4'), qos: 0 }, v),
      next.subarray(0, 3),
    ))
    await settle()
    expect(info.isPublished()).toBe(true)
    expect(got).toEqual(['1', '2', '3', '4'])
    r.broker.current.deliver(next.subarray(3))
    await settle()
    expect(got).toEqual(['1', '2', '3', '4', '5'])
    expect(errorEvents(r)).toEqual([])
  })

  it('remaining length with a fifth continuation byte → Malformed Packet (0x81)', async () => {
    const r = await connected(v)
    r.broker.current.deliver(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))
    await closedWithProtocolError(r, 0x81)
  })

  it.each([
    ['PUBLISH with both QoS bits set', [0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01]],
    ['PUBACK flags 0010', [0x42, 0x02, 0x00, 0x01]],
    ['PUBREC flags 0001', [0x51, 0x02, 0x00, 0x01]],
    ['PUBREL flags 0000', [0x60, 0x02, 0x00, 0x01]],
    ['PUBCOMP flags 0001', [0x71, 0x02, 0x00, 0x01]],
    ['SUBACK flags 0010', [0x92, 0x03, 0x00, 0x01, 0x00]],
    ['UNSUBACK flags 0001', [0xb1, 0x02, 0x00, 0x01]],
    ['PINGRESP flags 0001', [0xd1, 0x00]],
    ['CONNACK flags 0001', [0x21, 0x02, 0x00, 0x00]],
  ])('illegal fixed-header flags: %s → Malformed Packet (0x81)', async (_name, bytes) => {
    const r = await connected(v)
    r.broker.current.deliver(new Uint8Array(bytes))
    await closedWithProtocolError(r, 0x81)
  })

  it('reserved packet type 0 → Malformed Packet (0x81)', async () => {
    const r = await connected(v)
    r.broker.current.deliver(new Uint8Array([0x00, 0x00]))
    await closedWithProtocolError(r, 0x81)
  })

  it('packet type 15 (reserved in 3.1.1; an AUTH we never asked for in 5) → protocol error', async () => {
    const r = await connected(v)
    r.broker.current.deliver(new Uint8Array(v === 5 ? [0xf0, 0x02, 0x18, 0x00] : [0xf0, 0x00]))
    await closedWithProtocolError(r, v === 5 ? 0x82 : 0x81)
  })

  it.each([
    ['CONNECT', { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'x', clean: true, keepalive: 0 }],
    ['SUBSCRIBE', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0 }] }],
    ['UNSUBSCRIBE', { cmd: 'unsubscribe', messageId: 1, unsubscriptions: ['a'] }],
    ['PINGREQ', { cmd: 'pingreq' }],
  ])('a %s from the server → Protocol Error (0x82)', async (_name, packet) => {
    const r = await connected(v)
    r.broker.current.deliver(bytesOf(packet, packet.cmd === 'connect' ? 4 : v))
    await closedWithProtocolError(r, 0x82)
  })

  it('a second CONNACK → Protocol Error (0x82)', async () => {
    const r = await connected(v)
    r.broker.current.reply({ cmd: 'connack', returnCode: 0, reasonCode: 0, sessionPresent: false } as never, v)
    await closedWithProtocolError(r, 0x82)
  })

  it('PUBLISH before CONNACK → connect() rejects with ProtocolError, the connection is closed, nothing delivered', async () => {
    const r = rig({ protocol: v, connack: false })
    const got: string[] = []
    r.client.onMessage = (_c, _u, m) => got.push(m.text)
    const p = r.client.connect('b').catch((e: unknown) => e)
    await settle()
    r.broker.current.deliver(bytesOf({ cmd: 'publish', topic: 'a', payload: Buffer.from('x'), qos: 0 }, v))
    const err = await p
    expect(err).toBeInstanceOf(ProtocolError)
    expect((err as ProtocolError).reasonCode?.value).toBe(0x82)
    expect(r.broker.current.closed).toBe(true)
    expect(got).toEqual([])
    expect(r.client.state).toBe('reconnecting')
  })

  it('SUBACK with the wrong number of codes → Protocol Error (0x82); the subscription is not recorded', async () => {
    const r = await connected(v)
    const sub = r.client.subscribe([['a', 1], ['b', 1]])
    await settle()
    r.broker.current.reply({ cmd: 'suback', messageId: sub.mid, granted: [1] } as never, v)
    await closedWithProtocolError(r, 0x82)
    let settled = false
    sub.granted.then(() => { settled = true }, () => { settled = true })
    await settle()
    expect(settled).toBe(false) // still pending: it is sent again after the reconnect
    await r.timers.advance(1_000)
    expect(r.broker.current.packets('subscribe')).toHaveLength(1)
  })

  it.each(['a/+', '#', 'a/#', '+'])('PUBLISH with the wildcard topic %j → Topic Name invalid (0x90), not delivered', async (topic) => {
    const r = await connected(v)
    r.broker.current.reply({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 1, messageId: 3 } as never, v)
    await closedWithProtocolError(r, 0x90)
    expect(r.got).toEqual([])
    expect(r.broker.connections[0]!.packets('puback')).toEqual([])
  })

  it('PUBLISH whose topic contains U+0000 → Malformed Packet (0x81), not delivered', async () => {
    const r = await connected(v)
    r.broker.current.deliver(concat([0x30, v === 5 ? 0x07 : 0x06, 0x00, 0x03, 0x61, 0x00, 0x62], v === 5 ? [0x00] : [], [0x78]))
    await closedWithProtocolError(r, 0x81)
    expect(r.got).toEqual([])
  })

  it('PUBLISH whose topic is ill-formed UTF-8 (an encoded surrogate) → Malformed Packet (0x81), not delivered', async () => {
    const r = await connected(v)
    r.broker.current.deliver(concat([0x30, v === 5 ? 0x07 : 0x06, 0x00, 0x03, 0xed, 0xa0, 0x80], v === 5 ? [0x00] : [], [0x78]))
    await closedWithProtocolError(r, 0x81)
    expect(r.got).toEqual([])
  })

  it('QoS 1 PUBLISH with packet identifier 0 → protocol error, not delivered, not acknowledged', async () => {
    const r = await connected(v)
    r.broker.current.deliver(concat([0x32, v === 5 ? 0x06 : 0x05, 0x00, 0x01, 0x61, 0x00, 0x00], v === 5 ? [0x00] : []))
    await closedWithProtocolError(r, [0x81, 0x82])
    expect(r.got).toEqual([])
    expect(r.broker.connections[0]!.packets('puback')).toEqual([])
  })

  it('PINGRESP with a non-zero remaining length → Malformed Packet (0x81)', async () => {
    const r = await connected(v)
    r.broker.current.deliver(new Uint8Array([0xd0, 0x01, 0x00]))
    await closedWithProtocolError(r, 0x81)
  })

  it('a malformed packet stops processing: packets after it in the same frame are not delivered', async () => {
    const r = await connected(v)
    r.broker.current.deliver(concat(
      bytesOf({ cmd: 'publish', topic: 'ok', payload: Buffer.from('before'), qos: 0 }, v),
      [0x00, 0x00],
      bytesOf({ cmd: 'publish', topic: 'ok', payload: Buffer.from('after'), qos: 0 }, v),
    ))
    await closedWithProtocolError(r, 0x81)
    expect(r.got).toEqual(['ok=before'])
  })

  it('bytes after the close are ignored', async () => {
    const r = await connected(v)
    const conn = r.broker.current
    conn.deliver(new Uint8Array([0x00, 0x00]))
    await closedWithProtocolError(r, 0x81)
    r.client.onMessage = () => { throw new Error('delivered after close') }
    conn.closed = false // force the scripted end to keep talking
    conn.deliver(PUBLISH_A)
    await settle()
    expect(errorEvents(r)).toHaveLength(1)
  })

  it(v === 5 ? 'server DISCONNECT is a close with a reason, not a protocol error' : 'a DISCONNECT from a 3.1.1 server → protocol error', async () => {
    const r = await connected(v)
    r.broker.current.deliver(new Uint8Array(v === 5 ? [0xe0, 0x01, 0x8b] : [0xe0, 0x00]))
    if (v === 5) {
      await settle()
      expect(errorEvents(r)).toEqual([])
      expect(r.broker.connections[0]!.closed).toBe(true)
      expect(r.broker.connections[0]!.packets('disconnect')).toEqual([])
      expect(r.client.state).toBe('reconnecting')
    } else {
      await closedWithProtocolError(r, 0x82)
    }
  })
})

describe('malformed input, MQTT 5 specifics', () => {
  guardEscapes()

  const aliasPub = (topic: string, alias: number, payload = 'x') =>
    bytesOf({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, properties: { topicAlias: alias } }, 5)

  it('topic alias 0 → Topic Alias invalid (0x94)', async () => {
    const r = await connected(MQTTv5)
    r.broker.current.deliver(aliasPub('a', 0))
    await closedWithProtocolError(r, 0x94)
    expect(r.got).toEqual([])
  })

  it('topic alias above the maximum we advertised (10 by default) → Topic Alias invalid (0x94)', async () => {
    const r = await connected(MQTTv5)
    expect((r.broker.current.packets('connect')[0] as { properties: { topicAliasMaximum: number } }).properties.topicAliasMaximum).toBe(10)
    r.broker.current.deliver(aliasPub('a', 10, 'ten'))
    await settle()
    expect(r.got).toEqual(['a=ten'])
    r.broker.current.deliver(aliasPub('a', 11))
    await closedWithProtocolError(r, 0x94)
  })

  it('any topic alias when we advertised Topic Alias Maximum 0 → 0x94', async () => {
    const r = await connected(MQTTv5, {})
    await r.client.disconnect()
    r.status.length = 0
    await r.client.connect('b', 1883, 60, { properties: { topicAliasMaximum: 0 } })
    const conn = r.broker.current
    expect((conn.packets('connect')[0] as { properties: { topicAliasMaximum: number } }).properties.topicAliasMaximum).toBe(0)
    conn.deliver(aliasPub('a', 1))
    await settle()
    expect(conn.closed).toBe(true)
    expect((errorEvents(r)[0] as ProtocolError).reasonCode?.value).toBe(0x94)
    expect((conn.packets('disconnect')[0] as { reasonCode: number }).reasonCode).toBe(0x94)
  })

  it('an unknown topic alias with an empty topic → Protocol Error (0x82)', async () => {
    const r = await connected(MQTTv5)
    r.broker.current.deliver(aliasPub('', 3))
    await closedWithProtocolError(r, 0x82)
    expect(r.got).toEqual([])
  })

  it('an empty topic without a topic alias → protocol error', async () => {
    const r = await connected(MQTTv5)
    r.broker.current.deliver(new Uint8Array([0x30, 0x04, 0x00, 0x00, 0x00, 0x78]))
    await closedWithProtocolError(r, [0x82, 0x90])
  })

  it('a packet larger than our Maximum Packet Size → Packet too large (0x95), not delivered; one of exactly that size is fine', async () => {
    const r = rig({ protocol: MQTTv5, autoAck: false })
    const got: string[] = []
    r.client.onMessage = (_c, _u, m) => got.push(m.text)
    await r.client.connect('b', 1883, 60, { properties: { maximumPacketSize: 64 } })
    const conn = r.broker.current
    expect((conn.packets('connect')[0] as { properties: { maximumPacketSize: number } }).properties.maximumPacketSize).toBe(64)
    const fits = bytesOf({ cmd: 'publish', topic: 't', payload: Buffer.from('y'.repeat(58)), qos: 0 }, 5)
    expect(fits.length).toBe(64)
    conn.deliver(fits)
    await settle()
    expect(got).toEqual(['y'.repeat(58)])
    const tooBig = bytesOf({ cmd: 'publish', topic: 't', payload: Buffer.from('z'.repeat(59)), qos: 0 }, 5)
    expect(tooBig.length).toBe(65)
    conn.deliver(tooBig)
    await closedWithProtocolError(r, 0x95)
    expect(got).toEqual(['y'.repeat(58)])
  })

  it('a packet announced larger than our Maximum Packet Size fails as soon as its header arrives', async () => {
    const r = rig({ protocol: MQTTv5, autoAck: false })
    await r.client.connect('b', 1883, 60, { properties: { maximumPacketSize: 1024 } })
    const big = bytesOf({ cmd: 'publish', topic: 't', payload: Buffer.alloc(5000), qos: 0 }, 5)
    r.broker.current.deliver(big.subarray(0, 8))
    await closedWithProtocolError(r, 0x95)
  })

  it('several merged packets where the last is too large: the earlier ones are delivered, the large one is not', async () => {
    const r = rig({ protocol: MQTTv5, autoAck: false })
    const got: string[] = []
    r.client.onMessage = (_c, _u, m) => got.push(m.text)
    await r.client.connect('b', 1883, 60, { properties: { maximumPacketSize: 100 } })
    r.broker.current.deliver(concat(
      bytesOf({ cmd: 'publish', topic: 't', payload: Buffer.from('small'), qos: 0 }, 5),
      bytesOf({ cmd: 'publish', topic: 't', payload: Buffer.alloc(200, 0x61), qos: 0 }, 5),
    ))
    await closedWithProtocolError(r, 0x95)
    expect(got).toEqual(['small'])
  })

  it('UNSUBACK with the wrong number of reason codes → Protocol Error (0x82)', async () => {
    const r = await connected(MQTTv5)
    const u = r.client.unsubscribe(['a', 'b'])
    await settle()
    r.broker.current.reply({ cmd: 'unsuback', messageId: u.mid, granted: [0] } as never, 5)
    await closedWithProtocolError(r, 0x82)
  })

  it('CONNACK with Receive Maximum 0 → protocol error, connect() rejects', async () => {
    const r = rig({ protocol: MQTTv5, connack: () => ({ cmd: 'connack', reasonCode: 0, sessionPresent: false, properties: { receiveMaximum: 0 } }) as never })
    const err = await r.client.connect('b').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect(r.broker.current.closed).toBe(true)
  })
})

describe('transport trouble is not a protocol error', () => {
  guardEscapes()

  it('transport send throwing closes the connection cleanly and reconnects', async () => {
    const r = await connected(4)
    const conn = r.broker.current
    conn.send = () => { throw new Error('socket gone') }
    const info = r.client.publish('t', 'x', 1)
    await settle()
    expect(r.client.state).toBe('reconnecting')
    expect(errorEvents(r)).toEqual([])
    expect(r.status.find((e) => e.type === 'reconnecting')).toBeTruthy()
    await r.timers.advance(1_000)
    await settle()
    expect(r.broker.current).not.toBe(conn)
    expect(text(r.broker.current.packets('publish')[0] as never)).toBe('x')
    expect(info.isPublished()).toBe(false)
  })

  it('the transport closing before CONNACK rejects connect() with ConnectionClosedError', async () => {
    const r = rig({ connack: false })
    const p = r.client.connect('b').catch((e: unknown) => e)
    await settle()
    const cause = new Error('reset')
    r.broker.current.drop(cause)
    const err = await p
    expect(err).toBeInstanceOf(ConnectionClosedError)
    expect((err as Error).cause).toBe(cause)
  })

  it('the transport failing after CONNACK is reported as ConnectionClosedError (cause: the transport error)', async () => {
    const r = await connected(4)
    const cause = new Error('reset')
    r.broker.current.drop(cause)
    await settle()
    const ev = r.status.find((e) => e.type === 'reconnecting') as { error: Error }
    expect(ev.error).toBeInstanceOf(ConnectionClosedError)
    expect(ev.error.cause).toBe(cause)
    expect(errorEvents(r)).toEqual([])
  })
})
