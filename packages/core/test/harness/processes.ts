/**
 * Bookkeeping for child processes the harness starts (Mosquitto, an Aedes child). Every child is killed,
 * by its own PID only, when this process exits; a detached watchdog shell also kills it if this process
 * dies without running exit handlers (SIGKILL of a test worker).
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'

const live = new Set<ChildProcess>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL')
      } catch {
        // already gone
      }
    }
  })
}

/** Track `child` until it exits; returns a function that resolves once it has exited. */
export function guardChild(child: ChildProcess): { exited: Promise<number | null> } {
  installExitHook()
  live.add(child)
  let watchdog: ChildProcess | undefined
  if (child.pid !== undefined) {
    // Polls our PID once a second; when we are gone, SIGKILLs exactly the child we started.
    watchdog = spawn(
      'sh',
      ['-c', 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -9 "$2" 2>/dev/null', 'harness-watchdog',
        String(process.pid), String(child.pid)],
      { detached: true, stdio: 'ignore' },
    )
    watchdog.unref()
    watchdog.on('error', () => {})
  }
  const exited = new Promise<number | null>((resolve) => {
    const done = (code: number | null): void => {
      live.delete(child)
      if (watchdog && watchdog.exitCode === null && watchdog.signalCode === null) {
        try {
          watchdog.kill('SIGKILL')
        } catch {
          // already gone
        }
      }
      resolve(code)
    }
    if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode)
    else child.once('exit', (code) => done(code))
  })
  return { exited }
}

/** Send `signal`, wait up to `graceMs` for exit, then SIGKILL. Resolves when the child has exited. */
export async function terminate(child: ChildProcess, exited: Promise<unknown>, signal: NodeJS.Signals, graceMs = 3000):
Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  try {
    child.kill(signal)
  } catch {
    return
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), graceMs) }),
  ])
  clearTimeout(timer)
  if (timedOut) {
    try {
      child.kill('SIGKILL')
    } catch {
      // gone meanwhile
    }
    await exited
  }
}
