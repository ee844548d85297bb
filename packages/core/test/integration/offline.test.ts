// Offline behaviour against real brokers: a persistent-session subscriber that goes away (gracefully or
// abruptly) gets what was published meanwhile; a publisher that is offline queues and sends after reconnect,
// in order; messages in flight when the connection drops are resent with DUP and QoS 2 arrives once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MQTT_ERR_NO_CONN, MQTT_ERR_SUCCESS, NotConnectedError } from '@webmqtt/core'
import type { ClientOptions, MessageInfo, StatusEvent } from '@webmqtt/core'
import { startWsProxy } from '../harness/brokers.js'
import type { WsProxy } from '../harness/brokers.js'
import type { Combo } from './helpers.js'
import {
  COMBOS, autoCleanup, connectClient, frameTrace, makeClient, publishedTexts, seq, texts, unique, useBrokers, waitFor,
  withTimeout,
} from './helpers.js'

const brokers = useBrokers()
autoCleanup()

/** Options for a session the broker keeps after the connection ends. */
function persistent(combo: Combo): Partial<ClientOptions> {
  return combo.protocol === 5 ? { cleanStart: false, sessionExpiryInterval: 300 } : { cleanSession: false }
}

function interleaved(base: string, n: number): Array<[string, string, 1 | 2]> {
  const out: Array<[string, string, 1 | 2]> = []
  for (let i = 0; i < n; i++) {
    out.push([`${base}/q1`, `a${i}`, 1])
    out.push([`${base}/q2`, `b${i}`, 2])
  }
  return out
}

describe.each(COMBOS)('offline: $name', (combo: Combo) => {
  it('a persistent subscriber that disconnected gets the messages published meanwhile, in order', async () => {
    const base = unique('away')
    const sub = makeClient(combo, { clientId: unique('sub'), ...persistent(combo) })
    await sub.client.connect(brokers.url(combo))
    await sub.client.subscribe(`${base}/#`, 2)
    await sub.client.disconnect()

    const pub = await connectClient(brokers, combo)
    const n = 20
    const infos = interleaved(base, n).map(([t, p, q]) => pub.client.publish(t, p, q))
    await withTimeout(Promise.all(infos.map((i) => i.waitForPublish())), 10_000, 'publishes while subscriber away')

    const back = await sub.client.connect(brokers.url(combo))
    expect(back.sessionPresent).toBe(true)
    await waitFor(() => sub.messages.length >= 2 * n, 10_000, 'queued messages', () => sub.messages.length)
    expect(texts(sub.messages, `${base}/q1`)).toEqual(seq('a', n))
    expect(texts(sub.messages, `${base}/q2`)).toEqual(seq('b', n))
    pub.client.publish(`${base}/end`, 'end', 1)
    await waitFor(() => sub.messages.some((m) => m.text === 'end'), 5000, 'end marker')
    expect(sub.messages).toHaveLength(2 * n + 1)
  })

  it('a persistent subscriber that lost its connection reconnects by itself and gets everything', async () => {
    const base = unique('lost')
    const sub = makeClient(combo, { clientId: unique('sub'), ...persistent(combo) })
    const statuses: StatusEvent[] = []
    sub.client.on('status', (ev) => { statuses.push(ev) })
    await sub.client.connect(brokers.url(combo))
    await sub.client.subscribe(`${base}/#`, 2)
    sub.transport.setOffline(true)
    await waitFor(() => sub.client.state === 'reconnecting', 5000, 'reconnecting state', () => sub.client.state)

    const pub = await connectClient(brokers, combo)
    const n = 15
    const infos = interleaved(base, n).map(([t, p, q]) => pub.client.publish(t, p, q))
    await withTimeout(Promise.all(infos.map((i) => i.waitForPublish())), 10_000, 'publishes while subscriber offline')

    sub.transport.setOffline(false)
    await waitFor(() => sub.client.state === 'connected', 5000, 'automatic reconnect', () => sub.client.state)
    const connected = statuses.filter((s): s is Extract<StatusEvent, { type: 'connected' }> => s.type === 'connected')
    expect(connected.map((s) => s.sessionPresent)).toEqual([false, true])
    await waitFor(() => sub.messages.length >= 2 * n, 10_000, 'queued messages', () => sub.messages.length)
    expect(texts(sub.messages, `${base}/q1`)).toEqual(seq('a', n))
    expect(texts(sub.messages, `${base}/q2`)).toEqual(seq('b', n))
  })

  // Brokers do not keep the order across QoS levels (Mosquitto forwards QoS 2 on PUBREL; Aedes' QoS 1 path is slower
  // than its QoS 2 path), so the client's own order is checked on the wire and the subscriber's order per QoS.
  it('publishing while offline queues QoS 1/2 and sends them after reconnect, in order', async () => {
    const topic = unique('queued')
    const sub = await connectClient(brokers, combo)
    await sub.client.subscribe(topic, 2)
    const trace = frameTrace()
    const pub = await connectClient(brokers, combo, {}, { onFrame: trace.onFrame })
    pub.transport.setOffline(true)
    await waitFor(() => pub.client.state === 'reconnecting', 5000, 'reconnecting state', () => pub.client.state)

    const infos: MessageInfo[] = []
    for (let i = 0; i < 20; i++) infos.push(pub.client.publish(topic, `m${i}`, i % 2 === 0 ? 1 : 2))
    expect(infos.map((i) => i.rc)).toEqual(infos.map(() => MQTT_ERR_SUCCESS))
    expect(infos.some((i) => i.isPublished())).toBe(false)
    expect(pub.client.pendingMessages()).toHaveLength(20)
    const qos0 = pub.client.publish(topic, 'qos0-offline', 0)
    expect(qos0.rc).toBe(MQTT_ERR_NO_CONN)
    await expect(qos0.waitForPublish(1000)).rejects.toBeInstanceOf(NotConnectedError)

    pub.transport.setOffline(false)
    await withTimeout(Promise.all(infos.map((i) => i.waitForPublish())), 10_000, 'queued publishes sent')
    expect(publishedTexts(trace.sent(2, combo.protocol))).toEqual(seq('m', 20))
    await waitFor(() => sub.messages.length >= 20, 5000, 'queued messages delivered', () => sub.messages.length)
    expect(sub.messages.filter((m) => m.qos === 1).map((m) => m.text)).toEqual(seq('m', 20).filter((_, i) => i % 2 === 0))
    expect(sub.messages.filter((m) => m.qos === 2).map((m) => m.text)).toEqual(seq('m', 20).filter((_, i) => i % 2 === 1))
    expect(pub.client.pendingMessages()).toHaveLength(0)
  })

  it('with queueQos0, QoS 0 published offline is sent after reconnect, in order with the rest', async () => {
    const topic = unique('queued0')
    const sub = await connectClient(brokers, combo)
    await sub.client.subscribe(topic, 1)
    const trace = frameTrace()
    const pub = await connectClient(brokers, combo, { queueQos0: true }, { onFrame: trace.onFrame })
    pub.transport.setOffline(true)
    await waitFor(() => pub.client.state === 'reconnecting', 5000, 'reconnecting state')
    const infos = [0, 1, 0, 1, 0].map((q, i) => pub.client.publish(topic, `m${i}`, q as 0 | 1))
    expect(infos.map((i) => i.rc)).toEqual([0, 0, 0, 0, 0])
    pub.transport.setOffline(false)
    await withTimeout(Promise.all(infos.map((i) => i.waitForPublish())), 10_000, 'queued publishes sent')
    expect(publishedTexts(trace.sent(2, combo.protocol))).toEqual(seq('m', 5))
    await waitFor(() => sub.messages.length >= 5, 5000, 'messages delivered')
    expect(texts(sub.messages).sort()).toEqual(seq('m', 5))
  })
})

