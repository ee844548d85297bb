import { describe, expect, it } from 'vitest'
import { MQTT_LOG_DEBUG, MQTT_LOG_ERR, MQTT_LOG_INFO, MQTTv5, MqttMessage, ReasonCode } from '../../src/index.js'
import type { StatusEvent } from '../../src/index.js'
import { bytesOf, guardEscapes, publishes, rig, settle } from '../support/rig.js'
import type { Rig } from '../support/rig.js'

const incoming = (r: Rig, topic: string, payload: string, qos = 0, messageId?: number, extra: Record<string, unknown> = {}) =>
  r.broker.current.reply({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: false, dup: false, ...(qos ? { messageId } : {}), ...extra } as never)

describe('paho-style callbacks', () => {
  guardEscapes()

  it('onConnect(client, userdata, flags, reasonCode, properties)', async () => {
    const r = rig({ userdata: { app: 1 } })
    const calls: unknown[][] = []
    r.client.onConnect = (...a) => calls.push(a)
    await r.client.connect('b')
    expect(calls).toHaveLength(1)
    const [client, userdata, flags, rc, props] = calls[0]!
    expect(client).toBe(r.client)
    expect(userdata).toEqual({ app: 1 })
    expect(flags).toEqual({ sessionPresent: false })
    expect(rc).toBeInstanceOf(ReasonCode)
    expect((rc as ReasonCode).value).toBe(0)
    expect(props).toBeUndefined()
  })

  it('onConnectFail(client, userdata, error) for each failed attempt', async () => {
    let n = 0
    const r = rig({ userdata: 'u', refuse: () => (++n <= 2 ? new Error('ECONNREFUSED') : undefined) })
    const calls: unknown[][] = []
    r.client.onConnectFail = (...a) => calls.push(a)
    await r.client.connect('b').catch(() => {})
    await r.timers.advance(3_000)
    expect(r.client.isConnected()).toBe(true)
    expect(calls).toHaveLength(2)
    expect(calls.map((c) => [c[0], c[1], (c[2] as Error).name])).toEqual([
      [r.client, 'u', 'ConnectionClosedError'], [r.client, 'u', 'ConnectionClosedError'],
    ])
  })

  it('userDataSet changes the userdata passed to later callbacks', async () => {
    const r = rig({ userdata: 'first' })
    const seen: unknown[] = []
    r.client.onConnect = (_c, u) => seen.push(u)
    r.client.onMessage = (_c, u) => seen.push(u)
    await r.client.connect('b')
    r.client.userDataSet('second')
    incoming(r, 't', 'x')
    await settle()
    expect(seen).toEqual(['first', 'second'])
    expect(r.client.userdata).toBe('second')
  })

  it('onDisconnect(client, userdata, flags, reasonCode, properties): our disconnect and a lost connection', async () => {
    const r = rig({ userdata: 'u' })
    await r.client.connect('b')
    await r.client.disconnect()
    expect(r.disconnects).toHaveLength(1)
    const [client, userdata, flags, rc, props] = r.disconnects[0]!
    expect([client, userdata, flags, props]).toEqual([r.client, 'u', { fromServer: false }, undefined])
    expect((rc as ReasonCode).value).toBe(0)
    expect((rc as ReasonCode).packetType).toBe('DISCONNECT')

    await r.client.connect('b')
    r.broker.current.drop()
    await settle()
    expect(r.disconnects).toHaveLength(2)
    const lost = r.disconnects[1]!
    expect(lost[2]).toEqual({ fromServer: false })
    expect((lost[3] as ReasonCode).isFailure).toBe(true)
  })

  it('onPublish(client, userdata, mid, reasonCode, properties): QoS 1 on PUBACK, QoS 2 on PUBCOMP (not PUBREC)', async () => {
    const r = rig({ autoAck: false, userdata: 'u' })
    const calls: unknown[][] = []
    r.client.onPublish = (...a) => calls.push(a)
    await r.client.connect('b')
    const one = r.client.publish('t', '1', 1)
    const two = r.client.publish('t', '2', 2)
    await settle()
    r.broker.current.reply({ cmd: 'pubrec', messageId: two.mid } as never)
    await settle()
    expect(calls).toEqual([])
    r.broker.current.reply({ cmd: 'puback', messageId: one.mid } as never)
    r.broker.current.reply({ cmd: 'pubcomp', messageId: two.mid } as never)
    await settle()
    expect(calls.map((c) => [c[0], c[1], c[2], (c[3] as ReasonCode).value])).toEqual([
      [r.client, 'u', one.mid, 0],
      [r.client, 'u', two.mid, 0],
    ])
  })

  it('onPublish is called for QoS 0 once the message is written (as paho)', async () => {
    const r = rig()
    const mids: number[] = []
    r.client.onPublish = (_c, _u, mid) => mids.push(mid)
    await r.client.connect('b')
    const info = r.client.publish('t', 'zero', 0)
    await info.waitForPublish()
    await settle()
    expect(mids).toEqual([info.mid])
  })

  it('onSubscribe / onUnsubscribe(client, userdata, mid, reasonCodes, properties)', async () => {
    const r = rig({ protocol: MQTTv5, autoAck: false, userdata: 'u' })
    const subs: unknown[][] = []
    const unsubs: unknown[][] = []
    r.client.onSubscribe = (...a) => subs.push(a)
    r.client.onUnsubscribe = (...a) => unsubs.push(a)
    await r.client.connect('b')
    const s = r.client.subscribe([['a', 0], ['b', 2]])
    await settle()
    r.broker.current.reply({ cmd: 'suback', messageId: s.mid, granted: [0, 1] } as never, 5)
    await s
    expect(subs).toHaveLength(1)
    expect(subs[0]!.slice(0, 3)).toEqual([r.client, 'u', s.mid])
    expect((subs[0]![3] as ReasonCode[]).map((c) => c.value)).toEqual([0, 1])
    const u = r.client.unsubscribe(['a', 'b'])
    await settle()
    r.broker.current.reply({ cmd: 'unsuback', messageId: u.mid, granted: [0, 0x11] } as never, 5)
    await u
    expect(unsubs[0]!.slice(0, 3)).toEqual([r.client, 'u', u.mid])
    expect((unsubs[0]![3] as ReasonCode[]).map((c) => c.value)).toEqual([0, 0x11])
  })

  it('onMessage(client, userdata, message) with topic, payload, qos, retain, dup, mid, properties, text', async () => {
    const r = rig({ userdata: 'u' })
    const calls: unknown[][] = []
    r.client.onMessage = (...a) => calls.push(a)
    await r.client.connect('b')
    r.broker.current.deliver(bytesOf({ cmd: 'publish', topic: 'x/y', payload: Buffer.from('h\u00e9'), qos: 1, messageId: 12, retain: true, dup: true }))
    await settle()
    expect(calls).toHaveLength(1)
    const [client, userdata, m] = calls[0] as [unknown, unknown, MqttMessage]
    expect([client, userdata]).toEqual([r.client, 'u'])
    expect(m).toBeInstanceOf(MqttMessage)
    expect([m.topic, m.qos, m.retain, m.dup, m.mid, m.text, m.properties]).toEqual(['x/y', 1, true, true, 12, 'h\u00e9', undefined])
    expect(Object.getPrototypeOf(m.payload)).toBe(Uint8Array.prototype)
    expect([...m.payload]).toEqual([0x68, 0xc3, 0xa9])
    expect(r.broker.current.packets('puback').map((p) => (p as { messageId: number }).messageId)).toEqual([12])
  })

  it('onLog(client, userdata, level, text) gets paho levels', async () => {
    const r = rig({ userdata: 'u' })
    const logs: unknown[][] = []
    r.client.onLog = (...a) => logs.push(a)
    await r.client.connect('b')
    expect(logs.length).toBeGreaterThan(0)
    for (const [c, u, level, text] of logs) {
      expect([c, u]).toEqual([r.client, 'u'])
      expect([MQTT_LOG_INFO, MQTT_LOG_DEBUG]).toContain(level)
      expect(typeof text).toBe('string')
    }
    expect(logs.some((l) => l[2] === MQTT_LOG_INFO && String(l[3]).includes('connected'))).toBe(true)
  })

  it('enableLogger routes log lines to a console-like logger by level; disableLogger stops it', async () => {
    const r = rig({ autoAck: false })
    const lines: string[] = []
    r.client.enableLogger({ info: (m) => lines.push(`I ${m}`), warn: (m) => lines.push(`W ${m}`), error: (m) => lines.push(`E ${m}`), debug: (m) => lines.push(`D ${m}`) })
    await r.client.connect('b')
    expect(lines.some((l) => l.startsWith('I webmqtt[c1] connected'))).toBe(true)
    r.client.disableLogger()
    const n = lines.length
    r.broker.current.drop()
    await settle()
    expect(lines).toHaveLength(n)
  })
})

