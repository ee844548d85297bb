/** MQTT 5 property conversion between the public API (Uint8Array) and mqtt-packet (Buffer). */
import { Buffer } from 'buffer'
import { InvalidPropertyError } from './errors.js'

const BINARY = ['correlationData', 'authenticationData'] as const
const U16: [number, number] = [0, 65535]
const U32: [number, number] = [0, 4294967295]
/** Value rules of the MQTT 5 properties a client sends (MQTT 5 §2.2.2.2). */
const RULES: Record<string, [number, number] | 'bool' | 'str'> = {
  sessionExpiryInterval: U32, messageExpiryInterval: U32, willDelayInterval: U32, maximumPacketSize: [1, 4294967295],
  receiveMaximum: [1, 65535], topicAliasMaximum: U16, topicAlias: [1, 65535], subscriptionIdentifier: [1, 268435455],
  payloadFormatIndicator: 'bool', requestResponseInformation: 'bool', requestProblemInformation: 'bool',
  contentType: 'str', responseTopic: 'str', reasonString: 'str', authenticationMethod: 'str', serverReference: 'str',
}
const isInt = (v: unknown, [lo, hi]: [number, number]): boolean => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi

/** Copy properties for sending: binary fields as Buffer; validates user properties. */
export function outgoingProperties<T extends object>(props: T | undefined): T | undefined {
  if (props === undefined || props === null) return undefined
  if (typeof props !== 'object') throw new InvalidPropertyError('properties must be an object')
  const out: Record<string, unknown> = { ...(props as Record<string, unknown>) }
  for (const k of BINARY) {
    const v = out[k]
    if (v === undefined) continue
    if (typeof v === 'string') out[k] = Buffer.from(v, 'utf8')
    else if (v instanceof Uint8Array) out[k] = Buffer.from(v.buffer as ArrayBuffer, v.byteOffset, v.byteLength)
    else throw new InvalidPropertyError(`${k} must be a Uint8Array`)
  }
  for (const [k, v] of Object.entries(out)) {
    if (v === undefined) continue
    const rule = RULES[k]
    if (!rule) continue
    if (rule === 'bool' ? typeof v !== 'boolean' : rule === 'str' ? typeof v !== 'string' : !isInt(v, rule)) {
      throw new InvalidPropertyError(`${k} must be ${rule === 'bool' ? 'a boolean' : rule === 'str' ? 'a string' : `an integer ${rule[0]}–${rule[1]}`}, got ${String(v)}`)
    }
  }
  const up = out['userProperties']
  if (up !== undefined) {
    if (typeof up !== 'object' || up === null || Array.isArray(up)) throw new InvalidPropertyError('userProperties must be an object')
    for (const [key, value] of Object.entries(up)) {
      const values = Array.isArray(value) ? value : [value]
      for (const v of values) {
        if (typeof v !== 'string') throw new InvalidPropertyError(`user property ${JSON.stringify(key)} must be a string or string[]`)
      }
    }
  }
  return out as T
}

/** Properties as received: Buffers become plain Uint8Array views. */
export function incomingProperties<T>(props: T | undefined): T | undefined {
  if (!props || typeof props !== 'object') return undefined
  const out: Record<string, unknown> = { ...(props as Record<string, unknown>) }
  for (const k of BINARY) {
    const v = out[k]
    if (v instanceof Uint8Array) out[k] = new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
  }
  return out as T
}

/** A Buffer from mqtt-packet as a plain Uint8Array view (no copy). */
export function plainBytes(b: Uint8Array | string | undefined): Uint8Array {
  if (b === undefined) return new Uint8Array(0)
  if (typeof b === 'string') return new TextEncoder().encode(b)
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}
