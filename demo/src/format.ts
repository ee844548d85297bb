/** Payload formatting for the message log, and parsing of the publish form. Pure functions, unit-tested. */

export type PayloadKind = 'empty' | 'text' | 'json' | 'binary'

export interface FormattedPayload {
  kind: PayloadKind
  /** What the log shows: the text, pretty-printed JSON, or a hex dump. */
  display: string
  /** Byte length of the payload. */
  size: number
  /** True when `display` was cut to the limit. */
  truncated: boolean
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Bytes as space-separated hex pairs: `de ad be ef`. */
export function toHex(bytes: Uint8Array, maxBytes = Number.POSITIVE_INFINITY): string {
  const n = Math.min(bytes.length, maxBytes)
  const parts = new Array<string>(n)
  for (let i = 0; i < n; i++) parts[i] = (bytes[i] as number).toString(16).padStart(2, '0')
  return parts.join(' ')
}

/** Control characters other than tab, newline and carriage return mark a payload as binary. */
function looksBinary(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)
}

function looksLikeJson(text: string): boolean {
  const t = text.trimStart()
  const c = t[0]
  return c === '{' || c === '['
}

/**
 * Decide how to show a payload: invalid UTF-8 or control characters → hex; `{…}`/`[…]` that parses → pretty
 * JSON (also for other JSON values when the content type says JSON); otherwise text. `maxChars` bounds the
 * display string so a 1 MB payload does not freeze the log.
 */
export function formatPayload(payload: Uint8Array, options: { contentType?: string; maxChars?: number } = {}): FormattedPayload {
  const maxChars = options.maxChars ?? 4000
  const size = payload.length
  if (size === 0) return { kind: 'empty', display: '', size, truncated: false }
  let text: string
  try {
    text = utf8.decode(payload)
  } catch {
    return hex(payload, maxChars)
  }
  if (looksBinary(text)) return hex(payload, maxChars)
  const declaredJson = /\bjson\b/i.test(options.contentType ?? '')
  if (declaredJson || looksLikeJson(text)) {
    try {
      const display = JSON.stringify(JSON.parse(text), null, 2)
      return cut('json', display, size, maxChars)
    } catch {
      // not JSON after all: show as text
    }
  }
  return cut('text', text, size, maxChars)
}

function hex(payload: Uint8Array, maxChars: number): FormattedPayload {
  const maxBytes = Math.max(1, Math.floor((maxChars + 1) / 3))
  return { kind: 'binary', display: toHex(payload, maxBytes), size: payload.length, truncated: payload.length > maxBytes }
}

function cut(kind: PayloadKind, display: string, size: number, maxChars: number): FormattedPayload {
  if (display.length <= maxChars) return { kind, display, size, truncated: false }
  return { kind, display: display.slice(0, maxChars), size, truncated: true }
}

export type PayloadMode = 'text' | 'json' | 'hex'

export class PayloadInputError extends Error {
  override readonly name = 'PayloadInputError'
}

/**
 * The publish form's payload: text as is; JSON validated and minified; hex (`de ad be ef`, `0xdead`, `de:ad`)
 * as bytes. Throws PayloadInputError with a message fit for the form.
 */
export function parsePayloadInput(input: string, mode: PayloadMode): string | Uint8Array {
  if (mode === 'text') return input
  if (mode === 'json') {
    if (input.trim() === '') throw new PayloadInputError('JSON payload is empty')
    try {
      return JSON.stringify(JSON.parse(input))
    } catch (e) {
      throw new PayloadInputError(`invalid JSON: ${(e as Error).message}`)
    }
  }
  const digits = input.replace(/0x/gi, '').replace(/[\s:,-]/g, '')
  if (!/^[0-9a-f]*$/i.test(digits)) throw new PayloadInputError('hex payload may only contain 0-9, a-f, spaces and colons')
  if (digits.length % 2 !== 0) throw new PayloadInputError('hex payload needs an even number of digits')
  const out = new Uint8Array(digits.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(digits.slice(i * 2, i * 2 + 2), 16)
  return out
}

/**
 * User properties from the form: one `key=value` (or `key: value`) per line; a repeated key becomes an array,
 * as MQTT 5 allows. Blank lines are ignored. Throws PayloadInputError for a line without a key.
 */
export function parseUserProperties(input: string): Record<string, string | string[]> | undefined {
  const out: Record<string, string | string[]> = {}
  let any = false
  for (const [i, raw] of input.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === '') continue
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line)
    if (!m || !m[1]) throw new PayloadInputError(`user property line ${i + 1}: expected key=value`)
    const key = m[1]
    const value = m[2] ?? ''
    const prev = out[key]
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]
    any = true
  }
  return any ? out : undefined
}

/** User properties for display: `k=v, k=v2`. */
export function formatUserProperties(props: Record<string, string | string[]> | undefined): string {
  if (!props) return ''
  const parts: string[] = []
  for (const [k, v] of Object.entries(props)) for (const x of Array.isArray(v) ? v : [v]) parts.push(`${k}=${x}`)
  return parts.join(', ')
}

/** `HH:MM:SS.mmm` in local time. */
export function formatTime(ms: number): string {
  const d = new Date(ms)
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
}

/** `512 B`, `1.5 kB`, `2.0 MB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
