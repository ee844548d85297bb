import { describe, expect, it } from 'vitest'
import { generateClientId } from '../src/client-id.js'
import {
  SETTINGS_KEY, defaultSettings, loadSettings, loadSubscriptions, saveSettings, saveSubscriptions, subscriptionsKey,
  type KeyValueStorage,
} from '../src/settings.js'

class MapStorage implements KeyValueStorage {
  readonly map = new Map<string, string>()
  getItem(k: string): string | null { return this.map.get(k) ?? null }
  setItem(k: string, v: string): void { this.map.set(k, v) }
  removeItem(k: string): void { this.map.delete(k) }
}

const fixed = (): number => 0.5

describe('settings', () => {
  it('round-trips through storage', () => {
    const st = new MapStorage()
    const s = { ...defaultSettings(fixed), preset: 'custom' as const, customUrl: 'wss://x/mqtt', protocol: 5 as const, keepSession: true, username: 'ann' }
    saveSettings(st, s)
    expect(loadSettings(st, defaultSettings(fixed))).toEqual(s)
  })

  it('never writes a password, even if one is smuggled in', () => {
    const st = new MapStorage()
    const s = { ...defaultSettings(fixed), username: 'ann', password: 'hunter2' } as ReturnType<typeof defaultSettings>
    saveSettings(st, s)
    const text = st.getItem(SETTINGS_KEY) ?? ''
    expect(text).toContain('ann')
    expect(text).not.toContain('hunter2')
    expect(text).not.toContain('password')
  })

  it('ignores corrupt or mistyped stored values', () => {
    const st = new MapStorage()
    const d = defaultSettings(fixed)
    st.setItem(SETTINGS_KEY, '{not json')
    expect(loadSettings(st, d)).toEqual(d)
    st.setItem(SETTINGS_KEY, JSON.stringify({ protocol: 7, keepalive: -1, preset: 'nope', willQos: 3, cleanSession: 'yes', password: 'x' }))
    const loaded = loadSettings(st, d)
    expect(loaded).toEqual(d)
    expect(loaded).not.toHaveProperty('password')
  })

  it('works without storage (blocked)', () => {
    const d = defaultSettings(fixed)
    expect(loadSettings(undefined, d)).toBe(d)
    expect(() => saveSettings(undefined, d)).not.toThrow()
    const throwing: KeyValueStorage = { getItem: () => { throw new Error('SecurityError') }, setItem: () => { throw new Error('QuotaExceededError') }, removeItem: () => {} }
    expect(loadSettings(throwing, d)).toBe(d)
    expect(() => saveSettings(throwing, d)).not.toThrow()
  })

  it('saves subscriptions per session and drops malformed entries', () => {
    const st = new MapStorage()
    saveSubscriptions(st, 'ws://h/mqtt|c1', [{ filter: 'a/#', qos: 1 }, { filter: 'b', qos: 2, noLocal: true, retainHandling: 2 }])
    expect(loadSubscriptions(st, 'ws://h/mqtt|c1')).toEqual([{ filter: 'a/#', qos: 1 }, { filter: 'b', qos: 2, noLocal: true, retainHandling: 2 }])
    expect(loadSubscriptions(st, 'ws://h/mqtt|c2')).toEqual([])
    st.setItem(subscriptionsKey('k'), JSON.stringify([{ filter: 'x', qos: 9 }, 'junk', { filter: 'ok', qos: 0 }]))
    expect(loadSubscriptions(st, 'k')).toEqual([{ filter: 'ok', qos: 0 }])
    saveSubscriptions(st, 'ws://h/mqtt|c1', [])
    expect(st.getItem(subscriptionsKey('ws://h/mqtt|c1'))).toBeNull()
  })
})

describe('generateClientId', () => {
  it('is prefixed, 21 characters (within the 23 of MQTT 3.1) and random', () => {
    const id = generateClientId()
    expect(id).toMatch(/^webmqtt-demo-[0-9a-z]{8}$/)
    expect(id).toHaveLength(21)
    expect(generateClientId()).not.toBe(id)
    expect(generateClientId(() => 0)).toBe('webmqtt-demo-00000000')
    expect(generateClientId(() => 0.9999999)).toBe('webmqtt-demo-zzzzzzzz')
  })
})
