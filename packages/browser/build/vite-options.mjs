// Shared Vite (library mode) settings for the two browser bundles. mqtt-packet's Node-only dependencies are
// replaced with small shims (shims.mjs) and its server-side code paths are left out (client-only-mqtt-packet.mjs),
// without forking it. Everything, the core included, is bundled so consumers need zero configuration.
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defaultClientConditions } from 'vite'
import { clientOnlyMqttPacket, mqttPacketDir } from './client-only-mqtt-packet.mjs'
import { SHIMS } from './shims.mjs'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
export const packageRoot = here('../')

export { SHIMS }

/** Resolve-time aliases as a plugin (works the same in Vite, Rollup and Rolldown). */
export function browserShims() {
  return {
    name: 'webmqtt-browser-shims',
    enforce: 'pre',
    resolveId(id) {
      return Object.prototype.hasOwnProperty.call(SHIMS, id) ? SHIMS[id] : null
    },
  }
}

/**
 * `_name` string literals: property names used by name (mqtt-packet's parser calls its state methods so), except
 * the first argument of a `debug(…)` call (its tracing, dropped from the bundle).
 */
const QUOTED_PRIVATE_NAME = /(?<!\bdebug\(\s*)['"`](_[A-Za-z0-9][A-Za-z0-9_$]*)['"`]/g

/**
 * The IIFE's minifier also shortens `_x`-style property names (mqtt-packet's parser state and methods, the shims'
 * fields, the core's internal `_reject`-style methods): they are internal to the bundle. Names that also occur as
 * string literals are kept: found by reading the sources of everything bundled (mqtt-packet, the core, this
 * package, the shims) before the build; the plugin checks during the build that no bundled module has another one.
 */
export function privateNameMangling() {
  const files = [
    ...sourceFiles(mqttPacketDir(here('../../core')), /^(?!test)\w+\.js$/),
    ...sourceFiles(here('../../core/src'), /\.ts$/), ...sourceFiles(here('../src'), /\.ts$/), ...sourceFiles(here('./shims'), /\.c?js$/),
  ]
  const reserved = new Set()
  for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(QUOTED_PRIVATE_NAME)) reserved.add(m[1])
  const exact = [...mqttPacketConstants(), ...INTERNAL_PROPERTY_NAMES]
  checkInternalPropertyNames(files, exact)
  const plugin = {
    name: 'webmqtt-private-name-mangling',
    transform(code, id) {
      for (const m of code.matchAll(QUOTED_PRIVATE_NAME)) {
        if (!reserved.has(m[1])) this.error(`${id} uses the property name ${m[1]} as a string; it is not reserved from mangling`)
      }
      return null
    },
  }
  return { plugin, mangleProps: { include: new RegExp(`^(_[A-Za-z0-9]|(?:${exact.join('|')})$)`), reserved: [...reserved].sort() } }
}

/**
 * Property names of the core's internal objects, shortened in the IIFE like the `_x` names. Each belongs only to
 * objects that never leave the bundle (the connection, the outbox/inbox/persister and their messages, the inbound
 * context, deferreds): never part of the public API or of a Transport/SessionStore/Timers contract, never stored
 * (StoreOp records keep their names), never used as a string (`'name' in x`, `x['name']`). Checked: none occurs as a
 * quoted string in a bundled module, nor as a member of the public interfaces (CHECKED_PUBLIC_FILES).
 */
export const INTERNAL_PROPERTY_NAMES = [
  // Connection and its options
  'attach', 'bytesIn', 'bytesOut', 'handlers', 'maxIncomingPacket', 'maxOutgoingPacket', 'maxTopicAlias', 'onClosed',
  'onKeepaliveTimeout', 'onPacket', 'onProtocolError', 'sendBytes', 'startKeepalive',
  // the inbound context (inbound.ts)
  'connackOk', 'connackRefused', 'deliver', 'inbox', 'isAttempt', 'isCurrent', 'outbox', 'pending', 'persister',
  'protocolError', 'releaseId', 'subscribed', 'unsubscribed',
  // Outbox, its hooks and its messages; Inbox; Persister; PacketIds; Emitter; Deferred
  'completed', 'durable', 'everSent', 'failAll', 'link', 'maxQueued', 'onPuback', 'onPubcomp', 'onPubrec', 'pump',
  'requeue', 'resume', 'sentOn', 'stored', 'takeQueued', 'writes', 'isRestoredUndelivered', 'takeRestored', 'newConnection',
  'sizeThisConnection', 'enqueue',
  'allocate', 'reserve', 'onListenerError', 'settled', 'batches', 'take', 'isUsed', 'restore',
  // Keepalive and its hooks, Backoff
  'dead', 'intervalMs', 'ping', 'received', 'attempts',
]
/** The public interfaces of the core: none of their members may be in INTERNAL_PROPERTY_NAMES. */
const CHECKED_PUBLIC_FILES = ['transport.ts', 'store.ts', 'types.ts', 'client-types.ts', 'timers.ts', 'message.ts', 'message-info.ts', 'codes.ts', 'errors.ts', 'helpers.ts']
/** Core files whose classes are public (their members are checked; their internal object literals are not). */
const CHECKED_PUBLIC_CLASSES = ['client.ts', 'memory-store.ts']

/**
 * Parses every bundled source (`files`) for string literals, and the public interfaces for member names: none may
 * be one of the `names` shortened in the IIFE (INTERNAL_PROPERTY_NAMES and mqtt-packet's constant names).
 */
function checkInternalPropertyNames(files, names) {
  const ts = createRequire(import.meta.url)('typescript')
  const internal = new Set(names)
  const publicFiles = new Set([...CHECKED_PUBLIC_FILES.map((f) => here(`../../core/src/${f}`)), ...sourceFiles(here('../src'), /\.ts$/)])
  const publicClasses = new Set(CHECKED_PUBLIC_CLASSES.map((f) => here(`../../core/src/${f}`)))
  for (const f of new Set([...files, ...publicFiles, ...publicClasses])) {
    const visit = (node, inClass = false) => {
      const checkMembers = publicFiles.has(f) || (inClass && publicClasses.has(f))
      if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && internal.has(node.text)) {
        throw new Error(`${f} uses ${node.text} as a string, but the IIFE shortens that property name`)
      }
      if (checkMembers && (ts.isPropertySignature(node) || ts.isMethodSignature(node) || ts.isPropertyDeclaration(node)
        || ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node) || ts.isPropertyAssignment(node)
        || ts.isShorthandPropertyAssignment(node)) && ts.isIdentifier(node.name) && internal.has(node.name.text)) {
        throw new Error(`${f} has a member ${node.name.text}, but the IIFE shortens that property name`)
      }
      ts.forEachChild(node, (child) => visit(child, ts.isClassDeclaration(node)))
    }
    visit(ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true))
  }
}

