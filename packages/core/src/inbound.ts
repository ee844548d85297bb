/**
 * Handlers for packets from the broker, one function per packet type. They get a narrow context instead of
 * the client, and treat every byte as hostile: a packet that is illegal in the current state is a protocol
 * error that ends the connection.
 */
import { ReasonCode, connackRcToReasonCode, MQTT_LOG_DEBUG, MQTT_LOG_WARNING } from './codes.js'
import type { LogLevel } from './codes.js'
import type {
  IConnackPacket, IDisconnectPacket, IPublishPacket, ISubackPacket, IUnsubackPacket, Packet,
} from './codec.js'
import type { Connection } from './connection.js'
import { ConnectionRefusedError, ProtocolError, ServerDisconnectError } from './errors.js'
import { propertyProblem, unexpectedPacket, unknownPacketId } from './incoming-rules.js'
import { MqttMessage } from './message.js'
import { incomingProperties, plainBytes } from './properties.js'
import type { ConnackResult } from './client-types.js'
import type { Deferred } from './events.js'
import type { Inbox } from './session/inbox.js'
import type { Outbox } from './session/outbox.js'
import type { Persister } from './session/persister.js'
import type { ConnackProperties, DisconnectProperties, PublishProperties, QoS, SubscribeOptions } from './types.js'

/** A SUBSCRIBE/UNSUBSCRIBE awaiting its ack; re-sent after a reconnect. */
export interface PendingRequest {
  readonly kind: 'subscribe' | 'unsubscribe'
  readonly mid: number
  readonly packet: Packet
  readonly entries: ReadonlyArray<{ topic: string; options?: SubscribeOptions }>
  readonly done: Deferred<ReasonCode[]>
  sentOn: number
}

export interface InboundContext {
  protocol(): number
  readonly outbox: Outbox
  readonly inbox: Inbox
  readonly pending: Map<number, PendingRequest>
  readonly subscriptions: Map<string, SubscribeOptions>
  persister(): Persister | undefined
  isAttempt(c: Connection): boolean
  isCurrent(c: Connection): boolean
  receiveMaximum(): number
  topicAliasMaximum(): number
  log(level: LogLevel, text: string): void
  connackOk(c: Connection, result: ConnackResult): void
  connackRefused(c: Connection, err: ConnectionRefusedError): void
  deliver(m: MqttMessage): void
  releaseId(mid: number): void
  subscribed(mid: number, codes: ReasonCode[], properties: unknown): void
  unsubscribed(mid: number, codes: ReasonCode[], properties: unknown): void
  protocolError(c: Connection, err: ProtocolError): void
}

const NEEDS_ID = new Set(['puback', 'pubrec', 'pubrel', 'pubcomp', 'suback', 'unsuback'])

/** Per-connection incoming topic aliases (MQTT 5). */
const aliases = new WeakMap<Connection, Map<number, string>>()
/** Ordered delivery chain per connection: QoS 2 messages wait for their packet id to be durable. */
const chains = new WeakMap<Connection, Promise<void>>()

function protocolError(ctx: InboundContext, c: Connection, text: string, code = 130): void {
  ctx.protocolError(c, new ProtocolError(text, { reasonCode: new ReasonCode('DISCONNECT', code) }))
}

export function handlePacket(ctx: InboundContext, p: Packet, c: Connection): void {
  if (ctx.protocol() === 5) {
    const bad = propertyProblem(p)
    if (bad) return protocolError(ctx, c, bad)
  }
  if (ctx.isAttempt(c)) {
    if (p.cmd === 'connack') onConnack(ctx, p, c)
    else protocolError(ctx, c, `${p.cmd.toUpperCase()} before CONNACK`)
    return
  }
  if (!ctx.isCurrent(c)) return
  if (NEEDS_ID.has(p.cmd) || (p.cmd === 'publish' && p.qos > 0)) {
    const id = (p as { messageId?: number }).messageId
    if (!Number.isInteger(id) || id! < 1 || id! > 65535) return protocolError(ctx, c, `${p.cmd.toUpperCase()} without a valid packet identifier`, 129)
  }
  switch (p.cmd) {
    case 'publish': return onPublish(ctx, p, c)
    case 'puback': return ctx.outbox.onPuback(p.messageId!, new ReasonCode('PUBACK', p.reasonCode ?? 0), incomingProperties(p.properties))
    case 'pubrec': return ctx.outbox.onPubrec(p.messageId!, new ReasonCode('PUBREC', p.reasonCode ?? 0), incomingProperties(p.properties))
    case 'pubcomp': return ctx.outbox.onPubcomp(p.messageId!, new ReasonCode('PUBCOMP', p.reasonCode ?? 0), incomingProperties(p.properties))
    case 'pubrel': return onPubrel(ctx, p.messageId!, c)
    case 'suback': case 'unsuback': return onSubscriptionAck(ctx, p, c)
    case 'pingresp': return
    case 'disconnect': return onDisconnect(ctx, p, c)
    case 'connack': return protocolError(ctx, c, 'second CONNACK')
    // The decoder refuses the packet types a server never sends (incoming-rules.ts); this is the backstop.
    default: return protocolError(ctx, c, unexpectedPacket(String(p.cmd)))
  }
}

