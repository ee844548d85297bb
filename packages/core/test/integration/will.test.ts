// Will messages against real brokers: delivered when the connection dies without DISCONNECT (the transport is
// killed: TCP destroyed, no close frame), not delivered after a graceful disconnect(). MQTT 5 will properties.
import { describe, expect, it } from 'vitest'
import type { Combo } from './helpers.js'
import { COMBOS, MOSQUITTO_5, autoCleanup, connectClient, makeClient, texts, unique, useBrokers, waitFor } from './helpers.js'

const brokers = useBrokers()
autoCleanup()

describe.each(COMBOS)('will: $name', (combo: Combo) => {
  it('is published when the connection dies abruptly', async () => {
    const topic = unique('will')
    const watcher = await connectClient(brokers, combo)
    await watcher.client.subscribe(topic, 1)

    const dying = makeClient(combo, { reconnectOnFailure: false })
    dying.client.willSet(topic, 'gone', 1, false)
    await dying.client.connect(brokers.url(combo))
    const statuses: string[] = []
    dying.client.on('status', (ev) => { statuses.push(ev.type) })
    expect(dying.transport.killAll()).toBe(1)

    await waitFor(() => watcher.messages.length >= 1, 5000, 'will message')
    expect(watcher.messages.map((m) => [m.topic, m.text, m.qos, m.retain])).toEqual([[topic, 'gone', 1, false]])
    await waitFor(() => dying.client.state === 'disconnected', 5000, 'client notices the lost connection')
    expect(statuses).toContain('disconnected')
  })

  it('is not published after a graceful disconnect()', async () => {
    const topic = unique('nowill')
    const watcher = await connectClient(brokers, combo)
    await watcher.client.subscribe(topic, 1)

    const leaving = makeClient(combo)
    leaving.client.willSet(topic, 'should-not-arrive', 1, false)
    await leaving.client.connect(brokers.url(combo))
    await leaving.client.disconnect()
    expect(leaving.client.state).toBe('disconnected')

    // The broker handles the DISCONNECT before this later publish; a will would have been sent before the marker.
    const other = await connectClient(brokers, combo)
    await other.client.publish(topic, 'marker', 1).waitForPublish(5000)
    await waitFor(() => watcher.messages.length >= 1, 5000, 'marker')
    expect(texts(watcher.messages)).toEqual(['marker'])
  })

  it('willClear() removes the will before connecting', async () => {
    const topic = unique('willclear')
    const watcher = await connectClient(brokers, combo)
    await watcher.client.subscribe(topic, 1)
    const c = makeClient(combo, { reconnectOnFailure: false })
    c.client.willSet(topic, 'cleared', 1)
    c.client.willClear()
    await c.client.connect(brokers.url(combo))
    c.transport.killAll()
    await waitFor(() => c.client.state === 'disconnected', 5000, 'client notices the lost connection')
    const other = await connectClient(brokers, combo)
    await other.client.publish(topic, 'marker', 1).waitForPublish(5000)
    await waitFor(() => watcher.messages.length >= 1, 5000, 'marker')
    expect(texts(watcher.messages)).toEqual(['marker'])
  })
})

describe('will with MQTT 5 properties: mosquitto', () => {
  it('carries its properties to the subscriber', async () => {
    const combo = MOSQUITTO_5
    const topic = unique('willprops')
    const watcher = await connectClient(brokers, combo)
    await watcher.client.subscribe(topic, 1)
    const dying = makeClient(combo, { reconnectOnFailure: false })
    dying.client.willSet(topic, '{"status":"offline"}', 1, false, {
      contentType: 'application/json',
      payloadFormatIndicator: true,
      userProperties: { origin: 'will-test' },
      responseTopic: `${topic}/reply`,
      correlationData: new Uint8Array([1, 2, 3]),
    })
    await dying.client.connect(brokers.url(combo))
    dying.transport.killAll()
    await waitFor(() => watcher.messages.length >= 1, 5000, 'will message')
    const m = watcher.messages[0]!
    expect(m.text).toBe('{"status":"offline"}')
    expect(m.properties?.contentType).toBe('application/json')
    expect(m.properties?.payloadFormatIndicator).toBe(true)
    expect(m.properties?.userProperties).toEqual({ origin: 'will-test' })
    expect(m.properties?.responseTopic).toBe(`${topic}/reply`)
    expect([...(m.properties?.correlationData ?? [])]).toEqual([1, 2, 3])
  })
})
