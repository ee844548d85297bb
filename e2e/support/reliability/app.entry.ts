/**
 * The page-side test app of the reliability specs, bundled from the sources by support/reliability/app.ts and
 * exposed as `window.rel`. It drives @webmqtt/browser's Client the way an app would and keeps score:
 *
 *  - every message received is tallied by (topic, seq) in sessionStorage, so counts survive reloads;
 *  - a tap on WebSocket.prototype.send sees every PUBLISH the page sends (DUP flag, seq) and every PUBREL,
 *    also kept in sessionStorage: retransmissions and duplicates can then be explained, or not;
 *  - `create(…, { autostart: true })` stores the options so the app starts its client again by itself on the
 *    next page load (restore the session from IndexedDB, then connect), like a real app would.
 */
import { Client, sharedWorkerTimers } from '../../../packages/browser/src/index.js'
import type { MessageInfo, StatusEvent } from '../../../packages/browser/src/index.js'
import { parseSeq, seqPayload } from './seq.js'
import type { Sends, Tally } from './seq.js'
import { PacketReader, asBytes, scanPackets } from './wire.js'
import type { ObservedPacket } from './wire.js'

export interface AppClientOptions {
  /** Several clients per page are told apart by name. Default 'main'. */
  name?: string
  clientId: string
  /** Full ws:// URL of the broker (or of a proxy in front of it). */
  url: string
  protocol: 4 | 5
  /** Persistent session (cleanSession false / cleanStart false + Session Expiry): the session lives in IndexedDB. */
  persistent: boolean
  keepalive?: number
  maxInflight?: number
  /** reconnectDelaySet(min, max), seconds. */
  reconnectDelay?: [number, number]
  openTimeoutMs?: number
  connectTimeoutMs?: number
  workerTimers?: boolean
  /** Reload the page (once) after this many messages were received. */
  reloadAfterReceived?: number
  /** Keep the wire trace in sessionStorage, so it survives reloads (for failure reports). */
  persistTrace?: boolean
}

export interface RecordedStatus {
  at: number
  type: StatusEvent['type']
  attempt?: number
  delayMs?: number
  sessionPresent?: boolean
  error?: string
}

export interface PendingSummary {
  state: string
  pending: number
  inflight: number
  queued: number
  /** States of the MessageInfos from pendingMessages() right after restore (when restored). */
  restored?: number
}

interface Published {
  topic: string
  seq: number
  info: MessageInfo
}

interface Entry {
  opts: AppClientOptions
  client: Client
  /** SUBACKs received (including the client's own re-subscriptions). */
  subacks: number
  events: RecordedStatus[]
  published: Published[]
  restoredInfos: MessageInfo[]
  connectError?: string
}

const SS = sessionStorage
const loadNumber = Number(SS.getItem('rel.loads') ?? 0) + 1
const K = {
  rx: 'rel.rx|', // rel.rx|<topic>|<seq> = "count,dupCount,redeliveredAfterPubcomp"
  tx: 'rel.tx|', // rel.tx|<topic>|<seq> = "sends,dupSends"
  txMid: 'rel.txmid|', // rel.txmid|<mid> = "<topic>|<seq>" of the last PUBLISH sent with that packet id
  txRel: 'rel.txrel|', // rel.txrel|<topic>|<seq>: PUBREL sent
  rxMid: 'rel.rxmid|', // rel.rxmid|<mid> = "<topic>|<seq>" of the last message received with that packet id
  rxDone: 'rel.rxdone|', // rel.rxdone|<topic>|<seq>: the broker released that QoS 2 message (PUBREL received)
  rxWire: 'rel.rxwire|', // rel.rxwire|<topic>|<seq> = PUBLISH packets received for it
  rxResent: 'rel.rxresent|', // rel.rxresent|<topic>|<seq> = QoS 2 re-sends a client may take for new (see observeIncoming)
  violation: 'rel.violation|', // rel.violation|<what>|<topic>|<seq>
  rxGen: 'rel.rxgen|', // rel.rxgen|<topic>|<seq> = connection generation of the last delivery
  generation: 'rel.generation',
  fence: 'rel.fence|', // rel.fence|<topic> = payload
  autostart: 'rel.autostart|', // rel.autostart|<name> = JSON options
  reloaded: 'rel.reloaded|', // rel.reloaded|<name> = "1"
  loads: 'rel.loads',
  received: 'rel.received|', // rel.received|<name> = total count
}

