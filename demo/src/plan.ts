/** From the connection form to Client constructor options and connect() arguments. Pure, unit-tested. */
import type { ConnectionSettings } from './settings.js'

export interface ConnectionPlan {
  url: string
  clientId: string
  protocol: 3 | 4 | 5
  /** 3.x: cleanSession flag. */
  cleanSession: boolean
  /** v5: cleanStart flag. */
  cleanStart: boolean
  /** v5: session expiry interval sent in CONNECT (0 = session ends with the connection). */
  sessionExpiryInterval: number | undefined
  keepalive: number
  /** Keep the session in IndexedDB (the broker side must be persistent too, or there is nothing to resume). */
  persistInIndexedDb: boolean
  /** Identifies the session for the demo's own saved state (subscription list). */
  sessionKey: string
  username: string | undefined
  will: { topic: string; payload: string; qos: 0 | 1 | 2; retain: boolean } | undefined
  /** Human-readable notes about adjustments (shown next to the form). */
  notes: string[]
}

export function planConnection(s: ConnectionSettings, url: string): ConnectionPlan {
  const notes: string[] = []
  const v5 = s.protocol === 5
  let clean = s.cleanSession
  let expiry = v5 ? s.sessionExpiry : undefined
  if (s.keepSession) {
    if (clean) notes.push('keep session: clean session/start turned off')
    clean = false
    if (v5 && (expiry ?? 0) === 0) {
      expiry = 3600
      notes.push('keep session: session expiry raised to 3600 s (0 would end the session on disconnect)')
    }
  }
  const clientId = s.clientId.trim()
  return {
    url,
    clientId,
    protocol: s.protocol,
    cleanSession: clean,
    cleanStart: clean,
    sessionExpiryInterval: expiry,
    keepalive: s.keepalive,
    persistInIndexedDb: s.keepSession && clientId !== '',
    sessionKey: `${url}|${clientId}`,
    username: s.username.trim() === '' ? undefined : s.username,
    will: s.willEnabled && s.willTopic.trim() !== ''
      ? { topic: s.willTopic, payload: s.willPayload, qos: s.willQos, retain: s.willRetain }
      : undefined,
    notes,
  }
}
