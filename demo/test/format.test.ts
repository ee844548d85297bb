import { describe, expect, it } from 'vitest'
import {
  PayloadInputError, formatPayload, formatSize, formatUserProperties, parsePayloadInput, parseUserProperties, toHex,
} from '../src/format.js'

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b)
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('formatPayload', () => {
  it('shows UTF-8 text as text', () => {
    expect(formatPayload(utf8('héllo wörld ✓'))).toEqual({ kind: 'text', display: 'héllo wörld ✓', size: 17, truncated: false })
  })

  it('keeps tabs and newlines as text', () => {
    expect(formatPayload(utf8('a\tb\r\nc')).kind).toBe('text')
  })

  it('pretty-prints a JSON object or array', () => {
    const f = formatPayload(utf8('{"a":1,"b":[true,null]}'))
    expect(f.kind).toBe('json')
    expect(f.display).toBe('{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}')
    expect(formatPayload(utf8(' [1,2]')).display).toBe('[\n  1,\n  2\n]')
  })

  it('treats a bare number as text unless the content type says JSON', () => {
    expect(formatPayload(utf8('42')).kind).toBe('text')
    expect(formatPayload(utf8('42'), { contentType: 'application/json' })).toMatchObject({ kind: 'json', display: '42' })
  })

  it('falls back to text for broken JSON', () => {
    expect(formatPayload(utf8('{not json'))).toMatchObject({ kind: 'text', display: '{not json' })
  })

  it('shows invalid UTF-8 as hex', () => {
    expect(formatPayload(bytes(0xde, 0xad, 0xbe, 0xef))).toEqual({ kind: 'binary', display: 'de ad be ef', size: 4, truncated: false })
  })

  it('shows valid UTF-8 with control characters as hex', () => {
    expect(formatPayload(bytes(0x41, 0x00, 0x42))).toMatchObject({ kind: 'binary', display: '41 00 42' })
  })

  it('reports an empty payload', () => {
    expect(formatPayload(new Uint8Array(0))).toEqual({ kind: 'empty', display: '', size: 0, truncated: false })
  })

  it('truncates long payloads to maxChars', () => {
    const f = formatPayload(utf8('x'.repeat(10_000)), { maxChars: 100 })
    expect(f).toMatchObject({ kind: 'text', size: 10_000, truncated: true })
    expect(f.display).toHaveLength(100)
    const b = formatPayload(new Uint8Array(1000).fill(0xff), { maxChars: 29 })
    expect(b).toMatchObject({ kind: 'binary', truncated: true, display: Array(10).fill('ff').join(' ') })
  })
})

describe('toHex', () => {
  it('pads and limits', () => {
    expect(toHex(bytes(0, 1, 15, 16, 255))).toBe('00 01 0f 10 ff')
    expect(toHex(bytes(1, 2, 3), 2)).toBe('01 02')
  })
})

describe('parsePayloadInput', () => {
  it('passes text through', () => {
    expect(parsePayloadInput('  hi ', 'text')).toBe('  hi ')
  })

  it('validates and minifies JSON', () => {
    expect(parsePayloadInput('{ "a" : [1, 2] }', 'json')).toBe('{"a":[1,2]}')
    expect(() => parsePayloadInput('{a:1}', 'json')).toThrow(PayloadInputError)
    expect(() => parsePayloadInput('   ', 'json')).toThrow(/empty/)
  })

  it('parses hex in several notations', () => {
    expect(parsePayloadInput('de ad BE ef', 'hex')).toEqual(bytes(0xde, 0xad, 0xbe, 0xef))
    expect(parsePayloadInput('0xdead', 'hex')).toEqual(bytes(0xde, 0xad))
    expect(parsePayloadInput('de:ad', 'hex')).toEqual(bytes(0xde, 0xad))
    expect(parsePayloadInput('', 'hex')).toEqual(new Uint8Array(0))
    expect(() => parsePayloadInput('abc', 'hex')).toThrow(/even/)
    expect(() => parsePayloadInput('zz', 'hex')).toThrow(PayloadInputError)
  })
})

describe('user properties', () => {
  it('parses key=value lines, repeated keys as arrays', () => {
    expect(parseUserProperties('a=1\n\n b : two \na=3')).toEqual({ a: ['1', '3'], b: 'two' })
    expect(parseUserProperties('k=')).toEqual({ k: '' })
    expect(parseUserProperties(' \n')).toBeUndefined()
    expect(() => parseUserProperties('novalue')).toThrow(/line 1/)
  })

  it('formats them back', () => {
    expect(formatUserProperties({ a: ['1', '3'], b: 'two' })).toBe('a=1, a=3, b=two')
    expect(formatUserProperties(undefined)).toBe('')
  })
})

describe('formatSize', () => {
  it('uses B, kB, MB', () => {
    expect(formatSize(512)).toBe('512 B')
    expect(formatSize(1536)).toBe('1.5 kB')
    expect(formatSize(2 * 1024 * 1024)).toBe('2.0 MB')
  })
})