function onConnack(ctx: InboundContext, p: IConnackPacket, c: Connection): void {
  const v5 = ctx.protocol() === 5
  const code = v5 ? (p.reasonCode ?? 0) : (p.returnCode ?? 0)
  // A 3.x-only broker (e.g. Aedes) answers a v5 CONNECT with a 3.x return code 1–5, which are not v5 reason codes.
  const rc = v5 && !(code >= 1 && code <= 5) ? new ReasonCode('CONNACK', code) : connackRcToReasonCode(code)
  const properties = incomingProperties<ConnackProperties>(p.properties)
  if (code !== 0) {
    const reason = properties?.reasonString ? ` (${properties.reasonString})` : ''
    ctx.connackRefused(c, new ConnectionRefusedError(`connection refused: ${rc.name}${reason}`, { reasonCode: rc }))
    return
  }
  if (properties?.receiveMaximum === 0) return protocolError(ctx, c, 'CONNACK with Receive Maximum 0')
  ctx.connackOk(c, { sessionPresent: Boolean(p.sessionPresent), reasonCode: rc, properties })
}

function onPublish(ctx: InboundContext, p: IPublishPacket, c: Connection): void {
  const qos = p.qos as QoS
  const properties = incomingProperties<PublishProperties>(p.properties)
  let topic = p.topic
  const alias = properties?.topicAlias
  if (alias !== undefined) {
    if (alias === 0 || alias > ctx.topicAliasMaximum()) return protocolError(ctx, c, `topic alias ${alias} out of range`, 148)
    let map = aliases.get(c)
    if (!map) aliases.set(c, (map = new Map()))
    if (topic) map.set(alias, topic)
    else {
      const known = map.get(alias)
      if (known === undefined) return protocolError(ctx, c, `unknown topic alias ${alias}`, 130)
      topic = known
    }
  }
  if (!topic || topic.includes('+') || topic.includes('#')) return protocolError(ctx, c, `invalid topic name in PUBLISH: ${JSON.stringify(topic)}`, 144)
  const mid = p.messageId ?? 0
  if (qos > 0 && mid === 0) return protocolError(ctx, c, `QoS ${qos} PUBLISH with packet identifier 0`)
  const message = new MqttMessage({
    topic, payload: plainBytes(p.payload), qos, retain: Boolean(p.retain), dup: Boolean(p.dup), mid, properties,
  })
  if (qos === 0) return inOrder(c, () => ctx.deliver(message))
  if (qos === 1) {
    return inOrder(c, () => {
      ctx.deliver(message)
      if (!c.closed) c.send({ cmd: 'puback', messageId: mid })
    })
  }
  // A restored entry the broker sends again was not delivered before the reload (see session/inbox.ts): new.
  if (ctx.inbox.has(mid) && !ctx.inbox.isRestoredUndelivered(mid)) {
    if (p.dup) {
      ctx.log(MQTT_LOG_DEBUG, `QoS 2 packet id ${mid} repeated before PUBREL: not delivered again`)
      return inOrder(c, () => { if (!c.closed) c.send({ cmd: 'pubrec', messageId: mid }) })
    }
    // A redelivery always carries DUP=1 ([MQTT-3.3.1-1]); DUP=0 on an id still awaiting PUBREL is a new message from
    // a broker that lost track of the id (seen with Aedes, whose PUBREL sometimes carries another message's id).
    // Dropping it would lose it; deliver it.
    ctx.log(MQTT_LOG_WARNING, `QoS 2 packet id ${mid} reused without DUP: delivered as new`)
  }
  if (!ctx.inbox.has(mid) && ctx.inbox.sizeThisConnection >= ctx.receiveMaximum()) return protocolError(ctx, c, 'Receive Maximum exceeded', 147)
  // Stored with the message first (with a store), delivered once durable, then PUBREC: see session/inbox.ts.
  const durable = ctx.inbox.add(message)
  inOrder(c, () => {
    if (ctx.inbox.take(message)) ctx.deliver(message)
    if (!c.closed) c.send({ cmd: 'pubrec', messageId: mid })
  }, durable)
}

