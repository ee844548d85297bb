/** Reason codes, paho result codes, log levels. Error classes live in errors.ts. */

export type PacketName =
  | 'CONNACK' | 'PUBACK' | 'PUBREC' | 'PUBREL' | 'PUBCOMP' | 'SUBACK' | 'UNSUBACK' | 'DISCONNECT' | 'AUTH'

type Row = readonly [value: number, name: string, packets: readonly PacketName[]]

const ALL_ACKS: readonly PacketName[] = ['CONNACK', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'UNSUBACK', 'AUTH']
const ROWS: readonly Row[] = [
  [0, 'Success', ALL_ACKS],
  [0, 'Normal disconnection', ['DISCONNECT']],
  [0, 'Granted QoS 0', ['SUBACK']],
  [1, 'Granted QoS 1', ['SUBACK']],
  [2, 'Granted QoS 2', ['SUBACK']],
  [4, 'Disconnect with will message', ['DISCONNECT']],
  [16, 'No matching subscribers', ['PUBACK', 'PUBREC']],
  [17, 'No subscription found', ['UNSUBACK']],
  [24, 'Continue authentication', ['AUTH']],
  [25, 'Re-authenticate', ['AUTH']],
  [128, 'Unspecified error', ['CONNACK', 'PUBACK', 'PUBREC', 'SUBACK', 'UNSUBACK', 'DISCONNECT']],
  [129, 'Malformed packet', ['CONNACK', 'DISCONNECT']],
  [130, 'Protocol error', ['CONNACK', 'DISCONNECT']],
  [131, 'Implementation specific error', ['CONNACK', 'PUBACK', 'PUBREC', 'SUBACK', 'UNSUBACK', 'DISCONNECT']],
  [132, 'Unsupported protocol version', ['CONNACK']],
  [133, 'Client identifier not valid', ['CONNACK']],
  [134, 'Bad user name or password', ['CONNACK']],
  [135, 'Not authorized', ['CONNACK', 'PUBACK', 'PUBREC', 'SUBACK', 'UNSUBACK', 'DISCONNECT']],
  [136, 'Server unavailable', ['CONNACK']],
  [137, 'Server busy', ['CONNACK', 'DISCONNECT']],
  [138, 'Banned', ['CONNACK']],
  [139, 'Server shutting down', ['DISCONNECT']],
  [140, 'Bad authentication method', ['CONNACK', 'DISCONNECT']],
  [141, 'Keep alive timeout', ['DISCONNECT']],
  [142, 'Session taken over', ['DISCONNECT']],
  [143, 'Topic filter invalid', ['SUBACK', 'UNSUBACK', 'DISCONNECT']],
  [144, 'Topic name invalid', ['CONNACK', 'PUBACK', 'PUBREC', 'DISCONNECT']],
  [145, 'Packet identifier in use', ['PUBACK', 'PUBREC', 'SUBACK', 'UNSUBACK']],
  [146, 'Packet identifier not found', ['PUBREL', 'PUBCOMP']],
  [147, 'Receive maximum exceeded', ['DISCONNECT']],
  [148, 'Topic alias invalid', ['DISCONNECT']],
  [149, 'Packet too large', ['CONNACK', 'DISCONNECT']],
  [150, 'Message rate too high', ['DISCONNECT']],
  [151, 'Quota exceeded', ['CONNACK', 'PUBACK', 'PUBREC', 'SUBACK', 'DISCONNECT']],
  [152, 'Administrative action', ['DISCONNECT']],
  [153, 'Payload format invalid', ['CONNACK', 'PUBACK', 'PUBREC', 'DISCONNECT']],
  [154, 'Retain not supported', ['CONNACK', 'DISCONNECT']],
  [155, 'QoS not supported', ['CONNACK', 'DISCONNECT']],
  [156, 'Use another server', ['CONNACK', 'DISCONNECT']],
  [157, 'Server moved', ['CONNACK', 'DISCONNECT']],
  [158, 'Shared subscriptions not supported', ['SUBACK', 'DISCONNECT']],
  [159, 'Connection rate exceeded', ['CONNACK', 'DISCONNECT']],
  [160, 'Maximum connect time', ['DISCONNECT']],
  [161, 'Subscription identifiers not supported', ['SUBACK', 'DISCONNECT']],
  [162, 'Wildcard subscriptions not supported', ['SUBACK', 'DISCONNECT']],
]