describe('message routing', () => {
  guardEscapes()

  it('messageCallbackAdd routes matching messages away from onMessage; every matching callback is called; remove restores', async () => {
    const r = rig()
    const main: string[] = []
    const sensors: string[] = []
    const temps: string[] = []
    r.client.onMessage = (_c, _u, m) => main.push(m.topic)
    r.client.messageCallbackAdd('sensors/#', (_c, _u, m) => sensors.push(m.topic))
    r.client.messageCallbackAdd('+/temp', (_c, _u, m) => temps.push(m.topic))
    await r.client.connect('b')
    for (const t of ['sensors/1', 'sensors/temp', 'room/temp', 'other', '$SYS/temp']) incoming(r, t, 'x')
    await settle()
    expect(sensors).toEqual(['sensors/1', 'sensors/temp'])
    expect(temps).toEqual(['sensors/temp', 'room/temp'])
    expect(main).toEqual(['other', '$SYS/temp'])
    r.client.messageCallbackRemove('sensors/#')
    incoming(r, 'sensors/2', 'x')
    await settle()
    expect(main).toEqual(['other', '$SYS/temp', 'sensors/2'])
    r.client.messageCallbackRemove('not/registered') // no-op
  })

  it('messages(filter) yields matching messages in order and stops on break', async () => {
    const r = rig()
    await r.client.connect('b')
    const all = r.client.messages()
    const some = r.client.messages('a/+')
    for (let i = 0; i < 5; i++) incoming(r, i % 2 ? 'b/x' : 'a/x', `m${i}`, i % 3 === 0 ? 0 : 1, i + 1)
    await settle()
    const got: string[] = []
    for await (const m of some) {
      got.push(m.text)
      if (got.length === 2) break
    }
    expect(got).toEqual(['m0', 'm2'])
    // after break the iterator is finished, even though 'm4' was queued
    expect(await some.next()).toEqual({ value: undefined, done: true })
    incoming(r, 'a/x', 'late')
    await settle()
    expect(await some.next()).toEqual({ value: undefined, done: true })
    const everything: string[] = []
    for await (const m of all) {
      everything.push(m.text)
      if (m.text === 'late') break
    }
    expect(everything).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'late'])
  })

  it('a waiting messages() consumer is woken by the next message', async () => {
    const r = rig()
    await r.client.connect('b')
    const it = r.client.messages('w')
    const next = it.next()
    let done = false
    void next.then(() => { done = true })
    await settle()
    expect(done).toBe(false)
    incoming(r, 'w', 'now')
    const res = await next
    expect(res.value?.text).toBe('now')
    await it.return?.()
  })

  it('the "message" event sees every message, including routed ones', async () => {
    const r = rig()
    const seen: string[] = []
    r.client.on('message', (m) => seen.push(m.topic))
    r.client.messageCallbackAdd('a', () => {})
    await r.client.connect('b')
    incoming(r, 'a', '1')
    incoming(r, 'b', '2')
    await settle()
    expect(seen).toEqual(['a', 'b'])
  })

  it('on() returns an unsubscribe function', async () => {
    const r = rig()
    const seen: string[] = []
    const off = r.client.on('state', (s) => seen.push(s))
    await r.client.connect('b')
    off()
    await r.client.disconnect()
    expect(seen).toEqual(['connecting', 'connected'])
  })
})

