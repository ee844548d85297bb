import { describe, expect, it } from 'vitest'
import { describeStatus } from '../src/status-text.js'

const B = 'ws://127.0.0.1:5173/mqtt'

describe('describeStatus', () => {
  it('connecting, with the attempt after the first', () => {
    expect(describeStatus({ type: 'connecting', attempt: 1 }, B)).toEqual({ tone: 'connecting', text: 'Connecting…', detail: B, announce: 'Connecting…' })
    expect(describeStatus({ type: 'connecting', attempt: 3 }, B).text).toBe('Connecting (attempt 3)…')
  })

  it('connected says whether the session was resumed', () => {
    expect(describeStatus({ type: 'connected', sessionPresent: true }, B)).toEqual({
      tone: 'connected', text: 'Connected · session resumed', detail: B, announce: `Connected · session resumed (${B})`,
    })
    expect(describeStatus({ type: 'connected', sessionPresent: false }, B).text).toBe('Connected · new session')
  })

  it('reconnecting shows attempt, delay (or time left) and the last error; the announcement has no countdown', () => {
    const ev = { type: 'reconnecting' as const, attempt: 2, delayMs: 4000, error: new Error('socket closed') }
    expect(describeStatus(ev, B)).toEqual({
      tone: 'reconnecting', text: 'Reconnecting: attempt 2 in 4.0 s', detail: 'Last error: socket closed',
      announce: 'Reconnecting: attempt 2 in 4.0 s. Last error: socket closed',
    })
    const later = describeStatus(ev, B, 1234)
    expect(later.text).toBe('Reconnecting: attempt 2 in 1.2 s')
    expect(later.announce).toContain('in 4.0 s')
    expect(describeStatus(ev, B, -5).text).toContain('in 0.0 s')
    expect(describeStatus({ ...ev, delayMs: 30_000, error: undefined }, B)).toMatchObject({ text: 'Reconnecting: attempt 2 in 30 s', detail: B })
  })

  it('disconnected with an error is an error, with the reason code name', () => {
    const err = Object.assign(new Error('connection refused'), { reasonCode: { value: 134, name: 'Bad user name or password' } })
    expect(describeStatus({ type: 'disconnected', error: err }, B)).toEqual({
      tone: 'error', text: 'Disconnected', detail: 'connection refused (Bad user name or password)',
      announce: 'Disconnected: connection refused (Bad user name or password)',
    })
    expect(describeStatus({ type: 'disconnected' }, B)).toEqual({ tone: 'disconnected', text: 'Disconnected', detail: '', announce: 'Disconnected' })
    expect(describeStatus({ type: 'error', error: new Error('quota') }, B)).toMatchObject({ tone: 'error', detail: 'quota', announce: 'Error: quota' })
  })
})
