/**
 * One transport connection: decodes incoming bytes, encodes and sends packets, runs keepalive.
 * It knows nothing of sessions; the client gives it packets to send and receives the decoded ones.
 */
import { toBuffer, encode, Decoder, MAX_REMAINING_LENGTH } from './codec.js'
import type { Packet } from './codec.js'
import { InvalidPropertyError, PacketTooLargeError, ProtocolError as ProtocolErrorClass } from './errors.js'
import type { ProtocolError } from './errors.js'
import { Keepalive } from './protocol/keepalive.js'
import { outgoingProperties } from './properties.js'
import type { ProtocolVersion } from './protocol-version.js'
import type { Link, OutMsg } from './session/outbox.js'
import type { Timers } from './timers.js'
import type { TransportConnection, TransportHandlers } from './transport.js'

let nextConnectionId = 1

export interface ConnectionOptions {
  protocolVersion: ProtocolVersion
  /** Largest incoming packet we accept (our Maximum Packet Size). */
  maxIncomingPacket: number
  timers: Timers
  onPacket(packet: Packet, connection: Connection): void
  /** Exactly once. `error` is absent for a close we asked for without an error. */
  onClosed(connection: Connection, error: Error | undefined): void
  onProtocolError(connection: Connection, error: ProtocolError): void
  onKeepaliveTimeout(connection: Connection, keepaliveSeconds: number): void
}

export class Connection implements Link {
  readonly id = nextConnectionId++
  readonly handlers: TransportHandlers
  /** The broker's Maximum Packet Size (from CONNACK), bytes. */
  maxOutgoingPacket = MAX_REMAINING_LENGTH + 5
  /** The broker's Topic Alias Maximum (from CONNACK); 0 = none accepted. */
  maxTopicAlias = 0
  readonly #opts: ConnectionOptions
  readonly #decoder: Decoder
  #conn: TransportConnection | undefined
  #early: Uint8Array[] = []
  #keepalive: Keepalive | undefined
  #closed = false
  bytesOut = 0
  bytesIn = 0

  constructor(opts: ConnectionOptions) {
    this.#opts = opts
    this.#decoder = new Decoder({ protocolVersion: opts.protocolVersion, maximumPacketSize: opts.maxIncomingPacket })
    this.handlers = {
      onData: (bytes) => this.#onData(bytes),
      onClose: (error) => this.#finish(error ?? undefined),
    }
  }

  get closed(): boolean {
    return this.#closed
  }

  get bufferedAmount(): number {
    return this.#conn?.bufferedAmount ?? 0
  }

  get remote(): string | undefined {
    return this.#conn?.remote
  }

  attach(conn: TransportConnection): void {
    if (this.#closed) {
      try { conn.close() } catch { /* already closed */ }
      return
    }
    this.#conn = conn
    const early = this.#early
    this.#early = []
    for (const b of early) this.#onData(b)
  }

  startKeepalive(seconds: number): void {
    this.#keepalive?.stop()
    this.#keepalive = new Keepalive(this.#opts.timers, seconds, {
      ping: () => { this.send({ cmd: 'pingreq' }) },
      dead: () => this.#opts.onKeepaliveTimeout(this, seconds),
    })
  }

  /** Encode and send. Returns false when the connection is closed. Encoding errors throw. */
  send(packet: Packet): boolean {
    if (this.#closed || !this.#conn) return false
    const bytes = encode(packet, this.#opts.protocolVersion)
    return this.sendBytes(bytes)
  }

  sendBytes(bytes: Uint8Array): boolean {
    if (this.#closed || !this.#conn) return false
    try {
      this.#conn.send(bytes)
    } catch (err) {
      this.close(err instanceof Error ? err : new Error(String(err)))
      return false
    }
    this.bytesOut += bytes.byteLength
    this.#keepalive?.sent()
    return true
  }

  publish(m: OutMsg, dup: boolean): Error | undefined {
    if (this.#closed) return undefined
    const aliasError = topicAliasError(m.properties?.topicAlias, this.maxTopicAlias)
    if (aliasError) return aliasError
    const packet: Packet = {
      cmd: 'publish', topic: m.topic, payload: toBuffer(m.payload), qos: m.qos, retain: m.retain, dup,
      ...(m.qos > 0 ? { messageId: m.mid } : {}),
      ...(m.properties && this.#opts.protocolVersion === 5 ? { properties: outgoingProperties(m.properties) } : {}),
    } as Packet
    let bytes: Uint8Array
    try {
      bytes = encode(packet, this.#opts.protocolVersion)
    } catch (err) {
      return err as Error
    }
    if (bytes.byteLength > this.maxOutgoingPacket) {
      return new PacketTooLargeError(
        `PUBLISH of ${bytes.byteLength} bytes exceeds the broker's maximum packet size of ${this.maxOutgoingPacket}`,
      )
    }
    this.sendBytes(bytes)
    return undefined
  }

  pubrel(mid: number, reasonCode?: number): void {
    this.send({ cmd: 'pubrel', messageId: mid, ...(reasonCode && this.#opts.protocolVersion === 5 ? { reasonCode } : {}) } as Packet)
  }

  /** Close the transport. `onClosed` is called once, now. */
  close(error?: Error): void {
    if (this.#closed) return
    const conn = this.#conn
    this.#finish(error)
    try { conn?.close() } catch { /* ignore */ }
  }

  #finish(error: Error | undefined): void {
    if (this.#closed) return
    this.#closed = true
    this.#keepalive?.stop()
    this.#opts.onClosed(this, error)
  }

  #onData(bytes: Uint8Array): void {
    if (this.#closed) return
    if (!this.#conn) {
      this.#early.push(bytes)
      return
    }
    this.bytesIn += bytes.byteLength
    this.#keepalive?.received()
    const { packets, error } = this.#decoder.push(bytes)
    for (const p of packets) {
      if (this.#closed) return
      try {
        this.#opts.onPacket(p, this)
      } catch (err) {
        // Nothing a broker sends may throw into the transport: whatever slipped through validation ends the connection.
        this.#opts.onProtocolError(this, new ProtocolErrorClass(`cannot handle ${String(p.cmd).toUpperCase()}: ${(err as Error)?.message ?? err}`, { cause: err }))
        return
      }
    }
    if (error && !this.#closed) this.#opts.onProtocolError(this, error)
  }
}

/** A topic alias above the broker's Topic Alias Maximum (0: the broker takes none). */
export function topicAliasError(alias: number | undefined, max: number): InvalidPropertyError | undefined {
  return alias !== undefined && alias > max
    ? new InvalidPropertyError(`topic alias ${alias} exceeds the broker's Topic Alias Maximum of ${max}`)
    : undefined
}
