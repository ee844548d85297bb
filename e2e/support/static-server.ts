/**
 * The e2e HTTP server (node:http only), run by global setup in the Playwright runner process:
 *
 *   GET /pages/<file>         e2e/pages (test pages: plain HTML, Vite-free ESM)
 *   GET /build/<file>         e2e/dist (page bundles global setup builds with esbuild from the sources)
 *   GET /browser/<file>       packages/browser/dist (the package's IIFE and ESM builds)
 *   GET /__log/<broker>       that broker's log so far (`?from=N`: from character N); header x-log-length
 *   GET /__upgrades           JSON list of WebSocket upgrade requests seen on /ws/<broker>/… (url, headers)
 *   WS  /ws/<broker>/<path>   forwarded as-is (path and query kept) to that broker's websockets port, after
 *                             recording it: a broker-side view of the URL, subprotocol and headers a page used
 *
 * Everything binds 127.0.0.1 on an ephemeral port. Responses are `no-store` so a reload refetches.
 */
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import type { IncomingMessage, Server } from 'node:http'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
}

export interface UpgradeRecord {
  /** Sequence number, from 1. */
  readonly n: number
  readonly broker: string
  /** The request URL as the server saw it (path and query). */
  readonly url: string
  readonly headers: Record<string, string | string[] | undefined>
  /** The offered WebSocket subprotocols. */
  readonly protocols: string[]
}

export interface StaticServer {
  readonly port: number
  readonly baseUrl: string
  readonly upgrades: readonly UpgradeRecord[]
  stop(): Promise<void>
}

export interface StaticServerOptions {
  /** URL prefix (without slashes) → directory. */
  roots: Record<string, string>
  /** Broker name → its websockets port on 127.0.0.1 (for /ws/<broker>/…). */
  wsTargets: Record<string, number>
  /** Broker name → its log so far (for /__log/<broker>). */
  logs: Record<string, () => string>
}

export async function startStaticServer(opts: StaticServerOptions): Promise<StaticServer> {
  const upgrades: UpgradeRecord[] = []
  const sockets = new Set<Socket>()

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const parts = url.pathname.split('/').filter(Boolean)
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers })
      res.end(body)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed')
    if (url.pathname === '/favicon.ico') return send(204, '')
    if (parts[0] === '__upgrades') return send(200, JSON.stringify(upgrades), TYPES['.json'])
    if (parts[0] === '__log') {
      const log = opts.logs[parts[1] ?? '']
      if (!log) return send(404, `no log for ${parts[1] ?? ''}`)
      const text = log()
      const from = Math.max(0, Number(url.searchParams.get('from') ?? 0) || 0)
      return send(200, from <= text.length ? text.slice(from) : text, undefined, { 'x-log-length': String(text.length) })
    }
    const root = opts.roots[parts[0] ?? '']
    if (!root) return send(404, 'not found')
    const rel = normalize(decodeURIComponent(parts.slice(1).join('/')))
    const file = join(root, rel)
    if (rel.startsWith('..') || !file.startsWith(root.endsWith(sep) ? root : root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      return send(404, `not found: ${url.pathname}`)
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' })
    if (req.method === 'HEAD') return void res.end()
    createReadStream(file).pipe(res)
  })

  server.on('connection', (s) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const m = /^\/ws\/([^/?]+)(.*)$/.exec(req.url ?? '')
    const port = m ? opts.wsTargets[m[1] ?? ''] : undefined
    if (!m || port === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n')
      return
    }
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean)
    upgrades.push({ n: upgrades.length + 1, broker: m[1] ?? '', url: req.url ?? '', headers: { ...req.headers }, protocols })
    const upstream = connect({ host: '127.0.0.1', port })
    sockets.add(upstream)
    upstream.once('close', () => sockets.delete(upstream))
    const kill = (): void => { socket.destroy(); upstream.destroy() }
    upstream.on('error', kill)
    socket.on('error', kill)
    upstream.once('connect', () => {
      // Re-send the request head unchanged (raw header casing and order), then relay both ways.
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`]
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`)
      if (head.length > 0) upstream.write(head)
      socket.pipe(upstream)
      upstream.pipe(socket)
    })
    socket.once('close', () => upstream.destroy())
    upstream.once('close', () => socket.destroy())
  })

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const a = server.address()
      resolve(typeof a === 'object' && a ? a.port : 0)
    })
  })

  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    upgrades,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
}
