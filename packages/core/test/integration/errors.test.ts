// The Client's typed errors against real brokers: CONNACK refusals (Aedes refusing MQTT 5, Mosquitto refusing
// bad credentials), nothing listening, no CONNACK in time, a dead link detected by keepalive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ConnectTimeoutError, ConnectionClosedError, ConnectionRefusedError, KeepaliveTimeoutError, MQTT_ERR_CONN_REFUSED,
} from '@webmqtt/core'
import type { StatusEvent } from '@webmqtt/core'
import { freePort, startWsProxy } from '../harness/brokers.js'
import type { WsProxy } from '../harness/brokers.js'
import {
  AEDES_311, MOSQUITTO_311, MOSQUITTO_5, autoCleanup, makeClient, useBrokers, waitFor, withTimeout,
} from './helpers.js'
import type { Combo } from './helpers.js'

const brokers = useBrokers({ mosquitto: { users: { alice: 'wonderland' } } })
autoCleanup()

async function refusal(p: Promise<unknown>): Promise<ConnectionRefusedError> {
  const error = await withTimeout(p.then(() => undefined, (e: unknown) => e), 10_000, 'connect()')
  expect(error).toBeInstanceOf(ConnectionRefusedError)
  return error as ConnectionRefusedError
}

describe('CONNACK refusals', () => {
  it('aedes refuses MQTT 5: ConnectionRefusedError "Unsupported protocol version", no retry', async () => {
    const c = makeClient({ ...AEDES_311, protocol: 5 })
    const error = await refusal(c.client.connect(brokers.aedes().wsUrl))
    expect(error.rc).toBe(MQTT_ERR_CONN_REFUSED)
    expect(error.reasonCode?.value).toBe(132)
    expect(error.reasonCode?.name).toBe('Unsupported protocol version')
    expect(c.client.state).toBe('disconnected')
    expect(c.transport.attempts).toBe(1)
  })

  describe.each([MOSQUITTO_311, MOSQUITTO_5])('mosquitto with a password file: $name', (combo: Combo) => {
    it('refuses a bad password and an anonymous client (Not authorized, 135), accepts the right one', async () => {
      const bad = makeClient(combo)
      bad.client.usernamePwSet('alice', 'wrong')
      const e1 = await refusal(bad.client.connect(brokers.url(combo)))
      // Mosquitto answers 3.1.1 return code 5 / MQTT 5 reason 0x87 for both cases.
      expect(e1.reasonCode?.value).toBe(135)
      expect(bad.client.state).toBe('disconnected')

      const anonymous = makeClient(combo)
      const e2 = await refusal(anonymous.client.connect(brokers.url(combo)))
      expect(e2.reasonCode?.value).toBe(135)

      const good = makeClient(combo)
      good.client.usernamePwSet('alice', 'wonderland')
      const res = await good.client.connect(brokers.url(combo))
      expect(res.reasonCode.value).toBe(0)
      expect(good.client.isConnected()).toBe(true)
    })
  })
})

describe('transport-level failures', () => {
  let proxy: WsProxy
  beforeAll(async () => { proxy = await startWsProxy(brokers.aedes().wsPort) })
  afterAll(async () => { await proxy?.stop() })

  it('nothing listening: ConnectionClosedError', async () => {
    const port = await freePort()
    const c = makeClient(MOSQUITTO_311, { reconnectOnFailure: false })
    const error = await withTimeout(c.client.connect(`ws://127.0.0.1:${port}/mqtt`).then(() => undefined, (e: unknown) => e),
      10_000, 'connect()')
    expect(error).toBeInstanceOf(ConnectionClosedError)
    expect(c.client.state).toBe('disconnected')
  })

  it('no CONNACK in time: ConnectTimeoutError (Mosquitto ignores CONNECT on a WebSocket without subprotocol)', async () => {
    const c = makeClient(MOSQUITTO_311, { reconnectOnFailure: false, connectTimeoutMs: 1000 }, { subprotocol: '' })
    const started = Date.now()
    const error = await withTimeout(c.client.connect(brokers.mosquitto().wsUrl).then(() => undefined, (e: unknown) => e),
      10_000, 'connect()')
    expect(error).toBeInstanceOf(ConnectTimeoutError)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(c.client.state).toBe('disconnected')
    await waitFor(() => c.transport.connections.length === 0, 3000, 'the timed-out connection closed')
  })

  it('a dead link is detected by keepalive: KeepaliveTimeoutError, then reconnect', async () => {
    const c = makeClient(AEDES_311, {}, { url: () => proxy.wsUrl })
    const statuses: StatusEvent[] = []
    c.client.on('status', (e) => { statuses.push(e) })
    await c.client.connect(brokers.aedes().wsUrl, undefined, 1)
    // Only broker → client is held: our PINGREQs still reach Aedes (which would otherwise drop us first after
    // 1.5 × keepalive), its PINGRESPs never reach us.
    proxy.stall(true, 'down')
    const started = Date.now()
    await waitFor(() => c.client.state !== 'connected', 5000, 'keepalive timeout', () => c.client.state)
    const elapsed = Date.now() - started
    proxy.cutAll()
    proxy.stall(false)
    const lost = statuses.find((e) => e.type === 'reconnecting' || e.type === 'disconnected')
    const error = lost && 'error' in lost ? lost.error : undefined
    expect(error).toBeInstanceOf(KeepaliveTimeoutError)
    expect(elapsed).toBeGreaterThanOrEqual(900)
    expect(elapsed).toBeLessThan(3500)
    await waitFor(() => c.client.isConnected(), 5000, 'reconnected after the link came back')
  })
})
