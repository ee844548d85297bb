/**
 * A tiny raw MQTT client on mqtt-packet, over WebSocket (`ws`) or plain TCP, to observe exactly what a broker
 * delivers (counts, DUP flags, properties) independently of the Client under test. Also `decodePackets` to turn a
 * frame trace (see NodeWsTransport's `onFrame`) into packets.
 */
import { connect as tcpConnect } from 'node:net'
import type { Socket } from 'node:net'
import { generate, parser as createParser } from 'mqtt-packet'
import type { IConnackPacket, IPublishPacket, ISubackPacket, IUnsubackPacket, Packet } from 'mqtt-packet'
import WebSocket from 'ws'
import { LOOPBACK } from './ports.js'

export type RawProtocolVersion = 3 | 4 | 5

export interface RawClientOptions {
  /** `ws://…` URL, or use `tcpPort`. */
  url?: string
  tcpPort?: number
  protocolVersion?: RawProtocolVersion
  clientId?: string
  clean?: boolean
  /** Seconds; default 0 (no keepalive, the raw client never pings). */
  keepalive?: number
  username?: string
  password?: string
  will?: { topic: string; payload: string | Uint8Array; qos?: 0 | 1 | 2; retain?: boolean; properties?: Record<string, unknown> }
  /** MQTT 5 CONNECT properties. */
  properties?: Record<string, unknown>
  /** Answer incoming QoS1/2 flows (PUBACK, PUBREC/PUBCOMP) and our QoS2 PUBREC with PUBREL. Default true. */
  autoAck?: boolean
  /** Wait for CONNACK and throw when it refuses (default true). With false, `connack` is returned as received. */
  expectSuccess?: boolean
  timeoutMs?: number
}

export interface RawClient {
  /** Every packet received, in order. */
  readonly packets: Packet[]
  readonly connack: IConnackPacket
  /** Publishes received (optionally only topics equal to `topic`). */
  publishes(topic?: string): IPublishPacket[]
  send(packet: Packet): void
  /** Publish; for QoS > 0 resolves when the flow completes (PUBACK / PUBCOMP). */
  publish(topic: string, payload: string | Uint8Array, qos?: 0 | 1 | 2,
    opts?: { retain?: boolean; dup?: boolean; messageId?: number; properties?: Record<string, unknown> }): Promise<Packet | undefined>
  subscribe(filter: string | Array<{ topic: string; qos: 0 | 1 | 2; nl?: boolean; rap?: boolean; rh?: number }>,
    qos?: 0 | 1 | 2, properties?: Record<string, unknown>): Promise<ISubackPacket>
  unsubscribe(filter: string | string[]): Promise<IUnsubackPacket>
  /** First packet from index `from` (default 0) matching `pred`; rejects after `timeoutMs` (default 5000). */
  waitFor(pred: (p: Packet) => boolean, timeoutMs?: number, from?: number): Promise<Packet>
  /** Resolves when `n` publishes (matching `topic` if given) have arrived. */
  waitForPublishes(n: number, topic?: string, timeoutMs?: number): Promise<IPublishPacket[]>
  /** Send DISCONNECT (optionally v5 reason code) and close. */
  disconnect(reasonCode?: number): Promise<void>
  /** Drop the connection without DISCONNECT (the will fires). */
  destroy(): void
  readonly closed: Promise<void>
  readonly isClosed: boolean
}

let idCounter = 0

