/**
 * Loopback port helpers shared by the broker harness and the proxy. Plain Node, no test-runner imports:
 * usable from vitest and from Playwright's global setup.
 */
import { connect, createServer } from 'node:net'

export const LOOPBACK = '127.0.0.1'

/** A port that was free a moment ago: bind port 0 on 127.0.0.1, read the port, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.once('error', reject)
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('could not allocate a port'))))
    })
  })
}

/** Resolves true when a TCP connection to 127.0.0.1:port is accepted. */
export function canConnect(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: LOOPBACK, port })
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      sock.removeAllListeners()
      sock.on('error', () => {})
      sock.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    sock.once('connect', () => done(true))
    sock.once('error', () => done(false))
  })
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Wait until every port accepts connections, polling every 25 ms, for at most `timeoutMs`.
 * `abort()` is polled too: when it returns a string (e.g. "process exited"), waiting stops with that error.
 */
export async function waitForPorts(
  ports: readonly number[],
  timeoutMs = 5000,
  abort: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (let i = 0; i < 10_000; i++) {
    const why = abort()
    if (why !== undefined) throw new Error(why)
    const ok = await Promise.all(ports.map((p) => canConnect(p, 250)))
    if (ok.every(Boolean)) return
    if (Date.now() > deadline) break
    await delay(25)
  }
  throw new Error(`ports ${ports.join(', ')} did not accept connections within ${timeoutMs} ms`)
}
