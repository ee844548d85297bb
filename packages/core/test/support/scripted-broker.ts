/**
 * An in-memory Transport whose far end is a scripted broker: tests see every packet the client sends
 * (decoded with mqtt-packet) and answer with exact packets or raw bytes, frame by frame.
 */
import { Buffer } from 'buffer'
import { generate, parser } from 'mqtt-packet'
import type { Packet } from 'mqtt-packet'
import type { ConnectTarget, Transport, TransportConnection, TransportHandlers } from '../../src/transport.js'

export class ScriptedConnection implements TransportConnection {
  readonly received: Packet[] = []
  readonly raw: Uint8Array[] = []
  closed = false
  bufferedAmount = 0
  readonly #handlers: TransportHandlers
  readonly #parser: ReturnType<typeof parser>
  readonly #waiters: Array<{ pred: (p: Packet) => boolean; resolve: (p: Packet) => void }> = []
  onPacket: ((p: Packet, conn: ScriptedConnection) => void) | undefined

  constructor(handlers: TransportHandlers, readonly target: ConnectTarget, protocolVersion: number) {
    this.#handlers = handlers
    this.#parser = parser({ protocolVersion } as never)
    this.#parser.on('packet', (p: Packet) => {
      this.received.push(p)
      for (const w of [...this.#waiters]) if (w.pred(p)) { this.#waiters.splice(this.#waiters.indexOf(w), 1); w.resolve(p) }
      this.onPacket?.(p, this)
    })
    this.#parser.on('error', (e: Error) => { throw e })
  }

  send(bytes: Uint8Array): void {
    if (this.closed) throw new Error('closed')
    this.raw.push(bytes.slice())
    this.#parser.parse(Buffer.from(bytes))
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.#handlers.onClose()
  }

  /** Server side: send a packet to the client. */
  reply(p: Packet, protocolVersion = 4): void {
    this.deliver(generate(p as never, { protocolVersion } as never))
  }

  /** Server side: raw bytes to the client. */
  deliver(bytes: Uint8Array): void {
    if (this.closed) return
    this.#handlers.onData(new Uint8Array(bytes))
  }

  /** Server side: drop the connection abruptly. */
  drop(err: Error = new Error('connection reset')): void {
    if (this.closed) return
    this.closed = true
    this.#handlers.onClose(err)
  }

  packets(cmd: string): Packet[] {
    return this.received.filter((p) => p.cmd === cmd)
  }

  waitFor(pred: (p: Packet) => boolean): Promise<Packet> {
    const found = this.received.find(pred)
    if (found) return Promise.resolve(found)
    return new Promise((resolve) => this.#waiters.push({ pred, resolve }))
  }
}

export interface ScriptOptions {
  protocolVersion?: number
  /** Answer CONNECT automatically (default: CONNACK success, sessionPresent false). */
  connack?: ((connect: Packet, conn: ScriptedConnection) => Packet | undefined) | false
  /** Refuse the transport connection with this error. */
  refuse?: () => Error | undefined
  /** Auto-acknowledge: PUBACK / PUBREC / PUBCOMP / SUBACK / UNSUBACK / PINGRESP. */
  autoAck?: boolean
}

export class ScriptedBroker implements Transport {
  readonly connections: ScriptedConnection[] = []
  opts: ScriptOptions

  constructor(opts: ScriptOptions = {}) {
    this.opts = opts
  }

  get current(): ScriptedConnection {
    const c = this.connections[this.connections.length - 1]
    if (!c) throw new Error('no connection yet')
    return c
  }

  async connect(target: ConnectTarget, handlers: TransportHandlers): Promise<TransportConnection> {
    const refusal = this.opts.refuse?.()
    if (refusal) throw refusal
    const v = this.opts.protocolVersion ?? target.protocolVersion
    const conn = new ScriptedConnection(handlers, target, v)
    this.connections.push(conn)
    conn.onPacket = (p, c) => this.#auto(p, c, v)
    return conn
  }

  #auto(p: Packet, c: ScriptedConnection, v: number): void {
    if (p.cmd === 'connect') {
      if (this.opts.connack === false) return
      const reply = this.opts.connack ? this.opts.connack(p, c) : ({ cmd: 'connack', returnCode: 0, reasonCode: 0, sessionPresent: false } as Packet)
      if (reply) queueMicrotask(() => c.reply(reply, v))
      return
    }
    if (!this.opts.autoAck) return
    const id = (p as { messageId?: number }).messageId
    let reply: Packet | undefined
    if (p.cmd === 'publish' && p.qos === 1) reply = { cmd: 'puback', messageId: id } as Packet
    else if (p.cmd === 'publish' && p.qos === 2) reply = { cmd: 'pubrec', messageId: id } as Packet
    else if (p.cmd === 'pubrel') reply = { cmd: 'pubcomp', messageId: id } as Packet
    else if (p.cmd === 'subscribe') reply = { cmd: 'suback', messageId: id, granted: p.subscriptions.map((s) => s.qos) } as Packet
    else if (p.cmd === 'unsubscribe') reply = { cmd: 'unsuback', messageId: id, ...(v === 5 ? { granted: p.unsubscriptions.map(() => 0) } : {}) } as Packet
    else if (p.cmd === 'pingreq') reply = { cmd: 'pingresp' } as Packet
    if (reply) queueMicrotask(() => c.reply(reply, v))
  }
}
