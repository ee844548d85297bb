/**
 * The connection form's settings, remembered in localStorage between visits. The password is never part of
 * this shape, so it can never be written; `loadSettings` also ignores unknown keys such as a stray password.
 */
import { generateClientId } from './client-id.js'
import { findPreset, type PresetId } from './presets.js'

export type ProtocolChoice = 3 | 4 | 5
export type QoSChoice = 0 | 1 | 2

export interface ConnectionSettings {
  preset: PresetId
  customUrl: string
  clientId: string
  /** The client ID was typed in (kept across visits); a generated one is replaced on each visit. */
  clientIdEdited: boolean
  protocol: ProtocolChoice
  /** 3.x clean session / v5 clean start. */
  cleanSession: boolean
  /** v5 session expiry interval, seconds. */
  sessionExpiry: number
  /** Persist the session in IndexedDB and resume it after a reload. */
  keepSession: boolean
  keepalive: number
  username: string
  willEnabled: boolean
  willTopic: string
  willPayload: string
  willQos: QoSChoice
  willRetain: boolean
  /** Set while connected with keepSession on: the next page load reconnects by itself. */
  resume: boolean
}

export const SETTINGS_KEY = 'webmqtt-demo:settings:v1'

export function defaultSettings(random: () => number = Math.random): ConnectionSettings {
  return {
    preset: 'local',
    customUrl: '',
    clientId: generateClientId(random),
    clientIdEdited: false,
    protocol: 4,
    cleanSession: true,
    sessionExpiry: 3600,
    keepSession: false,
    keepalive: 60,
    username: '',
    willEnabled: false,
    willTopic: 'webmqtt/demo/status',
    willPayload: 'offline',
    willQos: 1,
    willRetain: false,
    resume: false,
  }
}

/** Minimal Storage surface (localStorage, or a Map-backed fake in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

const int = (v: unknown, lo: number, hi: number, dflt: number): number =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? v : dflt
const str = (v: unknown, dflt: string, max = 1000): string => (typeof v === 'string' && v.length <= max ? v : dflt)
const bool = (v: unknown, dflt: boolean): boolean => (typeof v === 'boolean' ? v : dflt)

/** Keep only known, well-typed fields; fill the rest with defaults. */
export function sanitizeSettings(raw: unknown, defaults: ConnectionSettings): ConnectionSettings {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
  const protocol = r.protocol === 3 || r.protocol === 4 || r.protocol === 5 ? r.protocol : defaults.protocol
  const willQos = r.willQos === 0 || r.willQos === 1 || r.willQos === 2 ? r.willQos : defaults.willQos
  return {
    preset: findPreset(str(r.preset, defaults.preset)).id,
    customUrl: str(r.customUrl, defaults.customUrl),
    clientId: str(r.clientId, defaults.clientId, 65535),
    clientIdEdited: bool(r.clientIdEdited, defaults.clientIdEdited),
    protocol,
    cleanSession: bool(r.cleanSession, defaults.cleanSession),
    sessionExpiry: int(r.sessionExpiry, 0, 0xffffffff, defaults.sessionExpiry),
    keepSession: bool(r.keepSession, defaults.keepSession),
    keepalive: int(r.keepalive, 0, 65535, defaults.keepalive),
    username: str(r.username, defaults.username),
    willEnabled: bool(r.willEnabled, defaults.willEnabled),
    willTopic: str(r.willTopic, defaults.willTopic, 65535),
    willPayload: str(r.willPayload, defaults.willPayload, 65535),
    willQos,
    willRetain: bool(r.willRetain, defaults.willRetain),
    resume: bool(r.resume, defaults.resume),
  }
}

export function loadSettings(storage: KeyValueStorage | undefined, defaults: ConnectionSettings): ConnectionSettings {
  if (!storage) return defaults
  try {
    const text = storage.getItem(SETTINGS_KEY)
    return text ? sanitizeSettings(JSON.parse(text), defaults) : defaults
  } catch {
    return defaults // unreadable JSON or storage blocked
  }
}

/** Save the settings (never a password: the type has none, and the object is rebuilt field by field). */
export function saveSettings(storage: KeyValueStorage | undefined, settings: ConnectionSettings): void {
  if (!storage) return
  const clean = sanitizeSettings(settings, settings)
  try {
    storage.setItem(SETTINGS_KEY, JSON.stringify(clean))
  } catch {
    // quota or blocked storage: remembering the form is a nicety
  }
}

/** The demo's list of subscriptions for one session, restored with "keep session across reloads". */
export interface SavedSubscription {
  filter: string
  qos: QoSChoice
  noLocal?: boolean
  retainAsPublished?: boolean
  retainHandling?: 0 | 1 | 2
}

export const subscriptionsKey = (sessionKey: string): string => `webmqtt-demo:subscriptions:v1:${sessionKey}`

export function loadSubscriptions(storage: KeyValueStorage | undefined, sessionKey: string): SavedSubscription[] {
  if (!storage) return []
  try {
    const raw: unknown = JSON.parse(storage.getItem(subscriptionsKey(sessionKey)) ?? '[]')
    if (!Array.isArray(raw)) return []
    const out: SavedSubscription[] = []
    for (const x of raw as unknown[]) {
      if (typeof x !== 'object' || x === null) continue
      const s = x as Record<string, unknown>
      if (typeof s.filter !== 'string' || !(s.qos === 0 || s.qos === 1 || s.qos === 2)) continue
      const sub: SavedSubscription = { filter: s.filter, qos: s.qos }
      if (typeof s.noLocal === 'boolean') sub.noLocal = s.noLocal
      if (typeof s.retainAsPublished === 'boolean') sub.retainAsPublished = s.retainAsPublished
      if (s.retainHandling === 0 || s.retainHandling === 1 || s.retainHandling === 2) sub.retainHandling = s.retainHandling
      out.push(sub)
    }
    return out
  } catch {
    return []
  }
}

export function saveSubscriptions(storage: KeyValueStorage | undefined, sessionKey: string, subs: readonly SavedSubscription[]): void {
  if (!storage) return
  try {
    if (subs.length === 0) storage.removeItem(subscriptionsKey(sessionKey))
    else storage.setItem(subscriptionsKey(sessionKey), JSON.stringify(subs))
  } catch {
    // best effort
  }
}
