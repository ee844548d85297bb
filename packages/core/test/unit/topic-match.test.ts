import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidFilterError, isValidFilter, isValidTopic, topicMatchesSub } from '../../src/index.js'
import { compileFilter } from '../../src/topic.js'

// paho-mqtt's own test table (test/test_matcher.py: test_matching / test_not_matching).
const PAHO_MATCH: Array<[string, string]> = [
  ['foo/bar', 'foo/bar'],
  ['foo/+', 'foo/bar'],
  ['foo/+/baz', 'foo/bar/baz'],
  ['foo/+/#', 'foo/bar/baz'],
  ['A/B/+/#', 'A/B/B/C'],
  ['#', 'foo/bar/baz'],
  ['#', '/foo/bar'],
  ['/#', '/foo/bar'],
  ['$SYS/bar', '$SYS/bar'],
]
const PAHO_NO_MATCH: Array<[string, string]> = [
  ['test/6/#', 'test/3'],
  ['foo/bar', 'foo'],
  ['foo/+', 'foo/bar/baz'],
  ['foo/+/baz', 'foo/bar/bar'],
  ['foo/+/#', 'fo2/bar/baz'],
  ['/#', 'foo/bar'],
  ['#', '$SYS/bar'],
  ['$BOB/bar', '$SYS/bar'],
]

const MORE_MATCH: Array<[string, string]> = [
  // '$' topics: only a filter that names the '$' level matches
  ['$SYS/#', '$SYS/x'],
  ['$SYS/#', '$SYS'],
  ['$SYS/+', '$SYS/x'],
  ['$SYS/+/clients', '$SYS/broker/clients'],
  ['$', '$'],
  // '#' also matches the parent level
  ['a/#', 'a'],
  ['sport/tennis/#', 'sport/tennis'],
  ['foo/#', 'foo/'],
  ['#', 'a'],
  ['#', '/'],
  // '$' below the first level is an ordinary character
  ['foo/#', 'foo/$bar'],
  ['foo/+/baz', 'foo/$bar/baz'],
  ['+/$x', 'a/$x'],
  // empty levels
  ['a/+', 'a/'],
  ['+/+', '/'],
  ['+', 'a'],
  ['/+', '/x'],
  ['+/', 'x/'],
  ['foo//bar', 'foo//bar'],
  ['foo/+/bar', 'foo//bar'],
  ['+/+/+', '//'],
  ['a/+/#', 'a/'],
  // shared subscriptions match like their inner filter
  ['$share/g/a/+', 'a/b'],
  ['$share/g/#', 'x/y'],
  ['$share/group-1/a/#', 'a'],
  // case and unicode are literal
  ['\u00e9/+', '\u00e9/x'],
  ['A/b', 'A/b'],
]
const MORE_NO_MATCH: Array<[string, string]> = [
  ['+/x', '$SYS/x'],
  ['+', '$SYS'],
  ['+/#', '$SYS/x'],
  ['#', '$SYS'],
  ['#', '$x/y'],
  ['$share/g/#', '$SYS/x'],
  ['$share/g/a/+', '$share/g/a/b'],
  ['$share/g/a/+', 'a'],
  ['a/+', 'a'],
  ['+/+', 'a'],
  ['a/b', 'A/b'],
  ['a/b', 'a/b/'],
  ['a/b/', 'a/b'],
  ['/a', 'a'],
  ['a', '/a'],
  ['+', '/'],
  ['+', 'a/b'],
  ['a/+/c', 'a/c'],
]
// Invalid filters never match, whatever the topic.
const INVALID_FILTERS = ['', 'foo+', 'foo#', 'a/#/b', '#/a', '+a', 'a+/b', '##', '++', 'a/b#', 'a\u0000', '\uD800', '$share/g', '$share//a', '$share/g/', '$share/g+/x']
// Topics that are not valid topic names never match.
const INVALID_TOPICS = ['', 'a/+', '#', '+', 'a/#']