describe.each(COMBOS)('in-flight resend: $name', (combo: Combo) => {
  let proxy: WsProxy
  beforeAll(async () => {
    const port = combo.broker === 'mosquitto' ? brokers.mosquitto().wsPort : brokers.aedes().wsPort
    proxy = await startWsProxy(port)
  })
  afterAll(async () => { await proxy?.stop() })

  it('unacknowledged QoS 1/2 are resent with DUP after the connection drops; QoS 2 arrives once', async () => {
    const base = unique('dup')
    const sub = await connectClient(brokers, combo)
    await sub.client.subscribe(`${base}/#`, 2)

    const trace = frameTrace()
    const pub = makeClient(combo, { clientId: unique('pub'), ...persistent(combo) }, {
      url: () => proxy.wsUrl,
      onFrame: trace.onFrame,
    })
    await pub.client.connect(brokers.url(combo))
    // The broker gets the PUBLISHes; its PUBACK/PUBREC never reach the publisher.
    proxy.stall(true, 'down')
    const n = 5
    const infos = interleaved(base, n).map(([t, p, q]) => pub.client.publish(t, p, q))
    // A QoS 1 message after the batch: once it is forwarded, the broker has processed every PUBLISH before it.
    infos.push(pub.client.publish(`${base}/sync`, 'sync', 1))
    await waitFor(() => sub.messages.some((m) => m.text === 'sync'), 5000, 'sync message', () => texts(sub.messages))
    expect(infos.some((i) => i.isPublished())).toBe(false)
    const firstMids = infos.map((i) => i.mid)

    proxy.cutAll()
    proxy.stall(false)
    await withTimeout(Promise.all(infos.map((i) => i.waitForPublish())), 10_000, 'resent publishes acknowledged')

    const second = trace.sent(2, combo.protocol)
    expect(second[0]?.cmd).toBe('connect')
    const resent = second.filter((p) => p.cmd === 'publish')
    expect(resent.map((p) => [p.messageId, p.dup, p.qos])).toEqual(
      firstMids.map((mid, i) => [mid, true, i === 2 * n ? 1 : i % 2 === 0 ? 1 : 2]))

    pub.client.publish(`${base}/end`, 'end', 1)
    await waitFor(() => sub.messages.some((m) => m.text === 'end'), 5000, 'end marker')
    // QoS 2: exactly once. QoS 1: at least once (the broker forwards the DUP copy again).
    expect(texts(sub.messages, `${base}/q2`)).toEqual(seq('b', n))
    expect([...new Set(texts(sub.messages, `${base}/q1`))]).toEqual(seq('a', n))
  })
})
