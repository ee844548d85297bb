import { describe, expect, it } from 'vitest'
import { BoundedList } from '../src/bounded-list.js'

describe('BoundedList', () => {
  it('keeps the newest items and returns what it evicts', () => {
    const l = new BoundedList<number>(3)
    expect(l.push(1)).toEqual([])
    l.push(2)
    l.push(3)
    expect(l.push(4)).toEqual([1])
    expect(l.toArray()).toEqual([2, 3, 4])
    expect(l.size).toBe(3)
  })

  it('stays bounded over many pushes', () => {
    const l = new BoundedList<number>(500)
    let evicted = 0
    for (let i = 0; i < 10_000; i++) evicted += l.push(i).length
    expect(l.size).toBe(500)
    expect(evicted).toBe(9500)
    expect(l.toArray()[0]).toBe(9500)
    expect(l.toArray().at(-1)).toBe(9999)
  })

  it('clears and validates the limit', () => {
    const l = new BoundedList<string>(1)
    l.push('a')
    l.clear()
    expect(l.size).toBe(0)
    expect(() => new BoundedList(0)).toThrow(RangeError)
  })
})
