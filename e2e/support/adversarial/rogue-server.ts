/**
 * The rogue MQTT-over-WebSocket server: node `ws` on 127.0.0.1, subprotocol `mqtt` accepted, listening on
 * several ports (Chromium opens one WebSocket per host:port at a time, so cases spread over ports run in
 * parallel). A connection to `/case/<id>` plays that case of the catalogue: it waits for the client's first
 * frame (its CONNECT) unless the case speaks first, sends the case's frames, then holds, closes or drops the
 * connection. It records per case what the client did: what it sent, and whether it closed the connection.
 */
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { ws } from './deps.js'
import type { WsServer, WsSocket } from './deps.js'
import type { RogueCase } from './rogue-cases.js'

export interface CaseRecord {
  /** Connections made for this case (a correct client makes exactly one: reconnectOnFailure is off). */
  connections: number
  /** First byte of the client's first frame (0x10: CONNECT), and its protocol level byte. */
  firstByte?: number
  protocolLevel?: number
  /** Who closed: the client (close frame or TCP end while the server held the line) or the server. */
  closedBy?: 'client' | 'server'
  /** The server closed because a hold ran out (the client never closed). */
  holdExpired?: boolean
  closeCode?: number
  /** First bytes of every later client frame (a v5 client may send DISCONNECT with a reason code). */
  later: number[][]
}

export interface RogueServer {
  readonly ports: readonly number[]
  /** The URL of case `id`, spread over the ports. */
  url(id: number): string
  readonly records: Map<number, CaseRecord>
  /** Connections currently open. */
  readonly open: number
  stop(): Promise<void>
}

export async function startRogueServer(cases: readonly RogueCase[], opts: { ports?: number; holdMs?: number } = {}): Promise<RogueServer> {
  const byId = new Map(cases.map((c) => [c.id, c]))
  const records = new Map<number, CaseRecord>()
  const holdMs = opts.holdMs ?? 5000
  const sockets = new Set<WsSocket>()
  const servers: Array<{ http: Server; wss: WsServer; port: number }> = []

  const play = (socket: WsSocket, c: RogueCase, rec: CaseRecord): void => {
    let serverClosing = false
    let holdTimer: NodeJS.Timeout | undefined
    const send = (): void => {
      for (const f of c.frames) {
        if (socket.readyState !== 1) return
        if (typeof f.data === 'string') socket.send(f.data)
        else if (f.raw) socket._socket.write(f.data)
        else socket.send(f.data, { binary: true })
      }
      if (c.then === 'close') {
        serverClosing = true
        socket.close(1000, 'rogue: done')
      } else if (c.then === 'terminate') {
        serverClosing = true
        socket.terminate()
      } else {
        holdTimer = setTimeout(() => {
          rec.holdExpired = true
          serverClosing = true
          socket.terminate()
        }, holdMs)
      }
    }
    socket.on('close', (code) => {
      if (holdTimer) clearTimeout(holdTimer)
      rec.closedBy ??= serverClosing ? 'server' : 'client'
      rec.closeCode = code
    })
    let first = true
    socket.on('message', (data) => {
      const b = new Uint8Array(data)
      if (first) {
        first = false
        rec.firstByte = b[0]
        // CONNECT: fixed header, remaining length (1–4 bytes), protocol name (2 + 4 or 6), then the level.
        let i = 1
        while (i < 5 && ((b[i] ?? 0) & 0x80) !== 0) i++
        const nameLen = ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0)
        rec.protocolLevel = b[i + 3 + nameLen]
        if (c.when === 'after-connect') send()
      } else {
        rec.later.push([...b.subarray(0, 4)])
      }
    })
    if (c.when === 'on-open') send()
  }

  const count = Math.max(1, opts.ports ?? 1)
  for (let i = 0; i < count; i++) {
    const http = createServer((_req, res) => {
      res.writeHead(426).end()
    })
    const wss = new ws.WebSocketServer({
      server: http,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false),
    })
    wss.on('connection', (socket, req) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {})
      const m = /^\/case\/(\d+)$/.exec(req.url ?? '')
      const c = m ? byId.get(Number(m[1])) : undefined
      if (!c) {
        socket.close(1008, 'no such case')
        return
      }
      let rec = records.get(c.id)
      if (!rec) records.set(c.id, (rec = { connections: 0, later: [] }))
      rec.connections++
      play(socket, c, rec)
    })
    const port = await new Promise<number>((resolve, reject) => {
      http.once('error', reject)
      http.listen(0, '127.0.0.1', () => {
        const a = http.address()
        resolve(typeof a === 'object' && a ? a.port : 0)
      })
    })
    servers.push({ http, wss, port })
  }
  const ports = servers.map((s) => s.port)

  return {
    ports,
    url: (id) => `ws://127.0.0.1:${ports[id % ports.length]}/case/${id}`,
    records,
    get open() { return sockets.size },
    async stop() {
      for (const s of sockets) s.terminate()
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => {
        s.wss.close(() => s.http.close(() => resolve()))
      })))
    },
  }
}
