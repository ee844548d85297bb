/**
 * The Node side of the reliability specs: a core Client on the Node `ws` transport of the core test harness
 * that tallies what it receives by (topic, seq) and observes its own outgoing PUBLISH frames (DUP flag), so a
 * spec can check both directions with the same rules as the page (seq.ts).
 */
import { Client, MQTT_LOG_DEBUG } from '../../../packages/core/src/index.js'
import type { ConnackResult, QoS } from '../../../packages/core/src/index.js'
import { NodeWsTransport } from '../../../packages/core/test/harness/ws-transport.js'
import { parseSeq, sendsAdd, seqPayload, tallyAdd, tallyWire } from './seq.js'
import type { Sends, Tally } from './seq.js'
import { PacketReader, scanPackets } from './wire.js'
import type { ObservedPacket } from './wire.js'
import type { RecordedStatus } from './app.entry.js'

export interface CountingClientOptions {
  clientId: string
  /** ws:// URL of the broker. */
  url: string
  protocol: 4 | 5
  /** Persistent session (cleanSession false / cleanStart false + Session Expiry 600 s). */
  persistent: boolean
  keepalive?: number
  /** reconnectDelaySet(min, max), seconds. Default 0.2, 2. */
  reconnectDelay?: [number, number]
}

export class CountingClient {
  readonly client: Client
  readonly transport: NodeWsTransport
  readonly opts: CountingClientOptions
  /** Deliveries by topic. */
  readonly received = new Map<string, Tally>()
  /** First-delivery order by topic. */
  readonly order = new Map<string, number[]>()
  /** Fence payloads by topic. */
  readonly fences = new Map<string, string>()
  /** Outgoing PUBLISH frames by topic. */
  readonly sends = new Map<string, Sends>()
  readonly events: RecordedStatus[] = []
  /** SUBACKs received (also for the client's own re-subscriptions). */
  subacks = 0
  readonly log: string[] = []
  /** QoS 2: packet id → "<topic>|<seq>" of the last delivery with it; flows completed (PUBCOMP sent). */
  readonly #rxMid = new Map<number, string>()
  readonly #rxDone = new Set<string>()
  /** Connection generation of the last delivery per "<topic>|<seq>". */
  readonly #rxGen = new Map<string, number>()
  #generation = 0

  constructor(opts: CountingClientOptions) {
    this.opts = opts
    this.transport = new NodeWsTransport({
      onFrame: (direction, bytes, connection) => {
        if (direction === 'in') {
          let reader = this.#reader
          if (!reader || connection !== this.#readerConnection) {
            this.#readerConnection = connection
            this.#reader = reader = new PacketReader(opts.protocol)
          }
          for (const p of reader.push(bytes)) this.#observeIncoming(p)
          return
        }
        for (const p of scanPackets(bytes, opts.protocol)) {
          if (p.type !== 'publish' || p.qos === 0) continue
          const seq = parseSeq(p.payload)
          if (seq === undefined) continue
          let s = this.sends.get(p.topic)
          if (!s) this.sends.set(p.topic, (s = {}))
          sendsAdd(s, seq, p.dup)
        }
      },
    })
    const c = new Client({
      clientId: opts.clientId,
      protocol: opts.protocol,
      transport: this.transport,
      ...(opts.protocol === 5
        ? { cleanStart: !opts.persistent, ...(opts.persistent ? { sessionExpiryInterval: 600 } : {}) }
        : { cleanSession: !opts.persistent }),
    })
    const [min, max] = opts.reconnectDelay ?? [0.2, 2]
    c.reconnectDelaySet(min, max)
    c.onLog = (_c, _u, level, text) => {
      if (level !== MQTT_LOG_DEBUG) this.#note(`log ${level}: ${text}`)
    }
    c.on('status', (ev) => {
      const r: RecordedStatus = { at: Date.now(), type: ev.type }
      if ('attempt' in ev) r.attempt = ev.attempt
      if ('delayMs' in ev) r.delayMs = ev.delayMs
      if ('sessionPresent' in ev) r.sessionPresent = ev.sessionPresent
      const err = (ev as { error?: { name?: string; message?: string } }).error
      if (err) r.error = `${err.name ?? 'Error'}: ${err.message ?? ''}`
      if (ev.type === 'connected') this.#generation++
      this.events.push(r)
      this.#note(`status ${JSON.stringify(r)}`)
    })
    c.onSubscribe = () => { this.subacks++ }
    c.onMessage = (_c, _u, msg) => {
      const payload = msg.text
      const seq = parseSeq(payload)
      if (seq === undefined) {
        if (payload.startsWith('fence')) this.fences.set(msg.topic, payload)
        return
      }
      let t = this.received.get(msg.topic)
      if (!t) this.received.set(msg.topic, (t = {}))
      if (!t[seq]?.[0]) {
        let o = this.order.get(msg.topic)
        if (!o) this.order.set(msg.topic, (o = []))
        o.push(seq)
      }
      const id = `${msg.topic}|${seq}`
      const sameConnection = this.#rxGen.get(id) === this.#generation
      this.#rxGen.set(id, this.#generation)
      tallyAdd(t, seq, msg.dup, false, sameConnection)
    }
    this.client = c
  }

