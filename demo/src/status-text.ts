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
  /** The short status line. */
  text: string
  /** Secondary line: the broker, or the last error. */
  detail: string
  /** What a screen reader announces: like `text`, without a running countdown. */
  announce: string
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
    case 'connecting': {
      const text = `Connecting${ev.attempt > 1 ? ` (attempt ${ev.attempt})` : ''}…`
      return { tone: 'connecting', text, detail: broker, announce: text }
    }
    case 'connected': {
      const text = `Connected · ${ev.sessionPresent ? 'session resumed' : 'new session'}`
      return { tone: 'connected', text, detail: broker, announce: `${text} (${broker})` }
    }
    case 'reconnecting': {
      const why = reason(ev.error)
      return {
        tone: 'reconnecting',
        text: `Reconnecting: attempt ${ev.attempt} in ${seconds(remainingMs ?? ev.delayMs)}`,
        detail: why ? `Last error: ${why}` : broker,
        announce: `Reconnecting: attempt ${ev.attempt} in ${seconds(ev.delayMs)}${why ? `. Last error: ${why}` : ''}`,
      }
    }
    case 'disconnected': {
      const why = reason(ev.error)
      return why
        ? { tone: 'error', text: 'Disconnected', detail: why, announce: `Disconnected: ${why}` }
        : { tone: 'disconnected', text: 'Disconnected', detail: '', announce: 'Disconnected' }
    }
    case 'error': {
      const why = reason(ev.error)
      return { tone: 'error', text: 'Error', detail: why, announce: `Error: ${why}` }
    }
  }
}
