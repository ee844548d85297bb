// Raw smoke test: each broker the harness starts answers MQTT over its WebSocket listener (and TCP),
// independently of the Client. If this fails, the other integration suites cannot be trusted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAedes, startAedesProcess, startMosquitto, startWsProxy } from '../harness/brokers.js'
import type { AedesBroker, MosquittoBroker } from '../harness/brokers.js'
import { rawConnect } from '../harness/raw-mqtt.js'
import type { RawProtocolVersion } from '../harness/raw-mqtt.js'

let mosquitto: MosquittoBroker
let aedes: AedesBroker

beforeAll(async () => {
  ;[mosquitto, aedes] = await Promise.all([startMosquitto(), startAedes()])
})
afterAll(async () => {
  await Promise.all([mosquitto?.stop(), aedes?.stop()])
})

const combos: Array<[string, () => string, RawProtocolVersion]> = [
  ['mosquitto 3.1', () => mosquitto.wsUrl, 3],
  ['mosquitto 3.1.1', () => mosquitto.wsUrl, 4],
  ['mosquitto 5', () => mosquitto.wsUrl, 5],
  ['aedes 3.1.1', () => aedes.wsUrl, 4],
]

describe.each(combos)('raw smoke over ws: %s', (_name, url, protocolVersion) => {
  it('connects, subscribes and receives its own QoS 0/1/2 publishes', async () => {
    const c = await rawConnect({ url: url(), protocolVersion })
    try {
      const suback = await c.subscribe('smoke/#', 2)
      expect(suback.granted).toEqual([2])
      await c.publish('smoke/0', 'zero', 0)
      await c.publish('smoke/1', 'one', 1)
      await c.publish('smoke/2', 'two', 2)
      const got = await c.waitForPublishes(3)
      expect(got.map((p) => [p.topic, p.payload.toString(), p.qos])).toEqual([
        ['smoke/0', 'zero', 0], ['smoke/1', 'one', 1], ['smoke/2', 'two', 2],
      ])
    } finally {
      await c.disconnect()
    }
  })
})

describe('broker specifics', () => {
  it('aedes refuses MQTT 5 with CONNACK rc 1', async () => {
    const c = await rawConnect({ url: aedes.wsUrl, protocolVersion: 5, expectSuccess: false })
    expect(c.connack.returnCode ?? c.connack.reasonCode).toBe(1)
    c.destroy()
  })

  it('mosquitto also answers on its plain TCP listener', async () => {
    const c = await rawConnect({ tcpPort: mosquitto.tcpPort })
    expect(c.connack.returnCode).toBe(0)
    await c.disconnect()
  })

  it('mosquitto can be killed and restarted on the same ports', async () => {
    const m = await startMosquitto()
    try {
      const { wsPort, tcpPort } = m
      const pid = m.pid
      await m.kill()
      expect(m.running).toBe(false)
      await m.restart()
      expect(m.running).toBe(true)
      expect([m.wsPort, m.tcpPort]).toEqual([wsPort, tcpPort])
      expect(m.pid).not.toBe(pid)
      const c = await rawConnect({ url: m.wsUrl })
      await c.disconnect()
    } finally {
      await m.stop()
    }
  })

  it('an Aedes child process can be killed and restarted on the same ports', async () => {
    const a = await startAedesProcess()
    try {
      const c1 = await rawConnect({ url: a.wsUrl })
      await a.kill()
      await c1.closed
      await a.restart()
      const c2 = await rawConnect({ url: a.wsUrl })
      await c2.disconnect()
    } finally {
      await a.stop()
    }
  })

  it('the proxy forwards, stalls, cuts and refuses', async () => {
    const proxy = await startWsProxy(mosquitto.wsPort)
    try {
      const c = await rawConnect({ url: proxy.wsUrl })
      expect(proxy.bytesSeen).toBeGreaterThan(0)
      await c.subscribe('proxy/t', 1)
      proxy.stall(true)
      const before = proxy.bytesDown
      c.send({ cmd: 'publish', topic: 'proxy/t', payload: Buffer.from('x'), qos: 0, retain: false, dup: false } as never)
      await expect(c.waitFor((p) => p.cmd === 'publish', 400)).rejects.toThrow(/no matching packet/)
      expect(proxy.bytesDown).toBe(before)
      proxy.stall(false)
      await c.waitForPublishes(1, 'proxy/t')
      proxy.cutAll()
      await c.closed
      proxy.pause()
      await expect(rawConnect({ url: proxy.wsUrl, timeoutMs: 2000 })).rejects.toThrow()
      proxy.resume()
      const c2 = await rawConnect({ url: proxy.wsUrl })
      await c2.disconnect()
    } finally {
      await proxy.stop()
    }
  })
})
