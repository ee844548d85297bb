/**
 * Builds the consumer apps of e2e/consumers (scenario 10) from the workspace with each tool's defaults, into a
 * temp directory, and serves each from its own loopback HTTP server — optionally with a strict
 * Content-Security-Policy header on the document (`?csp=1`).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { Socket } from 'node:net'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { extname, join, normalize, sep } from 'node:path'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import { build as esbuild } from 'esbuild'
import { rollup } from 'rollup'
import webpack from 'webpack'
import { E2E_ROOT } from '../bundle.js'
import { loadVite } from './deps.js'

export const CONSUMERS_DIR = join(E2E_ROOT, 'consumers')
export const STRICT_CSP = "default-src 'self'; connect-src ws://127.0.0.1:*"

export type ConsumerName = 'vite' | 'esbuild' | 'webpack' | 'rollup' | 'script'

export interface BuiltConsumers {
  /** Consumer → directory with its index.html and assets. */
  readonly dirs: Record<ConsumerName, string>
  /** Build time per consumer, ms. */
  readonly ms: Record<ConsumerName, number>
  remove(): void
}

/** What the package's exports give `@webmqtt/browser/iife` (resolved like a consumer would, from e2e/). */
export function iifePath(): string {
  return createRequire(join(E2E_ROOT, 'package.json')).resolve('@webmqtt/browser/iife')
}

export async function buildConsumers(): Promise<BuiltConsumers> {
  const out = mkdtempSync(join(tmpdir(), 'webmqtt-consumers-'))
  const dirs = {
    vite: join(out, 'vite'), esbuild: join(out, 'esbuild'), webpack: join(out, 'webpack'), rollup: join(out, 'rollup'),
    script: join(out, 'script'),
  }
  const ms = { vite: 0, esbuild: 0, webpack: 0, rollup: 0, script: 0 }
  try {
    // Vite: `vite build` of the SPA, no config file; only the output directory is ours (a temp dir).
    let t = Date.now()
    const vite = await loadVite()
    await vite.build({
      root: join(CONSUMERS_DIR, 'vite-spa'), configFile: false, logLevel: 'warn',
      build: { outDir: dirs.vite, emptyOutDir: true },
    })
    ms.vite = Date.now() - t

    // esbuild: `esbuild main.js --bundle --format=esm --outfile=…`, nothing else.
    t = Date.now()
    mkdirSync(dirs.esbuild, { recursive: true })
    // A warning fails the build here too (e.g. "ignored-bare-import" for a side-effect import of our package).
    const built = await esbuild({ entryPoints: [join(CONSUMERS_DIR, 'esbuild/main.js')], bundle: true, format: 'esm', outfile: join(dirs.esbuild, 'main.js'), logLevel: 'silent' })
    if (built.warnings.length > 0) throw new Error(`esbuild warnings:\n${built.warnings.map((w) => `${w.id}: ${w.text}`).join('\n')}`)
    writeFileSync(join(dirs.esbuild, 'index.html'), bundlePage('esbuild', 'module'))
    ms.esbuild = Date.now() - t

    // webpack 5: `webpack --mode production` with the entry and output named, nothing else (no resolve.fallback,
    // no ProvidePlugin): the default target 'web', a classic <script> bundle.
    t = Date.now()
    await webpackBuild({
      mode: 'production',
      entry: join(CONSUMERS_DIR, 'webpack/main.js'),
      output: { path: dirs.webpack, filename: 'main.js' },
    })
    writeFileSync(join(dirs.webpack, 'index.html'), bundlePage('webpack', 'classic'))
    ms.webpack = Date.now() - t

    // Rollup 4: `rollup main.js -p node-resolve -o …` (default ESM output). node-resolve with its defaults is the
    // one plugin, since Rollup alone leaves bare imports external; the package's dist/index.js needs no
    // @rollup/plugin-commonjs. Any warning (e.g. an unresolved import left external) fails the build.
    t = Date.now()
    const warnings: string[] = []
    const bundle = await rollup({
      input: join(CONSUMERS_DIR, 'rollup/main.js'),
      plugins: [nodeResolve()],
      onwarn: (w) => { warnings.push(`${w.code}: ${w.message}`) },
    })
    try {
      await bundle.write({ file: join(dirs.rollup, 'main.js'), format: 'es' })
    } finally {
      await bundle.close()
    }
    if (warnings.length > 0) throw new Error(`rollup warnings:\n${warnings.join('\n')}`)
    writeFileSync(join(dirs.rollup, 'index.html'), bundlePage('Rollup', 'module'))
    ms.rollup = Date.now() - t

    // Plain <script src>: the page, its script, and the package's IIFE build as published.
    t = Date.now()
    mkdirSync(dirs.script, { recursive: true })
    for (const f of ['index.html', 'app.js']) copyFileSync(join(CONSUMERS_DIR, 'script-tag', f), join(dirs.script, f))
    copyFileSync(iifePath(), join(dirs.script, 'webmqtt.iife.js'))
    ms.script = Date.now() - t
  } catch (err) {
    rmSync(out, { recursive: true, force: true })
    throw err
  }
  return { dirs, ms, remove: () => rmSync(out, { recursive: true, force: true }) }
}

/** The page of the esbuild, webpack and Rollup apps: loads their `main.js` (an ES module, or a classic script). */
function bundlePage(tool: string, script: 'module' | 'classic'): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>webmqtt — ${tool} consumer</title>
  </head>
  <body>
    <h1>webmqtt — ${tool} consumer</h1>
    <pre id="out">running…</pre>
    <script${script === 'module' ? ' type="module"' : ''} src="main.js"></script>
  </body>
</html>
`
}

/** webpack's JS API (`compiler.run`, then `close`); fails on compile errors and on warnings (reported, not ignored). */
function webpackBuild(config: webpack.Configuration): Promise<void> {
  const compiler = webpack(config)
  return new Promise((resolve, reject) => {
    compiler.run((err, stats) => {
      compiler.close((closeErr) => {
        const problems = stats?.toJson({ all: false, errors: true, warnings: true })
        const messages = [...(problems?.errors ?? []), ...(problems?.warnings ?? [])].map((e) => e.message)
        if (err ?? closeErr) reject(err ?? closeErr)
        else if (!stats) reject(new Error('webpack: no stats'))
        else if (messages.length > 0) reject(new Error(`webpack:\n${messages.join('\n')}`))
        else resolve()
      })
    })
  })
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8', '.svg': 'image/svg+xml',
}

export interface ConsumerServer {
  readonly baseUrl: string
  stop(): Promise<void>
}

/** Serve `root` on 127.0.0.1; a document requested with `?csp=1` carries STRICT_CSP. */
export async function serveConsumer(root: string): Promise<ConsumerServer> {
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const rel = normalize(decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)).replace(/^[/\\]+/, '')
    const file = join(root, rel)
    if (rel.startsWith('..') || !file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    const headers: Record<string, string> = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }
    if (url.searchParams.get('csp') === '1') headers['content-security-policy'] = STRICT_CSP
    res.writeHead(200, headers).end(readFileSync(file))
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const a = server.address()
      resolve(typeof a === 'object' && a ? a.port : 0)
    })
  })
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
}
