/**
 * What a correct client must do with a byte stream from the server, decided independently of the client under
 * test (and of mqtt-packet). Only verdicts the specs mandate are "definite"; anything this oracle cannot decide
 * is "unknown", and then any typed failure is accepted.
 *
 * Rules used (MQTT 3.1.1 = [3], MQTT 5 = [5]):
 *  - Remaining Length is at most 4 bytes [3] 2.2.3, [5] 1.5.5: a 4th length byte with the continuation bit is malformed.
 *  - The first packet from the server must be CONNACK [3] 3.2, [5] 3.2 (its "MUST close" is [3] 4.8 / [5] 4.13).
 *  - Fixed header flags: CONNACK, PUBACK, PUBREC, PUBCOMP, SUBACK, UNSUBACK, PINGRESP 0000, PUBREL 0010
 *    ([3] 2.2.2 MQTT-2.2.2-2, [5] 2.1.3); PUBLISH QoS bits 11 ([3] MQTT-3.3.1-4, [5] 3.3.1.2).
 *  - CONNACK: v3.1.1 Remaining Length 2 ([3] 3.2.1), Connect Acknowledge Flags bits 7-1 reserved 0
 *    ([3] 3.2.2.1, [5] 3.2.2.1.1).
 *  - A second CONNACK, and packets only a client sends (CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ), are protocol
 *    violations; reserved type 0; AUTH and DISCONNECT from the server exist only in MQTT 5.
 *  - PINGRESP has Remaining Length 0; v3.1.1 PUBACK/PUBREC/PUBREL/PUBCOMP/UNSUBACK have Remaining Length 2.
 *  - PUBLISH: topic name present (v3.1.1: non-empty, [3] MQTT-4.7.3-1), no wildcards ([3] MQTT-3.3.2-2,
 *    [5] 3.3.2.1), well-formed UTF-8 without U+0000 ([3] MQTT-1.5.3-1/-2, [5] 1.5.4); QoS > 0 needs a non-zero
 *    Packet Identifier ([3] MQTT-2.3.1-1, [5] 2.2.1).
 */
import { splitPackets } from './mqtt-bytes.js'

/** What the page must observe. */
export type Expect =
  /** connect() rejects with ProtocolError, and the client closes the socket itself. */
  | 'protocol'
  /** connect() resolves, then the client reports ProtocolError, disconnects, and closes the socket itself. */
  | 'protocol-after-connack'
  /** connect() rejects with ConnectionRefusedError; the client closes the socket itself. */
  | 'refused'
  /** A reserved CONNACK return code / inconsistent flags: refused or protocol error. */
  | 'refused-or-protocol'
  /** The server closed before a complete CONNACK: connect() rejects with ConnectionClosedError. */
  | 'closed'
  /** An incomplete packet before CONNACK, then the server closed: ConnectionClosedError, or ProtocolError if seen early. */
  | 'protocol-or-closed'
  /** Nothing usable and the server stays silent: connect() rejects with ConnectTimeoutError. */
  | 'timeout'
  /** connect() resolves, then the server closes: disconnected with ConnectionClosedError. */
  | 'closed-after-connack'
  /** v5: connect() resolves, then the server sends DISCONNECT: disconnected with ServerDisconnectError. */
  | 'server-disconnect'
  /** Undecided by the oracle before CONNACK: any typed failure, ends disconnected. */
  | 'any'
  /** A valid CONNACK, then something undecided: connect() resolves, then any typed failure, ends disconnected. */
  | 'any-after-connack'

/** Cases the server must leave open: the client has to close the connection itself. */
export function serverHolds(e: Expect): boolean {
  return e === 'protocol' || e === 'protocol-after-connack' || e === 'refused' || e === 'refused-or-protocol' || e === 'timeout'
}

type Verdict = 'invalid' | 'valid' | 'unknown' | 'ok' | 'refused'
/** A verdict and, for 'invalid', the rule broken. */
type Judged = { v: Verdict; why?: string }

