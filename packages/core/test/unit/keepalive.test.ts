import { describe, expect, it } from 'vitest'
import { KeepaliveTimeoutError, MQTTv5 } from '../../src/index.js'
import { Keepalive } from '../../src/protocol/keepalive.js'
import { FakeTimers } from '../support/fake-timers.js'
import { connackWith, publishes, rig, settle } from '../support/rig.js'

const PINGREQ = [0xc0, 0x00]

function pingTimes(r: ReturnType<typeof rig>, times: number[]) {
  const conn = r.broker.current
  conn.onPacket = ((orig) => (p, c) => {
    if (p.cmd === 'pingreq') times.push(r.timers.now())
    orig?.(p, c)
  })(conn.onPacket)
}

describe('Keepalive (protocol/keepalive.ts)', () => {
  function make(seconds: number) {
    const timers = new FakeTimers()
    const calls: Array<[string, number]> = []
    const ka = new Keepalive(timers, seconds, {
      ping: () => calls.push(['ping', timers.now()]),
      dead: () => calls.push(['dead', timers.now()]),
    })
    return { timers, calls, ka }
  }

  it('pings exactly after `keepalive` seconds without sending, and is dead at 1.5 × without receiving', async () => {
    const { timers, calls, ka } = make(10)
    expect(ka.intervalMs).toBe(10_000)
    expect(timers.pendingDelays()).toEqual([10_000])
    await timers.advance(9_999)
    expect(calls).toEqual([])
    await timers.advance(1)
    expect(calls).toEqual([['ping', 10_000]])
    await timers.advance(4_999)
    expect(calls).toEqual([['ping', 10_000]])
    await timers.advance(1)
    expect(calls).toEqual([['ping', 10_000], ['dead', 15_000]])
    expect(timers.pending).toBe(0) // stops itself once dead
    await timers.advance(60_000)
    expect(calls).toHaveLength(2)
  })

  it('traffic both ways postpones the ping; received() postpones death', async () => {
    const { timers, calls, ka } = make(10)
    await timers.advance(6_000)
    ka.sent()
    ka.received()
    await timers.advance(9_999) // t = 15.999 s: both directions active at 6 s → ping due at 16 s
    expect(calls).toEqual([])
    await timers.advance(1)
    expect(calls).toEqual([['ping', 16_000]])
    await timers.advance(4_999) // dead due at 6 + 15 = 21 s
    expect(calls).toEqual([['ping', 16_000]])
    await timers.advance(1)
    expect(calls).toEqual([['ping', 16_000], ['dead', 21_000]])
  })

  it('outgoing traffic alone does not hold off the ping: a silent broker is asked (once) after keepalive', async () => {
    const { timers, calls, ka } = make(10)
    for (let t = 0; t < 10; t++) {
      await timers.advance(1_000)
      ka.sent()
    }
    expect(calls).toEqual([['ping', 10_000]])
    await timers.advance(500)
    ka.received() // PINGRESP at 10.5 s
    for (let t = 0; t < 10; t++) {
      await timers.advance(1_000)
      ka.sent()
    }
    expect(calls).toEqual([['ping', 10_000], ['ping', 20_500]])
    for (let t = 0; t < 5; t++) {
      await timers.advance(1_000)
      ka.sent()
    }
    // no answer to the second ping: dead 15 s after the last thing received (10.5 s), no extra pings meanwhile
    expect(calls).toEqual([['ping', 10_000], ['ping', 20_500], ['dead', 25_500]])
  })

  it('steady incoming traffic keeps it alive; a ping is still sent when nothing goes out', async () => {
    const { timers, calls, ka } = make(4)
    for (let t = 0; t < 20; t++) {
      await timers.advance(1_000)
      ka.received()
    }
    expect(calls).toEqual([['ping', 4_000], ['ping', 8_000], ['ping', 12_000], ['ping', 16_000], ['ping', 20_000]])
  })

  it('keepalive 0 schedules nothing; stop() cancels the timer', async () => {
    const zero = make(0)
    expect(zero.timers.pending).toBe(0)
    await zero.timers.advance(1_000_000)
    expect(zero.calls).toEqual([])

    const { timers, calls, ka } = make(5)
    expect(timers.pending).toBe(1)
    ka.stop()
    expect(timers.pending).toBe(0)
    await timers.advance(100_000)
    expect(calls).toEqual([])
  })
})

