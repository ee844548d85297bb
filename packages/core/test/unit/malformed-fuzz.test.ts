/**
 * Property tests: whatever bytes the broker sends after CONNACK, the client either processes them or closes the
 * connection with a ProtocolError (MQTT 5: or honours a server DISCONNECT). It never throws into the transport and
 * never leaves an unhandled rejection. 5,500 seeded cases.
 */
import fc from 'fast-check'
import { generate } from 'mqtt-packet'
import { describe, expect, it } from 'vitest'
import { ProtocolError, ServerDisconnectError } from '../../src/index.js'
import { flushMicrotasks } from '../support/fake-timers.js'
import { guardEscapes, rig } from '../support/rig.js'

type V = 4 | 5

interface Outcome { closed: boolean; error?: Error }

async function feed(v: V, frames: Uint8Array[]): Promise<Outcome> {
  const r = rig({ protocol: v, autoAck: false })
  r.client.onMessage = () => {}
  await r.client.connect('b')
  const conn = r.broker.current
  for (const f of frames) {
    try {
      conn.deliver(f)
    } catch (e) {
      throw new Error(`client threw into the transport: ${(e as Error)?.stack ?? String(e)}`)
    }
  }
  await flushMicrotasks(20)
  const errors = r.status.flatMap((e) => (e.type === 'error' ? [e.error] : []))
  if (!conn.closed) {
    if (errors.length > 0) throw new Error(`error event without a close: ${errors[0]!.message}`)
    if (!r.client.isConnected()) throw new Error(`open connection but state ${r.client.state}`)
    return { closed: false }
  }
  const lost = r.status.find((e) => e.type === 'reconnecting' || e.type === 'disconnected') as { error?: Error } | undefined
  if (errors.length === 1 && errors[0] instanceof ProtocolError) {
    const err = errors[0]
    if (!err.reasonCode || err.reasonCode.value < 0x80) throw new Error(`ProtocolError without a failure reason code: ${err.message}`)
    if (v === 5) {
      const d = conn.packets('disconnect') as Array<{ reasonCode?: number }>
      if (d.length !== 1 || d[0]!.reasonCode !== err.reasonCode.value) throw new Error('no DISCONNECT with the reason code')
    }
    if (lost?.error !== err) throw new Error('connection loss does not carry the ProtocolError')
    return { closed: true, error: err }
  }
  if (v === 5 && errors.length === 0 && lost?.error instanceof ServerDisconnectError) return { closed: true, error: lost.error }
  throw new Error(`closed without a ProtocolError: errors=${errors.map((e) => e.name)} lost=${lost?.error?.name}`)
}

/** Split `bytes` into frames at the given cut points. */
function cut(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let prev = 0
  for (const p of [...at, bytes.length]) {
    if (p > prev) out.push(bytes.slice(prev, p))
    prev = p
  }
  return out.length > 0 ? out : [bytes]
}

const version = fc.constantFrom<V>(4, 5)
const HEADERS = [0x20, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x3b, 0x40, 0x50, 0x62, 0x70, 0x90, 0xb0, 0xd0, 0xe0, 0xf0]

const randomFrames = fc.oneof(
  fc.array(fc.uint8Array({ minLength: 1, maxLength: 48 }), { minLength: 1, maxLength: 4 }),
  // plausible fixed headers followed by noise, so the parsers go deeper than the first byte
  fc.array(
    fc.tuple(fc.constantFrom(...HEADERS), fc.integer({ min: 0, max: 40 }), fc.uint8Array({ maxLength: 40 }))
      .map(([h, len, body]) => Uint8Array.from([h, len, ...body])),
    { minLength: 1, maxLength: 4 },
  ),
)

const topic = fc.stringMatching(/^[a-z$/]{1,12}$/)
const props = fc.record({
  contentType: fc.string({ maxLength: 6 }),
  userProperties: fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
  correlationData: fc.uint8Array({ maxLength: 4 }).map((b) => Buffer.from(b)),
  topicAlias: fc.integer({ min: 1, max: 12 }),
  messageExpiryInterval: fc.nat(),
  subscriptionIdentifier: fc.integer({ min: 1, max: 1000 }),
}, { requiredKeys: [] })
const mid = fc.integer({ min: 1, max: 65535 })

