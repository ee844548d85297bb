/**
 * The rogue server's catalogue: hand-written hostile answers (each with the outcome a correct client shows) and
 * seeded fast-check fuzz (random bytes before and after a CONNACK, random packets with well-formed headers,
 * mutated valid streams), split into random WebSocket frames. Deterministic for a given seed.
 */
import { fc } from './deps.js'
import { connackOk, packet, props, publish, str, u16, utf8, varint } from './mqtt-bytes.js'
import type { Bytes } from './mqtt-bytes.js'
import { explain, serverHolds } from './rogue-oracle.js'
import type { Expect } from './rogue-oracle.js'

export type { Expect }

export interface Frame {
  /** Bytes for a binary frame, a string for a text frame. */
  readonly data: Uint8Array | string
  /** Write `data` on the TCP socket as is (an invalid WebSocket frame). */
  readonly raw?: boolean
}

export interface RogueCase {
  readonly id: number
  /** Family and description. */
  readonly name: string
  readonly v: 4 | 5
  /** MQTT 5 CONNECT properties the page sends. */
  readonly connectProperties?: Record<string, number>
  /** When the server answers: after the client's first frame (its CONNECT), or as soon as the socket opens. */
  readonly when: 'after-connect' | 'on-open'
  readonly frames: readonly Frame[]
  /** After the frames: stay silent (the client must close), close the WebSocket, or drop the TCP connection. */
  readonly then: 'hold' | 'close' | 'terminate'
  readonly expect: Expect
  /** From the fuzz generator (the oracle decided `expect`). */
  readonly fuzz: boolean
  /** Fuzz cases: the oracle's reason for `expect`. */
  readonly why?: string
}

type Draft = Omit<RogueCase, 'id' | 'fuzz' | 'when' | 'then'> & Partial<Pick<RogueCase, 'when' | 'then'>>

const OK4 = connackOk(4)
const OK5 = connackOk(5)
const bin = (...parts: Array<Bytes | Uint8Array>): Frame => {
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    data.set(p, at)
    at += p.length
  }
  return { data }
}
const raw = (bytes: Bytes): Frame => ({ data: Uint8Array.from(bytes), raw: true })

