/**
 * A tiny, read-only MQTT packet scanner for observing traffic in tests (the page's WebSocket sends and the Node
 * client's frames). It understands just enough to tell which stream message a PUBLISH carries and whether it
 * was marked DUP, and which packet id a PUBREL releases. It never throws: bytes it cannot read are skipped.
 * Plain TypeScript without imports, so it is bundled into the page app and used in Node as is.
 */

export interface ObservedPublish {
  readonly type: 'publish'
  readonly dup: boolean
  readonly qos: number
  readonly retain: boolean
  readonly topic: string
  /** Packet id (0 for QoS 0). */
  readonly mid: number
  readonly payload: string
}

export interface ObservedAck {
  readonly type: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'
  readonly mid: number
}

export interface ObservedOther {
  readonly type: 'other'
  /** MQTT control packet type (1–15). */
  readonly packetType: number
}

export type ObservedPacket = ObservedPublish | ObservedAck | ObservedOther

const ACKS: Record<number, ObservedAck['type']> = { 4: 'puback', 5: 'pubrec', 6: 'pubrel', 7: 'pubcomp' }
const decoder = new TextDecoder()

/** Turn what a WebSocket `send()` / frame handler got into bytes (a view, not a copy). */
export function asBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return undefined
}

function varint(b: Uint8Array, at: number): [value: number, next: number] | undefined {
  let value = 0
  let mult = 1
  for (let i = 0; i < 4; i++) {
    const byte = b[at + i]
    if (byte === undefined) return undefined
    value += (byte & 0x7f) * mult
    if ((byte & 0x80) === 0) return [value, at + i + 1]
    mult *= 128
  }
  return undefined
}

/** Every complete packet in `bytes` (one WebSocket message may hold several). */
export function scanPackets(bytes: Uint8Array, protocolVersion: number): ObservedPacket[] {
  return scan(bytes, protocolVersion).packets
}

/**
 * Packets from a byte stream whose packets may be split across WebSocket messages (Aedes writes one packet
 * as several frames): feed every message in order.
 */
export class PacketReader {
  readonly #protocolVersion: number
  #rest: Uint8Array = new Uint8Array(0)

  constructor(protocolVersion: number) {
    this.#protocolVersion = protocolVersion
  }

  push(bytes: Uint8Array): ObservedPacket[] {
    let buf = bytes
    if (this.#rest.length > 0) {
      buf = new Uint8Array(this.#rest.length + bytes.length)
      buf.set(this.#rest)
      buf.set(bytes, this.#rest.length)
    }
    const { packets, consumed } = scan(buf, this.#protocolVersion)
    this.#rest = buf.slice(consumed)
    return packets
  }
}

function scan(bytes: Uint8Array, protocolVersion: number): { packets: ObservedPacket[]; consumed: number } {
  const out: ObservedPacket[] = []
  let at = 0
  while (at < bytes.length) {
    const first = bytes[at]!
    const len = varint(bytes, at + 1)
    if (!len) break
    const [remaining, bodyStart] = len
    const end = bodyStart + remaining
    if (end > bytes.length) break
    const type = first >> 4
    if (type === 3) {
      const p = readPublish(bytes, first, bodyStart, end, protocolVersion)
      if (p) out.push(p)
    } else if (ACKS[type] && remaining >= 2) {
      out.push({ type: ACKS[type]!, mid: (bytes[bodyStart]! << 8) | bytes[bodyStart + 1]! })
    } else {
      out.push({ type: 'other', packetType: type })
    }
    at = end
  }
  return { packets: out, consumed: at }
}

function readPublish(b: Uint8Array, first: number, start: number, end: number, protocolVersion: number): ObservedPublish | undefined {
  const qos = (first >> 1) & 3
  let at = start
  if (at + 2 > end) return undefined
  const topicLen = (b[at]! << 8) | b[at + 1]!
  at += 2
  if (at + topicLen > end) return undefined
  const topic = decoder.decode(b.subarray(at, at + topicLen))
  at += topicLen
  let mid = 0
  if (qos > 0) {
    if (at + 2 > end) return undefined
    mid = (b[at]! << 8) | b[at + 1]!
    at += 2
  }
  if (protocolVersion === 5) {
    const props = varint(b, at)
    if (!props) return undefined
    at = props[1] + props[0]
    if (at > end) return undefined
  }
  return {
    type: 'publish', dup: (first & 0x08) !== 0, qos, retain: (first & 0x01) !== 0, topic, mid,
    payload: decoder.decode(b.subarray(at, end)),
  }
}
