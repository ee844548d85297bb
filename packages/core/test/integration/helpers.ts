/**
 * Shared pieces of the integration suites: broker lifecycle per suite, the broker/protocol combos, a Client
 * factory on the Node ws transport with fast backoff and automatic cleanup, bounded waits.
 */
import { afterAll, afterEach, beforeAll } from 'vitest'
import { Client } from '@webmqtt/core'
import type { ClientOptions, MqttMessage } from '@webmqtt/core'
import { startAedes, startMosquitto } from '../harness/brokers.js'
import type { AedesBroker, AedesOptions, MosquittoBroker, MosquittoOptions } from '../harness/brokers.js'
import { decodePackets } from '../harness/raw-mqtt.js'
import type { Packet } from 'mqtt-packet'
import { NodeWsTransport } from '../harness/ws-transport.js'
import type { NodeWsTransportOptions } from '../harness/ws-transport.js'

export type BrokerKind = 'mosquitto' | 'aedes'
export type ProtocolLevel = 3 | 4 | 5

export interface Combo {
  readonly name: string
  readonly broker: BrokerKind
  readonly protocol: ProtocolLevel
}

export const MOSQUITTO_311: Combo = { name: 'mosquitto MQTT 3.1.1', broker: 'mosquitto', protocol: 4 }
export const MOSQUITTO_5: Combo = { name: 'mosquitto MQTT 5', broker: 'mosquitto', protocol: 5 }
export const AEDES_311: Combo = { name: 'aedes MQTT 3.1.1', broker: 'aedes', protocol: 4 }
export const MOSQUITTO_31: Combo = { name: 'mosquitto MQTT 3.1', broker: 'mosquitto', protocol: 3 }

/** The combos every general suite runs over. */
export const COMBOS: readonly Combo[] = [MOSQUITTO_311, MOSQUITTO_5, AEDES_311]

export type Message = MqttMessage

export interface Brokers {
  mosquitto(): MosquittoBroker
  aedes(): AedesBroker
  url(combo: Combo): string
}

/**
 * Start the brokers this suite needs in `beforeAll` and stop them in `afterAll`.
 * Pass `aedes: false` / `mosquitto: false` to skip one.
 */
export function useBrokers(opts: {
  mosquitto?: MosquittoOptions | false
  aedes?: AedesOptions | false
} = {}): Brokers {
  let mosquitto: MosquittoBroker | undefined
  let aedes: AedesBroker | undefined
  beforeAll(async () => {
    const [m, a] = await Promise.all([
      opts.mosquitto === false ? undefined : startMosquitto(opts.mosquitto ?? {}),
      opts.aedes === false ? undefined : startAedes(opts.aedes ?? {}),
    ])
    mosquitto = m
    aedes = a
  })
  afterAll(async () => {
    await Promise.all([mosquitto?.stop(), aedes?.stop()])
  })
  const self: Brokers = {
    mosquitto() {
      if (!mosquitto) throw new Error('mosquitto not started in this suite')
      return mosquitto
    },
    aedes() {
      if (!aedes) throw new Error('aedes not started in this suite')
      return aedes
    },
    url(combo) {
      return combo.broker === 'mosquitto' ? self.mosquitto().wsUrl : self.aedes().wsUrl
    },
  }
  return self
}

export interface TestClient {
  client: Client
  transport: NodeWsTransport
  /** Every message delivered to `onMessage`, in order. */
  messages: Message[]
}

const created = new Set<TestClient>()
let uniq = 0

