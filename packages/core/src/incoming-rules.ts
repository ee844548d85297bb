/**
 * Rules a packet from the broker must follow that mqtt-packet does not check: remaining lengths per packet type
 * and, for MQTT 5, which properties a packet may carry, once each. Every byte from the network is hostile.
 */
import type { Packet } from './codec.js'

/** Why the remaining length of `p` is wrong for its type, or undefined when it is right. */
export function lengthProblem(p: Packet, protocolVersion: number): string | undefined {
  const n = p.length ?? 0
  const v5 = protocolVersion === 5
  let ok: boolean
  switch (p.cmd) {
    case 'connack': case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp':
      ok = v5 ? n >= 2 : n === 2
      break
    case 'unsuback':
      ok = v5 ? n >= 3 : n === 2
      break
    case 'suback':
      ok = n >= 3
      break
    case 'pingresp':
      ok = n === 0
      break
    default:
      return undefined
  }
  return ok ? undefined : `${p.cmd.toUpperCase()} with remaining length ${n}`
}

/**
 * Packet types only a client sends, and AUTH in MQTT 5 (this client never starts enhanced authentication, so a
 * server must not send it, §4.12; before 5, type 15 is reserved: malformed). From a server: a protocol error
 * whatever they contain.
 */
export function sentOnlyByClients(cmd: string | undefined, protocolVersion: number): boolean {
  return cmd === 'connect' || cmd === 'subscribe' || cmd === 'unsubscribe' || cmd === 'pingreq' || (cmd === 'auth' && protocolVersion === 5)
}

/** Log text for an acknowledgement whose packet id matches nothing the client has outstanding. */
export function unknownPacketId(cmd: string, mid: number | undefined, outcome = 'ignored'): string {
  return `${cmd} for unknown packet id ${mid}: ${outcome}`
}

/** The protocol error text for a packet type the client never accepts from a server. */
export function unexpectedPacket(cmd: string): string {
  return `unexpected ${cmd.toUpperCase()} from the server`
}

const ACK = ['reasonString', 'userProperties']
const ALLOWED: Record<string, ReadonlySet<string>> = {
  connack: new Set([
    'sessionExpiryInterval', 'receiveMaximum', 'maximumQoS', 'retainAvailable', 'maximumPacketSize',
    'assignedClientIdentifier', 'topicAliasMaximum', 'reasonString', 'userProperties', 'wildcardSubscriptionAvailable',
    'subscriptionIdentifiersAvailable', 'sharedSubscriptionAvailable', 'serverKeepAlive', 'responseInformation',
    'serverReference', 'authenticationMethod', 'authenticationData',
  ]),
  publish: new Set([
    'payloadFormatIndicator', 'messageExpiryInterval', 'topicAlias', 'responseTopic', 'correlationData', 'userProperties',
    'subscriptionIdentifier', 'contentType',
  ]),
  puback: new Set(ACK), pubrec: new Set(ACK), pubrel: new Set(ACK), pubcomp: new Set(ACK),
  suback: new Set(ACK), unsuback: new Set(ACK),
  disconnect: new Set(['sessionExpiryInterval', 'reasonString', 'userProperties', 'serverReference']),
}

/** Why the MQTT 5 properties of `p` are not allowed, or undefined when they are. */
export function propertyProblem(p: Packet): string | undefined {
  const props = (p as { properties?: Record<string, unknown> }).properties
  if (!props) return undefined
  const allowed = ALLOWED[p.cmd]
  const what = p.cmd.toUpperCase()
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined) continue
    // mqtt-packet leaves null where a string could not be read (ill-formed UTF-8 or U+0000: see codec.ts).
    if (value === null) return `${what} ${name} property is not a well-formed UTF-8 string`
    if (name === 'userProperties' && Object.values(value as object).flat().some((v) => v === null)) {
      return `${what} user property is not a well-formed UTF-8 string`
    }
    if (!allowed?.has(name)) return `${what} must not carry the ${name} property`
    if (Array.isArray(value) && !(p.cmd === 'publish' && name === 'subscriptionIdentifier')) {
      return `${what} carries the ${name} property more than once`
    }
  }
  if (p.cmd === 'connack') {
    const q = props['maximumQoS']
    if (q !== undefined && q !== 0 && q !== 1) return `CONNACK Maximum QoS ${String(q)} (must be 0 or 1)`
    if (props['maximumPacketSize'] === 0) return 'CONNACK Maximum Packet Size 0'
  }
  return undefined
}