/** Hand-written cases. `then` defaults to hold for outcomes the client must act on, else close. */
function crafted(): Draft[] {
  const out: Draft[] = []
  const add = (d: Draft): void => { out.push(d) }

  // --- truncated packets
  for (let n = 1; n < OK4.length; n++) add({ name: `truncated CONNACK (${n} of 4 bytes), then close`, v: 4, frames: [bin(OK4.slice(0, n))], expect: 'closed' })
  for (let n = 1; n < OK5.length; n++) add({ name: `v5 truncated CONNACK (${n} of 5 bytes), then close`, v: 5, frames: [bin(OK5.slice(0, n))], expect: 'closed' })
  add({ name: 'truncated CONNACK, then silence', v: 4, frames: [bin(OK4.slice(0, 3))], then: 'hold', expect: 'timeout' })
  add({ name: 'v5 truncated CONNACK, then silence', v: 5, frames: [bin(OK5.slice(0, 2))], then: 'hold', expect: 'timeout' })
  add({ name: 'truncated CONNACK, then TCP reset', v: 4, frames: [bin(OK4.slice(0, 2))], then: 'terminate', expect: 'closed' })
  add({ name: 'nothing, then close', v: 4, frames: [], expect: 'closed' })
  add({ name: 'nothing, then TCP drop', v: 4, frames: [], then: 'terminate', expect: 'closed' })
  add({ name: 'nothing at all (silence)', v: 4, frames: [], then: 'hold', expect: 'timeout' })
  add({ name: 'empty binary frames, then close', v: 4, frames: [bin([]), bin([]), bin([])], expect: 'closed' })
  add({ name: 'CONNACK, then truncated PUBLISH, then close', v: 4, frames: [bin(OK4, publish({ topic: 'a/b', payload: [1, 2, 3] }).slice(0, 5))], expect: 'closed-after-connack' })
  add({ name: 'PUBLISH header announcing 200 MB before CONNACK, then close', v: 4, frames: [bin([0x30, ...varint(200_000_000), 0, 1, 0x61])], expect: 'protocol-or-closed' })

  // --- bad remaining length
  add({ name: 'CONNACK with a 5-byte remaining length', v: 4, frames: [bin([0x20, 0x80, 0x80, 0x80, 0x80, 0x01])], expect: 'protocol' })
  add({ name: 'CONNACK with remaining length ff ff ff ff', v: 4, frames: [bin([0x20, 0xff, 0xff, 0xff, 0xff, 0x7f])], expect: 'protocol' })
  add({ name: 'v5 CONNACK with a 5-byte remaining length', v: 5, frames: [bin([0x20, 0xff, 0xff, 0xff, 0xff, 0x01])], expect: 'protocol' })
  add({ name: 'CONNACK with remaining length 0', v: 4, frames: [bin([0x20, 0x00])], expect: 'protocol' })
  add({ name: 'CONNACK with remaining length 1', v: 4, frames: [bin([0x20, 0x01, 0x00])], expect: 'protocol' })
  add({ name: 'CONNACK with remaining length 3', v: 4, frames: [bin([0x20, 0x03, 0x00, 0x00, 0x00])], expect: 'protocol' })
  add({ name: 'v5 CONNACK with remaining length 1', v: 5, frames: [bin([0x20, 0x01, 0x00])], expect: 'protocol' })
  add({ name: 'v5 CONNACK whose property length overruns the packet', v: 5, frames: [bin([0x20, 0x03, 0x00, 0x00, 0x05])], expect: 'protocol' })
  add({ name: 'CONNACK, then PUBLISH with a 5-byte remaining length', v: 4, frames: [bin(OK4, [0x30, 0x80, 0x80, 0x80, 0x80, 0x01])], expect: 'protocol-after-connack' })
  add({ name: 'CONNACK, then PINGRESP with remaining length 1', v: 4, frames: [bin(OK4, [0xd0, 0x01, 0x00])], expect: 'protocol-after-connack' })
  add({ name: 'CONNACK, then PUBACK with remaining length 3', v: 4, frames: [bin(OK4, [0x40, 0x03, 0x00, 0x01, 0x00])], expect: 'protocol-after-connack' })
  add({ name: 'CONNACK, then PUBLISH whose topic length overruns the packet', v: 4, frames: [bin(OK4, [0x30, 0x04, 0x00, 0x09, 0x61, 0x62])], expect: 'protocol-after-connack' })

  // --- illegal flags
  for (const first of [0x21, 0x22, 0x28, 0x2f]) add({ name: `CONNACK with header flags ${first.toString(16)}`, v: 4, frames: [bin([first, 0x02, 0x00, 0x00])], expect: 'protocol' })
  for (const ack of [0x02, 0x80, 0xfe]) add({ name: `CONNACK with reserved acknowledge flags ${ack.toString(16)}`, v: 4, frames: [bin([0x20, 0x02, ack, 0x00])], expect: 'protocol' })
  add({ name: 'v5 CONNACK with reserved acknowledge flags', v: 5, frames: [bin([0x20, 0x03, 0x04, 0x00, 0x00])], expect: 'protocol' })
  for (const [first, what] of [[0x41, 'PUBACK'], [0x51, 'PUBREC'], [0x60, 'PUBREL'], [0x63, 'PUBREL'], [0x72, 'PUBCOMP'], [0x92, 'SUBACK'], [0xb8, 'UNSUBACK'], [0xd1, 'PINGRESP']] as const) {
    const body = first >> 4 === 13 ? [] : first >> 4 === 9 ? [0, 1, 0] : [0, 1]
    add({ name: `CONNACK, then ${what} with header flags ${(first & 15).toString(2).padStart(4, '0')}`, v: 4, frames: [bin(OK4, packet(first, body))], expect: 'protocol-after-connack' })
  }
  add({ name: 'CONNACK, then PUBLISH with QoS bits 11', v: 4, frames: [bin(OK4, [0x36, 0x07, ...str('a/b'), 0x00, 0x01])], expect: 'protocol-after-connack' })
  add({ name: 'v5 CONNACK, then PUBLISH with QoS bits 11', v: 5, frames: [bin(OK5, [0x36, 0x08, ...str('a/b'), 0x00, 0x01, 0x00])], expect: 'protocol-after-connack' })

  // --- packets before CONNACK
  for (const qos of [0, 1, 2]) add({ name: `PUBLISH QoS ${qos} before CONNACK`, v: 4, frames: [bin(publish({ topic: 'x/y', payload: utf8('early'), qos, mid: 7 }))], expect: 'protocol' })
  add({ name: 'PUBLISH before CONNACK, then a valid CONNACK (one frame)', v: 4, frames: [bin(publish({ topic: 'x', payload: [1] }), OK4)], expect: 'protocol' })
  add({ name: 'PUBLISH before CONNACK, then a valid CONNACK (two frames)', v: 4, frames: [bin(publish({ topic: 'x', payload: [1] })), bin(OK4)], expect: 'protocol' })
  add({ name: 'v5 PUBLISH before CONNACK', v: 5, frames: [bin(publish({ topic: 'x/y', payload: [1], v: 5 }))], expect: 'protocol' })
  for (const [bytes, what] of [
    [[0xd0, 0x00], 'PINGRESP'], [[0x40, 0x02, 0x00, 0x01], 'PUBACK'], [[0x90, 0x03, 0x00, 0x01, 0x00], 'SUBACK'],
    [[0xb0, 0x02, 0x00, 0x01], 'UNSUBACK'], [[0x62, 0x02, 0x00, 0x01], 'PUBREL'], [[0xe0, 0x00], 'DISCONNECT'],
    [[0x00, 0x00], 'reserved type 0'], [[0xf0, 0x00], 'AUTH (v3.1.1)'], [[0xc0, 0x00], 'PINGREQ'],
    [packet(0x10, [...str('MQTT'), 4, 2, 0, 60, ...str('rogue')]), 'CONNECT'],
    [packet(0x82, [0, 1, ...str('a/#'), 0]), 'SUBSCRIBE'], [packet(0xa2, [0, 1, ...str('a/#')]), 'UNSUBSCRIBE'],
  ] as const) {
    add({ name: `${what} before CONNACK`, v: 4, frames: [bin([...bytes])], expect: 'protocol' })
  }
  add({ name: 'v5 DISCONNECT before CONNACK', v: 5, frames: [bin([0xe0, 0x02, 0x8b, 0x00])], expect: 'protocol' })
  add({ name: 'CONNACK sent before the CONNECT arrived', v: 4, when: 'on-open', frames: [bin(OK4)], expect: 'any-after-connack' })
  add({ name: 'PUBLISH sent as soon as the socket opens', v: 4, when: 'on-open', frames: [bin(publish({ topic: 'x', payload: [1] }))], expect: 'protocol' })

  // --- second CONNACK and other packets a server must not send
  add({ name: 'second CONNACK (one frame)', v: 4, frames: [bin(OK4, OK4)], expect: 'protocol-after-connack' })
  add({ name: 'second CONNACK (later frame)', v: 4, frames: [bin(OK4), bin(OK4)], expect: 'protocol-after-connack' })
  add({ name: 'v5 second CONNACK', v: 5, frames: [bin(OK5), bin(OK5)], expect: 'protocol-after-connack' })
  add({ name: 'second CONNACK refusing', v: 4, frames: [bin(OK4), bin([0x20, 0x02, 0x00, 0x05])], expect: 'protocol-after-connack' })
  for (const [bytes, what] of [
    [[0xc0, 0x00], 'PINGREQ'], [[0xe0, 0x00], 'DISCONNECT (v3.1.1)'], [[0xf0, 0x00], 'AUTH (v3.1.1)'], [[0x00, 0x00], 'reserved type 0'],
    [packet(0x82, [0, 1, ...str('a/#'), 0]), 'SUBSCRIBE'], [packet(0xa2, [0, 1, ...str('a/#')]), 'UNSUBSCRIBE'],
    [packet(0x10, [...str('MQTT'), 4, 2, 0, 60, ...str('rogue')]), 'CONNECT'],
  ] as const) {
    add({ name: `CONNACK, then ${what}`, v: 4, frames: [bin(OK4, [...bytes])], expect: 'protocol-after-connack' })
  }

  // --- refusals
  for (let rc = 1; rc <= 5; rc++) add({ name: `CONNACK refusing with return code ${rc}`, v: 4, frames: [bin([0x20, 0x02, 0x00, rc])], expect: 'refused' })
  for (const rc of [6, 0x80, 0xff]) add({ name: `CONNACK with reserved return code ${rc}`, v: 4, frames: [bin([0x20, 0x02, 0x00, rc])], expect: 'refused-or-protocol' })
  add({ name: 'CONNACK refusing with session present set', v: 4, frames: [bin([0x20, 0x02, 0x01, 0x05])], expect: 'refused-or-protocol' })
  for (const rc of [0x80, 0x86, 0x87, 0x8c, 0x9f]) add({ name: `v5 CONNACK refusing with reason ${rc.toString(16)}`, v: 5, frames: [bin([0x20, 0x03, 0x00, rc, 0x00])], expect: 'refused' })

  // --- malformed content after CONNACK
  for (const topic of ['a/+', '#', 'a/#', '+']) add({ name: `CONNACK, then PUBLISH to wildcard topic ${topic}`, v: 4, frames: [bin(OK4, publish({ topic, payload: [1] }))], expect: 'protocol-after-connack' })
  add({ name: 'CONNACK, then PUBLISH with an empty topic (v3.1.1)', v: 4, frames: [bin(OK4, publish({ topic: '', payload: [1] }))], expect: 'protocol-after-connack' })
  add({ name: 'CONNACK, then PUBLISH with a U+0000 in the topic', v: 4, frames: [bin(OK4, publish({ topic: 'a\u0000b', payload: [1] }))], expect: 'protocol-after-connack' })
  add({ name: 'CONNACK, then PUBLISH with ill-formed UTF-8 in the topic', v: 4, frames: [bin(OK4, publish({ topic: [0x00, 0x03, 0x61, 0xff, 0x62], payload: [1] }))], expect: 'protocol-after-connack' })
  add({ name: 'CONNACK, then PUBLISH with a UTF-16 surrogate encoded in the topic', v: 4, frames: [bin(OK4, publish({ topic: [0x00, 0x03, 0xed, 0xa0, 0x80], payload: [1] }))], expect: 'protocol-after-connack' })
  add({ name: 'CONNACK, then PUBLISH QoS 1 with packet id 0', v: 4, frames: [bin(OK4, publish({ topic: 'a', payload: [1], qos: 1, mid: 0 }))], expect: 'protocol-after-connack' })
  add({ name: 'CONNACK, then PUBLISH QoS 2 with packet id 0', v: 4, frames: [bin(OK4, publish({ topic: 'a', payload: [1], qos: 2, mid: 0 }))], expect: 'protocol-after-connack' })
  add({ name: 'v5 CONNACK, then PUBLISH to a wildcard topic', v: 5, frames: [bin(OK5, publish({ topic: 'a/#', payload: [1], v: 5 }))], expect: 'protocol-after-connack' })
  add({ name: 'v5 CONNACK, then PUBLISH with topic alias 0', v: 5, frames: [bin(OK5, publish({ topic: 'a', payload: [1], v: 5, properties: [0x23, ...u16(0)] }))], expect: 'protocol-after-connack' })
  add({ name: 'v5 CONNACK, then PUBLISH with a topic alias above the maximum', v: 5, frames: [bin(OK5, publish({ topic: 'a', payload: [1], v: 5, properties: [0x23, ...u16(11)] }))], expect: 'protocol-after-connack' })
  add({ name: 'v5 CONNACK, then PUBLISH with an empty topic and an unknown alias', v: 5, frames: [bin(OK5, publish({ topic: '', payload: [1], v: 5, properties: [0x23, ...u16(3)] }))], expect: 'protocol-after-connack' })
  add({ name: 'v5 CONNACK, then PUBLISH with an empty topic and no alias', v: 5, frames: [bin(OK5, publish({ topic: '', payload: [1], v: 5 }))], expect: 'protocol-after-connack' })
  add({ name: 'v5 CONNACK, then PUBLISH with an unknown property id', v: 5, frames: [bin(OK5, publish({ topic: 'a', payload: [1], v: 5, properties: [0x7f, 0x00] }))], expect: 'protocol-after-connack' })
  add({ name: 'v5 CONNACK with Receive Maximum 0', v: 5, frames: [bin(packet(0x20, [0, 0, ...props([0x21, ...u16(0)])]))], expect: 'protocol' })
  add({ name: 'v5 CONNACK with an unknown property id', v: 5, frames: [bin(packet(0x20, [0, 0, ...props([0x7f, 0x01])]))], expect: 'protocol' })
  add({ name: 'v5 CONNACK with a property not allowed in CONNACK (Topic Alias)', v: 5, frames: [bin(packet(0x20, [0, 0, ...props([0x23, ...u16(1)])]))], expect: 'protocol' })
  add({ name: 'v5 CONNACK with Maximum QoS 3', v: 5, frames: [bin(packet(0x20, [0, 0, ...props([0x24, 3])]))], expect: 'protocol' })
  add({ name: 'v5 CONNACK with Session Expiry Interval twice', v: 5, frames: [bin(packet(0x20, [0, 0, ...props([0x11, 0, 0, 0, 5, 0x11, 0, 0, 0, 6])]))], expect: 'protocol' })
  add({ name: 'v5 CONNACK with a Reason String that is not UTF-8', v: 5, frames: [bin(packet(0x20, [0, 0, ...props([0x1f, 0x00, 0x02, 0xc3, 0x28])]))], expect: 'protocol' })

  // --- oversized packets
  const small = { maximumPacketSize: 128 }
  add({ name: 'v5 maximumPacketSize 128: CONNACK, then a 1,000-byte PUBLISH', v: 5, connectProperties: small, frames: [bin(OK5, publish({ topic: 'big', payload: new Array(1000).fill(0x61), v: 5 }))], expect: 'protocol-after-connack' })
  add({ name: 'v5 maximumPacketSize 128: CONNACK, then a PUBLISH header announcing 256 MB', v: 5, connectProperties: small, frames: [bin(OK5, [0x30, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x01, 0x61])], expect: 'protocol-after-connack' })
  add({ name: 'v5 maximumPacketSize 128: a CONNACK announcing 1,000 bytes', v: 5, connectProperties: small, frames: [bin([0x20, ...varint(1000), 0, 0, ...props([])])], expect: 'protocol' })
  const MB = 1 << 20
  add({ name: '1 MB PUBLISH before CONNACK', v: 4, frames: [bin([0x30, ...varint(2 + 3 + MB), ...str('big')], new Uint8Array(MB).fill(0x62))], expect: 'protocol' })
  add({ name: 'CONNACK, then 1 MB of 0xff', v: 4, frames: [bin(OK4), bin(new Uint8Array(MB).fill(0xff))], expect: 'protocol-after-connack' })

  // --- WebSocket-level hostility
  add({ name: 'text frame instead of binary', v: 4, frames: [{ data: 'hello' }], expect: 'protocol' })
  add({ name: 'CONNACK as a text frame', v: 4, frames: [{ data: '\u0020\u0002\u0000\u0000' }], expect: 'protocol' })
  add({ name: 'CONNACK, then a text frame', v: 4, frames: [bin(OK4), { data: 'late text' }], expect: 'protocol-after-connack' })
  add({ name: 'frame with reserved opcode 3 (browser fails the socket)', v: 4, frames: [raw([0x83, 0x00])], expect: 'closed' })
  add({ name: 'masked server frame (browser fails the socket)', v: 4, frames: [raw([0x82, 0x84, 1, 2, 3, 4, 0x21, 0x02, 0x03, 0x04])], expect: 'closed' })
  add({ name: 'CONNACK, then a frame with RSV1 set (browser fails the socket)', v: 4, frames: [bin(OK4), raw([0xc2, 0x02, 0xd0, 0x00])], expect: 'closed-after-connack' })

  // --- benign but unusual (the client must cope, and end with a plain close)
  add({ name: 'CONNACK one byte per frame, then PINGRESP', v: 4, frames: [...OK4.map((b) => bin([b])), bin([0xd0, 0x00])], expect: 'closed-after-connack' })
  add({ name: 'empty frames around a CONNACK', v: 4, frames: [bin([]), bin(OK4.slice(0, 2)), bin([]), bin(OK4.slice(2)), bin([])], expect: 'closed-after-connack' })
  add({ name: 'CONNACK, then PUBREL for an unknown packet id', v: 4, frames: [bin(OK4, [0x62, 0x02, 0x12, 0x34])], expect: 'closed-after-connack' })
  add({ name: 'CONNACK, then valid PUBLISH QoS 0/1/2 in one frame', v: 4, frames: [bin(OK4, publish({ topic: 'a/b', payload: [1] }), publish({ topic: 'a/b', payload: [2], qos: 1, mid: 9 }), publish({ topic: 'a/b', payload: [3], qos: 2, mid: 10 }))], expect: 'closed-after-connack' })
  add({ name: 'v5 CONNACK, then DISCONNECT 0x8b (server shutting down)', v: 5, frames: [bin(OK5, [0xe0, 0x02, 0x8b, 0x00])], expect: 'server-disconnect' })
  add({ name: 'v5 CONNACK, then DISCONNECT with a bad reason code', v: 5, frames: [bin(OK5, [0xe0, 0x02, 0x03, 0x00])], expect: 'protocol-after-connack' })

  return out.map((d) => ({ ...d, then: d.then ?? (serverHolds(d.expect) ? 'hold' : 'close') }))
}