/** A name unique to this process and call, for client ids and topic prefixes. */
export function unique(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++uniq}`
}

/**
 * A Client for `combo` on a fresh NodeWsTransport, with reconnect backoff 0.05–0.5 s, `onMessage` collecting into
 * `messages`. Every client made here is disconnected (or its transport killed) after each test.
 */
export function makeClient(combo: Combo, options: Partial<ClientOptions> = {}, transportOptions: NodeWsTransportOptions = {}):
TestClient {
  const transport = new NodeWsTransport(transportOptions)
  const client = new Client({ protocol: combo.protocol, connectTimeoutMs: 10_000, ...options, transport })
  client.reconnectDelaySet(0.05, 0.5)
  const messages: Message[] = []
  client.onMessage = (_c, _u, m) => { messages.push(m) }
  const tc = { client, transport, messages }
  created.add(tc)
  return tc
}

/** Make a client and connect it to the broker of `combo`. */
export async function connectClient(brokers: Brokers, combo: Combo, options: Partial<ClientOptions> = {},
  transportOptions: NodeWsTransportOptions = {}): Promise<TestClient> {
  const tc = makeClient(combo, options, transportOptions)
  await tc.client.connect(brokers.url(combo))
  return tc
}

/** Disconnect every client made by makeClient (bounded), then kill whatever is still open. */
export async function cleanupClients(): Promise<void> {
  const all = [...created]
  created.clear()
  await Promise.all(all.map(async ({ client, transport }) => {
    try {
      await withTimeout(client.disconnect(), 2000, 'disconnect')
    } catch {
      // already disconnected, or the broker is gone
    }
    transport.killAll()
  }))
}

/** Register `cleanupClients` after each test of the calling file. */
export function autoCleanup(): void {
  afterEach(cleanupClients)
}

/** Poll `pred` every 10 ms until it returns a truthy value; throws after `timeoutMs` with `what` and `detail()`. */
export async function waitFor<T>(pred: () => T | undefined | false | null | 0 | '', timeoutMs = 5000, what = 'condition',
  detail?: () => unknown): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (let i = 0; i < 1_000_000; i++) {
    const v = pred()
    if (v) return v
    if (Date.now() > deadline) break
    await sleep(10)
  }
  const extra = detail ? `: ${JSON.stringify(detail())}` : ''
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${extra}`)
}

export function withTimeout<T>(p: PromiseLike<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)
    Promise.resolve(p).then(
      (v) => { clearTimeout(t); resolve(v) },
      (e: unknown) => { clearTimeout(t); reject(e) },
    )
  })
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** Texts of the messages on `topic` (or all). */
export function texts(messages: readonly Message[], topic?: string): string[] {
  return messages.filter((m) => topic === undefined || m.topic === topic).map((m) => m.text)
}

/** `['p0', 'p1', …]` */
export function seq(prefix: string, n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + from}`)
}

/** Records the frames of a NodeWsTransport (pass `trace.onFrame` in its options) and decodes them per connection. */
export interface FrameTrace {
  onFrame: (direction: 'in' | 'out', bytes: Uint8Array, connectionIndex: number) => void
  /** Packets sent on connection `index` (1-based), decoded for `protocol`. */
  sent(index: number, protocol: ProtocolLevel): Packet[]
  /** Packets received on connection `index`. */
  received(index: number, protocol: ProtocolLevel): Packet[]
  /** Both directions of connection `index`, in the order the frames passed the transport. */
  timeline(index: number, protocol: ProtocolLevel): Array<{ direction: 'in' | 'out'; packet: Packet }>
}

export function frameTrace(): FrameTrace {
  const frames: Array<{ direction: 'in' | 'out'; bytes: Uint8Array; index: number }> = []
  const of = (index: number, direction: 'in' | 'out'): Uint8Array[] =>
    frames.filter((f) => f.index === index && f.direction === direction).map((f) => f.bytes)
  return {
    onFrame(direction, bytes, index) {
      frames.push({ direction, bytes, index })
    },
    sent: (index, protocol) => decodePackets(of(index, 'out'), protocol),
    received: (index, protocol) => decodePackets(of(index, 'in'), protocol),
    timeline(index, protocol) {
      // Decode each direction as one stream, then interleave by the frame each packet completed in.
      const result: Array<{ direction: 'in' | 'out'; packet: Packet; at: number }> = []
      for (const direction of ['in', 'out'] as const) {
        const own = frames.map((f, at) => ({ ...f, at })).filter((f) => f.index === index && f.direction === direction)
        const before: Uint8Array[] = []
        let done = 0
        for (const f of own) {
          before.push(f.bytes)
          const packets = decodePackets(before, protocol)
          for (const packet of packets.slice(done)) result.push({ direction, packet, at: f.at })
          done = packets.length
        }
      }
      return result.sort((x, y) => x.at - y.at).map(({ direction, packet }) => ({ direction, packet }))
    },
  }
}

/** Payload texts of the PUBLISH packets in `packets`. */
export function publishedTexts(packets: readonly Packet[]): string[] {
  return packets.flatMap((p) => (p.cmd === 'publish' ? [Buffer.from(p.payload).toString()] : []))
}
