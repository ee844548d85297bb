import { describe, expect, it } from 'vitest'
import {
  MQTT_ERR_NO_CONN, MQTT_ERR_QUEUE_SIZE, MQTT_ERR_SUCCESS, MQTTv5, NotConnectedError, QueueFullError,
} from '../../src/index.js'
import type { Packet } from 'mqtt-packet'
import { publishes, rig, settle, text } from '../support/rig.js'
import type { Rig, RigOptions } from '../support/rig.js'

/** A rig whose broker reports `sessionPresent` on reconnects as `present()` says (never on the first connection). */
function sessions(present: () => boolean, opts: RigOptions = {}): Rig {
  const r: Rig = rig({ autoAck: false, cleanSession: false, ...opts })
  r.broker.opts.connack = () =>
    ({ cmd: 'connack', returnCode: 0, reasonCode: 0, sessionPresent: r.broker.connections.length > 1 && present() }) as unknown as Packet
  return r
}

async function dropAndReconnect(r: Rig): Promise<void> {
  r.broker.current.drop()
  await settle()
  await r.timers.advance(1_000)
  expect(r.client.isConnected()).toBe(true)
}

const summary = (r: Rig) => publishes(r.broker.current).map((p) => [text(p), p.qos, p.dup])

describe('offline queue', () => {
  it('QoS 1/2 published before connecting are queued and sent after CONNACK, in order', async () => {
    const r = rig()
    const infos = [r.client.publish('q', 'one', 1), r.client.publish('q', 'two', 2), r.client.publish('q', 'three', 1)]
    expect(infos.map((i) => [i.rc, i.mid, i.state])).toEqual([[0, 0, 'queued'], [0, 0, 'queued'], [0, 0, 'queued']])
    expect(r.client.queuedCount).toBe(3)
    expect(r.broker.connections).toHaveLength(0)
    await r.client.connect('b')
    await settle()
    const conn = r.broker.current
    expect(conn.received.map((p) => p.cmd)).toEqual(['connect', 'publish', 'publish', 'publish', 'pubrel'])
    expect(publishes(conn).map((p) => [text(p), p.qos, p.messageId, p.dup])).toEqual([
      ['one', 1, 1, false], ['two', 2, 2, false], ['three', 1, 3, false],
    ])
    await Promise.all(infos.map((i) => i.waitForPublish()))
    expect(r.client.queuedCount + r.client.inflightCount).toBe(0)
  })

  it('maxQueuedMessagesSet: the message over the limit gets MQTT_ERR_QUEUE_SIZE and a rejected waitForPublish; it is never sent', async () => {
    const r = rig()
    r.client.maxQueuedMessagesSet(2)
    const a = r.client.publish('q', 'a', 1)
    const b = r.client.publish('q', 'b', 2)
    const c = r.client.publish('q', 'c', 1)
    expect([a.rc, b.rc, c.rc]).toEqual([MQTT_ERR_SUCCESS, MQTT_ERR_SUCCESS, MQTT_ERR_QUEUE_SIZE])
    expect(c.state).toBe('failed')
    const err = await c.waitForPublish().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(QueueFullError)
    expect((err as QueueFullError).rc).toBe(MQTT_ERR_QUEUE_SIZE)
    expect(r.client.pendingMessages()).toEqual([a, b])
    await r.client.connect('b')
    await settle()
    expect(publishes(r.broker.current).map(text)).toEqual(['a', 'b'])
    // room again once acknowledged
    const d = r.client.publish('q', 'd', 1)
    expect(d.rc).toBe(MQTT_ERR_SUCCESS)
    await d.waitForPublish()
  })

  it('the limit counts in-flight messages too (paho semantics) while connected', async () => {
    const r = rig({ autoAck: false })
    r.client.maxQueuedMessagesSet(2)
    r.client.maxInflightMessagesSet(1)
    await r.client.connect('b')
    const a = r.client.publish('q', 'a', 1)
    const b = r.client.publish('q', 'b', 1)
    const c = r.client.publish('q', 'c', 1)
    expect([a.rc, b.rc, c.rc]).toEqual([0, 0, MQTT_ERR_QUEUE_SIZE])
    await settle()
    expect(publishes(r.broker.current).map(text)).toEqual(['a'])
    r.broker.current.reply({ cmd: 'puback', messageId: a.mid } as never)
    await settle()
    expect(publishes(r.broker.current).map(text)).toEqual(['a', 'b'])
    await expect(c.waitForPublish()).rejects.toBeInstanceOf(QueueFullError)
  })

  it('QoS 0 while offline: rc MQTT_ERR_NO_CONN, NotConnectedError, never sent', async () => {
    const r = rig()
    const m = r.client.publish('q', 'zero', 0)
    expect(m.rc).toBe(MQTT_ERR_NO_CONN)
    expect(m.mid).toBe(0)
    await expect(m.waitForPublish()).rejects.toBeInstanceOf(NotConnectedError)
    expect(r.client.queuedCount).toBe(0)
    await r.client.connect('b')
    await settle()
    expect(r.broker.current.received.map((p) => p.cmd)).toEqual(['connect'])
    // also while reconnecting
    r.broker.current.drop()
    await settle()
    expect(r.client.state).toBe('reconnecting')
    const m2 = r.client.publish('q', 'zero again', 0)
    expect(m2.rc).toBe(MQTT_ERR_NO_CONN)
    await expect(m2.waitForPublish()).rejects.toBeInstanceOf(NotConnectedError)
    await r.timers.advance(1_000)
    expect(publishes(r.broker.current)).toEqual([])
  })

  it('queueQos0: QoS 0 while offline is queued and sent after connect, in order with QoS 1', async () => {
    const r = rig({ queueQos0: true })
    const z = r.client.publish('q', 'z0', 0)
    const o = r.client.publish('q', 'o1', 1)
    const z2 = r.client.publish('q', 'z2', 0)
    expect([z.rc, o.rc, z2.rc]).toEqual([0, 0, 0])
    expect(r.client.queuedCount).toBe(3)
    await r.client.connect('b')
    await settle()
    expect(summary(r)).toEqual([['z0', 0, false], ['o1', 1, false], ['z2', 0, false]])
    await Promise.all([z.waitForPublish(), o.waitForPublish(), z2.waitForPublish()])
  })

  it('order is kept across reconnects: in-flight first (DUP), then what was queued while offline', async () => {
    const r = sessions(() => true)
    await r.client.connect('b')
    const a1 = r.client.publish('q', 'a1', 1)
    const a2 = r.client.publish('q', 'a2', 2)
    await settle()
    expect(summary(r)).toEqual([['a1', 1, false], ['a2', 2, false]])
    r.broker.current.drop()
    await settle()
    const offline = [r.client.publish('q', 'b1', 1), r.client.publish('q', 'b2', 2), r.client.publish('q', 'b3', 1)]
    expect(offline.map((i) => [i.rc, i.mid])).toEqual([[0, 0], [0, 0], [0, 0]])
    await r.timers.advance(1_000)
    expect(r.client.isConnected()).toBe(true)
    await settle()
    expect(summary(r)).toEqual([['a1', 1, true], ['a2', 2, true], ['b1', 1, false], ['b2', 2, false], ['b3', 1, false]])
    // a second loss before anything is acknowledged: the same order again, all with DUP now
    await dropAndReconnect(r)
    await settle()
    expect(summary(r)).toEqual([['a1', 1, true], ['a2', 2, true], ['b1', 1, true], ['b2', 2, true], ['b3', 1, true]])
    expect(publishes(r.broker.current).map((p) => p.messageId)).toEqual([a1.mid, a2.mid, ...offline.map((i) => i.mid)])
    expect(a1.isPublished() || a2.isPublished()).toBe(false)
  })

  it.each([true, false])('queueQos0 (persistent session: %s): a QoS 0 queued offline keeps its place among QoS 1/2', async (persistent) => {
    const r = sessions(() => true, { queueQos0: true, cleanSession: !persistent })
    await r.client.connect('b')
    r.client.publish('q', 'a1', 1)
    await settle()
    r.broker.current.drop()
    await settle()
    r.client.publish('q', 'b1', 1)
    r.client.publish('q', 'b0', 0)
    r.client.publish('q', 'b2', 2)
    await r.timers.advance(1_000)
    await settle()
    expect(summary(r)).toEqual([['a1', 1, true], ['b1', 1, false], ['b0', 0, false], ['b2', 2, false]])
  })

  it('session lost on reconnect: QoS 1 resent, QoS 2 past PUBREC completes without resend, QoS 2 before PUBREC resent', async () => {
    const r = sessions(() => false)
    await r.client.connect('b')
    const conn1 = r.broker.current
    const q1 = r.client.publish('lost', 'q1', 1)
    const q2rel = r.client.publish('lost', 'q2-released', 2)
    const q2 = r.client.publish('lost', 'q2', 2)
    await settle()
    conn1.reply({ cmd: 'pubrec', messageId: q2rel.mid } as never)
    await settle()
    expect(conn1.packets('pubrel')).toHaveLength(1)
    await dropAndReconnect(r)
    await settle()
    const conn2 = r.broker.current
    expect(conn2.packets('pubrel')).toEqual([])
    expect(publishes(conn2).map((p) => [text(p), p.qos])).toEqual([['q1', 1], ['q2', 2]])
    expect(q2rel.isPublished()).toBe(true)
    await expect(q2rel.waitForPublish()).resolves.toBeUndefined()
    expect(r.client.pendingMessages()).toEqual([q1, q2])
    const [p1, p2] = publishes(conn2)
    conn2.reply({ cmd: 'puback', messageId: p1!.messageId } as never)
    conn2.reply({ cmd: 'pubrec', messageId: p2!.messageId } as never)
    await settle()
    conn2.reply({ cmd: 'pubcomp', messageId: p2!.messageId } as never)
    await Promise.all([q1.waitForPublish(), q2.waitForPublish()])
  })

  it('session lost: subscriptions are restored with the same options (MQTT 5), before the resent messages', async () => {
    const r = sessions(() => false, { protocol: MQTTv5, cleanStart: false, sessionExpiryInterval: 3600 })
    await r.client.connect('b')
    const conn1 = r.broker.current
    const s1 = r.client.subscribe('a/#', { qos: 1, noLocal: true, retainAsPublished: true, retainHandling: 2 })
    const s2 = r.client.subscribe([['b/+', 2], ['c', { qos: 0, retainHandling: 1 }]])
    const bad = r.client.subscribe('denied', 1)
    await settle()
    conn1.reply({ cmd: 'suback', messageId: s1.mid, granted: [1] } as never, 5)
    conn1.reply({ cmd: 'suback', messageId: s2.mid, granted: [2, 0] } as never, 5)
    conn1.reply({ cmd: 'suback', messageId: bad.mid, granted: [0x87] } as never, 5)
    await Promise.all([s1, s2, bad])
    const gone = r.client.unsubscribe('c')
    await settle()
    conn1.reply({ cmd: 'unsuback', messageId: gone.mid, granted: [0] } as never, 5)
    await gone
    const m = r.client.publish('x', 'pending', 1)
    await settle()
    await dropAndReconnect(r)
    await settle()
    const conn2 = r.broker.current
    const cmds = conn2.received.map((p) => p.cmd)
    expect(cmds.filter((c) => c !== 'subscribe')).toEqual(['connect', 'publish'])
    expect(cmds.lastIndexOf('subscribe')).toBeLessThan(cmds.indexOf('publish'))
    const subs = conn2.packets('subscribe').flatMap((p) => (p as { subscriptions: unknown[] }).subscriptions)
    expect(subs).toEqual(expect.arrayContaining([
      { topic: 'a/#', qos: 1, nl: true, rap: true, rh: 2 },
      { topic: 'b/+', qos: 2, nl: false, rap: false, rh: 0 },
    ]))
    expect(subs).toHaveLength(2) // 'denied' was refused, 'c' was unsubscribed
    expect(text(publishes(conn2)[0]!)).toBe('pending')
    expect(m.isPublished()).toBe(false)
  })

  it('session lost (3.1.1): SUBSCRIBE re-sent with the granted filters and QoS; none when the session is present', async () => {
    let present = false
    const r = sessions(() => present)
    await r.client.connect('b')
    const sub = r.client.subscribe([['t/1', 1], ['t/2', 2]])
    await settle()
    r.broker.current.reply({ cmd: 'suback', messageId: sub.mid, granted: [1, 2] } as never)
    await sub
    await dropAndReconnect(r)
    await settle()
    const subs = r.broker.current.packets('subscribe').flatMap((p) => (p as { subscriptions: unknown[] }).subscriptions)
    expect(subs).toEqual(expect.arrayContaining([{ topic: 't/1', qos: 1 }, { topic: 't/2', qos: 2 }]))
    expect(subs).toHaveLength(2)
    for (const p of r.broker.current.packets('subscribe')) {
      r.broker.current.reply({ cmd: 'suback', messageId: (p as { messageId: number }).messageId, granted: (p as { subscriptions: { qos: number }[] }).subscriptions.map((s) => s.qos) } as never)
    }
    await settle()
    present = true
    await dropAndReconnect(r)
    await settle()
    expect(r.broker.current.packets('subscribe')).toEqual([])
  })

  it('a SUBSCRIBE still waiting for SUBACK when the connection drops is sent again once, not twice', async () => {
    const r = sessions(() => false)
    await r.client.connect('b')
    const sub = r.client.subscribe('p/#', 1)
    await settle()
    await dropAndReconnect(r)
    await settle()
    const again = r.broker.current.packets('subscribe')
    expect(again).toHaveLength(1)
    expect((again[0] as { messageId: number }).messageId).toBe(sub.mid)
    r.broker.current.reply({ cmd: 'suback', messageId: sub.mid, granted: [1] } as never)
    expect((await sub).map((c) => c.value)).toEqual([1])
  })

  it('session lost: an incoming QoS 2 id awaiting PUBREL is forgotten, so the new session delivers that id again', async () => {
    const r = sessions(() => false)
    const got: string[] = []
    r.client.onMessage = (_c, _u, m) => got.push(m.text)
    await r.client.connect('b')
    const pub = { cmd: 'publish', topic: 'in', payload: Buffer.from('first'), qos: 2, messageId: 9, dup: false, retain: false }
    r.broker.current.reply(pub as never)
    await settle()
    await dropAndReconnect(r)
    r.broker.current.reply({ ...pub, payload: Buffer.from('second') } as never)
    await settle()
    expect(got).toEqual(['first', 'second'])
  })
})