function nameFor(packet: PacketName, value: number): string | undefined {
  for (const [v, n, ps] of ROWS) if (v === value && ps.includes(packet)) return n
  for (const [v, n] of ROWS) if (v === value) return n
  return undefined
}

function valueFor(packet: PacketName, name: string): number | undefined {
  const lower = name.toLowerCase()
  for (const [v, n, ps] of ROWS) if (n.toLowerCase() === lower && ps.includes(packet)) return v
  return undefined
}

/**
 * An MQTT reason code, as paho's `ReasonCode`: compare it with a number or a name via `is()`,
 * `valueOf()` gives the number (so `rc == 0` works in JavaScript), `toString()` the name.
 */
export class ReasonCode {
  readonly packetType: PacketName
  readonly value: number
  readonly name: string

  constructor(packetType: PacketName, nameOrValue: string | number = 0) {
    this.packetType = packetType
    if (typeof nameOrValue === 'number') {
      if (!Number.isInteger(nameOrValue) || nameOrValue < 0 || nameOrValue > 255) {
        throw new RangeError(`reason code out of range: ${nameOrValue}`)
      }
      this.value = nameOrValue
      this.name = nameFor(packetType, nameOrValue) ?? `Unknown reason code ${nameOrValue}`
    } else {
      const v = valueFor(packetType, nameOrValue)
      if (v === undefined) throw new RangeError(`unknown reason code name for ${packetType}: ${nameOrValue}`)
      this.value = v
      this.name = nameFor(packetType, v) ?? nameOrValue
    }
  }

  /** True for codes ≥ 0x80. */
  get isFailure(): boolean {
    return this.value >= 0x80
  }

  /** Compare with a number, a name (case-insensitive) or another ReasonCode. */
  is(other: number | string | ReasonCode): boolean {
    if (typeof other === 'number') return other === this.value
    if (typeof other === 'string') return other.toLowerCase() === this.name.toLowerCase()
    return other.value === this.value
  }

  getName(): string {
    return this.name
  }

  valueOf(): number {
    return this.value
  }

  toString(): string {
    return this.name
  }

  toJSON(): { value: number; name: string } {
    return { value: this.value, name: this.name }
  }
}

/** MQTT 3.x CONNACK return codes mapped to MQTT 5 reason codes, as paho does. */
export function connackRcToReasonCode(rc: number): ReasonCode {
  const map: Record<number, number> = { 0: 0, 1: 132, 2: 133, 3: 136, 4: 134, 5: 135 }
  return new ReasonCode('CONNACK', map[rc] ?? 128)
}

// paho-mqtt result codes (MQTTErrorCode).
export const MQTT_ERR_AGAIN = -1
export const MQTT_ERR_SUCCESS = 0
export const MQTT_ERR_NOMEM = 1
export const MQTT_ERR_PROTOCOL = 2
export const MQTT_ERR_INVAL = 3
export const MQTT_ERR_NO_CONN = 4
export const MQTT_ERR_CONN_REFUSED = 5
export const MQTT_ERR_NOT_FOUND = 6
export const MQTT_ERR_CONN_LOST = 7
export const MQTT_ERR_TLS = 8
export const MQTT_ERR_PAYLOAD_SIZE = 9
export const MQTT_ERR_NOT_SUPPORTED = 10
export const MQTT_ERR_AUTH = 11
export const MQTT_ERR_ACL_DENIED = 12
export const MQTT_ERR_UNKNOWN = 13
export const MQTT_ERR_ERRNO = 14
export const MQTT_ERR_QUEUE_SIZE = 15
export const MQTT_ERR_KEEPALIVE = 16

