import { describe, expect, it } from 'vitest'
import {
  ConnectTimeoutError, ConnectionClosedError, ConnectionRefusedError, MQTTv5, type StatusEvent,
} from '../../src/index.js'
import { Backoff } from '../../src/protocol/backoff.js'
import { connackWith, rig, settle } from '../support/rig.js'
import type { Rig } from '../support/rig.js'

const BASES = [1, 2, 4, 8, 8, 8] // seconds, reconnectDelaySet(1, 8)

/** A rig whose transport refuses the first `failures` connection attempts; records when each attempt happened. */
function flaky(failures: number, random: () => number, extra: Parameters<typeof rig>[0] = {}) {
  const attempts: number[] = []
  const r: Rig = rig({
    random,
    refuse: () => {
      attempts.push(r.timers.now())
      return attempts.length <= failures ? new Error('ECONNREFUSED') : undefined
    },
    ...extra,
  })
  r.client.reconnectDelaySet(1, 8)
  return { r, attempts }
}

const reconnecting = (r: Rig) => r.status.filter((e): e is Extract<StatusEvent, { type: 'reconnecting' }> => e.type === 'reconnecting')

describe('Backoff (protocol/backoff.ts)', () => {
  it('doubles from min to max; with random 0.5 the jitter factor is exactly 1', () => {
    const b = new Backoff(1, 8, () => 0.5)
    expect(Array.from({ length: 6 }, () => b.next())).toEqual([1000, 2000, 4000, 8000, 8000, 8000])
    expect(b.attempts).toBe(6)
    b.reset()
    expect(b.attempts).toBe(0)
    expect(b.next()).toBe(1000)
  })

  it.each([0, 0.1, 0.5, 0.9, 0.999999])('random %s stays within ±20 % of the base and within [min, max]', (x) => {
    const b = new Backoff(1, 8, () => x)
    for (const base of BASES) {
      const d = b.next()
      const lo = Math.max(1000, base * 800)
      const hi = Math.min(8000, base * 1200)
      expect(d).toBeGreaterThanOrEqual(lo)
      expect(d).toBeLessThanOrEqual(hi)
      expect(d).toBe(Math.round(Math.min(8, Math.max(1, base * (0.8 + 0.4 * x))) * 1000))
    }
  })

  it('jitter actually varies the delay (not lock step)', () => {
    const lo = new Backoff(2, 120, () => 0).next()
    const hi = new Backoff(2, 120, () => 0.999999).next()
    expect(lo).toBe(2000) // 1.6 s clamped to min 2 s
    const lo2 = new Backoff(2, 120, () => 0)
    lo2.next()
    expect(lo2.next()).toBe(3200) // 4 s − 20 %
    expect(hi).toBe(2400) // 2 s + 20 %
  })
})

