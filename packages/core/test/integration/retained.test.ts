// Retained messages against real brokers: set, delivered with retain=1 on subscribe, live copies with retain=0,
// replaced, cleared with an empty payload. MQTT 5 subscription options on Mosquitto: retain handling and
// retain-as-published.
import { describe, expect, it } from 'vitest'
import type { Combo } from './helpers.js'
import { COMBOS, MOSQUITTO_5, autoCleanup, connectClient, texts, unique, useBrokers, waitFor } from './helpers.js'

const brokers = useBrokers()
autoCleanup()

describe.each(COMBOS)('retained: $name', (combo: Combo) => {
  it('a retained message is delivered to later subscribers with retain set, replaced, then cleared', async () => {
    const base = unique('ret')
    const pub = await connectClient(brokers, combo)
    await pub.client.publish(`${base}/x`, 'first', 1, true).waitForPublish(5000)
    await pub.client.publish(`${base}/x`, 'second', 1, true).waitForPublish(5000)

    const late = await connectClient(brokers, combo)
    await late.client.subscribe(`${base}/#`, 1)
    await waitFor(() => late.messages.length >= 1, 5000, 'retained message on subscribe')
    expect(late.messages.map((m) => [m.text, m.retain, m.qos])).toEqual([['second', true, 1]])

    // A live publish with retain=1 reaches existing subscribers with retain=0 (3.1.1 §3.3.1.3; v5 default
    // retainAsPublished false).
    await pub.client.publish(`${base}/x`, 'live', 1, true).waitForPublish(5000)
    await waitFor(() => late.messages.length >= 2, 5000, 'live message')
    expect([late.messages[1]?.text, late.messages[1]?.retain]).toEqual(['live', false])

    // Clear with an empty retained payload: a new subscriber gets nothing retained for that topic.
    await pub.client.publish(`${base}/x`, '', 1, true).waitForPublish(5000)
    const after = await connectClient(brokers, combo)
    await after.client.subscribe(`${base}/#`, 1)
    await pub.client.publish(`${base}/marker`, 'marker', 1).waitForPublish(5000)
    await waitFor(() => after.messages.some((m) => m.text === 'marker'), 5000, 'marker')
    expect(texts(after.messages)).toEqual(['marker'])
  })

  it('retained messages of several topics arrive on a wildcard subscribe, each once', async () => {
    const base = unique('retmany')
    const pub = await connectClient(brokers, combo)
    for (let i = 0; i < 5; i++) await pub.client.publish(`${base}/t${i}`, `v${i}`, 1, true).waitForPublish(5000)
    const sub = await connectClient(brokers, combo)
    await sub.client.subscribe(`${base}/+`, 2)
    await waitFor(() => sub.messages.length >= 5, 5000, 'five retained messages')
    expect(texts(sub.messages).sort()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4'])
    expect(sub.messages.every((m) => m.retain)).toBe(true)
    // clean up the retained state of this test
    for (let i = 0; i < 5; i++) await pub.client.publish(`${base}/t${i}`, null, 1, true).waitForPublish(5000)
  })
})

describe('retained, MQTT 5 subscription options: mosquitto', () => {
  const combo = MOSQUITTO_5

  it('retainHandling 2 sends no retained messages; retainAsPublished keeps the flag on live messages', async () => {
    const base = unique('rh')
    const pub = await connectClient(brokers, combo)
    await pub.client.publish(`${base}/x`, 'stored', 1, true).waitForPublish(5000)

    const sub = await connectClient(brokers, combo)
    await sub.client.subscribe(`${base}/x`, { qos: 1, retainHandling: 2, retainAsPublished: true })
    await pub.client.publish(`${base}/x`, 'live', 1, true).waitForPublish(5000)
    await waitFor(() => sub.messages.length >= 1, 5000, 'live message')
    expect(sub.messages.map((m) => [m.text, m.retain])).toEqual([['live', true]])

    // retainHandling 1: retained only when the subscription is new.
    const other = await connectClient(brokers, combo)
    await other.client.subscribe(`${base}/x`, { qos: 1, retainHandling: 1 })
    await waitFor(() => other.messages.length >= 1, 5000, 'retained on new subscription')
    await other.client.subscribe(`${base}/x`, { qos: 1, retainHandling: 1 })
    await other.client.subscribe(`${base}/marker`, 1)
    await pub.client.publish(`${base}/marker`, 'marker', 1).waitForPublish(5000)
    await waitFor(() => other.messages.some((m) => m.text === 'marker'), 5000, 'marker')
    expect(texts(other.messages)).toEqual(['live', 'marker'])
    await pub.client.publish(`${base}/x`, '', 1, true).waitForPublish(5000)
  })
})