describe('topicMatchesSub', () => {
  it.each(PAHO_MATCH)('paho: %j matches %j', (sub, topic) => {
    expect(topicMatchesSub(sub, topic)).toBe(true)
  })
  it.each(PAHO_NO_MATCH)('paho: %j does not match %j', (sub, topic) => {
    expect(topicMatchesSub(sub, topic)).toBe(false)
  })
  it.each(MORE_MATCH)('%j matches %j', (sub, topic) => {
    expect(topicMatchesSub(sub, topic)).toBe(true)
  })
  it.each(MORE_NO_MATCH)('%j does not match %j', (sub, topic) => {
    expect(topicMatchesSub(sub, topic)).toBe(false)
  })
  it.each(INVALID_FILTERS)('the invalid filter %j never matches', (sub) => {
    for (const t of ['a', 'foo', 'foox', 'foo/bar', 'a/x/b', 'a/b', 'x/a', 'ax/b', '/a', '$SYS/x', 'x']) {
      expect(topicMatchesSub(sub, t)).toBe(false)
    }
    expect(isValidFilter(sub)).toBe(false)
  })
  it.each(INVALID_TOPICS)('the invalid topic %j never matches', (topic) => {
    for (const s of ['#', '+', topic || 'x', 'a/#', '+/+']) expect(topicMatchesSub(s, topic)).toBe(false)
    expect(isValidTopic(topic)).toBe(false)
  })
  it('non-strings never match and never throw', () => {
    expect(topicMatchesSub(undefined as never, 'a')).toBe(false)
    expect(topicMatchesSub('#', undefined as never)).toBe(false)
    expect(topicMatchesSub(null as never, null as never)).toBe(false)
    expect(topicMatchesSub(42 as never, 'a')).toBe(false)
  })
})

/** Straight from the spec (4.7), as an independent oracle. */
function oracle(filter: string, topic: string): boolean {
  if (!isValidFilter(filter) || !isValidTopic(topic)) return false
  const inner = filter.startsWith('$share/') ? filter.split('/').slice(2).join('/') : filter
  const f = inner.split('/')
  const t = topic.split('/')
  if (topic.startsWith('$') && (f[0] === '#' || f[0] === '+')) return false
  const go = (i: number): boolean => {
    if (i === f.length) return i === t.length
    if (f[i] === '#') return true
    if (i >= t.length) return false
    return (f[i] === '+' || f[i] === t[i]) && go(i + 1)
  }
  return go(0)
}

const LEVELS = ['a', 'b', 'ab', '', '$SYS', '$x', 'x$', '\u00e9', 'a b']
const level = fc.constantFrom(...LEVELS)
const topicArb = fc.array(level, { minLength: 1, maxLength: 5 }).map((l) => l.join('/')).filter((t) => t.length > 0)
const validFilter = fc.record({
  levels: fc.array(fc.oneof(level, fc.constant('+')), { minLength: 0, maxLength: 5 }),
  hash: fc.boolean(),
  share: fc.boolean(),
}).map(({ levels, hash, share }) => {
  const body = [...levels, ...(hash ? ['#'] : [])].join('/')
  return { filter: share ? `$share/g/${body}` : body }
}).filter(({ filter }) => isValidFilter(filter)).map(({ filter }) => filter)
const anyFilter = fc.oneof(
  validFilter,
  fc.array(fc.constantFrom('a', '+', '#', '', 'a+', '#b', '$share', 'g'), { minLength: 0, maxLength: 5 }).map((l) => l.join('/')),
)

describe('compileFilter agrees with topicMatchesSub (and with a spec oracle)', () => {
  it('on 3,000 generated filter/topic pairs (seed 11)', () => {
    let matched = 0
    fc.assert(
      fc.property(anyFilter, fc.array(topicArb, { minLength: 1, maxLength: 8 }), (filter, topics) => {
        const valid = isValidFilter(filter)
        let compiled: ((t: string) => boolean) | undefined
        try {
          compiled = compileFilter(filter)
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidFilterError)
        }
        expect(compiled !== undefined).toBe(valid)
        for (const t of topics) {
          const expected = oracle(filter, t)
          expect(topicMatchesSub(filter, t)).toBe(expected)
          if (compiled) expect(compiled(t)).toBe(expected)
          if (expected) matched++
        }
      }),
      { seed: 11, numRuns: 3000 },
    )
    expect(matched).toBeGreaterThan(500) // the corpus is not trivially all-false
  })

  it('the fast paths ("#", exact names, "$share/g/#") agree too', () => {
    for (const f of ['#', '$share/g/#', 'a/b', '$SYS', '$share/g/a', '+', '+/#']) {
      const m = compileFilter(f)
      for (const t of ['a', 'a/b', '$SYS', '$SYS/x', '/', '/a', 'a/', 'b']) expect(m(t), `${f} vs ${t}`).toBe(topicMatchesSub(f, t))
    }
  })
})
