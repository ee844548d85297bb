// An Aedes MQTT broker (3.1/3.1.1) served over WebSocket on an existing Node HTTP server, at one path only.
// Used by the Vite plugin (same origin as the page, so the demo works offline) and by scripts/broker.mjs.
// Plain ESM JavaScript so that `node scripts/broker.mjs` runs without a build; types in embedded-broker.d.mts.
import { Aedes } from 'aedes'
import { WebSocketServer, createWebSocketStream } from 'ws'

/**
 * Attach an embedded broker to `httpServer`: WebSocket upgrades for `path` go to Aedes, every other upgrade
 * (Vite's HMR socket, proxies) is left to the other listeners.
 * @param {import('node:http').Server} httpServer
 * @param {{ path?: string, log?: (msg: string) => void }} [options]
 */
export async function attachEmbeddedBroker(httpServer, options = {}) {
  const path = options.path ?? '/mqtt'
  const log = options.log ?? (() => {})
  const broker = await Aedes.createBroker()
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
  /** @type {Set<import('ws').WebSocket>} */
  const sockets = new Set()

  wss.on('connection', (ws, req) => {
    sockets.add(ws)
    ws.once('close', () => sockets.delete(ws))
    const stream = createWebSocketStream(ws)
    // A client that vanishes mid-frame makes the duplex emit an error; Aedes cleans up on close.
    stream.on('error', () => {})
    broker.handle(stream, req)
  })

  broker.on('clientError', (client, err) => log(`client ${client?.id ?? '?'} error: ${err.message}`))

  /** @param {import('node:http').IncomingMessage} req @param {import('node:stream').Duplex} socket @param {Buffer} head */
  const onUpgrade = (req, socket, head) => {
    let pathname
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname
    } catch {
      return
    }
    if (pathname !== path) return
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  }
  httpServer.on('upgrade', onUpgrade)

  let closing
  const close = () => {
    closing ??= (async () => {
      httpServer.off('upgrade', onUpgrade)
      for (const ws of sockets) ws.terminate()
      await new Promise((resolve) => wss.close(() => resolve(undefined)))
      await new Promise((resolve) => broker.close(() => resolve(undefined)))
    })()
    return closing
  }
  httpServer.once('close', () => { void close() })

  return {
    broker,
    path,
    /** Number of open MQTT WebSocket connections. */
    get connectionCount() { return sockets.size },
    close,
  }
}

/**
 * The ws:// URL of the broker on a listening server (IPv6 hosts bracketed).
 * @param {import('node:http').Server} httpServer
 * @param {string} [path]
 */
export function brokerUrl(httpServer, path = '/mqtt') {
  const addr = httpServer.address()
  if (addr === null || typeof addr === 'string') throw new Error('server is not listening on a TCP port')
  const host = addr.family === 'IPv6' || addr.family === 6 ? `[${addr.address}]` : addr.address
  return `ws://${host}:${addr.port}${path}`
}
