/**
 * A TCP proxy on 127.0.0.1 in front of a broker's websockets listener that forwards bytes unchanged and
 * also reads them: it skips the HTTP upgrade, parses the WebSocket frames of both directions (unmasking the
 * client's), and splits binary payloads into MQTT packets. So a spec can say exactly which packets a page
 * put on the wire between two points, not just how many bytes. It can also hold client → broker bytes
 * (`stall`), like a link that went quiet.
 */
import { connect, createServer } from 'node:net'
import type { Socket } from 'node:net'
import { TYPE_NAMES, splitPackets } from './mqtt-bytes.js'

export interface WirePacket {
  /** 'up': page → broker; 'down': broker → page. */
  readonly dir: 'up' | 'down'
  /** Connection number, from 1. */
  readonly conn: number
  readonly type: number
  readonly name: string
  readonly flags: number
  readonly bytes: Uint8Array
}

export interface WireFrame {
  readonly dir: 'up' | 'down'
  readonly conn: number
  /** WebSocket opcode: 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  readonly opcode: number
  readonly length: number
}

export interface RecordingProxy {
  readonly port: number
  /** `ws://127.0.0.1:<port>/mqtt` */
  readonly wsUrl: string
  /** Every MQTT packet seen, both directions, in arrival order per direction. */
  readonly packets: readonly WirePacket[]
  /** Every WebSocket frame seen. */
  readonly frames: readonly WireFrame[]
  /** Bytes forwarded page → broker / broker → page (while not stalled). */
  readonly bytesUp: number
  readonly bytesDown: number
  readonly acceptedConnections: number
  readonly openConnections: number
  /** Numbers of the connections still open. */
  openIds(): number[]
  /** Packets page → broker (optionally of one type). */
  up(type?: string): WirePacket[]
  /** Hold page → broker bytes (true) or deliver the held bytes and forward again (false). */
  stall(on: boolean): void
  /** Destroy every open connection. */
  cutAll(): void
  stop(): Promise<void>
}

/** Reads one direction of a WebSocket connection. */
class WsReader {
  #buf: Uint8Array = new Uint8Array(0)
  #headerDone = false
  #mqtt: Uint8Array = new Uint8Array(0)
  constructor(
    readonly dir: 'up' | 'down',
    readonly conn: number,
    readonly onFrame: (f: WireFrame) => void,
    readonly onPacket: (p: WirePacket) => void,
  ) {}

  /** `chunk` is copied (it is forwarded as is; unmasking works on the copy). */
  push(chunk: Uint8Array): void {
    this.#buf = concat(this.#buf, new Uint8Array(chunk))
    if (!this.#headerDone) {
      const end = indexOfCrlfCrlf(this.#buf)
      if (end < 0) return
      this.#headerDone = true
      this.#buf = this.#buf.subarray(end + 4)
    }
    for (;;) {
      const b = this.#buf
      if (b.length < 2) return
      const opcode = b[0]! & 0x0f
      const masked = (b[1]! & 0x80) !== 0
      let len = b[1]! & 0x7f
      let at = 2
      if (len === 126) {
        if (b.length < 4) return
        len = (b[2]! << 8) | b[3]!
        at = 4
      } else if (len === 127) {
        if (b.length < 10) return
        len = Number(new DataView(b.buffer, b.byteOffset + 2, 8).getBigUint64(0))
        at = 10
      }
      const maskAt = at
      if (masked) at += 4
      if (b.length < at + len) return
      const payload = new Uint8Array(b.subarray(at, at + len))
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= b[maskAt + (i % 4)]!
      this.#buf = b.subarray(at + len)
      this.onFrame({ dir: this.dir, conn: this.conn, opcode, length: len })
      if (opcode === 2 || opcode === 0) {
        const { packets, rest } = splitPackets(concat(this.#mqtt, payload))
        for (const p of packets) {
          this.onPacket({ dir: this.dir, conn: this.conn, type: p.type, name: TYPE_NAMES[p.type] ?? '?', flags: p.flags, bytes: p.bytes.slice() })
        }
        this.#mqtt = rest.slice()
      }
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

function indexOfCrlfCrlf(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i
  }
  return -1
}

export async function startRecordingProxy(targetPort: number): Promise<RecordingProxy> {
  const packets: WirePacket[] = []
  const frames: WireFrame[] = []
  const pairs = new Set<{ conn: number; client: Socket; upstream: Socket; held: Buffer[]; reader: WsReader }>()
  let up = 0
  let down = 0
  let accepted = 0
  let stalled = false

  const server = createServer((client) => {
    client.on('error', () => {})
    const conn = ++accepted
    client.setNoDelay(true)
    const upstream = connect({ host: '127.0.0.1', port: targetPort })
    upstream.setNoDelay(true)
    upstream.on('error', () => {})
    const upReader = new WsReader('up', conn, (f) => frames.push(f), (p) => packets.push(p))
    const downReader = new WsReader('down', conn, (f) => frames.push(f), (p) => packets.push(p))
    const pair = { conn, client, upstream, held: [] as Buffer[], reader: upReader }
    pairs.add(pair)
    client.on('data', (d: Buffer) => {
      if (stalled) {
        pair.held.push(d)
        return
      }
      up += d.length
      upReader.push(d)
      upstream.write(d)
    })
    upstream.on('data', (d: Buffer) => {
      down += d.length
      downReader.push(d)
      client.write(d)
    })
    const end = (): void => {
      if (!pairs.delete(pair)) return
      pair.held.length = 0
      client.destroy()
      upstream.destroy()
    }
    client.on('close', end)
    upstream.on('close', end)
  })
  server.on('error', () => {})
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const a = server.address()
      resolve(typeof a === 'object' && a ? a.port : 0)
    })
  })

  return {
    port,
    wsUrl: `ws://127.0.0.1:${port}/mqtt`,
    packets,
    frames,
    get bytesUp() { return up },
    get bytesDown() { return down },
    get acceptedConnections() { return accepted },
    get openConnections() { return pairs.size },
    openIds: () => [...pairs].map((p) => p.conn),
    up: (type) => packets.filter((p) => p.dir === 'up' && (type === undefined || p.name === type)),
    stall(on) {
      stalled = on
      if (on) return
      for (const p of pairs) {
        for (const d of p.held.splice(0)) {
          up += d.length
          p.reader.push(d)
          p.upstream.write(d)
        }
      }
    },
    cutAll() {
      for (const p of [...pairs]) {
        pairs.delete(p)
        p.client.destroy()
        p.upstream.destroy()
      }
    },
    stop() {
      for (const p of [...pairs]) {
        p.client.destroy()
        p.upstream.destroy()
      }
      pairs.clear()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** The port of a `ws://127.0.0.1:<port>/…` URL. */
export function portOf(url: string): number {
  return Number(new URL(url).port)
}

/** A PUBLISH packet's topic (MQTT 3.1.1 and 5: the topic follows the remaining length). */
export function publishTopic(p: WirePacket): string {
  let i = 1
  while (i < 5 && (p.bytes[i]! & 0x80) !== 0) i++
  i++
  const len = (p.bytes[i]! << 8) | p.bytes[i + 1]!
  return Buffer.from(p.bytes.subarray(i + 2, i + 2 + len)).toString('utf8')
}
