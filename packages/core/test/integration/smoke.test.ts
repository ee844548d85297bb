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

  it('mosquitto 2.0.11 loses an incoming QoS 2 message awaiting PUBREL on SIGKILL unless persistNow() ran', async () => {
    const m = await startMosquitto({ persistence: true })
    try {
      const deliveredAfterCrash = async (saveFirst: boolean, tag: string): Promise<string[]> => {
        const sub = await rawConnect({ url: m.wsUrl, clientId: `S-${tag}`, clean: false })
        await sub.subscribe(`crash/${tag}`, 2)
        await sub.disconnect()
        const pub = await rawConnect({ url: m.wsUrl, clientId: `P-${tag}`, clean: false, autoAck: false })
        pub.send({ cmd: 'publish', topic: `crash/${tag}`, payload: Buffer.from(tag), qos: 2, messageId: 7, retain: false, dup: false } as never)
        await pub.waitFor((p) => p.cmd === 'pubrec')
        if (saveFirst) await m.persistNow()
        await m.kill()
        await pub.closed
        await m.restart()
        const pub2 = await rawConnect({ url: m.wsUrl, clientId: `P-${tag}`, clean: false, autoAck: false })
        expect(pub2.connack.sessionPresent).toBe(true)
        pub2.send({ cmd: 'pubrel', messageId: 7 } as never)
        await pub2.waitFor((p) => p.cmd === 'pubcomp')
        const sub2 = await rawConnect({ url: m.wsUrl, clientId: `S-${tag}`, clean: false })
        expect(sub2.connack.sessionPresent).toBe(true)
        // A QoS 2 marker through the same session: anything queued before it arrives before it.
        await pub2.publish(`crash/${tag}`, 'marker', 1)
        await sub2.waitForPublishes(1, undefined, 5000)
        await sub2.waitFor((p) => p.cmd === 'publish' && p.payload.toString() === 'marker', 5000)
        const got = sub2.publishes().map((p) => p.payload.toString())
        await Promise.all([sub2.disconnect(), pub2.disconnect()])
        return got
      }
      expect(await deliveredAfterCrash(false, 'unsaved')).toEqual(['marker'])
      expect(await deliveredAfterCrash(true, 'saved')).toEqual(['saved', 'marker'])
    } finally {
      await m.stop()
    }
  })
})
