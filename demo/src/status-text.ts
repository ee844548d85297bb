/** Connection status → what the status line says. Pure, unit-tested. */

/** Mirrors the core client's status events (a structural copy keeps this module free of the SDK). */
export type DemoStatusEvent =
  | { type: 'connecting'; attempt: number }
  | { type: 'connected'; sessionPresent: boolean }
  | { type: 'reconnecting'; attempt: number; delayMs: number; error?: Error | undefined }
  | { type: 'disconnected'; error?: Error | undefined }
  | { type: 'error'; error: Error }

export type StatusTone = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'error'

export interface StatusDescription {
  tone: StatusTone
  text: string
}

const seconds = (ms: number): string => `${(Math.max(0, ms) / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`

function reason(err: Error | undefined): string {
  if (!err) return ''
  const rc = (err as { reasonCode?: { value?: number; name?: string } }).reasonCode
  const code = rc && typeof rc.value === 'number' && !err.message.includes(String(rc.name)) ? ` (${rc.name})` : ''
  return `${err.message}${code}`
}

/**
 * `remainingMs` is the time left before a scheduled reconnect (the status line counts down); defaults to
 * the event's full delay.
 */
export function describeStatus(ev: DemoStatusEvent, broker: string, remainingMs?: number): StatusDescription {
  switch (ev.type) {
    case 'connecting':
      return { tone: 'connecting', text: `Connecting to ${broker}${ev.attempt > 1 ? ` (attempt ${ev.attempt})` : ''}…` }
    case 'connected':
      return { tone: 'connected', text: `Connected to ${broker} · ${ev.sessionPresent ? 'session resumed' : 'new session'}` }
    case 'reconnecting': {
      const why = reason(ev.error)
      return {
        tone: 'reconnecting',
        text: `Reconnecting: attempt ${ev.attempt} in ${seconds(remainingMs ?? ev.delayMs)}${why ? ` · last error: ${why}` : ''}`,
      }
    }
    case 'disconnected': {
      const why = reason(ev.error)
      return why ? { tone: 'error', text: `Disconnected: ${why}` } : { tone: 'disconnected', text: 'Disconnected' }
    }
    case 'error':
      return { tone: 'error', text: `Error: ${reason(ev.error)}` }
  }
}
