// Shared Vite (library mode) settings for the two browser bundles. mqtt-packet is CommonJS written for Node;
// these aliases keep its Node-only dependencies out of the bundle without forking it:
//   bl                   → shims/buffer-list.cjs: the chunk list the parser uses, without readable-stream
//   debug                → a no-op (tracing only; the calls are dropped as pure)
//   process-nextick-args → queueMicrotask
//   events               → a minimal EventEmitter
//   buffer               → shims/buffer.cjs: the part of Buffer used, on Uint8Array + TextEncoder/TextDecoder
// (The `buffer` package and bl's own BufferList work too, but cost ~9 KB gzip of the 30 KB budget.)
// Everything, the core included, is bundled so consumers need zero configuration.
import { fileURLToPath } from 'node:url'
import { defaultClientConditions } from 'vite'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))
export const packageRoot = here('../')

export const SHIMS = {
  bl: here('./shims/buffer-list.cjs'),
  buffer: here('./shims/buffer.cjs'),
  debug: here('./shims/debug.cjs'),
  'process-nextick-args': here('./shims/process-nextick-args.cjs'),
  events: here('./shims/events.cjs'),
}

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
 * @returns {import('vite').InlineConfig}
 */
export function viteOptions(format) {
  const es = format === 'es'
  return {
    configFile: false,
    root: packageRoot,
    logLevel: 'warn',
    plugins: [browserShims()],
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
        entry: here('../src/index.ts'),
        formats: [format],
        name: 'webmqtt',
        fileName: (_format, entryName) => (es ? esmFileName(entryName) : 'webmqtt.iife.js'),
      },
      rolldownOptions: {
        ...(es ? { output: { preserveModules: true, preserveModulesRoot: here('../src') } } : {}),
        // Bundle everything: no bare import may remain in the output.
        external: [],
        // mqtt-packet's tracing calls go to the no-op `debug` shim: drop the calls and their format strings.
        treeshake: { manualPureFunctions: ['debug'] },
      },
    },
  }
}
