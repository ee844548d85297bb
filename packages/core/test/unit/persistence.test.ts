import { describe, expect, it } from 'vitest'
import { InvalidStateError, MQTTv5, StorageError } from '../../src/index.js'
import type { StoredOutgoing } from '../../src/index.js'
import type { Packet } from 'mqtt-packet'
import { RecordingStore } from '../support/recording-store.js'
import { connackWith, errorEvents, guardEscapes, publishes, rig, settle, text } from '../support/rig.js'
import type { Rig, RigOptions } from '../support/rig.js'

const KEY = 'b|c1'

function persistent(store: RecordingStore, opts: RigOptions = {}): Rig {
  return rig({ cleanSession: false, store, ...opts })
}

/** A persistent client (no auto-acks) connected and collecting message texts, with the store's writes held from now. */
async function connectedWithWritesHeld(): Promise<{ r: Rig; got: string[]; release: () => void }> {
  const store = new RecordingStore()
  const r = persistent(store, { autoAck: false })
  const got: string[] = []
  r.client.onMessage = (_c, _u, m) => got.push(m.text)
  await r.client.connect('b')
  await settle()
  return { r, got, release: store.hold() }
}

/**
 * Record every QoS>0 PUBLISH / PUBREL the broker receives whose state was not yet durable in the store:
 * a message must be in the store (stage 'sent' with that packet id) before it goes on the wire.
 */
function watchDurability(r: Rig, store: RecordingStore, key = KEY): { publish: string[]; pubrel: string[] } {
  const violations = { publish: [] as string[], pubrel: [] as string[] }
  const orig = r.broker.connect.bind(r.broker)
  r.broker.connect = async (t, h) => {
    const conn = await orig(t, h)
    const sc = r.broker.current
    const auto = sc.onPacket
    sc.onPacket = (p, c) => {
      if (p.cmd === 'publish' && p.qos > 0) {
        const rec = store.durableByMid(key, p.messageId!)
        if (!rec || rec.stage === 'queued') violations.publish.push(`PUBLISH ${text(p)} (mid ${p.messageId}) sent before durable: ${JSON.stringify(rec?.stage)}`)
      }
      if (p.cmd === 'pubrel') {
        const rec = store.durableByMid(key, p.messageId!)
        if (rec?.stage !== 'released') violations.pubrel.push(`PUBREL ${p.messageId} sent before 'released' was durable`)
      }
      auto?.(p, c)
    }
    return conn
  }
  return violations
}