const clients = new Map<string, Entry>()
let tapProtocol = 4
/** Connections made in this tab so far (across reloads): a redelivery on the same connection is suspicious. */
const generation = (): number => Number(SS.getItem(K.generation) ?? 0)
/** A bounded in-memory trace of the page's outgoing acks and deliveries, for failure reports. */
const traceLines: string[] = []
let persistTrace = SS.getItem('rel.persistTrace') === '1'
function trace(line: string): void {
  if (traceLines.length >= 50_000) return
  const text = `${new Date().toISOString().slice(17, 23)} load${loadNumber} g${generation()} ${line}`
  traceLines.push(text)
  if (persistTrace) {
    const n = Number(SS.getItem('rel.traceN') ?? 0)
    SS.setItem(`rel.trace|${n}`, text)
    SS.setItem('rel.traceN', String(n + 1))
  }
}

// ------------------------------------------------------------------------------------------ the wire tap
// Outgoing packets only (the page's client writes one packet per WebSocket message). Packet ids are mapped
// back to (topic, seq) through sessionStorage, because flows started before a reload finish after it.
const nativeSend = WebSocket.prototype.send
/** PINGREQ send times (Date.now()) by WebSocket URL. */
const pings = new Map<string, number[]>()
WebSocket.prototype.send = function send(this: WebSocket, data: Parameters<WebSocket['send']>[0]): void {
  try {
    const bytes = asBytes(data)
    if (bytes?.[0] === 0xc0) {
      let list = pings.get(this.url)
      if (!list) pings.set(this.url, (list = []))
      list.push(Date.now())
    }
    if (bytes) observeOutgoing(bytes)
  } catch (err) {
    console.error('[rel] tap failed', err)
  }
  nativeSend.call(this, data)
}

// Incoming packets, for the trace only: wrap 'message' listeners (packets may span WebSocket messages).
const readers = new WeakMap<WebSocket, PacketReader>()
const nativeAdd = WebSocket.prototype.addEventListener
WebSocket.prototype.addEventListener = function addEventListener(this: WebSocket, type: string, listener: unknown, options?: unknown): void {
  if (type === 'message' && typeof listener === 'function') {
    const inner = listener as (ev: MessageEvent) => void
    const wrapped = function (this: WebSocket, ev: MessageEvent): void {
      try {
        const bytes = asBytes(ev.data)
        const ws = ev.target as WebSocket
        if (bytes) {
          let reader = readers.get(ws)
          if (!reader) readers.set(ws, (reader = new PacketReader(tapProtocol)))
          for (const p of reader.push(bytes)) observeIncoming(p)
        }
      } catch (err) {
        console.error('[rel] incoming tap failed', err)
      }
      inner.call(this, ev)
    }
    ;(nativeAdd as (t: string, l: unknown, o?: unknown) => void).call(this, type, wrapped, options)
    return
  }
  ;(nativeAdd as (t: string, l: unknown, o?: unknown) => void).call(this, type, listener, options)
} as typeof WebSocket.prototype.addEventListener

function observeIncoming(p: ObservedPacket): void {
  if (p.type === 'publish') {
    trace(`in PUBLISH m${p.mid} q${p.qos}${p.dup ? ' DUP' : ''} ${p.topic}|${p.payload}`)
    const seq = parseSeq(p.payload)
    if (seq === undefined) return
    const id = `${p.topic}|${seq}`
    // A QoS 2 message the broker sends again after releasing it (PUBREL), or again without DUP, looks like a new
    // message to any client (MQTT-3.3.1-1: a re-delivery carries DUP): the broker re-sent it, not the client.
    // A re-send with DUP before PUBREL must never be delivered again.
    if (p.qos === 2 && SS.getItem(`${K.rxWire}${id}`) !== null && (SS.getItem(`${K.rxDone}${id}`) !== null || !p.dup)) {
      bump(`${K.rxResent}${id}`, false)
    }
    bump(`${K.rxWire}${id}`, p.dup)
    if (p.qos === 2) SS.setItem(`${K.rxMid}${p.mid}`, id)
  } else if (p.type === 'pubrel') {
    trace(`in PUBREL m${p.mid} .`)
    const id = SS.getItem(`${K.rxMid}${p.mid}`)
    if (id) SS.setItem(`${K.rxDone}${id}`, '1')
  } else if (p.type !== 'other') {
    trace(`in ${p.type.toUpperCase()} m${p.mid} .`)
  } else {
    trace(`in type ${p.packetType} .`)
  }
}

