/** Reason codes, paho result codes, log levels. Error classes live in errors.ts. */

export type PacketName =
  | 'CONNACK' | 'PUBACK' | 'PUBREC' | 'PUBREL' | 'PUBCOMP' | 'SUBACK' | 'UNSUBACK' | 'DISCONNECT' | 'AUTH'

// Packet types a reason code may appear in, as bits (1 << index) of a row's mask.
const PACKETS: readonly PacketName[] = ['CONNACK', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBACK', 'UNSUBACK', 'DISCONNECT', 'AUTH']

// Reason codes (MQTT 5 §2.4): names, their values (0x80–0xA2 are consecutive) and, as bits, the packet types
// each may appear in.
const NAMES = [
  'Success', 'Normal disconnection', 'Granted QoS 0', 'Granted QoS 1', 'Granted QoS 2',
  'Disconnect with will message', 'No matching subscribers', 'No subscription found', 'Continue authentication',
  'Re-authenticate', 'Unspecified error', 'Malformed packet', 'Protocol error', 'Implementation specific error',
  'Unsupported protocol version', 'Client identifier not valid', 'Bad user name or password', 'Not authorized',
  'Server unavailable', 'Server busy', 'Banned', 'Server shutting down', 'Bad authentication method',
  'Keep alive timeout', 'Session taken over', 'Topic filter invalid', 'Topic name invalid',
  'Packet identifier in use', 'Packet identifier not found', 'Receive maximum exceeded', 'Topic alias invalid',
  'Packet too large', 'Message rate too high', 'Quota exceeded', 'Administrative action', 'Payload format invalid',
  'Retain not supported', 'QoS not supported', 'Use another server', 'Server moved',
  'Shared subscriptions not supported', 'Connection rate exceeded', 'Maximum connect time',
  'Subscription identifiers not supported', 'Wildcard subscriptions not supported',
]
const VALUES = [0, 0, 0, 1, 2, 4, 16, 17, 24, 25, .../* @__PURE__ */ Array.from({ length: 35 }, (_, i) => 128 + i)]
const MASKS = [351, 128, 32, 32, 32, 128, 6, 64, 256, 256, 231, 129, 129, 231, 1, 1, 1, 231, 1, 129, 1, 128, 129, 128, 128, 224, 135, 102, 24, 128, 128, 129, 128, 167, 128, 135, 129, 129, 129, 129, 160, 129, 128, 160, 160]
const ROWS: ReadonlyArray<readonly [value: number, packets: number, name: string]> = /* @__PURE__ */ NAMES.map((n, i) => [VALUES[i]!, MASKS[i]!, n])

const inPacket = (packet: PacketName, mask: number): number => mask & (1 << PACKETS.indexOf(packet))

function nameFor(packet: PacketName, value: number): string | undefined {
  for (const [v, ps, n] of ROWS) if (v === value && inPacket(packet, ps)) return n
  for (const [v, , n] of ROWS) if (v === value) return n
  return undefined
}

function valueFor(packet: PacketName, name: string): number | undefined {
  const lower = name.toLowerCase()
  for (const [v, ps, n] of ROWS) if (n.toLowerCase() === lower && inPacket(packet, ps)) return v
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

/** paho's MQTT_CLEAN_START_FIRST_ONLY: clean start on the first connect only, resume on reconnects. */
export const MQTT_CLEAN_START_FIRST_ONLY = 3

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

// Texts of paho's result codes, indexed by code + 1 (MQTT_ERR_AGAIN is -1).
const ERR_STRINGS: readonly string[] = [
  'Operation would block; try again.',
  'No error.',
  'Out of memory.',
  'A network protocol error occurred when communicating with the broker.',
  'Invalid function arguments provided.',
  'The client is not currently connected.',
  'The connection was refused.',
  'Message not found (internal error).',
  'The connection was lost.',
  'A TLS error occurred.',
  'Payload too large.',
  'This feature is not supported.',
  'Authorisation failed.',
  'Access denied by ACL.',
  'Unknown error.',
  'Error defined by errno.',
  'Message queue full.',
  'Client or broker did not communicate in the keepalive interval.',
]

/** paho's `error_string`. */
export function errorString(err: number): string {
  return ERR_STRINGS[err + 1] ?? 'Unknown error.'
}

/** paho's `connack_string`: text for a 3.x return code, or a v5 ReasonCode. */
export function connackString(rc: number | ReasonCode): string {
  if (rc instanceof ReasonCode) return rc.name
  return rc === 0 ? 'Connection Accepted.' : `Connection Refused: ${CONNACK_STRINGS[rc] ?? 'unknown reason'}.`
}

const CONNACK_STRINGS: readonly (string | undefined)[] = [
  undefined, 'unacceptable protocol version', 'identifier rejected', 'broker unavailable', 'bad user name or password',
  'not authorised',
]

// paho log levels.
export const MQTT_LOG_INFO = 0x01
export const MQTT_LOG_NOTICE = 0x02
export const MQTT_LOG_WARNING = 0x04
export const MQTT_LOG_ERR = 0x08
export const MQTT_LOG_DEBUG = 0x10
export type LogLevel =
  | typeof MQTT_LOG_INFO | typeof MQTT_LOG_NOTICE | typeof MQTT_LOG_WARNING | typeof MQTT_LOG_ERR | typeof MQTT_LOG_DEBUG
