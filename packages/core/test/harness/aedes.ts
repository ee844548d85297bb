/**
 * Aedes 1.2.0 (MQTT 3.1.1 only) over WebSocket (`ws`) and plain TCP on 127.0.0.1 ephemeral ports:
 * in-process (`startAedes`) or in a child process that can be killed and restarted (`startAedesProcess`).
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createServer as createHttpServer } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import type { Server as TcpServer, Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { LOOPBACK, freePort, waitForPorts } from './ports.js'
import { guardChild, terminate } from './processes.js'

export interface AedesOptions {
  /** Options passed to `Aedes.createBroker` (e.g. `authenticate`, `heartbeatInterval`). */
  brokerOptions?: Record<string, unknown>
  wsPort?: number
  tcpPort?: number
}

export interface AedesBroker {
  readonly wsPort: number
  /** Plain MQTT over TCP, handy for the raw helper. */
  readonly tcpPort: number
  /** `ws://127.0.0.1:<wsPort>/mqtt` */
  readonly wsUrl: string
  /** The Aedes instance (typed loosely so this file does not need aedes' types at compile time). */
  readonly broker: AedesInstance
  /** Close every connection, both servers and the broker. */
  stop(): Promise<void>
}

/** The parts of the Aedes instance tests use. */
export interface AedesInstance {
  readonly id: string
  handle(stream: unknown, req?: unknown): unknown
  close(cb?: () => void): void
  on(event: string, listener: (...args: never[]) => void): unknown
  publish(packet: Record<string, unknown>, cb: (err?: Error | null) => void): void
}

function listen(server: { listen(port: number, host: string, cb: () => void): unknown; once(e: string, l: (err: Error) => void): unknown; address(): unknown }, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, LOOPBACK, () => {
      const addr = server.address() as { port: number } | null
      resolve(addr?.port ?? 0)
    })
  })
}

export async function startAedes(opts: AedesOptions = {}): Promise<AedesBroker> {
  const { Aedes } = (await import('aedes')) as unknown as { Aedes: { createBroker(o?: unknown): Promise<AedesInstance> } }
  const { WebSocketServer, createWebSocketStream } = await import('ws')
  const broker = await Aedes.createBroker(opts.brokerOptions ?? {})

  const http = createHttpServer()
  const wss = new WebSocketServer({ server: http })
  wss.on('connection', (ws, req) => {
    const stream = createWebSocketStream(ws)
    stream.on('error', () => {})
    broker.handle(stream, req)
  })
  const sockets = new Set<Socket>()
  const tcp: TcpServer = createTcpServer((sock) => {
    sockets.add(sock)
    sock.on('close', () => sockets.delete(sock))
    sock.on('error', () => {})
    broker.handle(sock)
  })
  http.on('connection', (sock: Socket) => {
    sockets.add(sock)
    sock.on('close', () => sockets.delete(sock))
  })
  const wsPort = await listen(http, opts.wsPort ?? 0)
  const tcpPort = await listen(tcp, opts.tcpPort ?? 0)

  let stopped = false
  return {
    wsPort,
    tcpPort,
    wsUrl: `ws://${LOOPBACK}:${wsPort}/mqtt`,
    broker,
    async stop() {
      if (stopped) return
      stopped = true
      for (const c of wss.clients) c.terminate()
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => broker.close(() => resolve()))
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await new Promise<void>((resolve) => http.close(() => resolve()))
      await new Promise<void>((resolve) => tcp.close(() => resolve()))
    },
  }
}

export interface AedesProcess {
  readonly wsPort: number
  readonly tcpPort: number
  readonly wsUrl: string
  readonly pid: number
  readonly running: boolean
  log(): string
  /** SIGTERM, wait for exit. */
  stop(): Promise<void>
  /** SIGKILL, wait for exit. */
  kill(): Promise<void>
  /** Start again on the same ports (Aedes keeps no state across restarts: its persistence is in memory). */
  restart(): Promise<void>
}

const SERVER_SCRIPT = fileURLToPath(new URL('./aedes-server.mjs', import.meta.url))

/** Aedes in a child Node process (plain JS script next to this file), so a test can kill and restart it. */
export async function startAedesProcess(opts: { wsPort?: number; tcpPort?: number; startTimeoutMs?: number } = {}):
Promise<AedesProcess> {
  const wsPort = opts.wsPort ?? await freePort()
  let tcpPort = opts.tcpPort ?? await freePort()
  while (tcpPort === wsPort) tcpPort = await freePort()
  let logText = ''
  let child: ChildProcess | undefined
  let exited: Promise<number | null> = Promise.resolve(null)
  const isRunning = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null

  const launch = async (): Promise<void> => {
    const c = spawn(process.execPath, [SERVER_SCRIPT, String(wsPort), String(tcpPort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const onData = (d: Buffer): void => { logText = (logText + d.toString()).slice(-200_000) }
    c.stdout?.on('data', onData)
    c.stderr?.on('data', onData)
    child = c
    exited = guardChild(c).exited
    try {
      // Node + aedes start in ~0.3 s on an idle machine; allow for a loaded one.
      await waitForPorts([wsPort, tcpPort], opts.startTimeoutMs ?? 15_000, () =>
        c.exitCode !== null || c.signalCode !== null ? `aedes child exited during start:\n${logText.slice(-2000)}` : undefined)
    } catch (e) {
      await terminate(c, exited, 'SIGKILL', 1000)
      throw e
    }
  }
  await launch()
  return {
    get wsPort() { return wsPort },
    get tcpPort() { return tcpPort },
    get wsUrl() { return `ws://${LOOPBACK}:${wsPort}/mqtt` },
    get pid() { return child?.pid ?? -1 },
    get running() { return isRunning() },
    log: () => logText,
    async stop() { if (child) await terminate(child, exited, 'SIGTERM', 3000) },
    async kill() { if (child) await terminate(child, exited, 'SIGKILL', 1000) },
    async restart() {
      if (child && isRunning()) await terminate(child, exited, 'SIGTERM', 3000)
      let err: unknown
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await launch()
          return
        } catch (e) {
          err = e
        }
      }
      throw err
    },
  }
}
