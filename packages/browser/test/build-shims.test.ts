// The browser shims (build/shims: Buffer, BufferList, events, debug, process-nextick-args) against the real
// modules: the core codec bundled with the shims must encode byte-for-byte like the core codec on Node's Buffer,
// `bl` and `events`, and decode the same packets from the same bytes however they are split into frames. Both as
// the ESM build bundles it and as the minified IIFE build does (which also shortens `_x` property names).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runInThisContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Decoder as RealDecoder, encode as realEncode, toBuffer as realBuffer } from '../../core/src/codec.js'
import type { Packet } from '../../core/src/codec.js'
import { buildBundle } from './support/bundle.js'

interface Shimmed {
  encode: typeof realEncode
  Decoder: typeof RealDecoder
  Buffer: {
    from(v: unknown, enc?: unknown, len?: unknown): ShimBuffer
    byteLength(v: unknown): number
    concat(l: Uint8Array[], n?: number): Uint8Array
    isBuffer(v: unknown): boolean
  }
}

interface ShimBuffer extends Uint8Array<ArrayBuffer> {
  write(s: string, offset?: number): number
  toString(encoding?: string): string
  slice(start?: number, end?: number): ShimBuffer
  readUInt8(o: number): number
  readUInt16BE(o: number): number
  readUInt32BE(o: number): number
  copy(target: Uint8Array, targetStart?: number, sourceStart?: number, sourceEnd?: number): number
}

let tmp: string
const builds: Record<'esm' | 'iife', Shimmed> = {} as never

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'webmqtt-shims-'))
  const fixture = new URL('./fixtures/codec-entry.ts', import.meta.url).pathname
  await buildBundle('es', join(tmp, 'es'), fixture)
  const entry = readdirSync(join(tmp, 'es'), { recursive: true }).map(String).find((f) => f.endsWith('codec-entry.js'))!
  builds.esm = (await import(pathToFileURL(join(tmp, 'es', entry)).href)) as Shimmed
  await buildBundle('iife', join(tmp, 'iife'), fixture)
  // The IIFE declares `var webmqtt`: run it in this realm (same Uint8Array) inside a function, so no global is left.
  builds.iife = runInThisContext(`(function () {\n${readFileSync(join(tmp, 'iife', 'webmqtt.iife.js'), 'utf8')}\nreturn webmqtt\n})()`) as Shimmed
}, 60_000)

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255)
const TEXT = 'h\u00e9llo \u{1F600} \uFEFFbom \u4E2D\u6587'

type ToBuffer = (u: Uint8Array) => unknown

/**
 * Packets of every kind, for 3.1, 3.1.1 and 5 (v5 ones with properties). Binary fields are made with `toBuf`:
 * each codec wants its own Buffer class (mqtt-packet checks Buffer.isBuffer).
 */