const FIXED_FLAGS: Record<number, number> = { 2: 0, 4: 0, 5: 0, 6: 2, 7: 0, 9: 0, 11: 0, 13: 0 }
const V5_CONNACK_REFUSALS = new Set([0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f])
const NAMES = ['reserved', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH']
const decoder = new TextDecoder('utf-8', { fatal: true })
const bad = (why: string): Judged => ({ v: 'invalid', why })

function wellFormedUtf8(b: Uint8Array): string | undefined {
  try {
    return decoder.decode(b)
  } catch {
    return undefined
  }
}

function connack(flags: number, body: Uint8Array, v: 4 | 5): Judged {
  if (flags !== 0) return bad(`CONNACK header flags ${flags} (must be 0)`)
  if (v === 4) {
    if (body.length !== 2) return bad(`v3.1.1 CONNACK remaining length ${body.length} (must be 2)`)
    if ((body[0]! & 0xfe) !== 0) return bad('CONNACK acknowledge flags bits 7-1 set')
    const rc = body[1]!
    if (rc === 0) return { v: 'ok' }
    return { v: rc <= 5 && body[0] === 0 ? 'refused' : 'unknown' }
  }
  if (body.length < 2) return bad(`v5 CONNACK remaining length ${body.length}`)
  if ((body[0]! & 0xfe) !== 0) return bad('CONNACK acknowledge flags bits 7-1 set')
  if (body.length === 3 && body[2] === 0 && body[0] === 0) {
    if (body[1] === 0) return { v: 'ok' }
    if (V5_CONNACK_REFUSALS.has(body[1]!)) return { v: 'refused' }
  }
  return { v: 'unknown' }
}

function publish(flags: number, body: Uint8Array, v: 4 | 5): Judged {
  const qos = (flags >> 1) & 3
  if (qos === 3) return bad('PUBLISH QoS bits 11')
  if (body.length < 2) return bad(`PUBLISH remaining length ${body.length} (no room for the topic length)`)
  const tl = (body[0]! << 8) | body[1]!
  if (2 + tl > body.length) return bad(`PUBLISH topic length ${tl} overruns remaining length ${body.length}`)
  if (qos > 0 && 2 + tl + 2 > body.length) return bad(`PUBLISH QoS ${qos}: no room for the packet identifier (remaining length ${body.length}, topic length ${tl})`)
  const topic = wellFormedUtf8(body.subarray(2, 2 + tl))
  if (topic === undefined) return bad('PUBLISH topic is not well-formed UTF-8')
  if (topic.includes('\u0000')) return bad('PUBLISH topic contains U+0000')
  if (topic.includes('+') || topic.includes('#')) return bad('PUBLISH topic contains a wildcard')
  if (qos > 0 && ((body[2 + tl]! << 8) | body[3 + tl]!) === 0) return bad(`PUBLISH QoS ${qos} with packet identifier 0`)
  if (v === 5) return { v: 'unknown' } // properties (topic aliases, …) are not judged here
  return topic.length === 0 ? bad('v3.1.1 PUBLISH with an empty topic') : { v: 'valid' }
}

function afterConnack(type: number, flags: number, body: Uint8Array, v: 4 | 5): Judged {
  const name = NAMES[type]!
  if (type === 0) return bad('reserved packet type 0')
  if (type === 1 || type === 8 || type === 10 || type === 12) return bad(`${name} from the server`)
  if (type === 2) return bad('second CONNACK')
  if (type === 14) return v === 4 ? bad('DISCONNECT from a v3.1.1 server') : flags !== 0 ? bad(`DISCONNECT header flags ${flags}`) : { v: 'unknown' }
  if (type === 15) return v === 4 ? bad('AUTH in v3.1.1') : { v: 'unknown' }
  const fixed = FIXED_FLAGS[type]
  if (fixed !== undefined && flags !== fixed) return bad(`${name} header flags ${flags} (must be ${fixed})`)
  switch (type) {
    case 3: return publish(flags, body, v)
    case 13: return body.length === 0 ? { v: 'valid' } : bad(`PINGRESP remaining length ${body.length} (must be 0)`)
    case 4: case 5: case 7: case 11:
      if (v === 4) return body.length === 2 ? { v: 'unknown' } : bad(`v3.1.1 ${name} remaining length ${body.length} (must be 2)`)
      return body.length < 2 ? bad(`${name} remaining length ${body.length} (no packet identifier)`) : { v: 'unknown' }
    case 6:
      if (v === 4) return body.length !== 2 ? bad(`v3.1.1 PUBREL remaining length ${body.length} (must be 2)`) : (body[0] === 0 && body[1] === 0) ? { v: 'unknown' } : { v: 'valid' }
      return body.length < 2 ? bad(`PUBREL remaining length ${body.length} (no packet identifier)`) : { v: 'unknown' }
    case 9: return body.length < 3 ? bad(`SUBACK remaining length ${body.length} (no return code)`) : { v: 'unknown' }
    default: return { v: 'unknown' }
  }
}

/** The verdict with the rule that decided it (for a failure report). */
export interface Classification {
  readonly expect: Expect
  readonly why: string
}

/**
 * The verdict for `data` sent after the client's CONNECT, when the server then closes (`thenClose`) or
 * stays silent.
 */
export function classify(data: Uint8Array, v: 4 | 5, thenClose: boolean): Expect {
  return explain(data, v, thenClose).expect
}

export function explain(data: Uint8Array, v: 4 | 5, thenClose: boolean): Classification {
  const { packets, rest } = splitPackets(data)
  let connected = false
  for (const [i, p] of packets.entries()) {
    const body = p.bytes.subarray(p.bytes.length - bodyLength(p.bytes))
    const at = `packet ${i + 1}`
    if (!connected) {
      if (p.type !== 2) return { expect: 'protocol', why: `${at}: ${NAMES[p.type]} before CONNACK` }
      const c = connack(p.flags, body, v)
      if (c.v === 'invalid') return { expect: 'protocol', why: `${at}: ${c.why}` }
      if (c.v === 'refused') return { expect: 'refused', why: `${at}: CONNACK refusing` }
      if (c.v === 'unknown') return { expect: 'any', why: `${at}: CONNACK not judged` }
      connected = true
      continue
    }
    const a = afterConnack(p.type, p.flags, body, v)
    if (a.v === 'invalid') return { expect: 'protocol-after-connack', why: `${at}: ${a.why}` }
    if (a.v === 'unknown') return { expect: 'any-after-connack', why: `${at}: ${NAMES[p.type]} not judged` }
  }
  if (rest.length > 0) {
    // A Remaining Length whose 4th byte continues is malformed as soon as that byte is seen.
    if (rest.length >= 5 && rest.subarray(1, 5).every((b) => (b & 0x80) !== 0)) {
      return { expect: connected ? 'protocol-after-connack' : 'protocol', why: 'remaining length longer than 4 bytes' }
    }
    if (!thenClose) return { expect: connected ? 'any-after-connack' : 'timeout', why: 'incomplete packet, then silence' }
    return { expect: connected ? 'any-after-connack' : 'protocol-or-closed', why: 'incomplete packet, then close' }
  }
  if (!thenClose) return { expect: connected ? 'any-after-connack' : 'timeout', why: 'nothing more, then silence' }
  return { expect: connected ? 'closed-after-connack' : 'closed', why: 'nothing more, then close' }
}

function bodyLength(bytes: Uint8Array): number {
  let rl = 0
  let mul = 1
  for (let i = 1; i < 5 && i < bytes.length; i++) {
    rl += (bytes[i]! & 0x7f) * mul
    mul *= 128
    if ((bytes[i]! & 0x80) === 0) break
  }
  return rl
}