/** Run `fn` after earlier deliveries on this connection (and after `waitFor`), synchronously when nothing waits. */
function inOrder(c: Connection, fn: () => void, waitFor?: Promise<void>): void {
  const prev = chains.get(c)
  if (!prev && !waitFor) {
    fn()
    return
  }
  const next: Promise<void> = Promise.all([prev, waitFor]).then(fn, fn).catch(() => {})
  chains.set(c, next)
  void next.then(() => { if (chains.get(c) === next) chains.delete(c) })
}

function onPubrel(ctx: InboundContext, mid: number, c: Connection): void {
  inOrder(c, () => {
    const known = ctx.inbox.release(mid)
    if (!known) ctx.log(MQTT_LOG_WARNING, unknownPacketId('PUBREL', mid, 'answered with PUBCOMP'))
    const v5 = ctx.protocol() === 5
    if (!c.closed) c.send({ cmd: 'pubcomp', messageId: mid, ...(v5 && !known ? { reasonCode: 146 } : {}) } as Packet)
  })
}

/** A SUBACK or UNSUBACK: settles the subscribe() / unsubscribe() it answers. */
function onSubscriptionAck(ctx: InboundContext, p: ISubackPacket | IUnsubackPacket, c: Connection): void {
  const sub = p.cmd === 'suback'
  const name = sub ? 'SUBACK' : 'UNSUBACK'
  const req = ctx.pending.get(p.messageId!)
  if (!req || req.kind !== (sub ? 'subscribe' : 'unsubscribe')) {
    ctx.log(MQTT_LOG_WARNING, unknownPacketId(name, p.messageId))
    return
  }
  // A 3.x UNSUBACK carries no codes: every filter is removed.
  const raw = sub || ctx.protocol() === 5
    ? ((p.granted ?? []) as unknown[]).map((g) => (typeof g === 'number' ? g : Number((g as { qos?: number }).qos ?? 128)))
    : req.entries.map(() => 0)
  if (raw.length !== req.entries.length) {
    return protocolError(ctx, c, `${name} has ${raw.length} codes for ${req.entries.length} filters`)
  }
  ctx.pending.delete(req.mid)
  ctx.releaseId(req.mid)
  const codes = raw.map((g) => new ReasonCode(name, g))
  const persister = ctx.persister()
  req.entries.forEach((e, i) => {
    if (!sub) {
      ctx.subscriptions.delete(e.topic)
      void persister?.enqueue({ type: 'deleteSubscription', topic: e.topic })
    } else if (!codes[i]!.isFailure) {
      const options = e.options ?? { qos: 0 as QoS }
      ctx.subscriptions.set(e.topic, options)
      void persister?.enqueue({ type: 'putSubscription', subscription: { topic: e.topic, options } })
    }
  })
  const props = incomingProperties(p.properties)
  if (sub) ctx.subscribed(req.mid, codes, props)
  else ctx.unsubscribed(req.mid, codes, props)
  req.done.resolve(codes)
}

function onDisconnect(ctx: InboundContext, p: IDisconnectPacket, c: Connection): void {
  if (ctx.protocol() !== 5) return protocolError(ctx, c, 'DISCONNECT from the server is not allowed before MQTT 5')
  const rc = new ReasonCode('DISCONNECT', p.reasonCode ?? 0)
  const properties = incomingProperties<DisconnectProperties>(p.properties)
  const reason = properties?.reasonString ? ` (${properties.reasonString})` : ''
  const err = Object.assign(new ServerDisconnectError(`server disconnected: ${rc.name}${reason}`, { reasonCode: rc }), { properties })
  c.close(err)
}
