// Broker restart without persistence (Mosquitto with `persistence false`, Aedes in a child process): the session
// is gone, so after reconnecting by itself the client must subscribe again (the broker reports no session) and
// send what was published while the broker was down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MessageInfo, StatusEvent } from '@webmqtt/core'
import { startAedesProcess, startMosquitto } from '../harness/brokers.js'
import type { AedesProcess, MosquittoBroker } from '../harness/brokers.js'
import type { Combo } from './helpers.js'
import {
  AEDES_311, MOSQUITTO_311, MOSQUITTO_5, autoCleanup, frameTrace, makeClient, publishedTexts, seq, texts, unique,
  waitFor, withTimeout,
} from './helpers.js'

autoCleanup()

type Restartable = Pick<MosquittoBroker | AedesProcess, 'wsUrl' | 'kill' | 'restart' | 'stop'>

describe.each([MOSQUITTO_311, MOSQUITTO_5, AEDES_311])('broker restart without a session: $name', (combo: Combo) => {
  let broker: Restartable
  beforeAll(async () => {
    broker = combo.broker === 'mosquitto' ? await startMosquitto() : await startAedesProcess()
  })
  afterAll(async () => { await broker?.stop() })

  it('reconnects, subscribes again, and sends what was published while the broker was down', async () => {
    const base = unique('norestore')
    const subTrace = frameTrace()
    const pubTrace = frameTrace()
    const sub = makeClient(combo, {}, { onFrame: subTrace.onFrame })
    const pub = makeClient(combo, {}, { onFrame: pubTrace.onFrame })
    const subStatus: StatusEvent[] = []
    sub.client.on('status', (e) => { subStatus.push(e) })
    await sub.client.connect(broker.wsUrl)
    await sub.client.subscribe(`${base}/#`, 1)
    await pub.client.connect(broker.wsUrl)

    await broker.kill()
    await waitFor(() => pub.client.state === 'reconnecting' && sub.client.state === 'reconnecting', 5000,
      'both clients reconnecting', () => [pub.client.state, sub.client.state])
    const whileDown: MessageInfo[] = []
    for (let i = 0; i < 10; i++) whileDown.push(pub.client.publish(`${base}/down`, `d${i}`, 1))

    await broker.restart()
    await withTimeout(Promise.all(whileDown.map((i) => i.waitForPublish())), 10_000, 'publishes queued while down')
    expect(publishedTexts(pubTrace.sent(2, combo.protocol))).toEqual(seq('d', 10))

    // The subscriber found no session and subscribed again on its own.
    await waitFor(() => subTrace.received(2, combo.protocol).some((p) => p.cmd === 'suback'), 10_000, 'SUBACK after restart')
    const resubscribe = subTrace.sent(2, combo.protocol).find((p) => p.cmd === 'subscribe')
    expect(resubscribe?.cmd === 'subscribe' && resubscribe.subscriptions.map((s) => [s.topic, s.qos])).toEqual([[`${base}/#`, 1]])
    expect(subStatus.filter((e) => e.type === 'connected').map((e) => e.type === 'connected' && e.sessionPresent))
      .toEqual([false, false])

    const after = Array.from({ length: 10 }, (_, i) => pub.client.publish(`${base}/up`, `u${i}`, 1))
    await withTimeout(Promise.all(after.map((i) => i.waitForPublish())), 10_000, 'publishes after restart')
    await waitFor(() => texts(sub.messages, `${base}/up`).length >= 10, 5000, 'messages after restart')
    expect(texts(sub.messages, `${base}/up`)).toEqual(seq('u', 10))
  })
})