function corpus(toBuf: ToBuffer = (u) => u): Array<[string, Packet, 3 | 4 | 5]> {
  const out: Array<[string, Packet, 3 | 4 | 5]> = []
  const B = (u: Uint8Array): never => toBuf(u) as never
  for (const v of [3, 4, 5] as const) {
    const v5 = v === 5
    const props = (p: object): object => (v5 ? { properties: p } : {})
    out.push([`connect v${v}`, {
      cmd: 'connect', protocolId: v === 3 ? 'MQIsdp' : 'MQTT', protocolVersion: v, clientId: `client-${TEXT}`, clean: false,
      keepalive: 60, username: 'user', password: B(bytes(9)),
      will: { topic: 'will/t', payload: B(bytes(20)), qos: 1, retain: true, ...props({ willDelayInterval: 5, contentType: 'text/plain' }) },
      ...props({ sessionExpiryInterval: 3600, receiveMaximum: 20, topicAliasMaximum: 10, userProperties: { a: 'b', c: ['d', 'e'] } }),
    } as Packet, v])
    out.push([`connack v${v}`, { cmd: 'connack', sessionPresent: true, ...(v5 ? { reasonCode: 0, properties: { assignedClientIdentifier: 'x', serverKeepAlive: 30, maximumPacketSize: 65536 } } : { returnCode: 0 }) } as Packet, v])
    for (const qos of [0, 1, 2] as const) {
      for (const size of [0, 5, 127, 128, 16383, 16384, 70000]) {
        out.push([`publish v${v} q${qos} ${size}B`, {
          cmd: 'publish', topic: `t/${TEXT}`, payload: B(bytes(size, size)), qos, retain: size % 2 === 0, dup: qos > 0 && size === 5,
          ...(qos > 0 ? { messageId: 1 + size % 65535 } : {}),
          ...props({ payloadFormatIndicator: true, messageExpiryInterval: 99, responseTopic: 'r/t', correlationData: B(bytes(4)), userProperties: { k: TEXT }, contentType: 'bin', subscriptionIdentifier: 7 }),
        } as Packet, v])
      }
    }
    for (const cmd of ['puback', 'pubrec', 'pubrel', 'pubcomp'] as const) {
      out.push([`${cmd} v${v}`, { cmd, messageId: 65535, ...(v5 ? { reasonCode: cmd === 'pubrel' ? 146 : 16, properties: { reasonString: 'why' } } : {}) } as Packet, v])
    }
    out.push([`subscribe v${v}`, {
      cmd: 'subscribe', messageId: 42,
      subscriptions: [{ topic: 'a/+/b', qos: 1, ...(v5 ? { nl: true, rap: true, rh: 2 } : {}) }, { topic: `${TEXT}/#`, qos: 2 }],
      ...props({ subscriptionIdentifier: 300, userProperties: { x: 'y' } }),
    } as Packet, v])
    out.push([`suback v${v}`, { cmd: 'suback', messageId: 42, granted: v5 ? [1, 2, 0x80] : [1, 2, 128], ...props({ reasonString: 'r' }) } as Packet, v])
    out.push([`unsubscribe v${v}`, { cmd: 'unsubscribe', messageId: 43, unsubscriptions: ['a/+/b', TEXT], ...props({ userProperties: { q: 'w' } }) } as Packet, v])
    out.push([`unsuback v${v}`, { cmd: 'unsuback', messageId: 43, ...(v5 ? { granted: [0, 17] } : {}) } as Packet, v])
    out.push([`pingreq v${v}`, { cmd: 'pingreq' } as Packet, v])
    out.push([`pingresp v${v}`, { cmd: 'pingresp' } as Packet, v])
    out.push([`disconnect v${v}`, { cmd: 'disconnect', ...(v5 ? { reasonCode: 4, properties: { sessionExpiryInterval: 0, reasonString: 'bye' } } : {}) } as Packet, v])
  }
  out.push(['auth v5', { cmd: 'auth', reasonCode: 24, properties: { authenticationMethod: 'SCRAM', authenticationData: B(bytes(12)) } } as Packet, 5])
  return out
}

/** Comparable form: Buffers/Uint8Arrays as number arrays, undefined/null fields dropped. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return [...v]
  if (Array.isArray(v)) return v.map(plain)
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (x !== undefined && x !== null) o[k] = plain(x)
    return o
  }
  return v
}

function decodeAll(D: typeof RealDecoder, v: 3 | 4 | 5, chunks: Uint8Array[]): unknown {
  const d = new D({ protocolVersion: v, maximumPacketSize: 1 << 28 })
  const packets: Packet[] = []
  for (const c of chunks) {
    const r = d.push(c)
    packets.push(...r.packets)
    if (r.error) return { error: r.error.message }
  }
  return plain(packets)
}

/** Packets only a server sends: the bundles leave mqtt-packet's encoders for them out (build/client-only-mqtt-packet.mjs). */
const NOT_ENCODED = new Set(['connack', 'suback', 'unsuback', 'auth'])
/** Packets only a client sends (and AUTH, which this client never asks for): the bundles leave their parsers out. */
const NOT_DECODED = new Set(['connect', 'subscribe', 'unsubscribe', 'pingreq', 'auth'])

