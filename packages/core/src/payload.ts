/** Payload conversion, as paho: str → UTF-8, number → its decimal text, bytes as they are, null → empty. */
import { InvalidPayloadError } from './errors.js'
import type { PayloadInput } from './types.js'

export const MAX_PAYLOAD = 268_435_455
const encoder = /* @__PURE__ */ new TextEncoder()
const EMPTY = new Uint8Array(0)

export function toPayload(payload: PayloadInput): Uint8Array {
  let out: Uint8Array
  if (payload === null || payload === undefined) return EMPTY
  if (typeof payload === 'string') {
    if (payload.length > MAX_PAYLOAD) throw new InvalidPayloadError(`payload over ${MAX_PAYLOAD} bytes`)
    out = encoder.encode(payload)
  } else if (typeof payload === 'number') {
    if (!Number.isFinite(payload)) throw new InvalidPayloadError(`payload number must be finite, got ${payload}`)
    out = encoder.encode(String(payload))
  } else if (payload instanceof Uint8Array) {
    out = payload
  } else if (payload instanceof ArrayBuffer) {
    out = new Uint8Array(payload)
  } else if (ArrayBuffer.isView(payload)) {
    out = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength)
  } else {
    const kind = typeof payload === 'object' ? (payload as object).constructor?.name ?? 'object' : typeof payload
    throw new InvalidPayloadError(
      `payload must be string, number, bytes or null, got ${kind}`,
    )
  }
  if (out.byteLength > MAX_PAYLOAD) throw new InvalidPayloadError(`payload over ${MAX_PAYLOAD} bytes`)
  return out
}

/** A private copy (so later mutation by the caller cannot change a queued message). */
export function copyPayload(p: Uint8Array): Uint8Array {
  return p.byteLength === 0 ? EMPTY : p.slice()
}