describe('persistence with a SessionStore', () => {
  guardEscapes()

  it('group commit: 100 publishes are one store batch, and none is sent before that batch is durable', async () => {
    const store = new RecordingStore()
    const r = persistent(store)
    const violations = watchDurability(r, store)
    await r.client.connect('b')
    await settle()
    expect(r.client.persistent).toBe(true)
    const before = store.batches.length
    const release = store.hold()
    const infos = Array.from({ length: 100 }, (_, i) => r.client.publish('gc', `m${i}`, (i % 2) + 1 as 1 | 2))
    await settle()
    expect(store.batches.length - before).toBe(1)
    const batch = store.batches.at(-1)!
    expect(batch.key).toBe(KEY)
    expect(batch.ops.filter((o) => o.type === 'putOutgoing')).toHaveLength(100)
    expect(publishes(r.broker.current)).toHaveLength(0) // not durable yet: nothing on the wire
    release()
    await settle()
    expect(publishes(r.broker.current).map(text)).toEqual(infos.map((_, i) => `m${i}`))
    await Promise.all(infos.map((i) => i.waitForPublish()))
    await r.client.flush()
    const total = store.batches.length - before
    expect(total).toBeLessThanOrEqual(12) // sends, PUBRECs and completions: a handful of batches, not 300
    expect(store.durable.get(KEY)?.size ?? 0).toBe(0) // completed messages are deleted
    expect(violations.publish).toEqual([])
  })

  it('QoS 2: PUBREL is sent only once the "released" stage is durable (else a reload would resend the PUBLISH)', async () => {
    const store = new RecordingStore()
    const r = persistent(store, { autoAck: false })
    const violations = watchDurability(r, store)
    await r.client.connect('b')
    const info = r.client.publish('q2', 'x', 2)
    await settle()
    expect(publishes(r.broker.current)).toHaveLength(1)
    const release = store.hold()
    r.broker.current.reply({ cmd: 'pubrec', messageId: info.mid } as never)
    await settle()
    expect.soft(r.broker.current.packets('pubrel'), 'no PUBREL while "released" is not durable').toEqual([])
    release()
    await settle()
    expect(r.broker.current.packets('pubrel')).toHaveLength(1)
    expect(violations.pubrel).toEqual([])
  })

  it('a store whose apply rejects: one StorageError status event, the client goes on in memory, nothing is lost', async () => {
    const store = new RecordingStore()
    const failure = new Error('QuotaExceededError')
    store.failApply = (_n, ops) => (ops.some((o) => o.type === 'putOutgoing') ? failure : undefined)
    const r = persistent(store)
    const got: string[] = []
    r.client.onMessage = (_c, _u, m) => got.push(m.text)
    await r.client.connect('b')
    await settle()
    expect(r.client.persistent).toBe(true)
    const first = [r.client.publish('t', 'a', 1), r.client.publish('t', 'b', 2), r.client.publish('t', 'c', 1)]
    await Promise.all(first.map((i) => i.waitForPublish()))
    const errs = errorEvents(r)
    expect(errs).toHaveLength(1)
    expect(errs[0]).toBeInstanceOf(StorageError)
    expect((errs[0] as StorageError).cause).toBe(failure)
    expect(r.client.persistent).toBe(false)
    expect(r.client.isConnected()).toBe(true)
    const later = [r.client.publish('t', 'd', 2), r.client.publish('t', 'e', 1)]
    await Promise.all(later.map((i) => i.waitForPublish()))
    r.broker.current.reply({ cmd: 'publish', topic: 'in', payload: Buffer.from('incoming'), qos: 2, messageId: 3, dup: false, retain: false } as never)
    await settle()
    expect(publishes(r.broker.current).map(text)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(got).toEqual(['incoming'])
    expect(errorEvents(r)).toHaveLength(1) // reported once
  })

  it('a store whose load rejects: StorageError, the connection still comes up without persistence', async () => {
    const store = new RecordingStore()
    store.failLoad = () => new Error('blocked')
    const r = persistent(store)
    await r.client.connect('b')
    expect(r.client.isConnected()).toBe(true)
    expect(errorEvents(r).map((e) => e.name)).toEqual(['StorageError'])
    expect(r.client.persistent).toBe(false)
    await r.client.publish('t', 'x', 1).waitForPublish()
    expect(store.batches).toEqual([])
  })

  it.each([
    ['3.1.1 cleanSession true', { cleanSession: true }],
    ['5 cleanStart true', { protocol: MQTTv5, cleanStart: true, sessionExpiryInterval: 60 }],
    ['5 without session expiry', { protocol: MQTTv5, cleanStart: false }],
  ] as const)('a clean session (%s) clears the stored key and writes nothing', async (_n, opts) => {
    const store = new RecordingStore()
    await store.inner.apply(KEY, [{ type: 'putOutgoing', message: { seq: 1, mid: 1, topic: 'old', payload: new Uint8Array(1), qos: 1, retain: false, stage: 'sent' } }])
    await store.inner.apply('b|someone-else', [{ type: 'putIncoming', mid: 4 }])
    const r = rig({ store, ...opts })
    await r.client.connect('b')
    await r.client.publish('t', 'x', 1).waitForPublish()
    await r.client.flush()
    expect(store.clears).toEqual([KEY])
    expect(await store.keys()).toEqual(['b|someone-else'])
    expect(store.batches).toEqual([])
    expect(publishes(r.broker.current).map((p) => p.topic)).toEqual(['t']) // 'old' is not resent
  })

  it('clearSession(): stored and in-memory state are wiped; outstanding messages fail with InvalidStateError', async () => {
    const store = new RecordingStore()
    const r = persistent(store, { autoAck: false })
    await r.client.connect('b')
    const sub = r.client.subscribe('keep/#', 1)
    const info = r.client.publish('t', 'x', 1)
    await settle()
    r.broker.current.reply({ cmd: 'suback', messageId: sub.mid, granted: [1] } as never)
    await sub
    await r.client.flush()
    const snap = await store.load(KEY)
    expect(snap.outgoing.map((m) => m.topic)).toEqual(['t'])
    expect(snap.subscriptions.map((s) => s.topic)).toEqual(['keep/#'])
    await r.client.clearSession()
    await expect(info.waitForPublish()).rejects.toBeInstanceOf(InvalidStateError)
    expect(r.client.pendingMessages()).toEqual([])
    expect(await store.keys()).toEqual([])
    // the broker loses the session too: nothing comes back, no re-subscribe
    r.broker.opts.connack = connackWith({ sessionPresent: false })
    r.broker.current.drop()
    await settle()
    await r.timers.advance(1_000)
    expect(r.broker.current.received.map((p) => p.cmd)).toEqual(['connect'])
  })

  it('clearSession() before connect() clears the key given by the sessionKey option', async () => {
    const store = new RecordingStore()
    await store.inner.apply('my-session', [{ type: 'putIncoming', mid: 9 }])
    const r = rig({ cleanSession: false, store, sessionKey: 'my-session' })
    await r.client.clearSession()
    expect(await store.keys()).toEqual([])
  })

  it('restored messages are sent in publish order, each only once its record is durable', async () => {
    const store = new RecordingStore()
    const rec = (seq: number, mid: number, qos: 1 | 2, stage: StoredOutgoing['stage']): StoredOutgoing => ({
      seq, mid, topic: `s/${seq}`, payload: new TextEncoder().encode(`s${seq}`), qos, retain: false, stage,
    })
    await store.apply(KEY, [
      { type: 'putOutgoing', message: rec(1, 2, 1, 'sent') },
      { type: 'putOutgoing', message: rec(2, 4, 2, 'released') },
      { type: 'putOutgoing', message: rec(3, 0, 1, 'queued') },
      { type: 'putOutgoing', message: rec(4, 0, 2, 'queued') },
    ])
    const r = persistent(store, { autoAck: false, connack: connackWith({ sessionPresent: true }) })
    const violations = watchDurability(r, store)
    await r.client.restoreSession('b')
    r.client.publish('new/1', 'n1', 1)
    await r.client.connect('b')
    r.client.publish('new/2', 'n2', 2)
    await settle()
    const conn = r.broker.current
    expect.soft(violations.publish).toEqual([])
    expect(publishes(conn).map((p) => [text(p), p.dup])).toEqual([['s1', true], ['s3', false], ['s4', false], ['n1', false], ['n2', false]])
    expect(conn.packets('pubrel').map((p) => (p as { messageId: number }).messageId)).toEqual([4])
  })

  it('incoming QoS 2 is delivered exactly once across a reload (a new client on the same store)', async () => {
    const store = new RecordingStore()
    const r1 = persistent(store, { autoAck: false })
    const got1: string[] = []
    r1.client.onMessage = (_c, _u, m) => got1.push(m.text)
    await r1.client.connect('b')
    const pub = { cmd: 'publish', topic: 'x', payload: Buffer.from('once'), qos: 2, messageId: 5, dup: false, retain: false }
    r1.broker.current.reply(pub as never)
    await settle()
    expect(got1).toEqual(['once'])
    expect(r1.broker.current.packets('pubrec')).toHaveLength(1)
    await r1.client.flush()
    expect((await store.load(KEY)).incoming).toEqual([5])
    r1.broker.current.drop() // the page goes away before PUBREL

    const r2 = persistent(store, { autoAck: false, connack: connackWith({ sessionPresent: true }) })
    const got2: string[] = []
    r2.client.onMessage = (_c, _u, m) => got2.push(m.text)
    await r2.client.connect('b')
    const conn = r2.broker.current
    conn.reply({ ...pub, dup: true } as never)
    await settle()
    expect(got2).toEqual([])
    expect(conn.packets('pubrec').map((p) => (p as { messageId: number }).messageId)).toEqual([5])
    conn.reply({ cmd: 'pubrel', messageId: 5 } as never)
    await settle()
    expect(conn.packets('pubcomp').map((p) => (p as { messageId: number; reasonCode?: number }).reasonCode ?? 0)).toEqual([0])
    await r2.client.flush()
    expect((await store.load(KEY)).incoming).toEqual([])
  })

  it('an incoming QoS 2 PUBREC is sent only after its packet id is durable', async () => {
    const store = new RecordingStore()
    const r = persistent(store, { autoAck: false })
    await r.client.connect('b')
    await settle()
    const release = store.hold()
    r.broker.current.reply({ cmd: 'publish', topic: 'x', payload: Buffer.from('q2'), qos: 2, messageId: 8, dup: false, retain: false } as never)
    await settle()
    expect(r.broker.current.packets('pubrec')).toEqual([])
    release()
    await settle()
    expect(r.broker.current.packets('pubrec')).toHaveLength(1)
  })

  it('an incoming QoS 2 message is stored with its id before delivery and rewritten without it after', async () => {
    const store = new RecordingStore()
    const r = persistent(store, { autoAck: false })
    const got: string[] = []
    let undeliveredAtDelivery: number | undefined
    r.client.onMessage = (_c, _u, m) => {
      got.push(m.text)
      undeliveredAtDelivery = store.durableUndelivered(KEY).length
    }
    await r.client.connect('b')
    await settle()
    r.broker.current.reply({ cmd: 'publish', topic: 'x', payload: Buffer.from('kept'), qos: 2, messageId: 8, dup: false, retain: true } as never)
    await settle()
    await r.client.flush()
    expect(got).toEqual(['kept'])
    expect(undeliveredAtDelivery).toBe(1) // durable, with its message, when the app got it
    const puts = store.batches.flatMap((b) => b.ops).filter((o) => o.type === 'putIncoming')
    expect(puts.map((o) => [o.mid, o.message ? new TextDecoder().decode(o.message.payload) : null, o.message?.retain])).toEqual([
      [8, 'kept', true], [8, null, undefined],
    ])
    const snap = await store.load(KEY)
    expect([snap.incoming, snap.undelivered]).toEqual([[8], []])
  })

  it('after a reload, a stored QoS 2 message the broker sends again is delivered once; one it releases is not', async () => {
    const store = new RecordingStore()
    // What a page leaves when it unloads right after storing messages: 9 and 4 stored with their messages (maybe
    // delivered, the rewrite lost), 12 delivered.
    const enc = (t: string): Uint8Array => new TextEncoder().encode(t)
    await store.apply(KEY, [
      { type: 'putIncoming', mid: 4, message: { seq: 1, topic: 'a/2', payload: enc('second'), retain: false, dup: false } },
      { type: 'putIncoming', mid: 9, message: { seq: 0, topic: 'a/1', payload: enc('first'), retain: false, dup: false } },
      { type: 'putIncoming', mid: 12 },
    ])
    const r = persistent(store, { autoAck: false, connack: connackWith({ sessionPresent: true }) })
    const got: string[] = []
    r.client.onMessage = (_c, _u, m) => got.push(`${m.topic}=${m.text} q${m.qos} m${m.mid} dup=${m.dup}`)
    await r.client.connect('b')
    await settle()
    expect(got).toEqual([]) // the broker decides
    const conn = r.broker.current
    // 9: the broker never got PUBREC (so it was never delivered): it re-sends the PUBLISH → delivered, once.
    const again = { cmd: 'publish', topic: 'a/1', payload: Buffer.from('first'), qos: 2, messageId: 9, dup: true, retain: false }
    conn.reply(again as never)
    await settle()
    conn.reply(again as never)
    // 4: the broker got PUBREC (sent only after delivery): it re-sends PUBREL → not delivered again.
    conn.reply({ cmd: 'pubrel', messageId: 4 } as never)
    // 12: delivered before; a DUP re-send is only acknowledged.
    conn.reply({ cmd: 'publish', topic: 'a/3', payload: Buffer.from('x'), qos: 2, messageId: 12, dup: true, retain: false } as never)
    await settle()
    expect(got).toEqual(['a/1=first q2 m9 dup=true'])
    expect(conn.packets('pubrec').map((p) => (p as { messageId: number }).messageId)).toEqual([9, 9, 12])
    expect(conn.packets('pubcomp').map((p) => (p as { messageId: number }).messageId)).toEqual([4])
    await r.client.flush()
    let snap = await store.load(KEY)
    expect([snap.incoming, snap.undelivered]).toEqual([[9, 12], []])
    for (const mid of [9, 12]) conn.reply({ cmd: 'pubrel', messageId: mid } as never)
    await settle()
    await r.client.flush()
    snap = await store.load(KEY)
    expect(snap.incoming).toEqual([])
    expect(got).toHaveLength(1)
  })

  it('a stored undelivered QoS 2 message is delivered even when the broker has lost the session', async () => {
    const store = new RecordingStore()
    await store.apply(KEY, [
      { type: 'putIncoming', mid: 3, message: { seq: 0, topic: 'z', payload: new TextEncoder().encode('late'), retain: false, dup: true } },
    ])
    const r = persistent(store, { autoAck: false, connack: connackWith({ sessionPresent: false }) })
    const got: string[] = []
    r.client.onMessage = (_c, _u, m) => got.push(`${m.text} dup=${m.dup}`)
    await r.client.connect('b')
    await settle()
    await r.client.flush()
    expect(got).toEqual(['late dup=true'])
    const snap = await store.load(KEY)
    expect([snap.incoming, snap.undelivered]).toEqual([[], []])
  })

  it('a QoS 2 message whose store write is still pending when the broker comes back without a session (the default answer) is still delivered once', async () => {
    const { r, got, release } = await connectedWithWritesHeld()
    r.broker.current.reply({ cmd: 'publish', topic: 'x', payload: Buffer.from('in-flight'), qos: 2, messageId: 6, dup: false, retain: false } as never)
    await settle()
    r.broker.current.drop()
    await settle()
    await r.client.reconnect().catch(() => {})
    release()
    await settle()
    await r.client.flush()
    expect(got).toEqual(['in-flight'])
  })

  it('incoming messages are delivered and acknowledged in arrival order while a QoS 2 id waits to be durable', async () => {
    const { r, got, release } = await connectedWithWritesHeld()
    const conn = r.broker.current
    conn.reply({ cmd: 'publish', topic: 'o', payload: Buffer.from('q2'), qos: 2, messageId: 1, dup: false, retain: false } as never)
    conn.reply({ cmd: 'publish', topic: 'o', payload: Buffer.from('q1'), qos: 1, messageId: 2, dup: false, retain: false } as never)
    conn.reply({ cmd: 'publish', topic: 'o', payload: Buffer.from('q0'), qos: 0, dup: false, retain: false } as never)
    await settle()
    expect(got).toEqual([])
    release()
    await settle()
    expect(got).toEqual(['q2', 'q1', 'q0'])
    expect(conn.received.slice(1).map((p) => [p.cmd, (p as { messageId?: number }).messageId])).toEqual([['pubrec', 1], ['puback', 2]])
  })

  it('subscriptions are persisted and re-sent by a new client when the broker has no session', async () => {
    const store = new RecordingStore()
    const r1 = persistent(store, { protocol: MQTTv5, cleanStart: false, sessionExpiryInterval: 600 })
    await r1.client.connect('b')
    await r1.client.subscribe('x/#', { qos: 2, noLocal: true, retainHandling: 1 })
    await r1.client.flush()
    await r1.client.disconnect()
    const r2 = persistent(store, { protocol: MQTTv5, cleanStart: false, sessionExpiryInterval: 600 })
    await r2.client.connect('b')
    await settle()
    const subs = r2.broker.current.packets('subscribe').flatMap((p) => (p as { subscriptions: unknown[] }).subscriptions)
    expect(subs).toEqual([{ topic: 'x/#', qos: 2, nl: true, rap: false, rh: 1 }])
  })

  it('credentials are never written to the store', async () => {
    const store = new RecordingStore()
    const r = persistent(store)
    r.client.usernamePwSet('alice', 's3cr3t-pw')
    await r.client.connect('b')
    await r.client.publish('t', 'x', 1).waitForPublish()
    await r.client.subscribe('s', 1)
    await r.client.flush()
    const dump = JSON.stringify(store.batches, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v))
    expect(dump).not.toContain('s3cr3t-pw')
    expect(dump).not.toContain('alice')
    expect((r.broker.current.packets('connect')[0] as Packet & { username: string }).username).toBe('alice')
  })
})
