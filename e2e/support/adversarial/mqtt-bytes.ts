/**
 * Hand-rolled MQTT bytes for the rogue server: independent of mqtt-packet (the library the client under test
 * decodes with), so a case can be exactly as broken as it means to be.
 */

export type Bytes = number[]

/** The Variable Byte Integer encoding of `n` (MQTT 1.5.5 / 2.2.3). */
export function varint(n: number): Bytes {
  const out: Bytes = []
  do {
    let b = n % 128
    n = Math.floor(n / 128)
    if (n > 0) b |= 0x80
    out.push(b)
  } while (n > 0)
  return out
}

export function u16(n: number): Bytes {
  return [(n >> 8) & 0xff, n & 0xff]
}

export function utf8(s: string): Bytes {
  return [...Buffer.from(s, 'utf8')]
}

/** A length-prefixed UTF-8 string. */
export function str(s: string): Bytes {
  const b = utf8(s)
  return [...u16(b.length), ...b]
}

/** Fixed header (first byte) + remaining length + body. */
export function packet(first: number, body: Bytes): Bytes {
  return [first, ...varint(body.length), ...body]
}

/** CONNACK accepting the connection: v3.1.1 `20 02 00 00`, v5 `20 03 00 00 00`. */
export function connackOk(v: 4 | 5, sessionPresent = false): Bytes {
  return v === 5 ? packet(0x20, [sessionPresent ? 1 : 0, 0, 0]) : packet(0x20, [sessionPresent ? 1 : 0, 0])
}

/** A v5 property list (already encoded properties) with its length prefix. */
export function props(encoded: Bytes): Bytes {
  return [...varint(encoded.length), ...encoded]
}

export function publish(opts: { topic: string | Bytes; payload?: Bytes; qos?: number; mid?: number; dup?: boolean; retain?: boolean; v?: 4 | 5; properties?: Bytes }): Bytes {
  const qos = opts.qos ?? 0
  const first = 0x30 | (opts.dup ? 8 : 0) | (qos << 1) | (opts.retain ? 1 : 0)
  const topic = typeof opts.topic === 'string' ? str(opts.topic) : opts.topic
  const body = [
    ...topic,
    ...(qos > 0 ? u16(opts.mid ?? 1) : []),
    ...(opts.v === 5 ? props(opts.properties ?? []) : []),
    ...(opts.payload ?? []),
  ]
  return packet(first, body)
}

/** MQTT packet type names by number (0 and 15 are reserved / AUTH). */
export const TYPE_NAMES = [
  'reserved', 'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp',
  'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect', 'auth',
] as const

/**
 * Split a byte stream into complete MQTT packets by their fixed headers (no validation beyond that).
 * Returns the packets and the bytes left over (an incomplete packet).
 */
export function splitPackets(data: Uint8Array): { packets: Array<{ type: number; flags: number; bytes: Uint8Array }>; rest: Uint8Array } {
  const packets: Array<{ type: number; flags: number; bytes: Uint8Array }> = []
  let pos = 0
  for (;;) {
    if (pos >= data.length) break
    let rl = 0
    let mul = 1
    let i = pos + 1
    let complete = false
    for (let k = 0; k < 4 && i < data.length; k++, i++) {
      const b = data[i]!
      rl += (b & 0x7f) * mul
      mul *= 128
      if ((b & 0x80) === 0) {
        complete = true
        i++
        break
      }
    }
    if (!complete || i + rl > data.length) break
    const first = data[pos]!
    packets.push({ type: first >> 4, flags: first & 15, bytes: data.subarray(pos, i + rl) })
    pos = i + rl
  }
  return { packets, rest: data.subarray(pos) }
}
