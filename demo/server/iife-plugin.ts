/**
 * Vite plugin: makes the browser package's IIFE build (global `webmqtt`) available at `/webmqtt.iife.js`,
 * for demo/script-tag.html. Serves packages/browser/dist/<iife file> in dev and preview, emits it in build.
 * When the package has not been built yet (e.g. straight after `pnpm install`), it bundles the IIFE in memory
 * with the package's own build options, so `pnpm demo` works without a build step.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Connect, Plugin } from 'vite'

export interface IifePluginOptions {
  /** packages/browser directory. */
  packageDir: string
  /** URL path served and file name emitted. Default 'webmqtt.iife.js'. */
  fileName?: string
}

/** Preferred names first; any other `*.iife*.js` / `*.global.js` in dist is accepted too. */
const KNOWN_NAMES = ['webmqtt.iife.js', 'webmqtt.min.js', 'index.iife.js', 'webmqtt.global.js', 'index.global.js']

/** Find the IIFE file in `<packageDir>/dist`, or undefined. Exported for tests. */
export function findIifeFile(packageDir: string): string | undefined {
  const dist = join(packageDir, 'dist')
  if (!existsSync(dist)) return undefined
  for (const n of KNOWN_NAMES) if (existsSync(join(dist, n))) return join(dist, n)
  const other = readdirSync(dist)
    .filter((n) => /\.(iife|global)(\.min)?\.js$/.test(n))
    .sort()[0]
  return other ? join(dist, other) : undefined
}

/** Build the IIFE in memory with the browser package's own build options (same shims, same global). */
async function bundleFromSource(): Promise<string> {
  const [{ build }, { viteOptions }] = await Promise.all([import('vite'), import('./browser-build.mjs')])
  const options = viteOptions('iife')
  const out = await build({
    ...options,
    logLevel: 'silent',
    build: { ...options.build, write: false, sourcemap: false, emptyOutDir: false },
  })
  const results = Array.isArray(out) ? out : [out]
  for (const r of results) {
    if (!('output' in r)) continue
    for (const chunk of r.output) if (chunk.type === 'chunk' && chunk.isEntry) return chunk.code
  }
  throw new Error('IIFE bundle produced no entry chunk')
}

export function iifePlugin(options: IifePluginOptions): Plugin {
  const fileName = options.fileName ?? 'webmqtt.iife.js'
  let fromSource: Promise<string> | undefined

  const load = async (warn: (m: string) => void): Promise<string> => {
    const file = findIifeFile(options.packageDir)
    if (file) return readFileSync(file, 'utf8')
    fromSource ??= bundleFromSource().then(
      (code) => {
        warn(`packages/browser/dist has no IIFE build yet; serving ${fileName} bundled from the package sources`)
        return code
      },
      (err: unknown) => {
        fromSource = undefined
        throw err
      },
    )
    return fromSource
  }

  const middleware = (warn: (m: string) => void): Connect.NextHandleFunction => (req, res, next) => {
    const url = (req.url ?? '').split('?')[0]
    if (url !== `/${fileName}`) return next()
    load(warn).then(
      (code) => {
        res.setHeader('content-type', 'text/javascript; charset=utf-8')
        res.setHeader('cache-control', 'no-cache')
        res.end(code)
      },
      (err: unknown) => {
        res.statusCode = 500
        res.setHeader('content-type', 'text/plain; charset=utf-8')
        res.end(`cannot provide ${fileName}: ${(err as Error)?.message ?? String(err)}\n`)
      },
    )
  }

  return {
    name: 'webmqtt-iife',
    configResolved(config) {
      // The page loads the IIFE as a classic script on purpose (that is its point), and Vite warns that it cannot
      // bundle it. This plugin provides the file, so drop exactly that warning.
      const warn = config.logger.warn.bind(config.logger)
      config.logger.warn = (msg, opts) => {
        if (msg.includes(`<script src="/${fileName}">`) && msg.includes("can't be bundled")) return
        warn(msg, opts)
      }
    },
    configureServer(server) {
      server.middlewares.use(middleware((m) => server.config.logger.warn(m, { timestamp: true })))
    },
    configurePreviewServer(server) {
      // `vite preview` serves dist/, which already holds the emitted file; this covers a stale dist.
      server.middlewares.use(middleware((m) => server.config.logger.warn(m)))
    },
    async generateBundle() {
      const source = await load((m) => this.warn(m))
      this.emitFile({ type: 'asset', fileName, source })
    },
  }
}
