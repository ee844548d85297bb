// Publish/subscribe against real brokers over WebSocket: every QoS with exact counts and order, granted QoS,
// payload types, unsubscribe, overlapping subscriptions, `$` topics and wildcards, per-filter callbacks and
// the async iterator.
import { describe, expect, it } from 'vitest'
import { MQTT_ERR_SUCCESS } from '@webmqtt/core'
import type { Combo } from './helpers.js'
import {
  AEDES_311, COMBOS, MOSQUITTO_31, MOSQUITTO_311, MOSQUITTO_5, autoCleanup, connectClient, seq, texts, unique, useBrokers,
  waitFor, withTimeout,
} from './helpers.js'

// sys_interval 1: Mosquitto publishes $SYS every second, so the `$` test sees real $SYS traffic.
const brokers = useBrokers({ mosquitto: { extra: ['sys_interval 1'] } })
autoCleanup()

/**
 * How many copies of one message a client with three overlapping subscriptions gets, per broker and protocol
 * (observed, and allowed by the spec either way): Mosquitto 3.1.1 and Aedes send one copy at the highest granted
 * QoS; Mosquitto 5 sends one copy per matching subscription, each at that subscription's QoS.
 */
const OVERLAP: Record<string, { copies: number; qos: number[] }> = {
  [MOSQUITTO_311.name]: { copies: 1, qos: [2] },
  [MOSQUITTO_5.name]: { copies: 3, qos: [0, 1, 2] },
  [AEDES_311.name]: { copies: 1, qos: [2] },
  [MOSQUITTO_31.name]: { copies: 1, qos: [2] },
}