  #reader: PacketReader | undefined
  #readerConnection = -1

  #observeIncoming(p: ObservedPacket): void {
    if (p.type === 'publish') {
      const seq = parseSeq(p.payload)
      if (seq === undefined) return
      let t = this.received.get(p.topic)
      if (!t) this.received.set(p.topic, (t = {}))
      const id = `${p.topic}|${seq}`
      // As in the page app: a QoS 2 re-send after PUBREL, or without DUP, is the broker's doing (MQTT-3.3.1-1).
      if (p.qos === 2 && (t[seq]?.[4] ?? 0) > 0 && (this.#rxDone.has(id) || !p.dup)) {
        const e = t[seq]!
        e[2] = (e[2] ?? 0) + 1
      }
      tallyWire(t, seq)
      if (p.qos === 2) this.#rxMid.set(p.mid, id)
    } else if (p.type === 'pubrel') {
      const id = this.#rxMid.get(p.mid)
      if (id) this.#rxDone.add(id)
    }
  }

  #note(line: string): void {
    if (this.log.length < 5000) this.log.push(`${new Date().toISOString().slice(11, 23)} [${this.opts.clientId}] ${line}`)
  }

  connect(keepalive = this.opts.keepalive ?? 30): Promise<ConnackResult> {
    return this.client.connect(this.opts.url, undefined, keepalive)
  }

  async subscribe(filter: string, qos: QoS): Promise<number[]> {
    const codes = await this.client.subscribe(filter, qos)
    return codes.map((c) => c.value)
  }

  /** Publish `count` messages per stream, interleaved. */
  publishBurst(streams: Array<{ topic: string; qos: 1 | 2; count: number; from?: number }>): void {
    const most = Math.max(...streams.map((s) => s.count))
    for (let i = 0; i < most; i++) {
      for (const s of streams) {
        if (i < s.count) this.client.publish(s.topic, seqPayload((s.from ?? 1) + i), s.qos)
      }
    }
  }

  publishFence(topic: string, qos: 1 | 2): void {
    this.client.publish(topic, `fence-${Date.now()}`, qos)
  }

  tally(topic: string): Tally {
    return this.received.get(topic) ?? {}
  }

  /** Distinct seqs received on `topic`. */
  distinct(topic: string): number {
    return Object.values(this.received.get(topic) ?? {}).filter((e) => e[0] > 0).length
  }

  /** Disconnect (best effort) and drop the connections. */
  async close(): Promise<void> {
    try {
      await Promise.race([this.client.disconnect(), new Promise((r) => setTimeout(r, 2000))])
    } catch {
      // closing anyway
    }
    this.transport.killAll()
  }
}

/** Poll `predicate` every 25 ms until it is true; throw with `what` (and `detail()`) after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string, detail?: () => unknown): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    if (await predicate()) return
    if (Date.now() >= until) {
      let shown = ''
      if (detail) {
        try {
          shown = `: ${JSON.stringify(await detail())}`
        } catch (err) {
          shown = `: (detail failed: ${String(err)})`
        }
      }
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${shown}`)
    }
    await new Promise((r) => setTimeout(r, 25))
  }
}