function packetFor(v: V): fc.Arbitrary<Record<string, unknown>> {
  const withProps = <T extends Record<string, unknown>>(p: T, pr: Record<string, unknown>) => (v === 5 ? { ...p, properties: pr } : p)
  return fc.oneof(
    fc.record({ topic, payload: fc.uint8Array({ maxLength: 30 }), qos: fc.constantFrom(0, 1, 2), messageId: mid, retain: fc.boolean(), dup: fc.boolean(), pr: props })
      .map(({ pr, payload, ...p }) => withProps({ cmd: 'publish', payload: Buffer.from(payload), ...p }, pr)),
    fc.record({ cmd: fc.constantFrom('puback', 'pubrec', 'pubrel', 'pubcomp'), messageId: mid }),
    fc.record({ messageId: mid, granted: fc.array(fc.constantFrom(0, 1, 2, 0x80), { minLength: 1, maxLength: 3 }) }).map((p) => ({ cmd: 'suback', ...p })),
    fc.record({ messageId: mid }).map((p) => ({ cmd: 'unsuback', ...p, ...(v === 5 ? { granted: [0] } : {}) })),
    fc.constant({ cmd: 'pingresp' }),
    fc.constant({ cmd: 'connack', returnCode: 0, reasonCode: 0, sessionPresent: false }),
    ...(v === 5 ? [fc.constantFrom(0, 0x8b, 0x8e, 0x98).map((reasonCode) => ({ cmd: 'disconnect', reasonCode }))] : []),
  )
}

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; value: number }
  | { kind: 'delete'; at: number }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
)

function mutate(bytes: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Array.from(bytes)
  for (const m of ms) {
    if (b.length === 0) break
    const i = m.at % b.length
    if (m.kind === 'flip') b[i] = b[i]! ^ (1 << m.bit)
    else if (m.kind === 'set') b[i] = m.value
    else if (m.kind === 'truncate') b = b.slice(0, i)
    else if (m.kind === 'insert') b.splice(i, 0, m.value)
    else b.splice(i, 1)
  }
  return Uint8Array.from(b)
}

const mutatedCase = version.chain((v) =>
  fc.record({
    v: fc.constant(v),
    before: fc.array(packetFor(v), { maxLength: 2 }),
    target: packetFor(v),
    after: fc.array(packetFor(v), { maxLength: 2 }),
    mutations: fc.array(mutation, { minLength: 0, maxLength: 3 }),
    cuts: fc.array(fc.nat(), { maxLength: 4 }),
  }))

describe('fuzzing the decoder and packet handlers after CONNACK', () => {
  const guard = guardEscapes()

  it('random bytes: processed, or a close with ProtocolError; never a throw (2,600 runs, seed 42)', async () => {
    const outcomes = { open: 0, closed: 0 }
    await fc.assert(
      fc.asyncProperty(version, randomFrames, async (v, frames) => {
        const o = await feed(v, frames)
        outcomes[o.closed ? 'closed' : 'open']++
        expect(guard.escaped).toEqual([])
      }),
      { seed: 42, numRuns: 2600 },
    )
    expect(outcomes.closed).toBeGreaterThan(900) // the property was exercised on both branches
    expect(outcomes.open).toBeGreaterThan(10)
   }, 120_000) // ~5 s alone; head room for a loaded machine

  it('mutated valid packets, split at random points: processed, or a close with ProtocolError (2,600 runs, seed 4242)', async () => {
    const outcomes = { open: 0, closed: 0 }
    await fc.assert(
      fc.asyncProperty(mutatedCase, async ({ v, before, target, after, mutations, cuts }) => {
        const enc = (p: Record<string, unknown>) => new Uint8Array(generate(p as never, { protocolVersion: v } as never))
        const bytes = Uint8Array.from([...before.flatMap((p) => [...enc(p)]), ...mutate(enc(target), mutations), ...after.flatMap((p) => [...enc(p)])])
        if (bytes.length === 0) return
        const o = await feed(v, cut(bytes, cuts))
        outcomes[o.closed ? 'closed' : 'open']++
        expect(guard.escaped).toEqual([])
      }),
      { seed: 4242, numRuns: 2600 },
    )
    expect(outcomes.closed).toBeGreaterThan(300)
    expect(outcomes.open).toBeGreaterThan(300)
   }, 120_000)

  it('unmodified valid packets split anywhere never close the connection (300 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(version.chain((v) => fc.record({
        v: fc.constant(v),
        packets: fc.array(packetFor(v).filter((p) => p['cmd'] !== 'connack' && p['cmd'] !== 'disconnect' && !(p['properties'] as { topicAlias?: number } | undefined)?.topicAlias), { minLength: 1, maxLength: 4 }),
        cuts: fc.array(fc.nat(), { maxLength: 6 }),
      })), async ({ v, packets, cuts }) => {
        const bytes = Uint8Array.from(packets.flatMap((p) => [...new Uint8Array(generate(p as never, { protocolVersion: v } as never))]))
        const o = await feed(v, cut(bytes, cuts))
        expect(o).toEqual({ closed: false })
      }),
      { seed: 7, numRuns: 300 },
    )
  })
})
