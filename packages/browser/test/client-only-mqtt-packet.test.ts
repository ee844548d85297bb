// build/client-only-mqtt-packet.mjs: what it cuts from mqtt-packet's sources, that a cut only blanks (every line and
// column stays put, so source maps stay right), and that it refuses a changed mqtt-packet instead of guessing.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SERVER_ONLY, clientOnlySources, mqttPacketDir } from '../build/client-only-mqtt-packet.mjs'

const dir = mqttPacketDir(new URL('../../core/', import.meta.url).pathname)
const temps: string[] = []

/** A copy of mqtt-packet with `edit` applied to one of its files. */
function patched(file: string, edit: (code: string) => string): string {
  const copy = mkdtempSync(join(tmpdir(), 'webmqtt-mqtt-packet-'))
  temps.push(copy)
  cpSync(dir, copy, { recursive: true })
  const path = join(copy, file)
  const before = readFileSync(path, 'utf8')
  const after = edit(before)
  expect(after).not.toBe(before)
  writeFileSync(path, after)
  return copy
}

afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true })
})

describe('client-only mqtt-packet', () => {
  const sources = clientOnlySources(dir)

  it('cuts the server-side methods and functions and the case clauses that call them', () => {
    const parser = sources.get('parser.js')!.code
    const writer = sources.get('writeToStream.js')!.code
    for (const m of SERVER_ONLY['parser.js']!) expect(parser).not.toContain(m)
    for (const f of SERVER_ONLY['writeToStream.js']!) expect(writer).not.toMatch(new RegExp(`\\b${f}\\s*\\(`))
    expect(parser).not.toContain("case 'connect'")
    expect(writer).not.toContain("case 'connack'")
    // What a client receives or sends is all still there.
    for (const m of ['_parseConnack', '_parsePublish', '_parseConfirmation', '_parseSuback', '_parseUnsuback', '_parseDisconnect']) {
      expect(parser).toContain(`${m} () {`)
    }
    for (const f of ['connect', 'publish', 'confirmation', 'subscribe', 'unsubscribe', 'emptyPacket', 'disconnect']) {
      expect(writer).toContain(`function ${f} (`)
    }
  })

  it('cuts debug(…) statements and the constants nothing reads any more, keeps the rest', () => {
    for (const [f, e] of sources) expect(e.code, f).not.toMatch(/^\s*debug\(/m)
    // and the declarations that only those used: the debug binding (so the debug shim is not even loaded), zeroBuf.
    for (const f of ['parser.js', 'writeToStream.js']) expect(sources.get(f)!.code, f).not.toContain("require('debug')")
    expect(sources.get('writeToStream.js')!.code).not.toContain('const zeroBuf')
    expect(sources.get('writeToStream.js')!.code).toContain('const empty = Buffer.allocUnsafe(0)')
    const constants = sources.get('constants.js')!.code
    expect(constants).not.toContain('protocol.CONNACK_HEADER =')
    expect(constants).not.toContain('protocol.SUBACK_HEADER =')
    expect(constants).not.toContain('protocol.MQTT5_AUTH_CODES =')
    expect(constants).toContain('protocol.CONNECT_HEADER =')
    expect(constants).toContain('protocol.MQTT5_SUBACK_CODES =')
    expect(constants).toContain('protocol.propertiesTypes =')
  })

  it('moves nothing: every line and column of what is left is where it was', () => {
    for (const [f, e] of sources) {
      expect(e.code.length, f).toBe(e.original.length)
      for (let i = 0; i < e.code.length; i++) {
        // A cut is blanked; a presence-only table value becomes 1 where its opening quote was.
        const tableValue = e.code[i] === '1' && e.original[i] === "'"
        if (e.code[i] !== e.original[i] && e.code[i] !== ' ' && !tableValue) throw new Error(`${f}: offset ${i} changed to ${JSON.stringify(e.code[i])}`)
        if (e.original[i] === '\n' && e.code[i] !== '\n') throw new Error(`${f}: line break at ${i} removed`)
      }
    }
    expect(sources.get('parser.js')!.cut).toBeGreaterThan(3)
  })

  it('turns the values of tables only tested for presence into 1, and leaves tables read for their values', () => {
    const constants = sources.get('constants.js')!.code
    const table = (name: string): string => new RegExp(`protocol\\.${name} = \\{([^}]*)\\}`).exec(constants)![1]!
    for (const name of ['MQTT5_PUBACK_PUBREC_CODES', 'MQTT5_PUBREL_PUBCOMP_CODES', 'MQTT5_SUBACK_CODES', 'MQTT5_UNSUBACK_CODES', 'MQTT5_DISCONNECT_CODES']) {
      const values = table(name).split(',').map((kv) => kv.split(':')[1]?.trim()).filter(Boolean)
      expect(values.length, name).toBeGreaterThan(1)
      expect(new Set(values), name).toEqual(new Set(['1']))
    }
    // types and propertiesTypes are read for their strings (packet.cmd, the property's wire type).
    expect(table('types')).toContain("1: 'connect'")
    expect(table('propertiesTypes')).toContain("sessionExpiryInterval: 'int32'")
  })

  it('keeps a debug(…) that is the body of an if (cutting it would change the if)', () => {
    const copy = patched('parser.js', (c) => c.replace('  _resetState () {', '  _resetState () {\n    if (this.packet) debug(\'reset\')'))
    expect(clientOnlySources(copy).get('parser.js')!.code).toContain("if (this.packet) debug('reset')")
  })

  it('refuses an mqtt-packet where a listed declaration is missing', () => {
    const copy = patched('parser.js', (c) => c.replaceAll('_parseConnect', '_parseConnectV2'))
    expect(() => clientOnlySources(copy)).toThrow('expected one declaration of _parseConnect, found 0')
  })

  it('refuses an mqtt-packet that still uses a cut function elsewhere', () => {
    const copy = patched('writeToStream.js', (c) => c.replace("    case 'publish':", "    case 'connack2':\n      connack.length\n      break\n    case 'publish':"))
    // The new case clause mentions connack, so it is cut too; a use outside a case clause is not.
    expect(clientOnlySources(copy).get('writeToStream.js')!.code).not.toContain('connack2')
    const copy2 = patched('writeToStream.js', (c) => c.replace('function uncork (stream) {', 'const keep = connack\nfunction uncork (stream) {'))
    expect(() => clientOnlySources(copy2)).toThrow('connack still referenced after the cut')
  })

  it('refuses to cut constants when the constants object is used other than as protocol.NAME', () => {
    const copy = patched('writeToStream.js', (c) => c.replace('function uncork (stream) {', 'const all = Object.keys(protocol)\nfunction uncork (stream) {'))
    expect(() => clientOnlySources(copy)).toThrow('cannot tell which constants are read')
  })
})
