/**
 * The reliability specs' `test`: the e2e fixture (`e2e`, `pageLog`) plus `rel`, a per-test kit that starts
 * brokers, proxies and Node-side counting clients, stops all of them after the test, and on failure attaches
 * (and prints) each per-test broker's log, the Node clients' logs and the test's own timeline.
 */
import { test as base, expect } from '../../fixtures/test.js'
import {
  startAedes, startAedesProcess, startMosquitto, startWsProxy,
} from '../../../packages/core/test/harness/brokers.js'
import type { MosquittoOptions, WsProxy } from '../../../packages/core/test/harness/brokers.js'
import { CountingClient } from './node-client.js'
import type { CountingClientOptions } from './node-client.js'

export { expect }

/** A broker as the specs see it. */
export interface Target {
  readonly name: string
  readonly broker: 'mosquitto' | 'aedes'
  readonly protocol: 4 | 5
}

export const MOSQUITTO_311: Target = { name: 'Mosquitto MQTT 3.1.1', broker: 'mosquitto', protocol: 4 }
export const MOSQUITTO_5: Target = { name: 'Mosquitto MQTT 5', broker: 'mosquitto', protocol: 5 }
export const AEDES_311: Target = { name: 'Aedes MQTT 3.1.1', broker: 'aedes', protocol: 4 }

/** A per-test broker. `kill`/`restart` exist for Mosquitto and for Aedes started as a process. */
export interface TestBroker {
  readonly name: string
  readonly wsUrl: string
  readonly wsPort: number
  log(): string
  kill(): Promise<void>
  restart(): Promise<void>
}

export interface RelKit {
  /** Unique per test (and per call of `id`): safe for clientIds and topics with 2 parallel workers. */
  readonly id: string
  /** A Mosquitto for this test only. */
  mosquitto(opts?: MosquittoOptions): Promise<TestBroker>
  /** An Aedes for this test only; `process: true` runs it in a child process that can be killed and restarted. */
  aedes(opts?: { process?: boolean }): Promise<TestBroker>
  /** A broker of the target's kind for this test. */
  broker(target: Target, opts?: { persistence?: boolean; killable?: boolean; extra?: string[] }): Promise<TestBroker>
  /** A TCP proxy in front of a broker's websockets port. */
  proxy(targetPort: number): Promise<WsProxy>
  /** A Node-side counting client (closed after the test). */
  nodeClient(opts: CountingClientOptions): CountingClient
  /** A line in the test's timeline (attached on failure). */
  note(line: string): void
}

let counter = 0

export const test = base.extend<{ rel: RelKit }>({
  rel: async ({ pageLog }, use, testInfo) => {
    const stops: Array<() => Promise<void>> = []
    const logs: Array<{ name: string; text: () => string }> = []
    const clients: CountingClient[] = []
    const timeline: string[] = []
    const t0 = Date.now()
    const id = `${testInfo.workerIndex}-${(Date.now() % 1e8).toString(36)}-${(++counter).toString(36)}`

    const kit: RelKit = {
      id,
      async mosquitto(opts = {}) {
        const m = await startMosquitto(opts)
        stops.push(() => m.stop())
        const name = `mosquitto${opts.persistence ? '-persistent' : ''}-${m.wsPort}`
        logs.push({ name, text: () => m.log() })
        return { name, get wsUrl() { return m.wsUrl }, get wsPort() { return m.wsPort }, log: () => m.log(), kill: () => m.kill(), restart: () => m.restart() }
      },
      async aedes(opts = {}) {
        if (opts.process) {
          const a = await startAedesProcess()
          stops.push(() => a.stop())
          const name = `aedes-process-${a.wsPort}`
          logs.push({ name, text: () => a.log() })
          return { name, wsUrl: a.wsUrl, wsPort: a.wsPort, log: () => a.log(), kill: () => a.kill(), restart: () => a.restart() }
        }
        const a = await startAedes()
        stops.push(() => a.stop())
        const name = `aedes-${a.wsPort}`
        const unsupported = (): Promise<void> => Promise.reject(new Error('an in-process Aedes cannot be killed; use { process: true }'))
        return { name, wsUrl: a.wsUrl, wsPort: a.wsPort, log: () => '(in-process Aedes: no log)', kill: unsupported, restart: unsupported }
      },
      broker(target, opts = {}) {
        if (target.broker === 'mosquitto') {
          return kit.mosquitto({ persistence: opts.persistence ?? false, extra: opts.extra ?? [], verbose: process.env.REL_VERBOSE === '1' })
        }
        if (opts.persistence) throw new Error('Aedes has no persistence across restarts')
        return kit.aedes({ process: opts.killable ?? false })
      },
      async proxy(targetPort) {
        const p = await startWsProxy(targetPort)
        stops.push(() => p.stop())
        return p
      },
      nodeClient(opts) {
        const c = new CountingClient(opts)
        clients.push(c)
        return c
      },
      note(line) {
        timeline.push(`+${((Date.now() - t0) / 1000).toFixed(3)}s ${line}`)
      },
    }

    await use(kit)

    const failed = testInfo.status !== testInfo.expectedStatus
    // REL_DEBUG=1: print everything for passing tests too (the page console included).
    const debug = process.env.REL_DEBUG === '1'
    if (failed || debug) {
      const parts: string[] = [`----- reliability timeline: ${testInfo.title} -----`, ...timeline]
      if (debug && !failed) parts.push('----- page console -----', ...pageLog.lines)
      for (const c of clients) parts.push(`----- node client ${c.opts.clientId} -----`, ...c.log)
      for (const l of logs) {
        const text = l.text() || '(empty)'
        parts.push(`----- broker log ${l.name} -----`, text.length > 200_000 ? `…${text.slice(-200_000)}` : text)
        await testInfo.attach(`${l.name}.log`, { body: text, contentType: 'text/plain' })
      }
      await testInfo.attach('reliability-timeline.txt', { body: parts.join('\n'), contentType: 'text/plain' })
      console.log(`\n${parts.join('\n')}\n-----`)
    }
    for (const c of clients) await c.close()
    for (const stop of stops.reverse()) {
      try {
        await stop()
      } catch (err) {
        console.error('[reliability] cleanup:', err)
      }
    }
  },
})
