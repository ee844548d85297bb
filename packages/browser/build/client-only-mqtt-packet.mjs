// mqtt-packet encodes and decodes every packet type, a server's as well as a client's. A client never sends
// CONNACK, SUBACK or UNSUBACK, and a CONNECT, SUBSCRIBE or UNSUBSCRIBE from the server is a protocol error whatever
// it contains; so is an AUTH, since this client never starts enhanced authentication. The browser bundles leave
// those code paths out (1.35 KB gzip of the IIFE) without forking mqtt-packet: at build time, in the npm package's
// own sources,
//   1. the declarations in SERVER_ONLY (parser methods, writer functions) are cut, with the `case` clauses that call
//      them. Such a packet then takes mqtt-packet's own `default:` branch: the parser reports "Not supported" and
//      the writer "Unknown command". The core's decoder refuses those packet types itself (incoming-rules.ts,
//      sentOnlyByClients), so a client sees the same ProtocolError (0x82) with or without the cut;
//   2. its `debug(…)` statements are cut (the `debug` shim is a no-op; their arguments only read fields), and so are
//      top-level declarations the cuts left unused, when their initializers have no effect (`require`, `Buffer`);
//   3. the constants (`protocol.X = …` in constants.js) that no remaining code reads are cut;
//   4. lookup tables read only as presence tests (`!constants.MQTT5_SUBACK_CODES[code]`) keep their keys, and
//      their description strings, never read, become 1.
// A cut is blanked with spaces (line breaks kept) and a replaced string padded to its length, so every line and
// column stays where it was and the source maps stay right. The build fails when mqtt-packet changes so that a
// listed declaration is missing or found twice, is still referenced after the cut, or its constants object is used
// in a way this cannot follow. test/client-only-mqtt-packet.test.ts and test/build-shims.test.ts check all of it.
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** Per module of mqtt-packet: the declarations (class methods or functions) only a server uses. */
export const SERVER_ONLY = {
  'parser.js': ['_parseConnect', '_parseSubscribe', '_parseUnsubscribe', '_parseAuth'],
  'writeToStream.js': ['connack', 'suback', 'unsuback', 'auth'],
}

const CONSTANTS = 'constants.js'
/** The identifiers mqtt-packet's modules bind its constants module to (`const protocol = require('./constants')`). */
const CONSTANTS_BINDINGS = new Set(['protocol', 'constants'])

/** mqtt-packet's directory, as the core resolves it. */
export function mqttPacketDir(coreDir) {
  return dirname(createRequire(join(coreDir, 'package.json')).resolve('mqtt-packet/package.json'))
}

/**
 * The client-only text of each mqtt-packet module (file name → code), from the files in `dir`.
 * @param {string} dir
 * @returns {Map<string, { original: string, code: string, cut: number }>}
 */
