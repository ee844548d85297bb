// MQTT 5 against a real Mosquitto over WebSocket: publish properties round trip, subscription identifiers,
// reason codes surfaced, assigned client identifier, session expiry, server DISCONNECT with its reason, the
// broker's Receive Maximum and Maximum Packet Size, our Maximum Packet Size, noLocal.
//
// Not covered here because Mosquitto cannot produce them: incoming topic aliases (Mosquitto never assigns
// aliases to outgoing messages) and reason strings (it sends none on these flows). The unit tests cover both.
import { describe, expect, it } from 'vitest'
import { generate } from 'mqtt-packet'
import { PacketTooLargeError, ReasonCode, ServerDisconnectError } from '@webmqtt/core'
import type { StatusEvent } from '@webmqtt/core'
import {
  MOSQUITTO_5, autoCleanup, connectClient, frameTrace, makeClient, texts, unique, useBrokers, waitFor,
} from './helpers.js'

const combo = MOSQUITTO_5
// max_packet_size: Mosquitto advertises it in CONNACK (Maximum Packet Size) and refuses bigger packets.
const brokers = useBrokers({ mosquitto: { extra: ['max_packet_size 65536'] }, aedes: false })
autoCleanup()

describe('MQTT 5 on mosquitto', () => {
  it('publish properties arrive intact; the subscription identifier is added', async () => {
    const topic = unique('props')
    const sub = await connectClient(brokers, combo)
    await sub.client.subscribe(topic, 1, { subscriptionIdentifier: 42 })
    const pub = await connectClient(brokers, combo)
    await pub.client.publish(topic, '{"a":1}', 1, false, {
      payloadFormatIndicator: true,
      messageExpiryInterval: 60,
      contentType: 'application/json',
      responseTopic: `${topic}/reply`,
      correlationData: new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
      userProperties: { one: '1', many: ['x', 'y'] },
    }).waitForPublish(5000)
    await waitFor(() => sub.messages.length >= 1, 5000, 'message')
    const p = sub.messages[0]!.properties!
    expect(p.payloadFormatIndicator).toBe(true)
    expect(p.messageExpiryInterval).toBeGreaterThan(55)
    expect(p.messageExpiryInterval).toBeLessThanOrEqual(60)
    expect(p.contentType).toBe('application/json')
    expect(p.responseTopic).toBe(`${topic}/reply`)
    expect([...(p.correlationData ?? [])]).toEqual([0xde, 0xad, 0xbe, 0xef])
    expect(p.userProperties).toEqual({ one: '1', many: ['x', 'y'] })
    expect([p.subscriptionIdentifier].flat()).toEqual([42])
    expect(sub.messages[0]!.json()).toEqual({ a: 1 })
  })

  it('reason codes are surfaced: PUBACK "No matching subscribers", UNSUBACK "No subscription found"', async () => {
    const c = await connectClient(brokers, combo)
    const acks: Array<[number, number]> = []
    c.client.onPublish = (_c, _u, mid, rc) => { acks.push([mid, rc.value]) }
    const info = c.client.publish(unique('nobody'), 'x', 1)
    await info.waitForPublish(5000)
    expect(info.reasonCode?.value).toBe(16)
    expect(info.reasonCode?.is('No matching subscribers')).toBe(true)
    await waitFor(() => acks.length >= 1, 2000, 'onPublish')
    expect(acks).toEqual([[info.mid, 16]])

    const codes = await c.client.unsubscribe(unique('never-subscribed'))
    expect(codes.map((rc) => rc.value)).toEqual([17])
    const granted = await c.client.subscribe([[unique('s'), 0], [unique('s'), 2]])
    expect(granted.map((rc: ReasonCode) => rc.name)).toEqual(['Granted QoS 0', 'Granted QoS 2'])
  })

  it('an empty client id gets the assigned client identifier, which the resumed session then uses', async () => {
    const trace = frameTrace()
    // Default cleanStart (MQTT_CLEAN_START_FIRST_ONLY): clean on the first connect, resume on reconnects.
    const c = makeClient(combo, { clientId: '', sessionExpiryInterval: 300 }, { onFrame: trace.onFrame })
    let onConnectProps: unknown
    c.client.onConnect = (_c, _u, _f, _rc, props) => { onConnectProps = props }
    const res = await c.client.connect(brokers.url(combo))
    const assigned = res.properties?.assignedClientIdentifier
    expect(assigned).toMatch(/.+/)
    expect(onConnectProps).toMatchObject({ assignedClientIdentifier: assigned })
    const first = trace.sent(1, 5)[0]
    expect(first?.cmd === 'connect' && first.clientId).toBe('')
    expect(c.client.clientId).toBe(assigned)

    const topic = unique('assigned')
    await c.client.subscribe(topic, 1)
    const statuses: StatusEvent[] = []
    c.client.on('status', (e) => { statuses.push(e) })
    c.transport.killAll()
    await waitFor(() => statuses.some((e) => e.type === 'connected'), 5000, 'automatic reconnect')
    const second = trace.sent(2, 5)[0]
    expect(second?.cmd === 'connect' && [second.clientId, second.clean]).toEqual([assigned, false])
    expect(statuses.find((e) => e.type === 'connected')).toMatchObject({ sessionPresent: true })
  })

  // MQTT 5 §3.1.3.1 allows a zero-length ClientID whatever Clean Start is (the 3.1.1 rule that it needs
  // CleanSession=1 is gone); the server assigns one.
  it('an empty client id with cleanStart false is sent and gets an assigned identifier', async () => {
    const c = makeClient(combo, { clientId: '', cleanStart: false, sessionExpiryInterval: 300 })
    const res = await c.client.connect(brokers.url(combo))
    expect(res.properties?.assignedClientIdentifier).toMatch(/.+/)
  })

  it('session expiry: 0 ends the session at disconnect, a positive interval keeps it', async () => {
    const topic = unique('expiry')
    const keep = makeClient(combo, { clientId: unique('keep'), cleanStart: false, sessionExpiryInterval: 300 })
    await keep.client.connect(brokers.url(combo))
    await keep.client.subscribe(topic, 1)
    await keep.client.disconnect()

    const gone = makeClient(combo, { clientId: unique('gone'), cleanStart: false, sessionExpiryInterval: 0 })
    await gone.client.connect(brokers.url(combo))
    await gone.client.subscribe(topic, 1)
    await gone.client.disconnect()

    // DISCONNECT may lower the expiry to 0 (MQTT 5 §3.14.2.2.2).
    const dropped = makeClient(combo, { clientId: unique('dropped'), cleanStart: false, sessionExpiryInterval: 300 })
    await dropped.client.connect(brokers.url(combo))
    await dropped.client.subscribe(topic, 1)
    await dropped.client.disconnect(0, { sessionExpiryInterval: 0 })

    const pub = await connectClient(brokers, combo)
    await pub.client.publish(topic, 'while-away', 1).waitForPublish(5000)

    expect((await keep.client.connect(brokers.url(combo))).sessionPresent).toBe(true)
    await waitFor(() => keep.messages.length >= 1, 5000, 'queued message for kept session')
    expect(texts(keep.messages)).toEqual(['while-away'])
    expect((await gone.client.connect(brokers.url(combo))).sessionPresent).toBe(false)
    expect((await dropped.client.connect(brokers.url(combo))).sessionPresent).toBe(false)
  })

  it('a server DISCONNECT is surfaced with its reason code (Topic alias invalid, 148)', async () => {
    const c = makeClient(combo, { reconnectOnFailure: false })
    const disconnects: Array<{ fromServer: boolean; rc: number }> = []
    c.client.onDisconnect = (_c, _u, flags, rc) => { disconnects.push({ fromServer: flags.fromServer, rc: rc.value }) }
    const statuses: StatusEvent[] = []
    c.client.on('status', (e) => { statuses.push(e) })
    await c.client.connect(brokers.url(combo))
    // Bypass the client: write a PUBLISH with a topic alias above the broker's maximum (10) on its connection.
    // Mosquitto answers DISCONNECT 0x94 and closes. (Mosquitto 2.0.11 sends no DISCONNECT on session takeover.)
    const link = c.transport.connections[0]!
    link.send(generate({
      cmd: 'publish', topic: 'x', payload: Buffer.from('x'), qos: 0, retain: false, dup: false, properties: { topicAlias: 11 },
    } as never, { protocolVersion: 5 } as never))
    await waitFor(() => c.client.state === 'disconnected', 5000, 'disconnected', () => c.client.state)
    expect(disconnects).toEqual([{ fromServer: true, rc: 148 }])
    const ev = statuses.find((e) => e.type === 'disconnected')
    const error = ev?.type === 'disconnected' ? ev.error : undefined
    expect(error).toBeInstanceOf(ServerDisconnectError)
    expect((error as ServerDisconnectError).reasonCode?.value).toBe(148)
  })

  // MQTT-3.3.2-12: the client must not send a Topic Alias above the server's Topic Alias Maximum. Either a
  // synchronous typed error or a failed waitForPublish is fine; sending it (and being disconnected) is not.
  it('a topic alias above the broker\'s Topic Alias Maximum (10) is not sent', async () => {
    const c = await connectClient(brokers, combo)
    let error: unknown
    try {
      await c.client.publish(unique('alias'), 'x', 0, false, { topicAlias: 11 }).waitForPublish(2000)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).name).not.toBe('TimeoutError')
    const topic = unique('alias-ok')
    await c.client.subscribe(topic, 0)
    await c.client.publish(topic, 'fine', 1).waitForPublish(5000)
    await waitFor(() => c.messages.length >= 1, 5000, 'message after the refused alias')
    expect(c.client.isConnected()).toBe(true)
    expect(c.transport.openedCount).toBe(1)
  })

  it('never more QoS 1 messages in flight than the broker\'s Receive Maximum (20)', async () => {
    const trace = frameTrace()
    const c = makeClient(combo, {}, { onFrame: trace.onFrame })
    c.client.maxInflightMessagesSet(100)
    const res = await c.client.connect(brokers.url(combo))
    expect(res.properties?.receiveMaximum).toBe(20)
    const topic = unique('recvmax')
    const infos = Array.from({ length: 100 }, (_, i) => c.client.publish(topic, `m${i}`, 1))
    await Promise.all(infos.map((i) => i.waitForPublish(10_000)))
    let outstanding = 0
    let max = 0
    for (const { direction, packet } of trace.timeline(1, 5)) {
      if (direction === 'out' && packet.cmd === 'publish') outstanding++
      if (direction === 'in' && packet.cmd === 'puback') outstanding--
      max = Math.max(max, outstanding)
    }
    expect(max).toBe(20)
    expect(c.client.isConnected()).toBe(true)
  })

  it('a publish larger than the broker\'s Maximum Packet Size fails with PacketTooLargeError; the link stays up', async () => {
    const c = await connectClient(brokers, combo)
    const topic = unique('big')
    let error: unknown
    try {
      await c.client.publish(topic, new Uint8Array(70_000), 1).waitForPublish(5000)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(PacketTooLargeError)
    expect(c.client.isConnected()).toBe(true)
    await c.client.subscribe(topic, 1)
    await c.client.publish(topic, new Uint8Array(60_000), 1).waitForPublish(5000)
    await waitFor(() => c.messages.length >= 1, 5000, 'message under the limit')
    expect(c.messages[0]?.payload.length).toBe(60_000)
  })

  it('the broker does not send us packets above our Maximum Packet Size', async () => {
    const topic = unique('ourmax')
    const small = makeClient(combo)
    await small.client.connect(brokers.url(combo), undefined, 60, { properties: { maximumPacketSize: 1024 } })
    await small.client.subscribe(topic, 1)
    const pub = await connectClient(brokers, combo)
    await pub.client.publish(topic, new Uint8Array(4000), 1).waitForPublish(5000)
    await pub.client.publish(topic, 'small', 1).waitForPublish(5000)
    await waitFor(() => small.messages.length >= 1, 5000, 'small message')
    expect(texts(small.messages)).toEqual(['small'])
    expect(small.client.isConnected()).toBe(true)
  })

  it('noLocal: our own publishes are not echoed back', async () => {
    const topic = unique('nolocal')
    const c = await connectClient(brokers, combo)
    await c.client.subscribe(topic, { qos: 1, noLocal: true })
    await c.client.publish(topic, 'own', 1).waitForPublish(5000)
    const other = await connectClient(brokers, combo)
    await other.client.publish(topic, 'other', 1).waitForPublish(5000)
    await waitFor(() => c.messages.length >= 1, 5000, 'message from the other client')
    expect(texts(c.messages)).toEqual(['other'])
  })
})