function observeOutgoing(bytes: Uint8Array): void {
  for (const p of scanPackets(bytes, tapProtocol)) {
    if (p.type === 'publish') {
      const seq = parseSeq(p.payload)
      if (seq === undefined || p.qos === 0) continue
      const id = `${p.topic}|${seq}`
      SS.setItem(`${K.txMid}${p.mid}`, id)
      bump(`${K.tx}${id}`, p.dup)
      trace(`out PUBLISH m${p.mid} q${p.qos}${p.dup ? ' DUP' : ''} ${id}`)
      // MQTT 4.3.3: once PUBREL is sent, the PUBLISH must not be sent again.
      if (p.qos === 2 && SS.getItem(`${K.txRel}${id}`)) SS.setItem(`${K.violation}publish after pubrel|${id}`, '1')
    } else if (p.type !== 'other') {
      trace(`out ${p.type.toUpperCase()} m${p.mid} .`)
    }
    if (p.type === 'pubrel') {
      const id = SS.getItem(`${K.txMid}${p.mid}`)
      if (id) SS.setItem(`${K.txRel}${id}`, '1')
    }
  }
}

/** "count,dupCount,brokerResent,sameConnection" += 1 (and the flags). */
function bump(key: string, dup: boolean, brokerResent = false, sameConnection = false): void {
  const [count = 0, dups = 0, after = 0, same = 0] = (SS.getItem(key) ?? '0,0,0,0').split(',').map(Number)
  SS.setItem(key, `${count + 1},${dups + (dup ? 1 : 0)},${after + (brokerResent ? 1 : 0)},${same + (sameConnection ? 1 : 0)}`)
}

function readCounts(prefix: string): Record<string, Record<number, [number, number, number, number]>> {
  const out: Record<string, Record<number, [number, number, number, number]>> = {}
  for (let i = 0; i < SS.length; i++) {
    const key = SS.key(i)
    if (!key?.startsWith(prefix)) continue
    const rest = key.slice(prefix.length)
    const bar = rest.lastIndexOf('|')
    const topic = rest.slice(0, bar)
    const seq = Number(rest.slice(bar + 1))
    const [a = 0, b = 0, c = 0, d = 0] = (SS.getItem(key) ?? '0,0,0,0').split(',').map(Number)
    ;(out[topic] ??= {})[seq] = [a, b, c, d]
  }
  return out
}

/** Seqs by topic for keys `<prefix><topic>|<seq>`. */
function readSeqs(prefix: string): Record<string, number[]> {
  const out: Record<string, number[]> = {}
  for (const [topic, t] of Object.entries(readCounts(prefix))) out[topic] = Object.keys(t).map(Number).sort((a, b) => a - b)
  return out
}

// ------------------------------------------------------------------------------------------ clients
function errorText(err: unknown): string {
  const e = err as { name?: string; message?: string } | undefined
  return e?.name ? `${e.name}: ${e.message ?? ''}` : String(err)
}

function entry(name = 'main'): Entry {
  const e = clients.get(name)
  if (!e) throw new Error(`no client named ${name}`)
  return e
}