describe.each(['esm', 'iife'] as const)('codec with the browser shims (%s build)', (build) => {
  let shim: Shimmed
  beforeAll(() => { shim = builds[build] })
  const realCorpus = corpus((u) => realBuffer(u))
  it.each(corpus().map(([name, , v], i) => [name, i, v] as const))('%s: same bytes as on Node, and decodes the same from one frame or byte-sized frames', (_name, i, v) => {
    const real = realEncode(realCorpus[i]![1], v)
    const packet = corpus((u) => shim.Buffer.from(u))[i]![1]
    if (NOT_ENCODED.has(packet.cmd)) {
      expect(() => shim.encode(packet, v)).toThrow(`cannot encode ${packet.cmd}: Unknown command`)
    } else {
      const shimmed = shim.encode(packet, v)
      expect(shimmed.length).toBe(real.length)
      expect(Buffer.compare(Buffer.from(shimmed), Buffer.from(real))).toBe(0)
    }
    const expected = decodeAll(RealDecoder, v, [Buffer.from(real)])
    // On Node mqtt-packet parses these and the decoder refuses them; the bundles cannot parse them: the same error.
    if (NOT_DECODED.has(packet.cmd) && (packet.cmd !== 'auth' || v === 5)) {
      expect(expected).toEqual({ error: `unexpected ${packet.cmd.toUpperCase()} from the server` })
    }
    expect(decodeAll(shim.Decoder, v, [new Uint8Array(real)])).toEqual(expected)
    if (real.length < 400) {
      expect(decodeAll(shim.Decoder, v, [...real].map((b) => new Uint8Array([b])))).toEqual(expected)
    } else {
      const cuts = [1, 2, 3, 7, 130, real.length - 1]
      const frames = cuts.map((c, i) => real.slice(i === 0 ? 0 : cuts[i - 1], c)).concat([real.slice(real.length - 1)])
      expect(decodeAll(shim.Decoder, v, frames.map((f) => new Uint8Array(f)))).toEqual(expected)
    }
  })

  it('decodes several packets merged in one frame, in order', () => {
    const list = realCorpus.filter(([, , v]) => v === 4)
    const all = Buffer.concat(list.map(([, p]) => Buffer.from(realEncode(p, 4))))
    expect(decodeAll(shim.Decoder, 4, [new Uint8Array(all)])).toEqual(decodeAll(RealDecoder, 4, [all]))
  })

  it('reports the same malformed-packet errors', () => {
    for (const bad of [[0x00, 0x00], [0x30, 0xff, 0xff, 0xff, 0xff, 0x01], [0x62, 0x02, 0x00], [0x20, 0x02, 0x00, 0x07]]) {
      expect(decodeAll(shim.Decoder, 4, [new Uint8Array(bad)])).toEqual(decodeAll(RealDecoder, 4, [Buffer.from(bad)]))
    }
    // MQTT 5 reason codes a packet type does not allow (the bundles keep mqtt-packet's code tables as presence tests).
    const v5 = [
      [0x90, 0x04, 0x00, 0x01, 0x00, 0x03], // SUBACK 0x03
      [0xb0, 0x04, 0x00, 0x01, 0x00, 0x10], // UNSUBACK 0x10
      [0x40, 0x03, 0x00, 0x01, 0x05], // PUBACK 0x05
      [0x70, 0x03, 0x00, 0x01, 0x10], // PUBCOMP 0x10
      [0xe0, 0x01, 0x05], // DISCONNECT 0x05
    ]
    for (const bad of v5) {
      const expected = decodeAll(RealDecoder, 5, [Buffer.from(bad)]) as { error?: string }
      expect(expected.error, String(bad)).toMatch(/^malformed packet from server: Invalid .*code/)
      expect(decodeAll(shim.Decoder, 5, [new Uint8Array(bad)])).toEqual(expected)
    }
    // and the ones it allows still decode.
    const ok = [[0x90, 0x04, 0x00, 0x01, 0x00, 0x80], [0x40, 0x03, 0x00, 0x01, 0x10], [0xe0, 0x01, 0x04]]
    for (const good of ok) expect(decodeAll(shim.Decoder, 5, [new Uint8Array(good)])).toEqual(decodeAll(RealDecoder, 5, [Buffer.from(good)]))
  })
})

describe('Buffer shim', () => {
  it('matches Node for the calls mqtt-packet makes', () => {
    const B = builds.esm.Buffer
    for (const s of ['', 'abc', TEXT, '\uD800 lone', 'a\uDC00b', '\u{10FFFF}', 'x'.repeat(300)]) {
      expect([...B.from(s)]).toEqual([...Buffer.from(s)])
      expect(B.byteLength(s)).toBe(Buffer.byteLength(s))
      const target = B.from(new Uint8Array(Buffer.byteLength(s) + 4))
      expect(target.write(s, 2)).toBe(Buffer.alloc(Buffer.byteLength(s) + 4).write(s, 2))
      expect(B.from(Buffer.from(s)).toString()).toBe(Buffer.from(s).toString())
    }
    const a = B.from([1, 2, 3, 4, 5, 6])
    expect(B.isBuffer(a.slice(1, 3))).toBe(true)
    const view = a.slice(1, 3)
    view[0] = 99
    expect(a[1]).toBe(99) // slice is a view, as in Node
    expect([...B.from(a)]).toEqual([1, 99, 3, 4, 5, 6])
    expect(a.readUInt16BE(4)).toBe(0x0506)
    expect(a.readUInt32BE(2)).toBe(Buffer.from([1, 99, 3, 4, 5, 6]).readUInt32BE(2))
    expect(() => a.readUInt8(6)).toThrow(RangeError)
    const t = B.from(new Uint8Array(3))
    expect(a.copy(t, 1, 4)).toBe(2)
    expect([...t]).toEqual([0, 5, 6])
    expect([...B.concat([B.from([1]), B.from([2, 3])])]).toEqual([1, 2, 3])
    expect([...B.concat([B.from([1]), B.from([2, 3])], 2)]).toEqual([1, 2])
    expect(B.from('\uFEFFx').toString()).toBe('\uFEFFx') // the BOM is kept (MQTT-1.5.4-3)
    expect(() => B.from('aGk=', 'base64')).toThrow(TypeError)
  })
})
