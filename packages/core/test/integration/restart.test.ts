// Broker restart mid-flight with nothing lost: Mosquitto with persistence is SIGKILLed while a publisher has
// QoS 1/2 messages in flight and queued and a persistent subscriber has deliveries pending, then restarted on
// the same ports. Both clients reconnect by themselves; the subscriber gets every message, QoS 2 exactly once.
//
// Both clients go through a TCP proxy that is stalled just before the kill. Mosquitto acknowledges a message
// before its next autosave (it has no "save before ack" mode), and 2.0.11 does not even count an incoming QoS 2
// PUBLISH awaiting PUBREL as a change worth saving, so a SIGKILL at an arbitrary instant can lose messages it has
// already acknowledged: the broker's durability window, not the client's doing (see smoke.test.ts, which shows it
// with a raw client). The stall closes that window: every acknowledgement a client has seen was sent before the
// stall, and the kill waits until the broker has written its state (persistNow: SIGUSR1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClientOptions, MessageInfo, StatusEvent } from '@webmqtt/core'
import { startMosquitto, startWsProxy } from '../harness/brokers.js'
import type { MosquittoBroker, WsProxy } from '../harness/brokers.js'
import type { Combo } from './helpers.js'
import {
  MOSQUITTO_311, MOSQUITTO_5, autoCleanup, makeClient, texts, unique, waitFor, withTimeout,
} from './helpers.js'

let mosquitto: MosquittoBroker
let proxy: WsProxy
beforeAll(async () => {
  mosquitto = await startMosquitto({ persistence: true })
  proxy = await startWsProxy(mosquitto.wsPort)
})
afterAll(async () => {
  await proxy?.stop()
  await mosquitto?.stop()
})
autoCleanup()

function persistent(combo: Combo): Partial<ClientOptions> {
  return combo.protocol === 5 ? { cleanStart: false, sessionExpiryInterval: 600 } : { cleanSession: false }
}

describe.each([MOSQUITTO_311, MOSQUITTO_5])('broker restart with persistence: $name', (combo: Combo) => {
  it('SIGKILL while publishing QoS 1/2: after restart every message arrives, QoS 2 exactly once', async () => {
    const base = unique('restart')
    const viaProxy = { url: () => proxy.wsUrl }
    const sub = makeClient(combo, { clientId: unique('sub'), ...persistent(combo) }, viaProxy)
    const pub = makeClient(combo, { clientId: unique('pub'), ...persistent(combo) }, viaProxy)
    const subStatus: StatusEvent[] = []
    const pubStatus: StatusEvent[] = []
    sub.client.on('status', (e) => { subStatus.push(e) })
    pub.client.on('status', (e) => { pubStatus.push(e) })
    await sub.client.connect(mosquitto.wsUrl)
    await sub.client.subscribe(`${base}/#`, 2)
    await pub.client.connect(mosquitto.wsUrl)

    const n = 60
    const infos: MessageInfo[] = []
    for (let i = 0; i < n; i++) {
      infos.push(pub.client.publish(`${base}/q1`, `a${i}`, 1))
      infos.push(pub.client.publish(`${base}/q2`, `b${i}`, 2))
    }
    await waitFor(() => sub.messages.length >= 10, 10_000, 'traffic under way', () => sub.messages.length)
    proxy.stall(true)
    await mosquitto.persistNow()
    const publishedBeforeKill = infos.filter((i) => i.isPublished()).length
    const receivedBeforeKill = sub.messages.length
    await mosquitto.kill()
    proxy.stall(false)
    expect(publishedBeforeKill).toBeLessThan(2 * n) // the kill really was mid-flight
    expect(receivedBeforeKill).toBeLessThan(2 * n)

    await mosquitto.restart()
    await withTimeout(Promise.all(infos.map((i) => i.waitForPublish())), 20_000, 'every publish acknowledged after restart')
    await waitFor(() => new Set(texts(sub.messages)).size >= 2 * n, 20_000, 'every message delivered',
      () => ({ got: new Set(texts(sub.messages)).size, log: mosquitto.log().slice(-1500) }))

    // QoS 2: exactly once, in order. QoS 1: every message, duplicates allowed.
    expect(texts(sub.messages, `${base}/q2`)).toEqual(Array.from({ length: n }, (_, i) => `b${i}`))
    expect([...new Set(texts(sub.messages, `${base}/q1`))].sort()).toEqual(Array.from({ length: n }, (_, i) => `a${i}`).sort())
    // Both clients reconnected by themselves and found their sessions.
    const connected = (s: StatusEvent[]): boolean[] =>
      s.flatMap((e) => (e.type === 'connected' ? [e.sessionPresent] : []))
    expect(connected(subStatus).slice(-1)).toEqual([true])
    expect(connected(pubStatus).slice(-1)).toEqual([true])
    expect(connected(subStatus).length).toBeGreaterThanOrEqual(2)
  })
})