function create(opts: AppClientOptions, how: { autostart?: boolean } = {}): void {
  const name = opts.name ?? 'main'
  if (clients.has(name)) throw new Error(`client ${name} exists`)
  tapProtocol = opts.protocol
  if (opts.persistTrace) {
    persistTrace = true
    SS.setItem('rel.persistTrace', '1')
  }
  const client = new Client({
    clientId: opts.clientId,
    protocol: opts.protocol,
    ...(opts.protocol === 5
      ? { cleanStart: !opts.persistent, ...(opts.persistent ? { sessionExpiryInterval: 600 } : {}) }
      : { cleanSession: !opts.persistent }),
    ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    ...(opts.workerTimers === false ? { workerTimers: false } : {}),
    webSocket: { openTimeoutMs: opts.openTimeoutMs ?? 5000 },
  })
  if (opts.maxInflight !== undefined) client.maxInflightMessagesSet(opts.maxInflight)
  if (opts.reconnectDelay) client.reconnectDelaySet(opts.reconnectDelay[0], opts.reconnectDelay[1])
  const e: Entry = { opts, client, subacks: 0, events: [], published: [], restoredInfos: [] }
  client.onSubscribe = () => { e.subacks++ }
  clients.set(name, e)
  client.on('status', (ev) => {
    const r: RecordedStatus = { at: Date.now(), type: ev.type }
    if ('attempt' in ev) r.attempt = ev.attempt
    if ('delayMs' in ev) r.delayMs = ev.delayMs
    if ('sessionPresent' in ev) r.sessionPresent = ev.sessionPresent
    const err = (ev as { error?: unknown }).error
    if (err) r.error = errorText(err)
    if (ev.type === 'connected') SS.setItem(K.generation, String(generation() + 1))
    trace(`status ${ev.type}${'sessionPresent' in ev ? ` sessionPresent=${String(ev.sessionPresent)}` : ''} .`)
    e.events.push(r)
    console.log(`[rel ${name}] status ${JSON.stringify(r)}`)
  })
  client.onLog = (_c, _u, level, text) => {
    if (level !== 16 /* MQTT_LOG_DEBUG */ || text.includes('not delivered again')) console.log(`[rel ${name}] log ${level}: ${text}`)
    if (text.includes('not delivered again')) trace(`client: ${text} .`)
  }
  const countKey = `${K.received}${name}`
  client.onMessage = (_c, _u, msg) => {
    const payload = msg.text ?? new TextDecoder().decode(msg.payload)
    const seq = parseSeq(payload)
    if (seq === undefined) {
      if (payload.startsWith('fence')) SS.setItem(`${K.fence}${msg.topic}`, payload)
      return
    }
    const id = `${msg.topic}|${seq}`
    const gen = String(generation())
    const sameConnection = SS.getItem(`${K.rxGen}${id}`) === gen
    SS.setItem(`${K.rxGen}${id}`, gen)
    trace(`deliver m${msg.mid} q${msg.qos}${msg.dup ? ' DUP' : ''} ${id}`)
    bump(`${K.rx}${id}`, msg.dup, false, sameConnection)
    const total = Number(SS.getItem(countKey) ?? 0) + 1
    SS.setItem(countKey, String(total))
    const after = opts.reloadAfterReceived
    if (after !== undefined && total >= after && !SS.getItem(`${K.reloaded}${name}`)) {
      SS.setItem(`${K.reloaded}${name}`, '1')
      console.log(`[rel ${name}] reloading after ${total} messages`)
      trace(`reloading after ${total} messages .`)
      location.reload()
    }
  }
  if (how.autostart) SS.setItem(`${K.autostart}${name}`, JSON.stringify(opts))
}

async function restore(name?: string): Promise<PendingSummary> {
  const e = entry(name)
  await e.client.restoreSession(e.opts.url)
  e.restoredInfos = e.client.pendingMessages()
  return { ...summary(e), restored: e.restoredInfos.length }
}

async function connect(name?: string): Promise<{ ok: true; sessionPresent: boolean } | { ok: false; error: string }> {
  const e = entry(name)
  try {
    const r = await e.client.connect(e.opts.url, undefined, e.opts.keepalive ?? 30)
    return { ok: true, sessionPresent: r.sessionPresent }
  } catch (err) {
    e.connectError = errorText(err)
    return { ok: false, error: e.connectError }
  }
}

function summary(e: Entry): PendingSummary {
  return { state: e.client.state, pending: e.client.pendingMessages().length, inflight: e.client.inflightCount, queued: e.client.queuedCount }
}

/** What a client is doing now, plus how many of the restored messages are published. */
function status(name?: string): PendingSummary & { restoredPublished: number; restoredFailed: number; connectError?: string } {
  const e = entry(name)
  return {
    ...summary(e),
    restored: e.restoredInfos.length,
    restoredPublished: e.restoredInfos.filter((i) => i.state === 'published').length,
    restoredFailed: e.restoredInfos.filter((i) => i.state === 'failed').length,
    ...(e.connectError ? { connectError: e.connectError } : {}),
  }
}

