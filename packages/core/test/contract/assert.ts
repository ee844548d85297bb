/**
 * A tiny assertion library with no dependency on a test framework or on Node, so the same contract checks run
 * under vitest and inside a real browser page (the e2e suite bundles this file with esbuild).
 */

export class AssertionFailure extends Error {
  override name = 'AssertionFailure'
}

export interface Assert {
  /** `Object.is` equality. */
  equal<T>(actual: T, expected: T, message?: string): void
  /** Structural equality: plain objects, arrays, typed arrays (by bytes); keys whose value is undefined are ignored. */
  deepEqual(actual: unknown, expected: unknown, message?: string): void
  ok(value: unknown, message?: string): void
  /** Resolves with the rejection reason; fails when the promise resolves. */
  rejects(promise: Promise<unknown>, message?: string): Promise<unknown>
  fail(message: string): never
}

export function createAssert(): Assert {
  const fail = (message: string): never => {
    throw new AssertionFailure(message)
  }
  return {
    equal(actual, expected, message) {
      if (!Object.is(actual, expected)) fail(`${message ?? 'equal'}: expected ${show(expected)}, got ${show(actual)}`)
    },
    deepEqual(actual, expected, message) {
      const diff = difference(actual, expected, '$')
      if (diff !== undefined) fail(`${message ?? 'deepEqual'}: ${diff}`)
    },
    ok(value, message) {
      if (!value) fail(`${message ?? 'ok'}: got ${show(value)}`)
    },
    async rejects(promise, message) {
      try {
        await promise
      } catch (err) {
        return err
      }
      return fail(`${message ?? 'rejects'}: the promise resolved`)
    },
    fail,
  }
}

function tag(v: unknown): string {
  return Object.prototype.toString.call(v)
}

function isBytes(v: unknown): v is Uint8Array {
  return tag(v) === '[object Uint8Array]'
}

/** A description of the first difference found, or undefined when equal. */
function difference(a: unknown, b: unknown, path: string): string | undefined {
  if (Object.is(a, b)) return undefined
  if (isBytes(a) || isBytes(b)) {
    if (!isBytes(a) || !isBytes(b)) return `${path}: expected ${show(b)}, got ${show(a)}`
    if (a.byteLength !== b.byteLength) return `${path}: byteLength ${a.byteLength} !== ${b.byteLength}`
    for (let i = 0; i < a.byteLength; i++) {
      if (a[i] !== b[i]) return `${path}[${i}]: ${a[i]} !== ${b[i]}`
    }
    return undefined
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return `${path}: expected ${show(b)}, got ${show(a)}`
    if (a.length !== b.length) return `${path}: length ${a.length} !== ${b.length}`
    for (let i = 0; i < a.length; i++) {
      const d = difference(a[i], b[i], `${path}[${i}]`)
      if (d !== undefined) return d
    }
    return undefined
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined).sort()
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined).sort()
    if (ka.join('\u0000') !== kb.join('\u0000')) return `${path}: keys [${ka.join(', ')}] !== [${kb.join(', ')}]`
    for (const k of ka) {
      const d = difference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`)
      if (d !== undefined) return d
    }
    return undefined
  }
  return `${path}: expected ${show(b)}, got ${show(a)}`
}

function show(v: unknown): string {
  if (isBytes(v)) return `Uint8Array(${v.byteLength})`
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'bigint') return `${v}n`
  if (typeof v === 'object' && v !== null) {
    try {
      const s = JSON.stringify(v)
      return s.length > 200 ? `${s.slice(0, 200)}…` : s
    } catch {
      return tag(v)
    }
  }
  return String(v)
}
