/**
 * Page side of the adversarial specs, bundled from the sources by page-bundle.ts and served at /adv/adv.js.
 * `window.adv` exposes the browser package (`adv.webmqtt`, the same exports users get), a registry for clients a
 * spec drives across several page.evaluate calls, and the rogue-server case runner with a responsiveness probe.
 */
import * as webmqtt from '../../../packages/browser/src/index.js'
import type { Client, StatusEvent } from '../../../packages/browser/src/index.js'
import { runMisuse } from './misuse-calls.js'

/** One rogue-server case as the page sees it (the bytes stay on the server). */
export interface PageCase {
  readonly id: number
  readonly v: 4 | 5
  readonly url: string
  readonly connectProperties?: Record<string, number>
}

export interface CaseResult {
  readonly id: number
  /** How connect() settled. */
  connect: 'resolved' | 'rejected' | 'pending'
  /** connect()'s rejection, by error name. */
  error?: string
  errorMessage?: string
  /** A `disconnected` status event came within the case's time (the client gave up: reconnectOnFailure is off). */
  disconnected: boolean
  /** Name of the error the `disconnected` status event carried (null: none). */
  disconnectError?: string | null
  disconnectMessage?: string
  /** Names of the errors of `error` status events. */
  statusErrors: string[]
  /** client.state at the end. */
  state: string
  ms: number
}

export interface RunOptions {
  concurrency: number
  connectTimeoutMs: number
  /** Give up on a case that has not reached `disconnected` after this long (then disconnect() it). */
  caseTimeoutMs: number
  keepalive: number
}

export interface Heartbeat {
  /** setInterval ticks during the run. */
  ticks: number
  /** Longest gap between two interval ticks, ms (the interval is 10 ms). */
  maxGapMs: number
  /** requestAnimationFrame callbacks during the run. */
  frames: number
}

export interface ErrorInfo {
  name: string
  message: string
  failure?: string
  causeName?: string
  isStorageError?: boolean
}

function describe(err: unknown): ErrorInfo {
  const e = err as { name?: string; message?: string; failure?: string; cause?: { name?: string } } | undefined
  return {
    name: String(e?.name ?? typeof err), message: String(e?.message ?? err),
    ...(e?.failure !== undefined ? { failure: String(e.failure) } : {}),
    ...(e?.cause?.name !== undefined ? { causeName: String(e.cause.name) } : {}),
    isStorageError: err instanceof webmqtt.StorageError,
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

function startHeartbeat(): () => Heartbeat {
  let ticks = 0
  let frames = 0
  let maxGapMs = 0
  let last = performance.now()
  let running = true
  const timer = setInterval(() => {
    const now = performance.now()
    maxGapMs = Math.max(maxGapMs, now - last)
    last = now
    ticks++
  }, 10)
  const frame = (): void => {
    if (!running) return
    frames++
    requestAnimationFrame(frame)
  }
  requestAnimationFrame(frame)
  return () => {
    running = false
    clearInterval(timer)
    maxGapMs = Math.max(maxGapMs, performance.now() - last)
    return { ticks, maxGapMs: Math.round(maxGapMs), frames }
  }
}

async function runCase(c: PageCase, o: RunOptions): Promise<CaseResult> {
  const t0 = performance.now()
  const client = new webmqtt.Client({ protocol: c.v, reconnectOnFailure: false, connectTimeoutMs: o.connectTimeoutMs })
  const r: CaseResult = { id: c.id, connect: 'pending', disconnected: false, statusErrors: [], state: '', ms: 0 }
  let onDisconnected: () => void = () => {}
  const disconnected = new Promise<void>((resolve) => { onDisconnected = resolve })
  const off = client.on('status', (ev: StatusEvent) => {
    if (ev.type === 'error') r.statusErrors.push(ev.error.name)
    if (ev.type === 'disconnected') {
      r.disconnected = true
      r.disconnectError = ev.error ? ev.error.name : null
      if (ev.error) r.disconnectMessage = ev.error.message
      onDisconnected()
    }
  })
  try {
    await client.connect(c.url, undefined, o.keepalive, c.connectProperties ? { properties: c.connectProperties } : {})
    r.connect = 'resolved'
  } catch (err) {
    r.connect = 'rejected'
    const e = describe(err)
    r.error = e.name
    r.errorMessage = e.message
  }
  const left = Math.max(0, o.caseTimeoutMs - (performance.now() - t0))
  await Promise.race([disconnected, sleep(left)])
  r.state = client.state
  off()
  if (!r.disconnected) {
    // Stuck: record it (the spec fails the case) and clean up so the run goes on.
    try {
      await client.disconnect()
    } catch {
      // the record already says what went wrong
    }
  }
  r.ms = Math.round(performance.now() - t0)
  return r
}

const clients = new Map<string, Client>()

const adv = {
  webmqtt,
  describe,
  sleep,

  runMisuse,

  /** Clients kept across page.evaluate calls, by a spec-chosen name. */
  clients,
  client(name: string): Client {
    const c = clients.get(name)
    if (!c) throw new Error(`no client ${name}`)
    return c
  },

  /**
   * Run rogue-server cases, `concurrency` at a time, one fresh Client per case (reconnectOnFailure off), while a
   * 10 ms interval and requestAnimationFrame measure how responsive the page stays.
   */
  async runRogueCases(cases: PageCase[], o: RunOptions): Promise<{ results: CaseResult[]; heartbeat: Heartbeat; ms: number }> {
    const t0 = performance.now()
    const stop = startHeartbeat()
    const results: CaseResult[] = new Array(cases.length)
    let next = 0
    const lane = async (): Promise<void> => {
      while (next < cases.length) {
        const i = next++
        results[i] = await runCase(cases[i]!, o)
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, lane))
    return { results, heartbeat: stop(), ms: Math.round(performance.now() - t0) }
  },
}

;(globalThis as unknown as { adv: typeof adv }).adv = adv
export type Adv = typeof adv
