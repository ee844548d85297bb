/** Topic names, topic filters, matching. */
import { InvalidFilterError, InvalidTopicError } from './errors.js'

const MAX_TOPIC_BYTES = 65535
// With the u flag a surrogate pair is one code point (not a surrogate): only lone surrogates match.
const LONE_SURROGATE = /\p{Cs}/u

/** Why a string is not a valid MQTT UTF-8 string, or undefined when it is. */
function stringProblem(s: unknown, what: string): string | undefined {
  if (typeof s !== 'string') return `${what} must be a string, got ${s === null ? 'null' : typeof s}`
  if (s.includes('\u0000')) return `${what} must not contain NUL (U+0000)`
  if (LONE_SURROGATE.test(s)) return `${what} must not contain a lone surrogate`
  // Only a string of more than 65,535 / 3 UTF-16 units can be longer than 65,535 UTF-8 bytes.
  if (s.length > MAX_TOPIC_BYTES / 3 && new TextEncoder().encode(s).length > MAX_TOPIC_BYTES) return `${what} is longer than 65,535 bytes`
  return undefined
}

/** Throws InvalidTopicError unless `topic` is a valid topic name for PUBLISH. */
export function validateTopic(topic: unknown, allowEmpty = false): asserts topic is string {
  const p = stringProblem(topic, 'topic')
  if (p) throw new InvalidTopicError(p)
  const t = topic as string
  if (t.length === 0 && !allowEmpty) throw new InvalidTopicError('topic must not be empty')
  if (t.includes('+') || t.includes('#')) throw new InvalidTopicError(`topic must not contain wildcards: ${JSON.stringify(t)}`)
}

/** Throws InvalidFilterError unless `filter` is a valid topic filter (including `$share/group/…`). */
export function validateFilter(filter: unknown): asserts filter is string {
  const p = stringProblem(filter, 'topic filter')
  if (p) throw new InvalidFilterError(p)
  const f = filter as string
  if (f.length === 0) throw new InvalidFilterError('topic filter must not be empty')
  let rest = f
  if (f.startsWith('$share/')) {
    const slash = f.indexOf('/', 7)
    const group = slash === -1 ? f.slice(7) : f.slice(7, slash)
    if (group.length === 0 || /[+#]/.test(group) || slash === -1 || slash === f.length - 1) {
      throw new InvalidFilterError(`malformed shared subscription: ${JSON.stringify(f)}`)
    }
    rest = f.slice(slash + 1)
  }
  const levels = rest.split('/')
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      throw new InvalidFilterError(`'#' must be the whole last level: ${JSON.stringify(f)}`)
    }
    if (level.includes('+') && level !== '+') {
      throw new InvalidFilterError(`'+' must occupy a whole level: ${JSON.stringify(f)}`)
    }
  }
}

/** True when the string is a valid filter. */
export function isValidFilter(filter: unknown): boolean {
  try { validateFilter(filter); return true } catch { return false }
}

/** True when the string is a valid topic name. */
export function isValidTopic(topic: unknown): boolean {
  try { validateTopic(topic); return true } catch { return false }
}

/**
 * paho's `topic_matches_sub`: does the subscription filter `sub` match `topic`?
 * Wildcards at the first level do not match topics starting with `$`; `a/#` matches `a`; `+` matches an
 * empty level. A shared subscription matches like its inner filter. Invalid input never matches.
 */
export function topicMatchesSub(sub: string, topic: string): boolean {
  return isValidFilter(sub) && typeof topic === 'string' && topic !== '' && !/[+#]/.test(topic) && compileFilter(sub)(topic)
}

/** A matcher for one valid filter, compiled once (the hot path for incoming messages). */
export function compileFilter(filter: string): (topic: string) => boolean {
  validateFilter(filter)
  const inner = filter.startsWith('$share/') ? filter.slice(filter.indexOf('/', 7) + 1) : filter
  if (inner === '#') return (t) => t.charCodeAt(0) !== 36 /* $ */
  if (!inner.includes('+') && !inner.includes('#')) return (t) => t === inner
  const s = inner.split('/')
  const firstWild = s[0] === '+' || s[0] === '#'
  return (topic) => {
    if (firstWild && topic.charCodeAt(0) === 36) return false
    const t = topic.split('/')
    for (let i = 0; i < s.length; i++) {
      const level = s[i]
      if (level === '#') return true
      if (i >= t.length) return false
      if (level !== '+' && level !== t[i]) return false
    }
    return s.length === t.length
  }
}
