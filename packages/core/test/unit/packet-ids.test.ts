import { describe, expect, it } from 'vitest'
import { InvalidStateError, MemoryStore } from '../../src/index.js'
import type { StoredOutgoing } from '../../src/index.js'
import { PacketIds } from '../../src/session/packet-ids.js'
import { connackWith, publishes, rig, settle, text } from '../support/rig.js'
import type { Rig } from '../support/rig.js'

/** One frame holding a PUBACK for each id. */
function pubacks(ids: number[]): Uint8Array {
  const out = new Uint8Array(ids.length * 4)
  ids.forEach((id, i) => out.set([0x40, 0x02, id >> 8, id & 0xff], i * 4))
  return out
}

/** Publish `n` QoS 1 messages on a connected client and acknowledge them all; returns their ids in order. */
async function cycle(r: Rig, n: number): Promise<number[]> {
  const infos = Array.from({ length: n }, (_, i) => r.client.publish('cycle', String(i), 1))
  const mids = infos.map((i) => i.mid)
  r.broker.current.deliver(pubacks(mids))
  await settle()
  expect(infos.every((i) => i.isPublished())).toBe(true)
  return mids
}

describe('PacketIds (session/packet-ids.ts)', () => {
  it('hands out 1 … 65535, then wraps to 1, skipping ids in use', () => {
    const ids = new PacketIds()
    expect(ids.allocate()).toBe(1)
    expect(ids.allocate()).toBe(2)
    ids.release(1)
    for (let want = 3; want <= 65535; want++) {
      const got = ids.allocate()
      if (got !== want) throw new Error(`expected ${want}, got ${got}`)
      ids.release(got)
    }
    expect(ids.next).toBe(1)
    expect(ids.allocate()).toBe(1) // 1 was released
    expect(ids.allocate()).toBe(3) // 2 still in use
    expect(ids.isUsed(2)).toBe(true)
  })

  it('never returns an id in use; undefined when all 65,535 are in use', () => {
    const ids = new PacketIds(65534)
    ids.reserve(65535)
    ids.reserve(1)
    expect(ids.allocate()).toBe(65534)
    expect(ids.allocate()).toBe(2) // 65535 and 1 reserved
    for (let i = 3; i <= 65533; i++) ids.allocate()
    expect(ids.size).toBe(65535)
    expect(ids.allocate()).toBeUndefined()
    ids.release(40000)
    expect(ids.allocate()).toBe(40000)
    expect(ids.allocate()).toBeUndefined()
  })

  it('a start value outside 1 … 65535 falls back to 1', () => {
    expect(new PacketIds(0).allocate()).toBe(1)
    expect(new PacketIds(70000).allocate()).toBe(1)
    expect(new PacketIds(65535).allocate()).toBe(65535)
  })
})