describe('a throwing user callback does not break the client', () => {
  guardEscapes()

  it('onMessage throws: logged at MQTT_LOG_ERR, the PUBACK is still sent, later messages still arrive', async () => {
    const r = rig()
    const got: string[] = []
    r.client.onMessage = (_c, _u, m) => {
      got.push(m.text)
      if (m.text === 'boom') throw new Error('user bug')
    }
    await r.client.connect('b')
    incoming(r, 't', 'boom', 1, 1)
    incoming(r, 't', 'after', 2, 2)
    await settle()
    expect(got).toEqual(['boom', 'after'])
    expect(r.broker.current.packets('puback').map((p) => (p as { messageId: number }).messageId)).toEqual([1])
    expect(r.broker.current.packets('pubrec').map((p) => (p as { messageId: number }).messageId)).toEqual([2])
    const err = r.logs.find((l) => l.level === MQTT_LOG_ERR)
    expect(err?.text).toMatch(/onMessage.*user bug/)
    expect(r.client.isConnected()).toBe(true)
  })

  it('onConnect, onPublish, onSubscribe, a message callback and event listeners that throw are all contained', async () => {
    const r = rig()
    const boom = () => { throw new Error('boom') }
    r.client.onConnect = boom
    r.client.onPublish = boom
    r.client.onSubscribe = boom
    r.client.messageCallbackAdd('cb', boom)
    r.client.on('state', boom)
    r.client.on('status', boom)
    r.client.on('message', boom)
    await expect(r.client.connect('b')).resolves.toMatchObject({ sessionPresent: false })
    await expect(r.client.publish('t', 'x', 1).waitForPublish()).resolves.toBeUndefined()
    await expect(r.client.subscribe('s', 1)).resolves.toHaveLength(1)
    incoming(r, 'cb', 'x')
    await settle()
    expect(r.client.isConnected()).toBe(true)
    expect(r.logs.filter((l) => l.level === MQTT_LOG_ERR).length).toBeGreaterThanOrEqual(6)
  })

  it('a throwing onLog does not break the client', async () => {
    const r = rig()
    r.client.onLog = () => { throw new Error('log bug') }
    await r.client.connect('b')
    await r.client.publish('t', 'x', 1).waitForPublish()
    expect(r.client.isConnected()).toBe(true)
  })
})

