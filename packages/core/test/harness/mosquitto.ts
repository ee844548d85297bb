/**
 * Start a real Mosquitto on 127.0.0.1 ephemeral ports with a generated config (see /work/shared/BROKERS.md),
 * one plain MQTT listener (required by Mosquitto) and one websockets listener.
 */
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LOOPBACK, delay, freePort, waitForPorts } from './ports.js'
import { guardChild, terminate } from './processes.js'

export const MOSQUITTO_BIN = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto'
const MOSQUITTO_PASSWD_BIN = '/usr/bin/mosquitto_passwd'
const LOG_CAP = 2_000_000

export interface MosquittoOptions {
  /** Keep sessions and queued messages across restarts (`persistence_location` = `dir`). Default false. */
  persistence?: boolean
  /** Directory for the config, log and persistence db. Default: a fresh temp dir, removed by `stop()`. */
  dir?: string
  /** Fixed ports; default: free ephemeral ports. */
  tcpPort?: number
  wsPort?: number
  /** Extra global config lines, placed before the listeners (later lines win over the defaults). */
  extra?: string[]
  /** `username → password`: writes a password file and sets `allow_anonymous false`. */
  users?: Record<string, string>
  /** Log every packet (`log_type all`). Default false. */
  verbose?: boolean
  /** How long to wait for both listeners, in ms. Default 10000. */
  startTimeoutMs?: number
}

export interface MosquittoBroker {
  readonly tcpPort: number
  readonly wsPort: number
  /** `ws://127.0.0.1:<wsPort>/mqtt` */
  readonly wsUrl: string
  /** PID of the current process (changes on restart). */
  readonly pid: number
  readonly dir: string
  readonly configPath: string
  /** True while the process is running. */
  readonly running: boolean
  /** Everything the broker wrote to stderr, across restarts. */
  log(): string
  /** SIGTERM (Mosquitto saves its persistence db), wait for exit, remove the temp dir if we created it. */
  stop(): Promise<void>
  /** SIGKILL, wait for exit. Config, ports and persistence dir are kept for `restart()`. */
  kill(): Promise<void>
  /** Start again on the same ports with the same config and persistence dir (graceful stop first if running). */
  restart(): Promise<void>
  /**
   * With persistence: make Mosquitto write its db now (SIGUSR1) and resolve once the file has been written and
   * stopped changing. Needed before a SIGKILL that must lose nothing: Mosquitto 2.0.11's `autosave_on_changes`
   * does not count an incoming QoS 2 PUBLISH awaiting PUBREL as a change, so such a message is only on disk
   * after some later change (or a graceful stop).
   */
  persistNow(timeoutMs?: number): Promise<void>
}

/** The config Mosquitto 2.0.11 needs for a loopback websockets listener. */
export function mosquittoConfig(o: {
  tcpPort: number; wsPort: number; persistence: boolean; dir: string; extra: readonly string[]
  passwordFile?: string | undefined; verbose?: boolean | undefined; userLines?: readonly string[] | undefined
}): string {
  const lines = [
    ...(o.userLines ?? []),
    'per_listener_settings false',
    'allow_anonymous true',
    `persistence ${o.persistence ? 'true' : 'false'}`,
    ...(o.persistence
      ? [
          `persistence_location ${o.dir}/`,
          // Save after every change, so a SIGKILL loses as little as possible.
          'autosave_on_changes true',
          'autosave_interval 1',
        ]
      : []),
    'set_tcp_nodelay true',
    'max_inflight_messages 20',
    'max_queued_messages 1000',
    'log_dest stderr',
    'log_timestamp_format %H:%M:%S',
    ...(o.verbose ? ['log_type all'] : []),
    ...(o.passwordFile ? ['allow_anonymous false', `password_file ${o.passwordFile}`] : []),
    ...o.extra,
    `listener ${o.tcpPort} ${LOOPBACK}`,
    'protocol mqtt',
    `listener ${o.wsPort} ${LOOPBACK}`,
    'protocol websockets',
    'socket_domain ipv4',
    '',
  ]
  return lines.join('\n')
}

/**
 * Run as root, Mosquitto drops privileges to the `mosquitto` user before it reads the password file and writes
 * its persistence db: hand our temp dir to that user. Returns config lines (`user root` when there is no such user).
 */
function prepareOwnership(paths: readonly string[]): string[] {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return []
  const id = (flag: string): number => {
    const r = spawnSync('id', [flag, 'mosquitto'], { encoding: 'utf8', timeout: 5000 })
    return r.status === 0 ? Number(r.stdout.trim()) : NaN
  }
  const uid = id('-u')
  const gid = id('-g')
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return ['user root']
  for (const p of paths) if (existsSync(p)) chownSync(p, uid, gid)
  return []
}