/** Valid server streams for the mutation fuzzer. */
const MUTATION_BASES: ReadonlyArray<{ v: 4 | 5; bytes: Bytes }> = [
  { v: 4, bytes: [...OK4, ...publish({ topic: 'a/b', payload: utf8('hello'), qos: 1, mid: 1 }), 0xd0, 0x00] },
  { v: 4, bytes: [...OK4, ...publish({ topic: 'sensors/1/temp', payload: utf8('21.5'), qos: 2, mid: 2 }), 0x62, 0x02, 0x00, 0x02] },
  { v: 4, bytes: [...connackOk(4, true), 0x40, 0x02, 0x00, 0x05, 0x90, 0x03, 0x00, 0x06, 0x01] },
  { v: 5, bytes: [...OK5, ...publish({ topic: 'a/b', payload: utf8('v5'), qos: 1, mid: 3, v: 5 })] },
  { v: 5, bytes: [...packet(0x20, [0, 0, ...props([0x21, ...u16(10), 0x22, ...u16(5)])]), 0xd0, 0x00] },
]

interface FuzzDraft { v: 4 | 5; bytes: Uint8Array; cuts: number[]; family: string }

/** Split `bytes` into frames at the given cut points (mod length). */
function frames(bytes: Uint8Array, cuts: number[]): Frame[] {
  if (bytes.length === 0) return [{ data: new Uint8Array(0) }]
  const at = [...new Set(cuts.map((c) => c % bytes.length).filter((c) => c > 0))].sort((a, b) => a - b)
  const out: Frame[] = []
  let prev = 0
  for (const c of [...at, bytes.length]) {
    out.push({ data: bytes.slice(prev, c) })
    prev = c
  }
  return out
}

