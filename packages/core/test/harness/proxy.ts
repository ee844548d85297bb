/**
 * A TCP-level forwarding proxy on 127.0.0.1 for WebSocket (or plain MQTT) connections to a local broker.
 * Tests use it to cut connections, black-hole traffic and refuse new connections. No test-runner imports:
 * the Playwright suite reuses it.
 */
import { connect, createServer } from 'node:net'
import type { Socket } from 'node:net'
import { LOOPBACK } from './ports.js'

export interface WsProxy {
  readonly port: number
  /** `ws://127.0.0.1:<port>/mqtt` */
  readonly wsUrl: string
  /** Bytes forwarded so far, both directions together. */
  readonly bytesSeen: number
  /** Bytes forwarded client → broker. */
  readonly bytesUp: number
  /** Bytes forwarded broker → client. */
  readonly bytesDown: number
  /** Connection pairs currently open. */
  readonly openConnections: number
  /** Connections accepted since start. */
  readonly acceptedConnections: number
  /** Destroy every open connection (both sides). `reset: true` sends RST instead of FIN. */
  cutAll(opts?: { reset?: boolean }): void
  /**
   * `true`: hold every byte (connections stay open, nothing arrives, like a dead link); `direction` limits it to
   * client → broker (`'up'`) or broker → client (`'down'`). `false`: deliver the held bytes and forward again.
   */
  stall(on: boolean, direction?: 'both' | 'up' | 'down'): void
  /** Refuse new connections (accepted and immediately destroyed); open ones are untouched. */
  pause(): void
  /** Accept new connections again. */
  resume(): void
  /** Close the listener and every connection. */
  stop(): Promise<void>
}

interface Pair {
  client: Socket
  upstream: Socket
  heldUp: Buffer[]
  heldDown: Buffer[]
}

export async function startWsProxy(targetPort: number, opts: { port?: number; targetHost?: string } = {}):
Promise<WsProxy> {
  const targetHost = opts.targetHost ?? LOOPBACK
  const pairs = new Set<Pair>()
  let up = 0
  let down = 0
  let accepted = 0
  let stallUp = false
  let stallDown = false
  let paused = false

  const destroyPair = (p: Pair, reset: boolean): void => {
    pairs.delete(p)
    p.heldUp.length = 0
    p.heldDown.length = 0
    for (const s of [p.client, p.upstream]) {
      if (reset && typeof s.resetAndDestroy === 'function' && !s.destroyed && !s.connecting) s.resetAndDestroy()
      else s.destroy()
    }
  }

  const server = createServer((client) => {
    client.on('error', () => {})
    if (paused) {
      client.destroy()
      return
    }
    accepted++
    client.setNoDelay(true)
    const upstream = connect({ host: targetHost, port: targetPort })
    upstream.setNoDelay(true)
    upstream.on('error', () => {})
    const pair: Pair = { client, upstream, heldUp: [], heldDown: [] }
    pairs.add(pair)
    client.on('data', (d: Buffer) => {
      if (stallUp) {
        pair.heldUp.push(d)
        return
      }
      up += d.length
      upstream.write(d)
    })
    upstream.on('data', (d: Buffer) => {
      if (stallDown) {
        pair.heldDown.push(d)
        return
      }
      down += d.length
      client.write(d)
    })
    const end = (): void => {
      if (pairs.has(pair)) destroyPair(pair, false)
    }
    client.on('close', end)
    upstream.on('close', end)
  })
  server.on('error', () => {})
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, LOOPBACK, () => {
      const a = server.address()
      resolve(typeof a === 'object' && a ? a.port : 0)
    })
  })

  return {
    port,
    wsUrl: `ws://${LOOPBACK}:${port}/mqtt`,
    get bytesSeen() { return up + down },
    get bytesUp() { return up },
    get bytesDown() { return down },
    get openConnections() { return pairs.size },
    get acceptedConnections() { return accepted },
    cutAll(o = {}) {
      for (const p of [...pairs]) destroyPair(p, o.reset ?? false)
    },
    stall(on, direction = 'both') {
      if (direction !== 'down') stallUp = on
      if (direction !== 'up') stallDown = on
      for (const p of pairs) {
        if (!stallUp) for (const d of p.heldUp.splice(0)) { up += d.length; p.upstream.write(d) }
        if (!stallDown) for (const d of p.heldDown.splice(0)) { down += d.length; p.client.write(d) }
      }
    },
    pause() { paused = true },
    resume() { paused = false },
    stop() {
      for (const p of [...pairs]) destroyPair(p, false)
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