describe('status events', () => {
  guardEscapes()

  it('status() yields tagged events in order: connecting, connected, reconnecting, connecting, connected, disconnected', async () => {
    const r = rig()
    const it = r.client.status()
    await r.client.connect('b')
    r.broker.current.drop()
    await settle()
    await r.timers.advance(1_000)
    await r.client.disconnect()
    const events: StatusEvent[] = []
    for await (const ev of it) {
      events.push(ev)
      if (ev.type === 'disconnected') break
    }
    expect(events.map((e) => e.type)).toEqual(['connecting', 'connected', 'reconnecting', 'connecting', 'connected', 'disconnected'])
    expect(events[0]).toEqual({ type: 'connecting', attempt: 1 })
    expect(events[1]).toMatchObject({ type: 'connected', sessionPresent: false })
    expect(events[2]).toMatchObject({ type: 'reconnecting', attempt: 2, delayMs: 1_000 })
    expect(events[3]).toEqual({ type: 'connecting', attempt: 2 })
    expect(events[5]).toEqual({ type: 'disconnected', error: undefined })
    expect(r.states).toEqual(['connecting', 'connected', 'reconnecting', 'connected', 'disconnecting', 'disconnected'])
  })

  it('every state change emits (state, previous)', async () => {
    const r = rig()
    const pairs: string[] = []
    r.client.on('state', (s, prev) => pairs.push(`${prev}→${s}`))
    await r.client.connect('b')
    await r.client.disconnect()
    expect(pairs).toEqual(['disconnected→connecting', 'connecting→connected', 'connected→disconnecting', 'disconnecting→disconnected'])
    expect(publishes(r.broker.connections[0]!)).toEqual([])
  })
})