function fuzz(seed: number, counts: { preRandom: number; postRandom: number; packets: number; mutations: number }): FuzzDraft[] {
  const version = fc.constantFrom(4, 4, 4, 5)
  const cuts = fc.array(fc.nat({ max: 4096 }), { maxLength: 4 })
  const out: FuzzDraft[] = []

  for (const s of fc.sample(fc.record({ v: version, bytes: fc.uint8Array({ minLength: 1, maxLength: 48 }), cuts }), { seed, numRuns: counts.preRandom })) {
    out.push({ v: s.v, bytes: s.bytes, cuts: s.cuts, family: 'fuzz: random bytes before CONNACK' })
  }
  for (const s of fc.sample(fc.record({ v: version, bytes: fc.uint8Array({ minLength: 1, maxLength: 48 }), cuts }), { seed: seed + 1, numRuns: counts.postRandom })) {
    out.push({ v: s.v, bytes: Uint8Array.from([...connackOk(s.v), ...s.bytes]), cuts: s.cuts, family: 'fuzz: CONNACK, then random bytes' })
  }
  // Well-formed fixed headers with random type, flags (biased to the legal ones) and bodies: reaches the body checks.
  const LEGAL_FLAGS = [0, 0, 0, 0, 2, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0]
  const onePacket = fc.record({
    type: fc.integer({ min: 0, max: 15 }),
    flags: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 15 })),
    body: fc.oneof(
      fc.uint8Array({ maxLength: 24 }),
      fc.tuple(fc.string({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 })).map(([t, rest]: [string, Uint8Array]) => Uint8Array.from([...str(t), ...rest])),
    ),
  })
  for (const s of fc.sample(fc.record({ v: version, pre: fc.boolean(), list: fc.array(onePacket, { minLength: 1, maxLength: 3 }), cuts }), { seed: seed + 2, numRuns: counts.packets })) {
    const bytes: number[] = s.pre ? [] : [...connackOk(s.v)]
    for (const p of s.list as Array<{ type: number; flags: number; body: Uint8Array }>) {
      const flags = p.flags < 0 ? (p.type === 3 ? 0 : LEGAL_FLAGS[p.type]!) : p.flags
      bytes.push(...packet((p.type << 4) | flags, [...p.body]))
    }
    out.push({ v: s.v, bytes: Uint8Array.from(bytes), cuts: s.cuts, family: `fuzz: random packets${s.pre ? '' : ' after CONNACK'}` })
  }
  const edit = fc.record({ pos: fc.nat({ max: 4096 }), byte: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom('set', 'flip', 'delete', 'insert') })
  for (const s of fc.sample(fc.record({ base: fc.nat({ max: MUTATION_BASES.length - 1 }), edits: fc.array(edit, { minLength: 1, maxLength: 3 }), truncate: fc.option(fc.nat({ max: 4096 })), cuts }), { seed: seed + 3, numRuns: counts.mutations })) {
    const base = MUTATION_BASES[s.base]!
    const b = [...base.bytes]
    for (const e of s.edits as Array<{ pos: number; byte: number; kind: string }>) {
      const i = e.pos % Math.max(1, b.length)
      if (e.kind === 'set') b[i] = e.byte
      else if (e.kind === 'flip') b[i] = (b[i] ?? 0) ^ (1 << (e.byte % 8))
      else if (e.kind === 'delete') b.splice(i, 1)
      else b.splice(i, 0, e.byte)
    }
    const t = s.truncate === null ? b.length : s.truncate % (b.length + 1)
    out.push({ v: base.v, bytes: Uint8Array.from(b.slice(0, Math.max(1, t))), cuts: s.cuts, family: 'fuzz: mutated valid stream' })
  }
  return out
}