describe('packet identifiers on the wire', () => {
  it('are not reused while in flight, awaiting PUBCOMP, or held by a pending SUBSCRIBE — across a wrap at 65535', async () => {
    const r = rig({ autoAck: false })
    r.client.maxInflightMessagesSet(0) // unlimited: the broker's Receive Maximum (65535) is the window
    await r.client.connect('b')
    const conn = r.broker.current
    const q1 = r.client.publish('hold/q1', 'in flight', 1)
    const q2 = r.client.publish('hold/q2', 'awaiting PUBCOMP', 2)
    const sub = r.client.subscribe('hold/sub', 1)
    await settle()
    expect([q1.mid, q2.mid, sub.mid]).toEqual([1, 2, 3])
    conn.reply({ cmd: 'pubrec', messageId: 2 } as never)
    await settle()
    expect(conn.packets('pubrel').map((p) => (p as { messageId: number }).messageId)).toEqual([2])

    const cycled = await cycle(r, 65535 - 3)
    expect(cycled[0]).toBe(4)
    expect(cycled.at(-1)).toBe(65535)

    // the allocator wrapped: 1, 2 and 3 are still in use
    const next = r.client.publish('after/wrap', 'x', 1)
    const sub2 = r.client.subscribe('after/sub', 0)
    await settle()
    expect(next.mid).toBe(4)
    expect(sub2.mid).toBe(5)
    const last = publishes(conn).at(-1)!
    expect([last.topic, last.messageId]).toEqual(['after/wrap', 4])
    expect((conn.packets('subscribe').at(-1) as { messageId: number }).messageId).toBe(5)

    // every id on the wire was unique while in use
    expect(q1.isPublished() || q2.isPublished()).toBe(false)
    conn.reply({ cmd: 'puback', messageId: 1 } as never)
    conn.reply({ cmd: 'pubcomp', messageId: 2 } as never)
    conn.reply({ cmd: 'suback', messageId: 3, granted: [1] } as never)
    await settle()
    expect(q1.isPublished()).toBe(true)
    expect(q2.isPublished()).toBe(true)
    expect(await sub).toHaveLength(1)
  }, 120_000) // 65,535 publish/ack round trips: ~2 s alone, much more on a loaded machine

  it('when all 65,535 ids are in flight, the next message waits and takes the first id freed; SUBSCRIBE fails cleanly', async () => {
    const r = rig({ autoAck: false })
    r.client.maxInflightMessagesSet(0)
    await r.client.connect('b')
    const conn = r.broker.current
    const infos = Array.from({ length: 65535 }, (_, i) => r.client.publish('full', String(i), 1))
    await settle()
    expect(r.client.inflightCount).toBe(65535)
    const waiting = r.client.publish('full', 'waiting', 1)
    await settle()
    expect(waiting.mid).toBe(0)
    expect(r.client.queuedCount).toBe(1)
    expect(publishes(conn)).toHaveLength(65535)
    const sub = r.client.subscribe('s', 0)
    expect(sub.mid).toBe(0)
    await expect(sub.granted).rejects.toBeInstanceOf(InvalidStateError)
    expect(conn.packets('subscribe')).toHaveLength(0)

    conn.reply({ cmd: 'puback', messageId: 40000 } as never)
    await settle()
    expect(infos[39999]!.isPublished()).toBe(true)
    expect(waiting.mid).toBe(40000)
    const last = publishes(conn).at(-1)!
    expect([text(last), last.messageId, last.dup]).toEqual(['waiting', 40000, false])
  }, 120_000)

  it('ids restored from the store are reserved: new messages and SUBSCRIBEs get other ids', async () => {
    const store = new MemoryStore()
    const msg = (seq: number, mid: number, qos: 1 | 2, stage: StoredOutgoing['stage']): StoredOutgoing => ({
      seq, mid, topic: `stored/${seq}`, payload: new TextEncoder().encode(`s${seq}`), qos, retain: false, stage,
    })
    await store.apply('b|c1', [
      { type: 'putOutgoing', message: msg(1, 2, 1, 'sent') },
      { type: 'putOutgoing', message: msg(2, 4, 2, 'released') },
      { type: 'putOutgoing', message: msg(3, 0, 1, 'queued') },
      { type: 'putSubscription', subscription: { topic: 'stored/#', options: { qos: 1 } } },
    ])
    const r = rig({ autoAck: false, cleanSession: false, store, connack: connackWith({ sessionPresent: true }) })
    await r.client.restoreSession('b')
    expect(r.client.pendingMessages().map((m) => [m.seq, m.mid])).toEqual([[1, 2], [2, 4], [3, 0]])
    const early = r.client.publish('new/early', 'e', 1) // before connecting: queued without an id
    expect(early.mid).toBe(0)
    await r.client.connect('b')
    const conn = r.broker.current
    const fresh = [r.client.publish('new/a', 'a', 1), r.client.publish('new/b', 'b', 2)]
    const sub = r.client.subscribe('new/#', 1)
    await settle()
    // (publish order after a restore is asserted in persistence.test.ts; here only the ids matter)
    const sent = new Map(publishes(conn).map((p) => [p.topic, [p.messageId, p.dup]]))
    expect(Object.fromEntries(sent)).toEqual({
      'stored/1': [2, true],
      'stored/3': [1, false],
      'new/early': [3, false],
      'new/a': [5, false],
      'new/b': [6, false],
    })
    expect(publishes(conn)).toHaveLength(5)
    expect(conn.packets('pubrel').map((p) => (p as { messageId: number }).messageId)).toEqual([4])
    expect(fresh.map((i) => i.mid)).toEqual([5, 6])
    expect(sub.mid).toBe(7)
  })
})