export type MqttErrorCode =
  | typeof MQTT_ERR_AGAIN | typeof MQTT_ERR_SUCCESS | typeof MQTT_ERR_NOMEM | typeof MQTT_ERR_PROTOCOL
  | typeof MQTT_ERR_INVAL | typeof MQTT_ERR_NO_CONN | typeof MQTT_ERR_CONN_REFUSED | typeof MQTT_ERR_NOT_FOUND
  | typeof MQTT_ERR_CONN_LOST | typeof MQTT_ERR_TLS | typeof MQTT_ERR_PAYLOAD_SIZE | typeof MQTT_ERR_NOT_SUPPORTED
  | typeof MQTT_ERR_AUTH | typeof MQTT_ERR_ACL_DENIED | typeof MQTT_ERR_UNKNOWN | typeof MQTT_ERR_ERRNO
  | typeof MQTT_ERR_QUEUE_SIZE | typeof MQTT_ERR_KEEPALIVE

const ERR_STRINGS: Record<number, string> = {
  [MQTT_ERR_AGAIN]: 'Operation would block; try again.',
  [MQTT_ERR_SUCCESS]: 'No error.',
  [MQTT_ERR_NOMEM]: 'Out of memory.',
  [MQTT_ERR_PROTOCOL]: 'A network protocol error occurred when communicating with the broker.',
  [MQTT_ERR_INVAL]: 'Invalid function arguments provided.',
  [MQTT_ERR_NO_CONN]: 'The client is not currently connected.',
  [MQTT_ERR_CONN_REFUSED]: 'The connection was refused.',
  [MQTT_ERR_NOT_FOUND]: 'Message not found (internal error).',
  [MQTT_ERR_CONN_LOST]: 'The connection was lost.',
  [MQTT_ERR_TLS]: 'A TLS error occurred.',
  [MQTT_ERR_PAYLOAD_SIZE]: 'Payload too large.',
  [MQTT_ERR_NOT_SUPPORTED]: 'This feature is not supported.',
  [MQTT_ERR_AUTH]: 'Authorisation failed.',
  [MQTT_ERR_ACL_DENIED]: 'Access denied by ACL.',
  [MQTT_ERR_UNKNOWN]: 'Unknown error.',
  [MQTT_ERR_ERRNO]: 'Error defined by errno.',
  [MQTT_ERR_QUEUE_SIZE]: 'Message queue full.',
  [MQTT_ERR_KEEPALIVE]: 'Client or broker did not communicate in the keepalive interval.',
}

/** paho's `error_string`. */
export function errorString(err: number): string {
  return ERR_STRINGS[err] ?? 'Unknown error.'
}

/** paho's `connack_string`: text for a 3.x return code, or a v5 ReasonCode. */
export function connackString(rc: number | ReasonCode): string {
  if (rc instanceof ReasonCode) return rc.name
  switch (rc) {
    case 0: return 'Connection Accepted.'
    case 1: return 'Connection Refused: unacceptable protocol version.'
    case 2: return 'Connection Refused: identifier rejected.'
    case 3: return 'Connection Refused: broker unavailable.'
    case 4: return 'Connection Refused: bad user name or password.'
    case 5: return 'Connection Refused: not authorised.'
    default: return 'Connection Refused: unknown reason.'
  }
}

// paho log levels.
export const MQTT_LOG_INFO = 0x01
export const MQTT_LOG_NOTICE = 0x02
export const MQTT_LOG_WARNING = 0x04
export const MQTT_LOG_ERR = 0x08
export const MQTT_LOG_DEBUG = 0x10
export type LogLevel =
  | typeof MQTT_LOG_INFO | typeof MQTT_LOG_NOTICE | typeof MQTT_LOG_WARNING | typeof MQTT_LOG_ERR | typeof MQTT_LOG_DEBUG