describe('reconnect backoff through the client', () => {
  it('reconnectDelaySet(1, 8): attempts at 0, 1, 3, 7, 15, 23 s; reconnecting events carry attempt and delayMs', async () => {
    const { r, attempts } = flaky(100, () => 0.5)
    const err = await r.client.connect('b').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectionClosedError)
    await r.timers.advance(23_000)
    expect(attempts).toEqual([0, 1_000, 3_000, 7_000, 15_000, 23_000])
    expect(reconnecting(r).map((e) => [e.attempt, e.delayMs])).toEqual([
      [2, 1_000], [3, 2_000], [4, 4_000], [5, 8_000], [6, 8_000], [7, 8_000],
    ])
    expect(reconnecting(r).every((e) => e.error instanceof ConnectionClosedError)).toBe(true)
    expect(r.status.filter((e) => e.type === 'connecting').map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2, 3, 4, 5, 6])
    expect(r.states).toEqual(['connecting', 'reconnecting'])
    expect(r.timers.pendingDelays()).toEqual([8_000])
  })

  it.each([[0], [0.999999]])('random %s: every delay within ±20 % of 1, 2, 4, 8, 8 s (and within [1 s, 8 s])', async (x) => {
    const { r } = flaky(100, () => x)
    await r.client.connect('b').catch(() => {})
    await r.timers.advance(60_000)
    const delays = reconnecting(r).map((e) => e.delayMs).slice(0, 5)
    expect(delays).toHaveLength(5)
    delays.forEach((d, i) => {
      const base = BASES[i]! * 1000
      expect(d).toBeGreaterThanOrEqual(Math.max(1000, base * 0.8))
      expect(d).toBeLessThanOrEqual(Math.min(8000, base * 1.2))
    })
    expect(delays).toEqual(x === 0 ? [1000, 1600, 3200, 6400, 6400] : [1200, 2400, 4800, 8000, 8000])
  })

  it('the transport sees attempt numbers 1, 2, 3 … within one connect()', async () => {
    const seen: number[] = []
    const { r } = flaky(2, () => 0.5)
    const orig = r.broker.connect.bind(r.broker)
    r.broker.connect = (t, h) => { seen.push(t.attempt); return orig(t, h) }
    await r.client.connect('b').catch(() => {})
    await r.timers.advance(3_000)
    expect(seen).toEqual([1, 2, 3])
    expect(r.client.isConnected()).toBe(true)
  })

  it('resets after a successful CONNACK: the next loss waits min delay again', async () => {
    const { r, attempts } = flaky(3, () => 0.5)
    await r.client.connect('b').catch(() => {})
    await r.timers.advance(7_000) // attempts at 0, 1, 3 fail; 7 s succeeds
    expect(attempts).toEqual([0, 1_000, 3_000, 7_000])
    expect(r.client.isConnected()).toBe(true)
    expect(r.status.at(-1)).toMatchObject({ type: 'connected', sessionPresent: false })
    r.status.length = 0
    r.broker.current.drop()
    await settle()
    expect(reconnecting(r).map((e) => [e.attempt, e.delayMs])).toEqual([[5, 1_000]])
    await r.timers.advance(999)
    expect(r.broker.connections).toHaveLength(1)
    await r.timers.advance(1)
    expect(r.broker.connections).toHaveLength(2)
    expect(r.client.isConnected()).toBe(true)
  })

  it('CONNACK timeout: connect() rejects with ConnectTimeoutError at connectTimeoutMs, the transport is closed and aborted', async () => {
    const r = rig({ connack: false, connectTimeoutMs: 5_000 })
    r.client.reconnectDelaySet(1, 8)
    let settled: unknown
    r.client.connect('b').then((v) => { settled = v }, (e: unknown) => { settled = e })
    await r.timers.advance(4_999)
    expect(settled).toBeUndefined()
    const conn = r.broker.current
    expect(conn.packets('connect')).toHaveLength(1)
    expect(conn.closed).toBe(false)
    expect(conn.target.signal.aborted).toBe(false)
    await r.timers.advance(1)
    expect(settled).toBeInstanceOf(ConnectTimeoutError)
    expect(conn.closed).toBe(true)
    expect(conn.target.signal.aborted).toBe(true)
    expect(reconnecting(r).map((e) => [e.attempt, e.delayMs])).toEqual([[2, 1_000]])
    expect(reconnecting(r)[0]!.error).toBeInstanceOf(ConnectTimeoutError)
    // the retry times out too, and the delay doubles
    await r.timers.advance(1_000 + 5_000)
    expect(r.broker.connections).toHaveLength(2)
    expect(r.broker.current.closed).toBe(true)
    expect(reconnecting(r).map((e) => [e.attempt, e.delayMs])).toEqual([[2, 1_000], [3, 2_000]])
  })

  it('CONNACK timeout with reconnectOnFailure false: disconnected, no retry', async () => {
    const r = rig({ connack: false, connectTimeoutMs: 2_000, reconnectOnFailure: false })
    const p = r.client.connect('b').catch((e: unknown) => e)
    await r.timers.advance(2_000)
    expect(await p).toBeInstanceOf(ConnectTimeoutError)
    expect(r.client.state).toBe('disconnected')
    expect(r.status.at(-1)).toMatchObject({ type: 'disconnected' })
    expect(r.timers.pending).toBe(0)
  })

  it.each([
    ['3.1.1 rc 4 (bad user name or password)', 4, { returnCode: 4 }, 134],
    ['3.1.1 rc 2 (identifier rejected)', 4, { returnCode: 2 }, 133],
    ['5 reason 0x86 (bad user name or password)', 5, { reasonCode: 0x86 }, 134],
    ['5 reason 0x8A (banned)', 5, { reasonCode: 0x8a }, 138],
  ] as const)('a permanent refusal (%s) rejects connect() and does not retry', async (_n, protocol, fields, code) => {
    const r = rig({ protocol, connack: connackWith({ returnCode: 0, reasonCode: 0, ...fields }) })
    r.client.usernamePwSet('u', 'wrong')
    const err = await r.client.connect('b').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectionRefusedError)
    expect((err as ConnectionRefusedError).reasonCode?.value).toBe(code)
    expect(r.client.state).toBe('disconnected')
    expect(r.states).toEqual(['connecting', 'disconnected'])
    expect(r.status.map((e) => e.type)).toEqual(['connecting', 'disconnected'])
    expect(r.timers.pending).toBe(0)
    await r.timers.advance(600_000)
    expect(r.broker.connections).toHaveLength(1)
    expect(r.broker.current.closed).toBe(true)
  })

  it('a transient refusal (3.1.1 rc 3, server unavailable) is retried', async () => {
    const r = rig()
    r.broker.opts.connack = () => ({ cmd: 'connack', returnCode: r.broker.connections.length === 1 ? 3 : 0, sessionPresent: false }) as never
    const err = await r.client.connect('b').catch((e: unknown) => e)
    expect((err as ConnectionRefusedError).reasonCode?.value).toBe(136)
    expect(reconnecting(r).map((e) => e.delayMs)).toEqual([1_000])
    await r.timers.advance(1_000)
    expect(r.client.isConnected()).toBe(true)
  })

  it('MQTT 5 CONNACK reason 0x88 (server unavailable) is retried with backoff', async () => {
    const r = rig({ protocol: MQTTv5 })
    r.broker.opts.connack = () => ({ cmd: 'connack', reasonCode: r.broker.connections.length < 3 ? 0x88 : 0, sessionPresent: false }) as never
    await r.client.connect('b').catch(() => {})
    await r.timers.advance(3_000)
    expect(reconnecting(r).map((e) => e.delayMs)).toEqual([1_000, 2_000])
    expect(r.client.isConnected()).toBe(true)
  })

  it('disconnect() while waiting to reconnect stops retrying', async () => {
    const { r, attempts } = flaky(100, () => 0.5)
    await r.client.connect('b').catch(() => {})
    await r.timers.advance(1_000)
    expect(attempts).toEqual([0, 1_000])
    expect(r.client.state).toBe('reconnecting')
    expect(r.timers.pendingDelays()).toEqual([2_000])
    await r.client.disconnect()
    expect(r.client.state).toBe('disconnected')
    expect(r.status.at(-1)).toEqual({ type: 'disconnected', error: undefined })
    expect(r.timers.pending).toBe(0)
    await r.timers.advance(600_000)
    expect(attempts).toEqual([0, 1_000])
  })

  it('disconnect() during an attempt (no CONNACK yet) rejects connect() and stops retrying', async () => {
    const r = rig({ connack: false })
    const p = r.client.connect('b').catch((e: unknown) => e)
    await settle()
    const conn = r.broker.current
    expect(conn.packets('connect')).toHaveLength(1)
    await r.client.disconnect()
    expect(await p).toBeInstanceOf(ConnectionClosedError)
    expect(conn.closed).toBe(true)
    expect(r.client.state).toBe('disconnected')
    expect(r.timers.pending).toBe(0)
    await r.timers.advance(600_000)
    expect(r.broker.connections).toHaveLength(1)
  })

  it('disconnect() after a connection loss (reconnecting) stops retrying', async () => {
    const r = rig()
    await r.client.connect('b')
    r.broker.current.drop()
    await settle()
    expect(r.client.state).toBe('reconnecting')
    await r.client.disconnect()
    expect(r.client.state).toBe('disconnected')
    await r.timers.advance(600_000)
    expect(r.broker.connections).toHaveLength(1)
  })
})