export interface CatalogOptions {
  seed: number
  preRandom: number
  postRandom: number
  packets: number
  mutations: number
}

/** Every case, ids from 1. */
export function buildCatalog(o: CatalogOptions): RogueCase[] {
  const cases: RogueCase[] = []
  for (const d of crafted()) cases.push({ ...d, id: cases.length + 1, when: d.when ?? 'after-connect', then: d.then ?? 'close', fuzz: false })
  for (const f of fuzz(o.seed, o)) {
    const { expect, why } = explain(f.bytes, f.v, true)
    cases.push({
      id: cases.length + 1, name: f.family, v: f.v, when: 'after-connect', frames: frames(f.bytes, f.cuts),
      then: serverHolds(expect) ? 'hold' : 'close', expect, fuzz: true, why,
    })
  }
  return cases
}

/** Hex of a case's bytes (for failure messages). */
export function caseBytes(c: RogueCase): string {
  return c.frames.map((f) => (typeof f.data === 'string' ? `text:${JSON.stringify(f.data)}` : `${f.raw ? 'raw:' : ''}${hex(f.data)}`)).join(' | ')
}

function hex(b: Uint8Array): string {
  const s = [...b.subarray(0, 64)].map((x) => x.toString(16).padStart(2, '0')).join('')
  return b.length > 64 ? `${s}…(${b.length} bytes)` : s
}