async function subscribe(filter: string, qos: 0 | 1 | 2, name?: string): Promise<number[]> {
  const codes = await entry(name).client.subscribe(filter, qos)
  return codes.map((c) => c.value)
}

/** Publish `count` messages per stream, interleaved (seq from..from+count-1); returns right after publishing. */
function publishBurst(streams: Array<{ topic: string; qos: 1 | 2; count: number; from?: number }>, name?: string): PendingSummary & { rcs: number[] } {
  const e = entry(name)
  const rcs = new Set<number>()
  const most = Math.max(...streams.map((s) => s.count))
  for (let i = 0; i < most; i++) {
    for (const s of streams) {
      if (i >= s.count) continue
      const seq = (s.from ?? 1) + i
      const info = e.client.publish(s.topic, seqPayload(seq), s.qos)
      rcs.add(info.rc)
      e.published.push({ topic: s.topic, seq, info })
    }
  }
  return { ...summary(e), rcs: [...rcs] }
}

/** Publish a fence (not a seq) after everything else. */
function publishFence(topic: string, qos: 1 | 2, name?: string): void {
  entry(name).client.publish(topic, `fence-${Date.now()}`, qos)
}

let paced: { timer: ReturnType<typeof setInterval>; last: Record<string, number>; done: boolean } | undefined

/** Every `intervalMs`, publish the next seq of each stream, for `durationMs` (main-thread timer: app-like). */
function startPaced(streams: Array<{ topic: string; qos: 1 | 2 }>, intervalMs: number, durationMs: number, name?: string): void {
  const e = entry(name)
  const last: Record<string, number> = Object.fromEntries(streams.map((s) => [s.topic, 0]))
  const until = Date.now() + durationMs
  const state = { timer: undefined as unknown as ReturnType<typeof setInterval>, last, done: false }
  state.timer = setInterval(() => {
    if (Date.now() >= until) {
      clearInterval(state.timer)
      state.done = true
      return
    }
    for (const s of streams) {
      const seq = ++last[s.topic]!
      const info = e.client.publish(s.topic, seqPayload(seq), s.qos)
      e.published.push({ topic: s.topic, seq, info })
    }
  }, intervalMs)
  paced = state
}

function pacedState(): { done: boolean; last: Record<string, number> } {
  if (!paced) throw new Error('no paced publisher')
  return { done: paced.done, last: { ...paced.last } }
}

/** Seqs of this page's messages (published since load), by topic: completed, in flight or failed. */
function publishedStates(name?: string): Record<string, { published: number[]; failed: number[]; other: number[] }> {
  const out: Record<string, { published: number[]; failed: number[]; other: number[] }> = {}
  for (const p of entry(name).published) {
    const o = (out[p.topic] ??= { published: [], failed: [], other: [] })
    const st = p.info.state
    if (st === 'published') o.published.push(p.seq)
    else if (st === 'failed') o.failed.push(p.seq)
    else o.other.push(p.seq)
  }
  return out
}

async function flush(name?: string): Promise<PendingSummary> {
  const e = entry(name)
  await e.client.flush()
  return summary(e)
}

async function disconnect(name?: string): Promise<void> {
  await entry(name).client.disconnect()
}

/** Emulate a hidden tab: document.hidden / visibilityState report hidden, and visibilitychange fires. */
function setHidden(hidden: boolean): void {
  const state = hidden ? 'hidden' : 'visible'
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state })
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden })
  document.dispatchEvent(new Event('visibilitychange'))
}

const realSetTimeout = window.setTimeout.bind(window)
const realSetInterval = window.setInterval.bind(window)
/**
 * Emulate Chrome's intensive throttling of a hidden tab's main thread: timers set from now on fire no sooner
 * than `minMs` (Chrome: once a minute). Workers are not throttled, and neither are their messages.
 */
function throttleMainThreadTimers(minMs: number | false): void {
  if (minMs === false) {
    window.setTimeout = realSetTimeout as typeof window.setTimeout
    window.setInterval = realSetInterval as typeof window.setInterval
    return
  }
  window.setTimeout = ((fn: TimerHandler, ms?: number, ...args: unknown[]) =>
    realSetTimeout(fn, Math.max(minMs, ms ?? 0), ...args)) as typeof window.setTimeout
  window.setInterval = ((fn: TimerHandler, ms?: number, ...args: unknown[]) =>
    realSetInterval(fn, Math.max(minMs, ms ?? 0), ...args)) as typeof window.setInterval
}