function writePasswordFile(path: string, users: Record<string, string>): void {
  writeFileSync(path, '', { mode: 0o600 })
  for (const [user, pass] of Object.entries(users)) {
    const r = spawnSync(MOSQUITTO_PASSWD_BIN, ['-b', path, user, pass], { encoding: 'utf8', timeout: 5000 })
    if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr || r.error?.message}`)
  }
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<MosquittoBroker> {
  if (!existsSync(MOSQUITTO_BIN)) {
    throw new Error(`${MOSQUITTO_BIN} not found: install the Debian package "mosquitto" (apt-get install -y mosquitto)`)
  }
  const ownDir = opts.dir === undefined
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'webmqtt-mosquitto-'))
  mkdirSync(dir, { recursive: true })
  const configPath = join(dir, 'mosquitto.conf')
  const persistence = opts.persistence ?? false
  const startTimeoutMs = opts.startTimeoutMs ?? 10_000
  let passwordFile: string | undefined
  if (opts.users) {
    passwordFile = join(dir, 'passwd')
    writePasswordFile(passwordFile, opts.users)
  }

  let logText = ''
  let child: ChildProcess | undefined
  let exited: Promise<number | null> = Promise.resolve(null)
  let tcpPort = opts.tcpPort ?? 0
  let wsPort = opts.wsPort ?? 0

  const appendLog = (chunk: Buffer | string): void => {
    logText += chunk.toString()
    if (logText.length > LOG_CAP) logText = logText.slice(logText.length - LOG_CAP / 2)
  }

  const isRunning = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null

  const launch = async (): Promise<void> => {
    writeFileSync(configPath, mosquittoConfig({
      tcpPort, wsPort, persistence, dir, extra: opts.extra ?? [], passwordFile, verbose: opts.verbose,
      userLines: prepareOwnership([dir, ...(passwordFile ? [passwordFile] : []), join(dir, 'mosquitto.db')]),
    }))
    const c = spawn(MOSQUITTO_BIN, ['-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] })
    c.stdout?.on('data', appendLog)
    c.stderr?.on('data', appendLog)
    let spawnError: Error | undefined
    c.on('error', (e) => { spawnError = e })
    child = c
    exited = guardChild(c).exited
    try {
      await waitForPorts([tcpPort, wsPort], startTimeoutMs, () => {
        if (spawnError) return `mosquitto failed to spawn: ${spawnError.message}`
        if (c.exitCode !== null || c.signalCode !== null) {
          return `mosquitto exited (${c.exitCode ?? c.signalCode}) during start:\n${logText.slice(-2000)}`
        }
        return undefined
      })
    } catch (e) {
      await terminate(c, exited, 'SIGKILL', 1000)
      throw e
    }
  }

  // Pick ports and start; with ephemeral ports a race with another process is possible, so retry a few times.
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    if (opts.tcpPort === undefined) tcpPort = await freePort()
    if (opts.wsPort === undefined) {
      do wsPort = await freePort()
      while (wsPort === tcpPort)
    }
    try {
      await launch()
      lastError = undefined
      break
    } catch (e) {
      lastError = e
      if (opts.tcpPort !== undefined && opts.wsPort !== undefined) break
    }
  }
  if (lastError !== undefined) {
    if (ownDir) rmSync(dir, { recursive: true, force: true })
    throw lastError
  }

  const broker: MosquittoBroker = {
    get tcpPort() { return tcpPort },
    get wsPort() { return wsPort },
    get wsUrl() { return `ws://${LOOPBACK}:${wsPort}/mqtt` },
    get pid() { return child?.pid ?? -1 },
    dir,
    configPath,
    get running() { return isRunning() },
    log: () => logText,
    async stop() {
      if (child) await terminate(child, exited, 'SIGTERM', 3000)
      if (ownDir) rmSync(dir, { recursive: true, force: true })
    },
    async kill() {
      if (child) await terminate(child, exited, 'SIGKILL', 1000)
    },
    async restart() {
      if (child && isRunning()) await terminate(child, exited, 'SIGTERM', 3000)
      mkdirSync(dir, { recursive: true })
      // The same ports may briefly be held by a client's ephemeral port; retry for a short while.
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
    async persistNow(timeoutMs = 5000) {
      if (!persistence) throw new Error('persistNow() needs startMosquitto({ persistence: true })')
      const deadline = Date.now() + timeoutMs
      const dbPath = join(dir, 'mosquitto.db')
      const saves = (): number => logText.split('Saving in-memory database').length
      const stamp = (): string => {
        try {
          const st = statSync(dbPath)
          return `${st.mtimeMs}:${st.size}`
        } catch {
          return ''
        }
      }
      // Mosquitto clears its "save requested" flag after a save, so a SIGUSR1 that lands during an autosave is
      // lost, and a save already under way when we signal may predate what we need saved. Hence two confirmed
      // rounds: the second save starts after the first has been logged and written.
      for (let round = 0; round < 2; round++) {
        const before = saves()
        for (let i = 0; saves() === before; i++) {
          if (!child || !isRunning()) throw new Error('mosquitto is not running')
          if (Date.now() > deadline) throw new Error(`mosquitto did not save its db within ${timeoutMs} ms`)
          if (i % 25 === 0) child.kill('SIGUSR1') // again every ~500 ms until a save is logged
          await delay(20)
        }
        let last = stamp()
        let quietSince = Date.now()
        for (let i = 0; i < 10_000; i++) {
          if (Date.now() > deadline) throw new Error(`mosquitto db did not settle within ${timeoutMs} ms`)
          await delay(20)
          const now = stamp()
          if (now !== last) {
            last = now
            quietSince = Date.now()
          } else if (now !== '' && Date.now() - quietSince >= 100) {
            break
          }
        }
      }
    },
  }
  return broker
}
