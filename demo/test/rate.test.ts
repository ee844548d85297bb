import { describe, expect, it } from 'vitest'
import { RateCounter } from '../src/rate.js'
import { niceMax, tickCount } from '../src/views/rate-chart.js'

const T0 = 1_700_000_000_000 // a whole second

describe('RateCounter', () => {
  it('counts events per whole second', () => {
    const r = new RateCounter(5)
    r.record(T0 + 10)
    r.record(T0 + 999, 2)
    r.record(T0 + 1000)
    expect(r.countAt(T0)).toBe(3)
    expect(r.countAt(T0 + 1500)).toBe(1)
    expect(r.total).toBe(4)
  })

  it('series ends with the last complete second, oldest first, zeros for idle seconds', () => {
    const r = new RateCounter(4)
    r.record(T0, 5) // second 0
    r.record(T0 + 2000, 7) // second 2
    r.record(T0 + 3100, 9) // second 3 — still filling at now = T0 + 3500
    expect(r.series(T0 + 3500)).toEqual([0, 5, 0, 7])
    expect(r.lastRate(T0 + 3500)).toBe(7)
    expect(r.series(T0 + 4000)).toEqual([5, 0, 7, 9])
  })

  it('forgets seconds that fell out of the window (ring reuse)', () => {
    const r = new RateCounter(3)
    r.record(T0, 100)
    r.record(T0 + 3000, 1) // same ring slot as T0
    expect(r.countAt(T0)).toBe(0)
    expect(r.countAt(T0 + 3000)).toBe(1)
    expect(r.series(T0 + 10_000)).toEqual([0, 0, 0])
  })

  it('resets and validates its window', () => {
    const r = new RateCounter(2)
    r.record(T0)
    r.reset()
    expect(r.total).toBe(0)
    expect(r.countAt(T0)).toBe(0)
    expect(() => new RateCounter(1)).toThrow(RangeError)
    expect(() => new RateCounter(2.5)).toThrow(RangeError)
  })
})

describe('niceMax', () => {
  it('rounds up to 1/2/5 × 10^n, at least 5', () => {
    expect(niceMax(0)).toBe(5)
    expect(niceMax(3)).toBe(5)
    expect(niceMax(6)).toBe(10)
    expect(niceMax(11)).toBe(20)
    expect(niceMax(20)).toBe(20)
    expect(niceMax(420)).toBe(500)
    expect(niceMax(5001)).toBe(10_000)
  })
})

describe('tickCount', () => {
  it('gives whole tick values for every nice maximum', () => {
    for (const max of [5, 10, 20, 50, 100, 200, 500, 1000, 2000]) {
      const steps = tickCount(max)
      for (let k = 0; k <= steps; k++) expect(Number.isInteger((max * k) / steps)).toBe(true)
    }
    expect(tickCount(20)).toBe(4)
    expect(tickCount(50)).toBe(5)
  })
})