export async function rawConnect(opts: RawClientOptions): Promise<RawClient> {
  const protocolVersion = opts.protocolVersion ?? 4
  const timeoutMs = opts.timeoutMs ?? 5000
  const autoAck = opts.autoAck ?? true
  const packets: Packet[] = []
  const waiters = new Set<() => void>()
  const parser = createParser({ protocolVersion } as never)
  let closedFlag = false
  let resolveClosed!: () => void
  const closed = new Promise<void>((r) => { resolveClosed = r })
  let nextMid = 1
  const allocMid = (): number => {
    const m = nextMid
    nextMid = nextMid >= 65535 ? 1 : nextMid + 1
    return m
  }

  let write: (b: Uint8Array) => void
  let end: () => void
  let kill: () => void

  const send = (packet: Packet): void => {
    if (closedFlag) throw new Error('raw client: connection closed')
    write(generate(packet as never, { protocolVersion } as never))
  }

  parser.on('packet', (p: Packet) => {
    packets.push(p)
    if (autoAck) {
      if (p.cmd === 'publish' && p.qos === 1) send({ cmd: 'puback', messageId: p.messageId } as Packet)
      else if (p.cmd === 'publish' && p.qos === 2) send({ cmd: 'pubrec', messageId: p.messageId } as Packet)
      else if (p.cmd === 'pubrel') send({ cmd: 'pubcomp', messageId: p.messageId } as Packet)
      else if (p.cmd === 'pubrec') send({ cmd: 'pubrel', messageId: p.messageId } as Packet)
    }
    for (const w of [...waiters]) w()
  })
  parser.on('error', (e: Error) => {
    packets.push({ cmd: 'disconnect', reasonCode: -1, properties: { reasonString: `parse error: ${e.message}` } } as never)
    kill()
  })
  const onClose = (): void => {
    if (closedFlag) return
    closedFlag = true
    resolveClosed()
    for (const w of [...waiters]) w()
  }

  if (opts.url) {
    const ws = new WebSocket(opts.url, [protocolVersion === 3 ? 'mqttv3.1' : 'mqtt'], { perMessageDeflate: false })
    ws.binaryType = 'nodebuffer'
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => { ws.terminate(); reject(new Error(`raw ws connect to ${opts.url} timed out`)) }, timeoutMs)
      ws.once('open', () => { clearTimeout(t); resolve() })
      ws.once('error', (e) => { clearTimeout(t); reject(e) })
    })
    ws.on('error', () => {})
    ws.on('message', (d: Buffer) => parser.parse(d))
    ws.on('close', onClose)
    write = (b) => ws.send(b, { binary: true })
    end = () => ws.close(1000)
    kill = () => ws.terminate()
  } else if (opts.tcpPort !== undefined) {
    const sock: Socket = tcpConnect({ host: LOOPBACK, port: opts.tcpPort })
    sock.setNoDelay(true)
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => { sock.destroy(); reject(new Error('raw tcp connect timed out')) }, timeoutMs)
      sock.once('connect', () => { clearTimeout(t); resolve() })
      sock.once('error', (e) => { clearTimeout(t); reject(e) })
    })
    sock.on('error', () => {})
    sock.on('data', (d: Buffer) => parser.parse(d))
    sock.on('close', onClose)
    write = (b) => { sock.write(b) }
    end = () => sock.end()
    kill = () => sock.destroy()
  } else {
    throw new Error('rawConnect: give url or tcpPort')
  }

  const waitFor = (pred: (p: Packet) => boolean, waitMs = timeoutMs, from = 0): Promise<Packet> =>
    new Promise((resolve, reject) => {
      let i = from
      const check = (): void => {
        for (; i < packets.length; i++) {
          const p = packets[i]!
          if (pred(p)) {
            cleanup()
            resolve(p)
            return
          }
        }
        if (closedFlag) {
          cleanup()
          reject(new Error('raw client: connection closed while waiting'))
        }
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`raw client: no matching packet within ${waitMs} ms (got ${packets.map((p) => p.cmd).join(',')})`))
      }, waitMs)
      const cleanup = (): void => {
        clearTimeout(timer)
        waiters.delete(check)
      }
      waiters.add(check)
      check()
    })

  const clientId = opts.clientId ?? `raw-${process.pid}-${++idCounter}`
  const connectPacket: Record<string, unknown> = {
    cmd: 'connect',
    protocolId: protocolVersion === 3 ? 'MQIsdp' : 'MQTT',
    protocolVersion,
    clean: opts.clean ?? true,
    clientId,
    keepalive: opts.keepalive ?? 0,
  }
  if (opts.username !== undefined) connectPacket.username = opts.username
  if (opts.password !== undefined) connectPacket.password = Buffer.from(opts.password)
  if (opts.properties) connectPacket.properties = opts.properties
  if (opts.will) {
    connectPacket.will = {
      topic: opts.will.topic,
      payload: Buffer.from(opts.will.payload),
      qos: opts.will.qos ?? 0,
      retain: opts.will.retain ?? false,
      ...(opts.will.properties ? { properties: opts.will.properties } : {}),
    }
  }
  send(connectPacket as unknown as Packet)
  const connack = (await waitFor((p) => p.cmd === 'connack')) as IConnackPacket
  const rc = connack.reasonCode ?? connack.returnCode ?? 0
  if ((opts.expectSuccess ?? true) && rc !== 0) {
    kill()
    throw new Error(`raw client: CONNACK refused with ${rc}`)
  }

  const publishes = (topic?: string): IPublishPacket[] =>
    packets.filter((p): p is IPublishPacket => p.cmd === 'publish' && (topic === undefined || p.topic === topic))

  return {
    packets,
    connack,
    publishes,
    send,
    waitFor,
    async publish(topic, payload, qos = 0, o = {}) {
      const messageId = qos > 0 ? (o.messageId ?? allocMid()) : undefined
      const from = packets.length
      send({
        cmd: 'publish', topic, payload: typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload),
        qos, retain: o.retain ?? false, dup: o.dup ?? false,
        ...(messageId !== undefined ? { messageId } : {}),
        ...(o.properties ? { properties: o.properties } : {}),
      } as Packet)
      if (qos === 1) return waitFor((p) => p.cmd === 'puback' && p.messageId === messageId, timeoutMs, from)
      if (qos === 2) return waitFor((p) => p.cmd === 'pubcomp' && p.messageId === messageId, timeoutMs, from)
      return undefined
    },
    async subscribe(filter, qos = 0, properties) {
      const messageId = allocMid()
      const subscriptions = typeof filter === 'string' ? [{ topic: filter, qos }] : filter
      const from = packets.length
      send({ cmd: 'subscribe', messageId, subscriptions, ...(properties ? { properties } : {}) } as Packet)
      return (await waitFor((p) => p.cmd === 'suback' && p.messageId === messageId, timeoutMs, from)) as ISubackPacket
    },
    async unsubscribe(filter) {
      const messageId = allocMid()
      const from = packets.length
      send({ cmd: 'unsubscribe', messageId, unsubscriptions: typeof filter === 'string' ? [filter] : filter } as Packet)
      return (await waitFor((p) => p.cmd === 'unsuback' && p.messageId === messageId, timeoutMs, from)) as IUnsubackPacket
    },
    async waitForPublishes(n, topic, waitMs = timeoutMs) {
      const deadline = Date.now() + waitMs
      for (let i = 0; i < 100_000; i++) {
        const got = publishes(topic)
        if (got.length >= n) return got
        const left = deadline - Date.now()
        if (left <= 0) break
        const from = packets.length
        await waitFor((p) => p.cmd === 'publish', left, from).catch(() => undefined)
      }
      throw new Error(`raw client: ${publishes(topic).length} of ${n} publishes${topic ? ` on ${topic}` : ''} within ${waitMs} ms`)
    },
    async disconnect(reasonCode) {
      if (closedFlag) return
      send({ cmd: 'disconnect', ...(reasonCode !== undefined ? { reasonCode } : {}) } as Packet)
      end()
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([closed, new Promise<void>((r) => { timer = setTimeout(r, 2000) })])
      clearTimeout(timer)
      if (!closedFlag) kill()
    },
    destroy() { kill() },
    closed,
    get isClosed() { return closedFlag },
  }
}

/** Decode a list of frames (one direction of one connection) into packets. Throws on malformed bytes. */
export function decodePackets(frames: readonly Uint8Array[], protocolVersion: RawProtocolVersion = 4): Packet[] {
  const parser = createParser({ protocolVersion } as never)
  const out: Packet[] = []
  let error: Error | undefined
  parser.on('packet', (p: Packet) => out.push(p))
  parser.on('error', (e: Error) => { error ??= e })
  for (const f of frames) parser.parse(Buffer.from(f.buffer, f.byteOffset, f.byteLength))
  if (error) throw error
  return out
}