/**
 * mqtt-packet's constants module is an exports object read with dot access only (`protocol.CMD_SHIFT`,
 * `constants.propertiesTypes`): its names are internal to the bundle too. Read from the module itself, and checked
 * like INTERNAL_PROPERTY_NAMES (never a string, never a public member; `webmqtt.MQTT_…` are not in this list).
 */
export function mqttPacketConstants() {
  const file = join(mqttPacketDir(here('../../core')), 'constants.js')
  const names = [...readFileSync(file, 'utf8').matchAll(/^protocol\.([A-Za-z][A-Za-z0-9_]*) =/gm)].map((m) => m[1])
  return [...new Set(names)].filter((n) => /^[A-Z][A-Z0-9_]+$/.test(n) || /^(properties(Types|Codes)|requiredHeaderFlags(Errors)?)$/.test(n)).sort()
}

function sourceFiles(dir, pattern) {
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => pattern.test(f)).map((f) => join(dir, f))
}

/**
 * The IIFE's entry: a module whose default export is one object literal with every value `src/index.ts` exports,
 * so the global `webmqtt` is built as `{ ...errors, errors, Client: …, MQTT_ERR_AGAIN: -1, … }` (constants inlined,
 * the error classes taken from the `errors` object instead of being listed twice) rather than by one assignment per
 * export. Generated from the index's export list, so the two cannot drift apart.
 */