export function clientOnlySources(dir) {
  const ts = createRequire(import.meta.url)('typescript')
  const files = readdirSync(dir).filter((f) => /^(?!test)\w+\.js$/.test(f))
  for (const f of Object.keys(SERVER_ONLY)) if (!files.includes(f)) throw new Error(`mqtt-packet has no ${f}`)
  if (!files.includes(CONSTANTS)) throw new Error(`mqtt-packet has no ${CONSTANTS}`)
  const parse = (f, text) => ts.createSourceFile(f, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS)
  const out = new Map()

  // Pass 1: server-only declarations, the case clauses that use them, and debug(…) statements.
  for (const f of files) {
    const original = readFileSync(join(dir, f), 'utf8')
    const names = new Set(SERVER_ONLY[f] ?? [])
    const found = new Map([...names].map((n) => [n, 0]))
    const cuts = []
    const visit = (node) => {
      const declared = (ts.isMethodDeclaration(node) || ts.isFunctionDeclaration(node)) && node.name && ts.isIdentifier(node.name)
        ? node.name.text : undefined
      if (declared !== undefined && names.has(declared)) {
        found.set(declared, found.get(declared) + 1)
        cuts.push(node)
        return
      }
      if (ts.isCaseClause(node) && node.statements.length > 0 && node.statements.some((s) => mentions(ts, s, names))) {
        cuts.push(node)
        return
      }
      // Only a statement in a statement list: `if (x) debug(…)` keeps its statement (cutting it would change the if).
      if (ts.isExpressionStatement(node) && ts.isCallExpression(node.expression)
        && ts.isIdentifier(node.expression.expression) && node.expression.expression.text === 'debug'
        && (ts.isBlock(node.parent) || ts.isSourceFile(node.parent) || ts.isCaseClause(node.parent) || ts.isDefaultClause(node.parent))) {
        cuts.push(node)
        return
      }
      ts.forEachChild(node, visit)
    }
    visit(parse(f, original))
    for (const [n, count] of found) {
      if (count !== 1) throw new Error(`mqtt-packet ${f}: expected one declaration of ${n}, found ${count}`)
    }
    let code = blank(original, cuts)
    const left = [...names].filter((n) => mentions(ts, parse(f, code), new Set([n])))
    if (left.length > 0) throw new Error(`mqtt-packet ${f}: ${left.join(', ')} still referenced after the cut`)
    const orphans = orphanedDeclarations(ts, parse(f, original), parse(f, code))
    code = blank(code, orphans)
    out.set(f, { original, code, cut: cuts.length + orphans.length })
  }

  // Pass 2: constants nothing reads any more (read by the other modules, or by a kept constant, to a fixpoint).
  const read = new Set()
  for (const [f, { code }] of out) if (f !== CONSTANTS) collectConstantReads(ts, parse(f, code), read)
  const entry = out.get(CONSTANTS)
  const source = parse(CONSTANTS, entry.code)
  const assignments = source.statements.map((s) => [s, assignedConstant(ts, s)]).filter(([, name]) => name !== undefined)
  const kept = new Set(read)
  for (let changed = true; changed;) {
    changed = false
    for (const [s, name] of assignments) {
      if (!kept.has(name)) continue
      const before = kept.size
      collectConstantReads(ts, s, kept)
      if (kept.size !== before) changed = true
    }
    for (const s of source.statements) {
      if (assignedConstant(ts, s) !== undefined) continue
      const before = kept.size
      collectConstantReads(ts, s, kept)
      if (kept.size !== before) changed = true
    }
  }
  const unread = assignments.filter(([, name]) => !kept.has(name)).map(([s]) => s)
  let code = blank(entry.code, unread)

  // Pass 3: lookup tables only ever tested for presence (`!constants.MQTT5_SUBACK_CODES[code]`): their description
  // strings are never read, so each becomes 1, padded with spaces to its old length.
  const uses = new Map()
  for (const [f, e] of out) if (f !== CONSTANTS) collectTableUses(ts, parse(f, e.code), uses)
  const strings = []
  for (const [s, name] of assignments) {
    const value = s.expression.right
    if (!kept.has(name) || uses.get(name) !== 'presence' || !ts.isObjectLiteralExpression(value)) continue
    const props = value.properties
    if (props.length > 0 && props.every((p) => ts.isPropertyAssignment(p) && ts.isStringLiteral(p.initializer) && p.initializer.text !== '')) {
      strings.push(...props.map((p) => p.initializer))
    }
  }
  code = replaceKeepingLength(code, strings, '1')
  out.set(CONSTANTS, { ...entry, code, cut: entry.cut + unread.length + strings.length })
  return out
}

/**
 * For each constant read as `protocol.X` / `constants.X` under `node`: 'presence' while every read is `!binding.X[key]`,
 * 'other' once any read is something else.
 */
function collectTableUses(ts, node, into) {
  const visit = (n) => {
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && CONSTANTS_BINDINGS.has(n.expression.text)) {
      const presence = ts.isElementAccessExpression(n.parent) && n.parent.expression === n
        && ts.isPrefixUnaryExpression(n.parent.parent) && n.parent.parent.operator === ts.SyntaxKind.ExclamationToken
      const name = n.name.text
      into.set(name, presence && into.get(name) !== 'other' ? 'presence' : 'other')
    }
    ts.forEachChild(n, visit)
  }
  visit(node)
}

/** Replace each node's text with `text` padded with spaces to the node's length (lines and columns stay put). */
function replaceKeepingLength(source, nodes, text) {
  let out = source
  for (const n of nodes) {
    const start = n.getStart()
    const width = n.end - start
    if (width < text.length) throw new Error(`cannot fit ${text} in ${n.getText()}`)
    out = out.slice(0, start) + text + ' '.repeat(width - text.length) + out.slice(n.end)
  }
  return out
}

const cached = new Map()

/** clientOnlySources(dir), computed once per process (every build and bundle in it uses the same mqtt-packet). */
export function clientOnlySourcesOnce(dir) {
  if (!cached.has(dir)) cached.set(dir, clientOnlySources(dir))
  return cached.get(dir)
}

