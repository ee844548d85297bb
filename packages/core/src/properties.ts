/** MQTT 5 property conversion between the public API (Uint8Array) and mqtt-packet (Buffer). */
import { Buffer } from 'buffer'
import { InvalidPropertyError } from './errors.js'

const BINARY = ['correlationData', 'authenticationData'] as const

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