const rel = {
  create, restore, connect, status, subscribe, publishBurst, publishFence, startPaced, pacedState, publishedStates,
  flush, disconnect, setHidden, throttleMainThreadTimers,
  events: (name?: string): RecordedStatus[] => entry(name).events,
  state: (name?: string): string => entry(name).client.state,
  subacks: (name?: string): number => entry(name).subacks,
  /** PINGREQs sent by sockets whose URL contains `urlPart`, as Date.now() times. */
  pings: (urlPart: string): number[] => [...pings].filter(([u]) => u.includes(urlPart)).flatMap(([, t]) => t),
  /** 'worker' while the page's shared Worker timers (the browser Client's default) keep time. */
  workerTimersMode: (): string => sharedWorkerTimers().mode,
  /** Received tallies by topic (across reloads), with the PUBLISH packets seen on the wire for each. */
  received: (): Record<string, Tally> => {
    const tallies: Record<string, Tally> = readCounts(K.rx)
    const merge = (prefix: string, at: 2 | 4): void => {
      for (const [topic, counts] of Object.entries(readCounts(prefix))) {
        for (const [seq, [n]] of Object.entries(counts)) {
          const e = tallies[topic]?.[Number(seq)]
          if (e) e[at] = n
        }
      }
    }
    merge(K.rxWire, 4)
    merge(K.rxResent, 2)
    return tallies
  },
  /** PUBLISH sends seen on the wire, by topic (across reloads). */
  sends: (): Record<string, Sends> => Object.fromEntries(Object.entries(readCounts(K.tx)).map(([topic, t]) =>
    [topic, Object.fromEntries(Object.entries(t).map(([seq, [n, d]]) => [seq, [n, d] as [number, number]]))])),
  /** Seqs whose PUBREL this page sent, by topic (across reloads). */
  released: (): Record<string, number[]> => readSeqs(K.txRel),
  /** Protocol rules this page's client broke, as "<rule>|<topic>|<seq>". */
  violations: (): string[] => {
    const out: string[] = []
    for (let i = 0; i < SS.length; i++) {
      const key = SS.key(i)
      if (key?.startsWith(K.violation)) out.push(key.slice(K.violation.length))
    }
    return out.sort()
  },
  fence: (topic: string): string | null => SS.getItem(`${K.fence}${topic}`),
  /** Trace lines (this load) containing any of `needles` (" m123 "), or ending with one given as "=<topic>|<seq>". */
  trace: (needles: string[]): string[] => {
    const lines = persistTrace
      ? Array.from({ length: Number(SS.getItem('rel.traceN') ?? 0) }, (_, i) => SS.getItem(`rel.trace|${i}`) ?? '')
      : traceLines
    return lines.filter((l) => needles.some((n) => (n.startsWith('=') ? l.endsWith(` ${n.slice(1)}`) : l.includes(n))))
  },
  /** How many times the app was loaded in this tab. */
  loads: loadNumber,
  /** Set once an autostarted client finished restore + connect (or failed to connect). */
  autostarted: undefined as undefined | { restored: PendingSummary; connect: Awaited<ReturnType<typeof connect>> },
}
SS.setItem(K.loads, String(rel.loads))

async function autostart(): Promise<void> {
  const keys: string[] = []
  for (let i = 0; i < SS.length; i++) {
    const key = SS.key(i)
    if (key?.startsWith(K.autostart)) keys.push(key)
  }
  for (const key of keys) {
    const opts = JSON.parse(SS.getItem(key) ?? '{}') as AppClientOptions
    create(opts)
    const restored = await restore(opts.name)
    console.log(`[rel ${opts.name ?? 'main'}] autostart: restored ${JSON.stringify(restored)}`)
    const r = await connect(opts.name)
    rel.autostarted = { restored, connect: r }
  }
}

;(globalThis as unknown as { rel: typeof rel }).rel = rel
export type RelApp = typeof rel
void autostart().catch((err: unknown) => console.error(`[rel] autostart failed: ${errorText(err)}`))