/** A Vite/Rollup/Rolldown plugin serving the client-only sources for mqtt-packet's modules. */
export function clientOnlyMqttPacket(dir) {
  const sources = clientOnlySourcesOnce(dir)
  const prefix = join(dir, '/')
  return {
    name: 'webmqtt-client-only-mqtt-packet',
    transform(code, id) {
      const file = id.split('?')[0]
      if (!file.startsWith(prefix)) return null
      const entry = sources.get(file.slice(prefix.length))
      if (!entry) return null
      if (code !== entry.original) this.error(`${file} changed since the build started`)
      // Blanking moved nothing: the module's source map is still the identity.
      return { code: entry.code, map: null }
    },
  }
}

/**
 * Top-level `const x = …` that the cuts left unused (used in `before`, not in `after`), when the initializer only
 * calls `require` (the `debug` shim included) or `Buffer`, so dropping it drops no effect.
 */
function orphanedDeclarations(ts, before, after) {
  const uses = (sf) => {
    const count = new Map()
    const visit = (n) => {
      if (ts.isIdentifier(n)) count.set(n.text, (count.get(n.text) ?? 0) + 1)
      ts.forEachChild(n, visit)
    }
    visit(sf)
    return count
  }
  const was = uses(before)
  const now = uses(after)
  const effectFree = (e) => {
    if (ts.isCallExpression(e)) {
      const callee = e.expression
      const known = ts.isIdentifier(callee) ? callee.text === 'require'
        : ts.isPropertyAccessExpression(callee) ? ts.isIdentifier(callee.expression) && callee.expression.text === 'Buffer'
          : effectFree(callee)
      return known && e.arguments.every(effectFree)
    }
    return ts.isStringLiteral(e) || ts.isNumericLiteral(e) || (ts.isArrayLiteralExpression(e) && e.elements.every(effectFree))
  }
  return after.statements.filter((s) => {
    if (!ts.isVariableStatement(s) || s.declarationList.declarations.length !== 1) return false
    const d = s.declarationList.declarations[0]
    return ts.isIdentifier(d.name) && d.initializer !== undefined && effectFree(d.initializer)
      && (was.get(d.name.text) ?? 0) > 1 && now.get(d.name.text) === 1
  })
}

/** Replace each node's text with spaces, keeping line breaks. */
function blank(text, nodes) {
  let out = text
  for (const n of nodes) {
    const start = n.getStart()
    out = out.slice(0, start) + out.slice(start, n.end).replace(/[^\r\n]/g, ' ') + out.slice(n.end)
  }
  return out
}

/** Does `node` contain an identifier (a binding or a property name) with one of `names`? */
function mentions(ts, node, names) {
  let hit = false
  const visit = (n) => {
    if (hit) return
    if (ts.isIdentifier(n) && names.has(n.text)) hit = true
    else ts.forEachChild(n, visit)
  }
  visit(node)
  return hit
}

/** `protocol.X = …` as a statement: X. */
function assignedConstant(ts, s) {
  if (!ts.isExpressionStatement(s) || !ts.isBinaryExpression(s.expression)) return undefined
  const { left, operatorToken } = s.expression
  if (operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(left)) return undefined
  return ts.isIdentifier(left.expression) && left.expression.text === 'protocol' ? left.name.text : undefined
}

/**
 * Adds the X of every `protocol.X` / `constants.X` read under `node` to `into`. Any other use of the module object
 * (`protocol[key]`, passing it along) could read anything: then nothing may be cut.
 */
function collectConstantReads(ts, node, into) {
  const visit = (n, parent) => {
    const isName = parent && (ts.isPropertyAccessExpression(parent) || ts.isPropertyAssignment(parent)
      || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === n
    if (ts.isIdentifier(n) && CONSTANTS_BINDINGS.has(n.text) && parent && !isName) {
      if (ts.isPropertyAccessExpression(parent) && parent.expression === n) {
        const isWrite = ts.isBinaryExpression(parent.parent) && parent.parent.left === parent
          && parent.parent.operatorToken.kind === ts.SyntaxKind.EqualsToken
        if (!isWrite) into.add(parent.name.text)
      } else if (!(ts.isVariableDeclaration(parent) && parent.name === n)) {
        throw new Error(`mqtt-packet: ${n.text} is used other than as ${n.text}.NAME (${parent.getText().slice(0, 80)}); cannot tell which constants are read`)
      }
    }
    ts.forEachChild(n, (c) => visit(c, n))
  }
  visit(node, node.parent)
}