describe('keepalive through the client', () => {
  it('sends PINGREQ (bytes C0 00) exactly at keepalive when idle, and again every keepalive', async () => {
    const r = rig()
    await r.client.connect('b', 1883, 10)
    const conn = r.broker.current
    const pings: number[] = []
    pingTimes(r, pings)
    const before = conn.raw.length
    await r.timers.advance(9_999)
    expect(conn.raw.length).toBe(before)
    await r.timers.advance(1)
    expect(conn.raw.length).toBe(before + 1)
    expect([...conn.raw[before]!]).toEqual(PINGREQ)
    await r.timers.advance(20_000)
    expect(pings).toEqual([10_000, 20_000, 30_000])
    expect(r.client.isConnected()).toBe(true)
    expect(conn.packets('pingresp')).toHaveLength(0) // the broker answered; the client sends only PINGREQ
  })

  it('sends no PINGREQ while messages flow out (and their acks come in)', async () => {
    const r = rig()
    await r.client.connect('b', 1883, 10)
    for (let i = 0; i < 12; i++) {
      await r.timers.advance(5_000)
      r.client.publish('t', `m${i}`, 1)
    }
    await settle()
    expect(r.timers.now()).toBe(60_000)
    expect(r.broker.current.packets('pingreq')).toHaveLength(0)
    expect(publishes(r.broker.current)).toHaveLength(12)
    expect(r.client.isConnected()).toBe(true)
  })

  it('a healthy connection with outgoing QoS 0 only (broker silent but answering PINGREQ) is not declared dead', async () => {
    // The broker sends nothing back for QoS 0. The client must ask (PINGREQ) before it gives up on it.
    const r = rig()
    await r.client.connect('b', 1883, 10)
    for (let i = 0; i < 12; i++) {
      await r.timers.advance(5_000)
      r.client.publish('t', `m${i}`, 0)
    }
    await settle()
    expect(r.broker.connections).toHaveLength(1)
    expect(r.broker.current.closed).toBe(false)
    expect(r.client.isConnected()).toBe(true)
    expect(publishes(r.broker.current)).toHaveLength(12)
  })

  it('declares the connection dead at 1.5 × keepalive with nothing received: KeepaliveTimeoutError, events, reconnect', async () => {
    const r = rig({ autoAck: false })
    r.client.reconnectDelaySet(2, 30)
    await r.client.connect('b', 1883, 10)
    const conn = r.broker.current
    r.status.length = 0
    r.states.length = 0
    await r.timers.advance(10_000)
    expect(conn.packets('pingreq')).toHaveLength(1)
    await r.timers.advance(4_999)
    expect(conn.closed).toBe(false)
    expect(r.client.isConnected()).toBe(true)
    await r.timers.advance(1)
    expect(conn.closed).toBe(true)
    expect(r.states).toEqual(['reconnecting'])
    expect(r.status).toHaveLength(1)
    const ev = r.status[0]!
    expect(ev).toMatchObject({ type: 'reconnecting', attempt: 2, delayMs: 2_000 })
    const err = (ev as { error: Error }).error
    expect(err).toBeInstanceOf(KeepaliveTimeoutError)
    expect((err as KeepaliveTimeoutError).reasonCode?.value).toBe(141)
    expect(r.disconnects).toHaveLength(1)
    expect((r.disconnects[0]![3] as { value: number }).value).toBe(141)
    expect(r.timers.pendingDelays()).toEqual([2_000])
    await r.timers.advance(1_999)
    expect(r.broker.connections).toHaveLength(1)
    await r.timers.advance(1)
    expect(r.broker.connections).toHaveLength(2)
    expect(r.broker.current.packets('connect')).toHaveLength(1)
  })

  it('received traffic resets the dead timer', async () => {
    const r = rig({ autoAck: false })
    await r.client.connect('b', 1883, 10)
    const conn = r.broker.current
    await r.timers.advance(10_000)
    conn.reply({ cmd: 'pingresp' } as never)
    await r.timers.advance(14_999) // last received at 10 s → dead at 25 s
    expect(conn.closed).toBe(false)
    expect(conn.packets('pingreq')).toHaveLength(2) // 10 s, 20 s
    await r.timers.advance(1)
    expect(conn.closed).toBe(true)
  })

  it('MQTT 5: the CONNACK Server Keep Alive overrides the requested keepalive', async () => {
    const r = rig({ protocol: MQTTv5, autoAck: false, connack: connackWith({ properties: { serverKeepAlive: 4 } }) })
    await r.client.connect('b', 1883, 60)
    const conn = r.broker.current
    expect((conn.packets('connect')[0] as { keepalive: number }).keepalive).toBe(60)
    await r.timers.advance(3_999)
    expect(conn.packets('pingreq')).toHaveLength(0)
    await r.timers.advance(1)
    expect(conn.packets('pingreq')).toHaveLength(1)
    await r.timers.advance(1_999)
    expect(conn.closed).toBe(false)
    await r.timers.advance(1) // 1.5 × 4 s
    expect(conn.closed).toBe(true)
    const err = r.status.find((e) => e.type === 'reconnecting') as { error: Error }
    expect(err.error).toBeInstanceOf(KeepaliveTimeoutError)
  })

  it('MQTT 5: Server Keep Alive 0 disables keepalive even when we asked for one', async () => {
    const r = rig({ protocol: MQTTv5, autoAck: false, connack: connackWith({ properties: { serverKeepAlive: 0 } }) })
    await r.client.connect('b', 1883, 10)
    expect(r.timers.pending).toBe(0)
    await r.timers.advance(3_600_000)
    expect(r.broker.current.packets('pingreq')).toHaveLength(0)
    expect(r.client.isConnected()).toBe(true)
  })

  it('keepalive 0 disables PINGREQ and the dead-connection check', async () => {
    const r = rig({ autoAck: false })
    await r.client.connect('b', 1883, 0)
    expect((r.broker.current.packets('connect')[0] as { keepalive: number }).keepalive).toBe(0)
    expect(r.timers.pendingDelays()).toEqual([])
    await r.timers.advance(24 * 3_600_000)
    expect(r.broker.current.packets('pingreq')).toHaveLength(0)
    expect(r.broker.current.closed).toBe(false)
    expect(r.client.isConnected()).toBe(true)
  })

  it('keepalive stops when the client disconnects', async () => {
    const r = rig()
    await r.client.connect('b', 1883, 10)
    await r.client.disconnect()
    expect(r.timers.pending).toBe(0)
    await r.timers.advance(60_000)
    expect(r.broker.connections).toHaveLength(1)
    expect(r.broker.current.received.map((p) => p.cmd)).toEqual(['connect', 'disconnect'])
  })
})