export function iifeEntry(index = here('../src/index.ts')) {
  const id = '\0webmqtt-iife-entry'
  return {
    name: 'webmqtt-iife-entry',
    enforce: 'pre',
    resolveId(source) {
      return source === IIFE_ENTRY ? id : null
    },
    async load(source) {
      if (source !== id) return null
      const names = (await this.load({ id: index })).exports.filter((n) => n !== 'default').sort()
      // The names listed in the `errors` object literal come with `...errors` (a name missed here is merely listed twice).
      const literal = /export const errors\b[^=]*=\s*\{([^}]*)\}/.exec(readFileSync(index, 'utf8'))?.[1] ?? ''
      const inErrors = new Set(literal.match(/[A-Za-z_$][\w$]*/g))
      const spread = names.includes('errors') ? '...errors, ' : ''
      const listed = names.filter((n) => !inErrors.has(n))
      return `import { ${names.join(', ')} } from ${JSON.stringify(index)}\nexport default { ${spread}${listed.join(', ')} }\n`
    },
  }
}
/** Not a file: the plugin provides it (Vite resolves a library entry to an absolute path first). */
const IIFE_ENTRY = here('./iife-entry.js')

/**
 * Rolldown keeps `import "./core/codes.js"` in an ESM module whose only imports from it were constants it inlined.
 * The package is `sideEffects: false`, so bundlers drop such an import anyway, esbuild with an "ignored-bare-import"
 * warning in the consumer's build. Blank those lines out (same line count, so the source maps stay right).
 */
export function dropBareImports() {
  return {
    name: 'webmqtt-drop-bare-imports',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === 'chunk') chunk.code = chunk.code.replace(/^import "\.{1,2}\/[^"]+";$/gm, '')
      }
    },
  }
}

/**
 * ESM output keeps one file per module (so `sideEffects: false` lets consumers drop whole modules): our own at
 * the top of dist/, the core under dist/core/, mqtt-packet under dist/vendor/ (never a node_modules folder:
 * npm would leave it out of the package), the shims under dist/shims/.
 * @param {string} name module path as Rolldown reports it
 */
export function esmFileName(name) {
  const n = name.replace(/\\/g, '/')
  const vendor = /(?:^|\/)node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(.+)$/.exec(n)
  if (vendor) return `vendor/${vendor[1]}.js`
  const core = /(?:^|\/)packages\/core\/src\/(.+)$/.exec(n)
  if (core) return `core/${core[1]}.js`
  const shim = /(?:^|\/)build\/shims\/(.+)$/.exec(n)
  if (shim) return `shims/${shim[1]}.js`
  const runtime = /_rolldown\/(.+)$/.exec(n)
  if (runtime) return `_rolldown/${runtime[1]}.js`
  return `${n}.js`
}

/**
 * @param {'es' | 'iife'} format
 * @param {string} [entry] the module whose exports the bundle exposes (default src/index.ts; tests bundle fixtures)
 * @returns {import('vite').InlineConfig}
 */
export function viteOptions(format, entry = here('../src/index.ts')) {
  const es = format === 'es'
  const mangling = es ? undefined : privateNameMangling()
  return {
    configFile: false,
    root: packageRoot,
    logLevel: 'warn',
    plugins: [browserShims(), clientOnlyMqttPacket(mqttPacketDir(here('../../core'))), ...(mangling ? [mangling.plugin, iifeEntry(entry)] : [dropBareImports()])],
    resolve: {
      // `source` maps @webmqtt/core to its TypeScript sources.
      conditions: ['source', ...defaultClientConditions],
    },
    define: es ? {} : { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      sourcemap: true,
      minify: !es,
      reportCompressedSize: false,
      lib: {
        entry: es ? entry : IIFE_ENTRY,
        formats: [format],
        name: 'webmqtt',
        fileName: (_format, entryName) => (es ? esmFileName(entryName) : 'webmqtt.iife.js'),
      },
      rolldownOptions: {
        output: es
          ? { preserveModules: true, preserveModulesRoot: here('../src') }
          : {
              exports: 'default',
              generatedCode: { preset: 'es2015', symbols: false },
              minify: { compress: true, mangle: true, codegen: true, mangleProps: mangling?.mangleProps },
            },
        // Bundle everything: no bare import may remain in the output.
        external: [],
        // Imported constants used as values (the IIFE's export object) are inlined.
        optimization: { inlineConst: { mode: 'all', pass: 2 } },
        treeshake: {
          // mqtt-packet's tracing calls go to the no-op `debug` shim: drop the calls and their format strings,
          manualPureFunctions: ['debug'],
          // and the property reads left over from their arguments (nothing here reads a property for effect).
          propertyReadSideEffects: false,
        },
      },
    },
  }
}