describe.each([...COMBOS, MOSQUITTO_31])('pub/sub: $name', (combo: Combo) => {
  it('QoS 0, 1 and 2: every message exactly once, in order, at the right QoS', async () => {
    const base = unique('qos')
    const sub = await connectClient(brokers, combo)
    const pub = await connectClient(brokers, combo)
    const granted = await sub.client.subscribe(`${base}/#`, 2)
    expect(granted.map(Number)).toEqual([2])
    const n = 50
    const infos = []
    for (let i = 0; i < n; i++) {
      for (const qos of [0, 1, 2] as const) infos.push(pub.client.publish(`${base}/q${qos}`, `m${i}`, qos))
    }
    expect(infos.every((i) => i.rc === MQTT_ERR_SUCCESS)).toBe(true)
    await withTimeout(Promise.all(infos.map((i) => i.waitForPublish())), 10_000, 'all publishes acknowledged')
    expect(infos.every((i) => i.isPublished())).toBe(true)
    await waitFor(() => sub.messages.length >= 3 * n, 10_000, 'all messages', () => sub.messages.length)
    for (const qos of [0, 1, 2] as const) {
      const got = sub.messages.filter((m) => m.topic === `${base}/q${qos}`)
      expect(got.map((m) => m.text)).toEqual(seq('m', n))
      expect(new Set(got.map((m) => m.qos))).toEqual(new Set([qos]))
      expect(got.every((m) => !m.retain && !m.dup)).toBe(true)
    }
    // Nothing more arrives: a final marker is the last message.
    pub.client.publish(`${base}/end`, 'end', 2)
    await waitFor(() => sub.messages.some((m) => m.topic === `${base}/end`), 5000, 'end marker')
    expect(sub.messages).toHaveLength(3 * n + 1)
  })

  it('delivery QoS is the minimum of publish QoS and granted QoS', async () => {
    const base = unique('grant')
    const sub = await connectClient(brokers, combo)
    const codes = await sub.client.subscribe([[`${base}/a`, 0], [`${base}/b`, 1], [`${base}/c`, 2]])
    expect(codes.map(Number)).toEqual([0, 1, 2])
    const pub = await connectClient(brokers, combo)
    for (const t of ['a', 'b', 'c']) await pub.client.publish(`${base}/${t}`, t, 2).waitForPublish(5000)
    await waitFor(() => sub.messages.length >= 3, 5000, 'three messages')
    expect(sub.messages.map((m) => [m.topic.slice(-1), m.qos])).toEqual([['a', 0], ['b', 1], ['c', 2]])
  })

  it('payloads: string, number, bytes, ArrayBuffer and empty arrive byte-exact', async () => {
    const topic = unique('payload')
    const c = await connectClient(brokers, combo)
    await c.client.subscribe(topic, 1)
    const bytes = new Uint8Array([0, 1, 2, 254, 255])
    const inputs: Array<[unknown, number[]]> = [
      ['héllo ✓', [...new TextEncoder().encode('héllo ✓')]],
      [42.5, [...new TextEncoder().encode('42.5')]],
      [bytes, [...bytes]],
      [new Uint8Array([9, 8, 7]).buffer, [9, 8, 7]],
      [new DataView(new Uint8Array([5, 6, 7, 8]).buffer, 1, 2), [6, 7]],
      [null, []],
      [undefined, []],
      ['', []],
    ]
    for (const [payload] of inputs) {
      await c.client.publish(topic, payload as never, 1).waitForPublish(5000)
    }
    await waitFor(() => c.messages.length >= inputs.length, 5000, 'all payloads')
    expect(c.messages.map((m) => [...m.payload])).toEqual(inputs.map(([, b]) => b))
    expect(c.messages[0]?.text).toBe('héllo ✓')
  })

  it('unsubscribe stops delivery for that filter only', async () => {
    const base = unique('unsub')
    const c = await connectClient(brokers, combo)
    await c.client.subscribe([[`${base}/gone/#`, 1], [`${base}/kept`, 1]])
    await c.client.publish(`${base}/gone/x`, 'before', 1).waitForPublish(5000)
    await waitFor(() => c.messages.length >= 1, 5000, 'message before unsubscribe')
    const codes = await c.client.unsubscribe(`${base}/gone/#`)
    expect(codes).toHaveLength(1)
    await c.client.publish(`${base}/gone/x`, 'after', 1).waitForPublish(5000)
    await c.client.publish(`${base}/kept`, 'marker', 1).waitForPublish(5000)
    await waitFor(() => c.messages.some((m) => m.text === 'marker'), 5000, 'marker')
    expect(texts(c.messages)).toEqual(['before', 'marker'])
  })

  it('overlapping subscriptions: copies as the broker documents them', async () => {
    const base = unique('overlap')
    const c = await connectClient(brokers, combo)
    const codes = await c.client.subscribe([[`${base}/+`, 0], [`${base}/#`, 1], [`${base}/a`, 2]])
    expect(codes.map(Number)).toEqual([0, 1, 2])
    await c.client.publish(`${base}/a`, 'x', 2).waitForPublish(5000)
    await c.client.publish(`${base}/end`, 'end', 2).waitForPublish(5000)
    await waitFor(() => c.messages.some((m) => m.text === 'end'), 5000, 'marker')
    const copies = c.messages.filter((m) => m.topic === `${base}/a`)
    const expected = OVERLAP[combo.name]!
    expect(copies).toHaveLength(expected.copies)
    expect(copies.map((m) => m.qos).sort()).toEqual(expected.qos)
  })

  it('`$` topics are not matched by `#` or `+` wildcards', async () => {
    const id = unique('dollar')
    const wild = await connectClient(brokers, combo)
    await wild.client.subscribe([['#', 0], ['+/broker/#', 0], ['+/' + id, 0]])
    const dollar = await connectClient(brokers, combo)
    await dollar.client.subscribe([['$SYS/#', 0], [`$app/${id}`, 0]])
    // A `$` topic published by a client reaches an explicit `$` subscriber but not the wildcard one.
    const pub = await connectClient(brokers, combo)
    await pub.client.publish(`$app/${id}`, 'dollar', 1).waitForPublish(5000)
    await pub.client.publish(`app/${id}`, 'plain', 1).waitForPublish(5000)
    await waitFor(() => dollar.messages.some((m) => m.topic === `$app/${id}`), 5000, '$app message to explicit subscriber')
    await waitFor(() => wild.messages.some((m) => m.topic === `app/${id}`), 5000, 'plain message to wildcard subscriber')
    // The broker's own $SYS traffic reaches `$SYS/#` (Mosquitto: every second; Aedes: on new clients/subscribes).
    await waitFor(() => dollar.messages.some((m) => m.topic.startsWith('$SYS/')), 5000, '$SYS traffic')
    expect(wild.messages.filter((m) => m.topic.startsWith('$'))).toEqual([])
  })

  it('per-filter callbacks take their messages from onMessage; messages() iterates', async () => {
    const base = unique('cb')
    const c = await connectClient(brokers, combo)
    const routed: string[] = []
    c.client.messageCallbackAdd(`${base}/special/#`, (_c, _u, m) => { routed.push(m.text) })
    const iterated: string[] = []
    const iterator = c.client.messages(`${base}/#`)
    const consumer = (async () => {
      for await (const m of iterator) {
        iterated.push(m.text)
        if (iterated.length === 3) break
      }
    })()
    await c.client.subscribe(`${base}/#`, 1)
    for (const t of ['plain', 'special/a', 'plain']) await c.client.publish(`${base}/${t}`, t, 1).waitForPublish(5000)
    await withTimeout(consumer, 5000, 'iterator consumer')
    await waitFor(() => c.messages.length >= 2 && routed.length >= 1, 5000, 'callbacks')
    expect(texts(c.messages)).toEqual(['plain', 'plain'])
    expect(routed).toEqual(['special/a'])
    expect(iterated).toEqual(['plain', 'special/a', 'plain'])
    c.client.messageCallbackRemove(`${base}/special/#`)
    await c.client.publish(`${base}/special/b`, 'after-remove', 1).waitForPublish(5000)
    await waitFor(() => c.messages.length >= 3, 5000, 'onMessage after messageCallbackRemove')
    expect(texts(c.messages)).toEqual(['plain', 'plain', 'after-remove'])
  })
})
