import { describe, expect, it } from 'vitest'
import { describeStatus } from '../src/status-text.js'

const B = 'ws://127.0.0.1:5173/mqtt'

describe('describeStatus', () => {
  it('connecting, with the attempt after the first', () => {
    expect(describeStatus({ type: 'connecting', attempt: 1 }, B)).toEqual({ tone: 'connecting', text: `Connecting to ${B}…` })
    expect(describeStatus({ type: 'connecting', attempt: 3 }, B).text).toContain('(attempt 3)')
  })

  it('connected says whether the session was resumed', () => {
    expect(describeStatus({ type: 'connected', sessionPresent: true }, B)).toEqual({ tone: 'connected', text: `Connected to ${B} · session resumed` })
    expect(describeStatus({ type: 'connected', sessionPresent: false }, B).text).toContain('new session')
  })

  it('reconnecting shows attempt, delay (or time left) and the last error', () => {
    const ev = { type: 'reconnecting' as const, attempt: 2, delayMs: 4000, error: new Error('socket closed') }
    expect(describeStatus(ev, B)).toEqual({ tone: 'reconnecting', text: 'Reconnecting: attempt 2 in 4.0 s · last error: socket closed' })
    expect(describeStatus(ev, B, 1234).text).toContain('in 1.2 s')
    expect(describeStatus(ev, B, -5).text).toContain('in 0.0 s')
    expect(describeStatus({ ...ev, delayMs: 30_000, error: undefined }, B).text).toBe('Reconnecting: attempt 2 in 30 s')
  })

  it('disconnected with an error is an error, with the reason code name', () => {
    const err = Object.assign(new Error('connection refused'), { reasonCode: { value: 134, name: 'Bad user name or password' } })
    expect(describeStatus({ type: 'disconnected', error: err }, B)).toEqual({ tone: 'error', text: 'Disconnected: connection refused (Bad user name or password)' })
    expect(describeStatus({ type: 'disconnected' }, B)).toEqual({ tone: 'disconnected', text: 'Disconnected' })
    expect(describeStatus({ type: 'error', error: new Error('quota') }, B)).toEqual({ tone: 'error', text: 'Error: quota' })
  })
})
