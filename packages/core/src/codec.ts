/**
 * The only file that touches mqtt-packet. Encodes packets to bytes and decodes a byte stream into
 * packets, reassembling across frames and splitting merged frames. Hostile input never throws out of here.
 */
import { Buffer } from 'buffer'
import { generate, parser as createParser, writeToStream } from 'mqtt-packet'
import type { Packet, Parser } from 'mqtt-packet'
import { InvalidPropertyError, ProtocolError } from './errors.js'
import { ReasonCode } from './codes.js'
import type { ProtocolVersion } from './protocol-version.js'
import { lengthProblem, sentOnlyByClients, unexpectedPacket } from './incoming-rules.js'

export type {
  Packet, IConnectPacket, IConnackPacket, IPublishPacket, IPubackPacket, IPubrecPacket, IPubrelPacket,
  IPubcompPacket, ISubscribePacket, ISubackPacket, IUnsubscribePacket, IUnsubackPacket, IDisconnectPacket,
  IAuthPacket, ISubscription,
} from 'mqtt-packet'

// mqtt-packet otherwise builds 65,536 two-byte Buffers on the first encode (~0.2–0.4 s on a phone-class CPU).
;(writeToStream as unknown as { cacheNumbers: boolean }).cacheNumbers = false

/** 268,435,455: the largest Remaining Length MQTT can express. */
export const MAX_REMAINING_LENGTH = 268_435_455

/** Encode one packet. Throws InvalidPropertyError when mqtt-packet refuses it. */
export function encode(packet: Packet, protocolVersion: ProtocolVersion): Uint8Array {
  try {
    if (packet.cmd === 'connect' && protocolVersion === 5 && !packet.clientId && !packet.clean) return emptyIdConnect(packet)
    return generate(packet as never, { protocolVersion } as never)
  } catch (err) {
    throw new InvalidPropertyError(`cannot encode ${packet.cmd}: ${(err as Error)?.message ?? String(err)}`, { cause: err })
  }
}

/**
 * MQTT 5 allows an empty Client Identifier with Clean Start 0 (§3.1.3.1: the server assigns one); mqtt-packet
 * refuses to encode it, so encode with Clean Start 1 and clear the flag in the bytes.
 */
function emptyIdConnect(packet: Packet & { cmd: 'connect' }): Uint8Array {
  const bytes = generate({ ...packet, clean: true } as never, { protocolVersion: 5 } as never)
  let i = 1
  while ((bytes[i]! & 0x80) !== 0) i++ // remaining length (variable byte integer)
  const flags = i + 1 + 6 + 1 // protocol name "MQTT" (2 + 4 bytes), protocol level
  bytes[flags] = bytes[flags]! & ~0x02
  return bytes
}

/** Wrap bytes as a Buffer without copying. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength)
}

export interface DecoderOptions {
  protocolVersion: ProtocolVersion
  /** Largest packet (fixed header + remaining length) accepted; larger ones are a protocol error (0x95). */
  maximumPacketSize: number
}

/**
 * Incremental decoder. `push` returns the packets completed by the chunk; after an error every further
 * push returns the same error (the connection is to be closed).
 */
export class Decoder {
  readonly #parser: Parser
  readonly #max: number
  readonly #out: Packet[] = []
  #error: ProtocolError | undefined

  constructor(options: DecoderOptions) {
    this.#max = options.maximumPacketSize
    this.#parser = createParser({ protocolVersion: options.protocolVersion } as never)
    strictStrings(this.#parser)
    this.#parser.on('packet', (p: Packet) => {
      if (this.#error) return
      if (sentOnlyByClients(p.cmd, options.protocolVersion)) {
        this.#error = new ProtocolError(unexpectedPacket(p.cmd))
        return
      }
      const remaining = p.length ?? 0
      const total = headerSize(remaining) + remaining
      if (total > this.#max) {
        this.#error = tooLarge(total, this.#max)
        return
      }
      const bad = lengthProblem(p, options.protocolVersion)
      if (bad) {
        this.#error = malformed(new Error(bad))
        return
      }
      this.#out.push(p)
    })
    this.#parser.on('error', (e: unknown) => {
      // The browser bundles leave mqtt-packet's parsers for these types out: the parser reports "Not supported".
      const cmd = (this.#parser as unknown as { packet?: { cmd?: string } }).packet?.cmd
      if (!this.#error) this.#error = sentOnlyByClients(cmd, options.protocolVersion) ? new ProtocolError(unexpectedPacket(cmd!)) : malformed(e)
    })
  }

  get error(): ProtocolError | undefined {
    return this.#error
  }

  /** Feed bytes; returns completed packets, or a ProtocolError. Ownership of `bytes` passes to the decoder. */
  push(bytes: Uint8Array): { packets: Packet[]; error?: ProtocolError } {
    if (this.#error) return { packets: [], error: this.#error }
    try {
      this.#parser.parse(toBuffer(bytes))
    } catch (e) {
      this.#error ??= malformed(e)
    }
    const packets = this.#out.splice(0)
    if (!this.#error) {
      // A packet still arriving: refuse it as soon as its header says it is too large (don't buffer it).
      const len = (this.#parser as unknown as { packet?: { length?: number } }).packet?.length ?? -1
      if (len >= 0 && headerSize(len) + len > this.#max) this.#error = tooLarge(headerSize(len) + len, this.#max)
    }
    return this.#error ? { packets, error: this.#error } : { packets }
  }
}

function headerSize(remaining: number): number {
  return 1 + (remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4)
}

function tooLarge(size: number, max: number): ProtocolError {
  return new ProtocolError(`incoming packet of ${size} bytes exceeds our maximum packet size of ${max}`, {
    reasonCode: new ReasonCode('DISCONNECT', 149),
  })
}

const fatalUtf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true })

/**
 * MQTT strings must be well-formed UTF-8 without U+0000 ([MQTT-1.5.4-1], [MQTT-1.5.4-2]). mqtt-packet decodes
 * leniently (ill-formed bytes become U+FFFD); make its string reader refuse them, which turns into a parse error.
 */
function strictStrings(parser: Parser): void {
  const p = parser as unknown as {
    _parseString(this: unknown, maybeBuffer?: unknown): string | null
    _pos: number
    _list: { slice(start: number, end: number): Uint8Array }
  }
  const original = p._parseString
  p._parseString = function (this: typeof p, maybeBuffer?: unknown): string | null {
    const start = this._pos + 2
    const result = original.call(this, maybeBuffer)
    if (typeof result !== 'string') return result
    if (result.includes('\u0000')) return null
    if (result.includes('\uFFFD')) {
      try { fatalUtf8.decode(this._list.slice(start, this._pos)) } catch { return null }
    }
    return result
  }
}

function malformed(e: unknown): ProtocolError {
  const msg = e instanceof Error ? e.message : String(e)
  return new ProtocolError(`malformed packet from server: ${msg}`, {
    cause: e,
    reasonCode: new ReasonCode('DISCONNECT', 129),
  })
}
