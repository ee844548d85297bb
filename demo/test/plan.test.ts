import { describe, expect, it } from 'vitest'
import { planConnection } from '../src/plan.js'
import { BrokerUrlError, localBrokerUrl, resolveBrokerUrl, validateBrokerUrl } from '../src/presets.js'
import { defaultSettings } from '../src/settings.js'

const base = { ...defaultSettings(() => 0.5), clientId: 'c1' }
const URL_ = 'ws://127.0.0.1:5173/mqtt'

describe('planConnection', () => {
  it('plain clean session on 3.1.1', () => {
    const p = planConnection(base, URL_)
    expect(p).toMatchObject({ protocol: 4, cleanSession: true, persistInIndexedDb: false, sessionExpiryInterval: undefined, keepalive: 60, username: undefined, will: undefined, notes: [] })
    expect(p.sessionKey).toBe(`${URL_}|c1`)
  })

  it('keep session turns clean session off and persists in IndexedDB', () => {
    const p = planConnection({ ...base, keepSession: true, cleanSession: true }, URL_)
    expect(p).toMatchObject({ cleanSession: false, cleanStart: false, persistInIndexedDb: true })
    expect(p.notes.join()).toMatch(/clean session/)
  })

  it('keep session on MQTT 5 needs a session expiry above 0', () => {
    const p = planConnection({ ...base, protocol: 5, keepSession: true, sessionExpiry: 0 }, URL_)
    expect(p).toMatchObject({ cleanStart: false, sessionExpiryInterval: 3600, persistInIndexedDb: true })
    expect(planConnection({ ...base, protocol: 5, sessionExpiry: 120 }, URL_).sessionExpiryInterval).toBe(120)
  })

  it('no IndexedDB without a client ID', () => {
    expect(planConnection({ ...base, clientId: '  ', keepSession: true }, URL_).persistInIndexedDb).toBe(false)
  })

  it('username and will only when given', () => {
    const p = planConnection({ ...base, username: 'u', willEnabled: true, willTopic: 't', willPayload: 'bye', willQos: 2, willRetain: true }, URL_)
    expect(p.username).toBe('u')
    expect(p.will).toEqual({ topic: 't', payload: 'bye', qos: 2, retain: true })
    expect(planConnection({ ...base, willEnabled: true, willTopic: ' ' }, URL_).will).toBeUndefined()
    expect(p).not.toHaveProperty('password')
  })
})

describe('presets', () => {
  it('local follows the page origin and scheme', () => {
    expect(localBrokerUrl({ protocol: 'http:', host: '127.0.0.1:5173' })).toBe('ws://127.0.0.1:5173/mqtt')
    expect(localBrokerUrl({ protocol: 'https:', host: 'demo.example' })).toBe('wss://demo.example/mqtt')
  })

  it('resolves presets and validates custom URLs', () => {
    const loc = { protocol: 'http:', host: 'localhost:1' }
    expect(resolveBrokerUrl('emqx', '', loc)).toBe('wss://broker.emqx.io:8084/mqtt')
    expect(resolveBrokerUrl('hivemq', '', loc)).toBe('wss://broker.hivemq.com:8884/mqtt')
    expect(resolveBrokerUrl('mosquitto', '', loc)).toBe('wss://test.mosquitto.org:8081')
    expect(resolveBrokerUrl('unknown', '', loc)).toBe('ws://localhost:1/mqtt')
    expect(resolveBrokerUrl('custom', ' ws://10.0.0.1:9001/ws ', loc)).toBe('ws://10.0.0.1:9001/ws')
    expect(validateBrokerUrl('wss://b.example:8884')).toBe('wss://b.example:8884')
    expect(() => validateBrokerUrl('')).toThrow(BrokerUrlError)
    expect(() => validateBrokerUrl('http://b.example')).toThrow(/ws:\/\//)
    expect(() => validateBrokerUrl('not a url')).toThrow(/not a URL/)
  })
})
