/**
 * The SessionStore contract as a framework-agnostic list of named async checks. No test-framework or Node import:
 * vitest runs it through session-store.contract.ts, and the e2e suite bundles it into a page to run it against real
 * IndexedDB in Chromium.
 *
 * What counts as an INVALID op (the whole batch is rejected with a TypeError and nothing is applied):
 * - core (every store): `putOutgoing` whose `seq` is not a non-negative safe integer; `putIncoming` /
 *   `deleteIncoming` whose `mid` is not an integer in 1..65535.
 * - strict, incoming messages: `putIncoming` with a `message` whose seq, topic, payload, retain or dup has the
 *   wrong type.
 * - strict (stores that validate every field; see `strictOps`): `deleteOutgoing` with a bad `seq`; `putOutgoing`
 *   with `mid` outside 0..65535 (0 only for stage 'queued'), qos outside 0..2, an unknown stage, a payload that is
 *   not a Uint8Array, or a non-string topic; `putSubscription` with an empty topic or qos outside 0..2;
 *   `deleteSubscription` with a non-string topic; `putMeta` with a non-integer nextMid/nextSeq; an unknown op type.
 */
import type {
  SessionSnapshot, SessionStore, StoreOp, StoredIncomingMessage, StoredOutgoing, StoredSubscription, SessionMeta,
} from '../../src/store.js'
import type { Assert } from './assert.js'

export interface StoreCheckEnv {
  /**
   * Close `store` and open a new instance on the same backend; data written before must be visible. Only given
   * when the backend persists (not for MemoryStore).
   */
  reopen?: (store: SessionStore) => Promise<SessionStore>
}

export interface SessionStoreCheck {
  readonly name: string
  /** 'reopen': needs `env.reopen`. 'strict': needs the store to validate every op field (see file header). */
  readonly requires?: 'reopen' | 'strict'
  run(store: SessionStore, assert: Assert, env: StoreCheckEnv): Promise<void>
}

export interface StoreCheckOptions {
  /** The factory supports reopening (a new store on the same backend). */
  readonly reopen?: boolean
  /** The store rejects every invalid op listed in the file header, not only the core ones. */
  readonly strictOps?: boolean
}

/** The checks that apply to a store with these capabilities. */
export function selectStoreChecks(opts: StoreCheckOptions = {}): SessionStoreCheck[] {
  return sessionStoreChecks.filter((c) =>
    c.requires === undefined || (c.requires === 'reopen' && opts.reopen === true) || (c.requires === 'strict' && opts.strictOps === true))
}

// ---------------------------------------------------------------------------------------------------------------
// Builders

const K = 'ws://127.0.0.1:1883/mqtt|client-1'
const K2 = 'ws://127.0.0.1:1883/mqtt|client-2'

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values)
}

function out(seq: number, extra: Partial<StoredOutgoing> = {}): StoredOutgoing {
  return {
    seq, mid: seq % 65535 + 1, topic: `t/${seq}`, payload: bytes(seq & 255, 1, 2), qos: 1, retain: false, stage: 'sent',
    ...extra,
  }
}

function sub(topic: string, qos: 0 | 1 | 2 = 1, extra: Partial<StoredSubscription['options']> = {}): StoredSubscription {
  return { topic, options: { qos, ...extra } }
}

function meta(extra: Partial<SessionMeta> = {}): SessionMeta {
  return { clientId: 'client-1', protocolVersion: 4, nextMid: 10, nextSeq: 100, updatedAt: 1_700_000_000_000, ...extra }
}

const putOut = (message: StoredOutgoing): StoreOp => ({ type: 'putOutgoing', message })
const delOut = (seq: number): StoreOp => ({ type: 'deleteOutgoing', seq })
const putIn = (mid: number): StoreOp => ({ type: 'putIncoming', mid })
const putInMsg = (mid: number, message: StoredIncomingMessage): StoreOp => ({ type: 'putIncoming', mid, message })

function inMsg(seq: number, extra: Partial<StoredIncomingMessage> = {}): StoredIncomingMessage {
  return { seq, topic: `in/${seq}`, payload: bytes(seq & 255, 9), retain: false, dup: false, ...extra }
}
const delIn = (mid: number): StoreOp => ({ type: 'deleteIncoming', mid })
const putSub = (subscription: StoredSubscription): StoreOp => ({ type: 'putSubscription', subscription })
const delSub = (topic: string): StoreOp => ({ type: 'deleteSubscription', topic })
const putMeta = (m: SessionMeta): StoreOp => ({ type: 'putMeta', meta: m })

function seqs(s: SessionSnapshot): number[] {
  return s.outgoing.map((m) => m.seq)
}

/** The invalid ops of the contract. `core`: every store must reject it. */
const invalidOps: readonly { readonly label: string; readonly core: boolean; readonly op: StoreOp }[] = [
  { label: 'putIncoming mid 0', core: true, op: putIn(0) },
  { label: 'putIncoming mid 65536', core: true, op: putIn(65536) },
  { label: 'putIncoming mid 1.5', core: true, op: putIn(1.5) },
  { label: 'putIncoming mid NaN', core: true, op: putIn(Number.NaN) },
  { label: 'deleteIncoming mid -1', core: true, op: delIn(-1) },
  { label: 'putOutgoing seq 1.5', core: true, op: putOut(out(1.5)) },
  { label: 'putOutgoing seq -1', core: true, op: putOut(out(-1)) },
  { label: 'putOutgoing seq NaN', core: true, op: putOut(out(Number.NaN)) },
  { label: 'putOutgoing seq 2^53', core: true, op: putOut(out(2 ** 53)) },
  { label: 'putOutgoing seq as string', core: true, op: putOut(out('7' as unknown as number)) },
  { label: 'deleteOutgoing seq 1.5', core: false, op: delOut(1.5) },
  { label: 'putOutgoing mid 65536', core: false, op: putOut(out(3, { mid: 65536 })) },
  { label: 'putOutgoing mid 0 while sent', core: false, op: putOut(out(3, { mid: 0, stage: 'sent' })) },
  { label: 'putOutgoing qos 3', core: false, op: putOut(out(3, { qos: 3 as unknown as 1 })) },
  { label: 'putOutgoing stage bogus', core: false, op: putOut(out(3, { stage: 'bogus' as unknown as 'sent' })) },
  { label: 'putOutgoing payload string', core: false, op: putOut(out(3, { payload: 'x' as unknown as Uint8Array })) },
  { label: 'putOutgoing topic number', core: false, op: putOut(out(3, { topic: 5 as unknown as string })) },
  { label: 'putSubscription empty topic', core: false, op: putSub(sub('')) },
  { label: 'putSubscription qos 3', core: false, op: putSub(sub('a', 3 as unknown as 1)) },
  { label: 'deleteSubscription topic undefined', core: false, op: delSub(undefined as unknown as string) },
  { label: 'putMeta nextMid 1.5', core: false, op: putMeta(meta({ nextMid: 1.5 })) },
  { label: 'putIncoming message seq -1', core: false, op: putInMsg(3, inMsg(-1)) },
  { label: 'putIncoming message null', core: false, op: putInMsg(3, null as unknown as StoredIncomingMessage) },
  { label: 'putIncoming message payload string', core: false, op: putInMsg(3, inMsg(1, { payload: 'x' as unknown as Uint8Array })) },
  { label: 'putIncoming message topic missing', core: false, op: putInMsg(3, inMsg(1, { topic: undefined as unknown as string })) },
  { label: 'putIncoming message dup missing', core: false, op: putInMsg(3, inMsg(1, { dup: undefined as unknown as boolean })) },
  { label: 'unknown op type', core: false, op: { type: 'dropEverything' } as unknown as StoreOp },
]

async function baseline(store: SessionStore): Promise<SessionSnapshot> {
  await store.apply(K, [putOut(out(1)), putOut(out(2)), putIn(7), putSub(sub('a/#')), putMeta(meta())])
  return store.load(K)
}

async function checkInvalid(store: SessionStore, assert: Assert, core: boolean): Promise<void> {
  const before = await baseline(store)
  for (const c of invalidOps.filter((x) => x.core === core)) {
    // Valid ops on both sides of the invalid one: none of them may land.
    const batch = [putOut(out(50)), delOut(1), putIn(8), delIn(7), putSub(sub('b')), delSub('a/#'), c.op, putOut(out(51)),
      putMeta(meta({ nextMid: 99 }))]
    const err = await assert.rejects(store.apply(K, batch), c.label)
    assert.ok(err instanceof TypeError, `${c.label}: rejects with a TypeError (got ${String(err)})`)
    assert.deepEqual(await store.load(K), before, `${c.label}: nothing applied`)
    const err2 = await assert.rejects(store.apply(K2, [putIn(9), c.op]), `${c.label} on a new key`)
    assert.ok(err2 instanceof TypeError, `${c.label} on a new key: TypeError`)
    assert.deepEqual(await store.load(K2), { outgoing: [], incoming: [], undelivered: [], subscriptions: [], meta: undefined },
      `${c.label}: nothing applied on a new key`)
  }
  assert.deepEqual(await store.keys(), [K], 'a rejected batch creates no key')
}

function assertOwnBuffer(assert: Assert, view: Uint8Array | undefined, label: string): void {
  assert.ok(view !== undefined, `${label} present`)
  if (view === undefined) return
  assert.equal(view.buffer.byteLength, view.byteLength, `${label}: backing buffer is exactly its bytes`)
}

// ---------------------------------------------------------------------------------------------------------------
// The checks

export const sessionStoreChecks: readonly SessionStoreCheck[] = [
  {
    name: 'load of an unknown key is an empty snapshot',
    async run(store, assert) {
      assert.deepEqual(await store.load(K), { outgoing: [], incoming: [], undelivered: [], subscriptions: [], meta: undefined })
      const s = await store.load('never-used')
      assert.equal(s.meta, undefined, 'meta undefined')
      assert.ok(Array.isArray(s.outgoing) && Array.isArray(s.incoming) && Array.isArray(s.subscriptions), 'arrays')
    },
  },
  {
    name: 'keys() is empty on a fresh store',
    async run(store, assert) {
      assert.deepEqual(await store.keys(), [])
    },
  },
  {
    name: 'an empty batch resolves and changes nothing',
    async run(store, assert) {
      await store.apply(K, [])
      assert.deepEqual(await store.load(K), { outgoing: [], incoming: [], undelivered: [], subscriptions: [], meta: undefined })
    },
  },
  {
    name: 'outgoing messages load sorted by seq',
    async run(store, assert) {
      await store.apply(K, [5, 1, 100, 20, 3, 0, 99].map((s) => putOut(out(s))))
      await store.apply(K, [putOut(out(2)), putOut(out(1000)), putOut(out(10))])
      assert.deepEqual(seqs(await store.load(K)), [0, 1, 2, 3, 5, 10, 20, 99, 100, 1000])
    },
  },
  {
    name: 'seq 0 and the largest safe integer are valid',
    async run(store, assert) {
      await store.apply(K, [putOut(out(Number.MAX_SAFE_INTEGER)), putOut(out(0))])
      assert.deepEqual(seqs(await store.load(K)), [0, Number.MAX_SAFE_INTEGER])
    },
  },
  {
    name: 'incoming packet ids load ascending',
    async run(store, assert) {
      await store.apply(K, [putIn(65535), putIn(2), putIn(1), putIn(300), putIn(40)])
      assert.deepEqual((await store.load(K)).incoming, [1, 2, 40, 300, 65535])
    },
  },
  {
    name: 'subscriptions load sorted by topic (UTF-16 code unit order)',
    async run(store, assert) {
      const topics = ['b', 'a/b', 'B', 'ä/x', 'a', '$SYS/#', '+/x', 'a/#']
      await store.apply(K, topics.map((t) => putSub(sub(t))))
      const expected = [...topics].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
      assert.deepEqual((await store.load(K)).subscriptions.map((s) => s.topic), expected)
    },
  },
  {
    name: 'putOutgoing overwrites by seq (mid, stage, payload change)',
    async run(store, assert) {
      await store.apply(K, [putOut(out(1, { stage: 'queued', mid: 0 })), putOut(out(2))])
      await store.apply(K, [putOut(out(1, { stage: 'sent', mid: 17, qos: 2 }))])
      await store.apply(K, [putOut(out(1, { stage: 'released', mid: 17, qos: 2, payload: bytes(9, 9) }))])
      const s = await store.load(K)
      assert.deepEqual(s.outgoing, [out(1, { stage: 'released', mid: 17, qos: 2, payload: bytes(9, 9) }), out(2)])
    },
  },
  {
    name: 'deleteOutgoing removes only that seq; deleting a missing seq is a no-op',
    async run(store, assert) {
      await store.apply(K, [1, 2, 3].map((s) => putOut(out(s))))
      await store.apply(K, [delOut(2), delOut(42)])
      assert.deepEqual(seqs(await store.load(K)), [1, 3])
      await store.apply(K, [delOut(1), delOut(3)])
      assert.deepEqual((await store.load(K)).outgoing, [])
    },
  },
  {
    name: 'putIncoming is idempotent; deleteIncoming removes',
    async run(store, assert) {
      await store.apply(K, [putIn(5), putIn(5), putIn(6)])
      await store.apply(K, [putIn(5)])
      assert.deepEqual((await store.load(K)).incoming, [5, 6])
      await store.apply(K, [delIn(5), delIn(1234)])
      assert.deepEqual((await store.load(K)).incoming, [6])
    },
  },
  {
    name: 'putIncoming with a message: listed in incoming and in undelivered (by seq) until rewritten without it',
    async run(store, assert) {
      const props = { userProperties: { a: ['1', '2'] }, contentType: 'text/plain', correlationData: bytes(7, 8) }
      await store.apply(K, [putIn(9), putInMsg(40, inMsg(5, { retain: true, dup: true, properties: props })), putInMsg(3, inMsg(7)),
        putInMsg(700, inMsg(2, { payload: new Uint8Array(0) }))])
      let s = await store.load(K)
      assert.deepEqual(s.incoming, [3, 9, 40, 700])
      assert.deepEqual(s.undelivered, [
        { ...inMsg(2, { payload: new Uint8Array(0) }), mid: 700 },
        { ...inMsg(5, { retain: true, dup: true, properties: props }), mid: 40 },
        { ...inMsg(7), mid: 3 },
      ])
      // Delivered: the entry is rewritten without its message; the id stays until PUBREL.
      await store.apply(K, [putIn(40), putIn(700)])
      s = await store.load(K)
      assert.deepEqual(s.incoming, [3, 9, 40, 700])
      assert.deepEqual(s.undelivered, [{ ...inMsg(7), mid: 3 }])
      await store.apply(K, [delIn(3)])
      s = await store.load(K)
      assert.deepEqual(s.incoming, [9, 40, 700])
      assert.deepEqual(s.undelivered, [])
    },
  },
  {
    name: 'an undelivered incoming message keeps only its own bytes and survives clear of another key',
    async run(store, assert) {
      const backing = new Uint8Array(16 * 1024).fill(0x55)
      backing.set([1, 2, 3], 500)
      await store.apply(K, [putInMsg(1, inMsg(0, { payload: backing.subarray(500, 503) }))])
      await store.apply(K2, [putInMsg(1, inMsg(0))])
      await store.clear(K2)
      backing.fill(0)
      const [u] = (await store.load(K)).undelivered
      assert.deepEqual(u?.payload, bytes(1, 2, 3))
      assertOwnBuffer(assert, u?.payload, 'incoming payload')
      assert.deepEqual((await store.load(K2)).undelivered, [], 'cleared key has none')
    },
  },
  {
    name: 'putSubscription overwrites by topic; deleteSubscription removes',
    async run(store, assert) {
      await store.apply(K, [putSub(sub('a/#', 0)), putSub(sub('b/+', 1))])
      await store.apply(K, [putSub(sub('a/#', 2, { noLocal: true }))])
      assert.deepEqual((await store.load(K)).subscriptions, [sub('a/#', 2, { noLocal: true }), sub('b/+', 1)])
      await store.apply(K, [delSub('a/#'), delSub('zzz')])
      assert.deepEqual((await store.load(K)).subscriptions, [sub('b/+', 1)])
    },
  },
  {
    name: 'subscription options round trip',
    async run(store, assert) {
      const s = sub('x/#', 2, { noLocal: true, retainAsPublished: true, retainHandling: 2 })
      const t = sub('y', 0, { noLocal: false, retainAsPublished: false, retainHandling: 0 })
      await store.apply(K, [putSub(s), putSub(t)])
      assert.deepEqual((await store.load(K)).subscriptions, [s, t])
    },
  },
  {
    name: 'putMeta sets and replaces the meta',
    async run(store, assert) {
      await store.apply(K, [putMeta(meta())])
      assert.deepEqual((await store.load(K)).meta, meta())
      await store.apply(K, [putMeta(meta({ nextMid: 65535, nextSeq: 2 ** 40, protocolVersion: 5, clientId: 'ü-😀' }))])
      assert.deepEqual((await store.load(K)).meta, meta({ nextMid: 65535, nextSeq: 2 ** 40, protocolVersion: 5, clientId: 'ü-😀' }))
    },
  },
  {
    name: 'ops in one batch apply in order',
    async run(store, assert) {
      await store.apply(K, [
        putOut(out(1)), delOut(1), putOut(out(1, { stage: 'queued', mid: 0 })),
        putOut(out(2)), delOut(2),
        putIn(3), delIn(3), putIn(4), delIn(4), putIn(4),
        putSub(sub('a', 0)), putSub(sub('a', 2)), putSub(sub('b')), delSub('b'),
        putMeta(meta({ nextMid: 1 })), putMeta(meta({ nextMid: 2 })),
      ])
      assert.deepEqual(await store.load(K), {
        outgoing: [out(1, { stage: 'queued', mid: 0 })], incoming: [4], undelivered: [], subscriptions: [sub('a', 2)], meta: meta({ nextMid: 2 }),
      })
    },
  },
  {
    name: 'keys are isolated from each other',
    async run(store, assert) {
      await store.apply(K, [putOut(out(1)), putIn(1), putSub(sub('a')), putMeta(meta())])
      await store.apply(K2, [putOut(out(2)), putIn(2), putSub(sub('b')), putMeta(meta({ clientId: 'client-2' }))])
      await store.apply(K, [delOut(2), delIn(2), delSub('b')])
      const a = await store.load(K)
      const b = await store.load(K2)
      assert.deepEqual(a, { outgoing: [out(1)], incoming: [1], undelivered: [], subscriptions: [sub('a')], meta: meta() })
      assert.deepEqual(b, { outgoing: [out(2)], incoming: [2], undelivered: [], subscriptions: [sub('b')], meta: meta({ clientId: 'client-2' }) })
      // A key that is a prefix of another must not see the other's data.
      await store.apply(`${K}x`, [putIn(3)])
      assert.deepEqual((await store.load(K)).incoming, [1], 'prefix key isolated')
    },
  },
  {
    name: 'keys() lists keys with state, sorted; clear removes one key only',
    async run(store, assert) {
      const k3 = 'wss://h/ä|😀'
      await store.apply(K2, [putIn(1)])
      await store.apply(K, [putOut(out(1))])
      await store.apply(k3, [putSub(sub('a'))])
      await store.apply('only-meta', [putMeta(meta())])
      assert.deepEqual(await store.keys(), [K, K2, 'only-meta', k3].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)))
      await store.clear(K)
      assert.deepEqual(await store.load(K), { outgoing: [], incoming: [], undelivered: [], subscriptions: [], meta: undefined })
      assert.deepEqual(await store.keys(), [K2, 'only-meta', k3].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)))
      assert.deepEqual((await store.load(K2)).incoming, [1], 'other key untouched')
      assert.deepEqual((await store.load(k3)).subscriptions, [sub('a')], 'other key untouched')
    },
  },
  {
    name: 'clear of an unknown key resolves; a cleared key can be written again',
    async run(store, assert) {
      await store.clear('nothing-here')
      await store.apply(K, [putOut(out(1)), putIn(1), putSub(sub('a')), putMeta(meta())])
      await store.clear(K)
      await store.clear(K)
      await store.apply(K, [putIn(2)])
      assert.deepEqual(await store.load(K), { outgoing: [], incoming: [2], undelivered: [], subscriptions: [], meta: undefined })
    },
  },
  {
    name: 'a batch with an invalid packet id or seq applies nothing',
    async run(store, assert) {
      await checkInvalid(store, assert, true)
    },
  },
  {
    name: 'a batch with any other invalid field applies nothing',
    requires: 'strict',
    async run(store, assert) {
      await checkInvalid(store, assert, false)
    },
  },
  {
    name: 'payload bytes round trip: empty, every byte value, 256 KiB',
    async run(store, assert) {
      const all = new Uint8Array(256).map((_, i) => i)
      const big = new Uint8Array(256 * 1024).map((_, i) => (i * 31 + 7) & 255)
      await store.apply(K, [putOut(out(1, { payload: new Uint8Array(0) })), putOut(out(2, { payload: all })),
        putOut(out(3, { payload: big })), putOut(out(4, { payload: new TextEncoder().encode('héllo 😀\u0000') }))])
      const s = await store.load(K)
      assert.deepEqual(s.outgoing.map((m) => m.payload), [new Uint8Array(0), all, big, new TextEncoder().encode('héllo 😀\u0000')])
      for (const m of s.outgoing) assert.ok(Object.prototype.toString.call(m.payload) === '[object Uint8Array]', `seq ${m.seq} payload is a Uint8Array`)
    },
  },
  {
    name: 'a payload view with an offset stores only its own bytes',
    async run(store, assert) {
      const backing = new Uint8Array(64 * 1024).fill(0xee)
      backing.set([1, 2, 3, 4, 5], 1000)
      const view = backing.subarray(1000, 1005)
      const empty = backing.subarray(10, 10)
      await store.apply(K, [putOut(out(1, { payload: view })), putOut(out(2, { payload: empty }))])
      const [a, b] = (await store.load(K)).outgoing
      assert.deepEqual(a?.payload, bytes(1, 2, 3, 4, 5))
      assertOwnBuffer(assert, a?.payload, 'view payload')
      assert.deepEqual(b?.payload, new Uint8Array(0))
      assertOwnBuffer(assert, b?.payload, 'empty view payload')
    },
  },
  {
    name: 'publish properties round trip (userProperties, correlationData bytes, …)',
    async run(store, assert) {
      const backing = new Uint8Array(4096).fill(0xaa)
      backing.set([0, 255, 128, 7], 100)
      const properties = {
        payloadFormatIndicator: true,
        messageExpiryInterval: 3600,
        responseTopic: 'reply/ä',
        correlationData: backing.subarray(100, 104),
        userProperties: { a: 'x', b: ['1', '2', '2'], 'ü 😀': '' },
        subscriptionIdentifier: [1, 268_435_455],
        contentType: 'application/octet-stream',
      }
      await store.apply(K, [putOut(out(1, { properties })), putOut(out(2, { properties: { userProperties: {} } }))])
      const [a, b] = (await store.load(K)).outgoing
      assert.deepEqual(a?.properties, { ...properties, correlationData: bytes(0, 255, 128, 7) })
      assert.deepEqual(b?.properties, { userProperties: {} })
      assert.equal((await store.load(K)).outgoing[0]?.properties?.userProperties?.['b']?.length, 3, 'repeated values kept')
    },
  },
  {
    name: 'a correlationData view with an offset stores only its own bytes',
    requires: 'strict',
    async run(store, assert) {
      const backing = new Uint8Array(32 * 1024).fill(1)
      await store.apply(K, [putOut(out(1, { properties: { correlationData: backing.subarray(5, 9) } }))])
      assertOwnBuffer(assert, (await store.load(K)).outgoing[0]?.properties?.correlationData, 'correlationData')
    },
  },
  {
    name: 'a large batch (2,000 ops) applies atomically and loads in order',
    async run(store, assert) {
      const n = 2000
      const ops: StoreOp[] = []
      for (let i = n - 1; i >= 0; i--) ops.push(putOut(out(i, { payload: new Uint8Array(100).fill(i & 255) })))
      await store.apply(K, ops)
      const s = await store.load(K)
      assert.equal(s.outgoing.length, n, 'count')
      assert.ok(s.outgoing.every((m, i) => m.seq === i && m.payload.byteLength === 100 && m.payload[99] === (i & 255)), 'order and payloads')
      const dels: StoreOp[] = []
      for (let i = 0; i < n; i += 2) dels.push(delOut(i))
      for (let i = 1; i <= 1000; i++) dels.push(putIn(i))
      await store.apply(K, dels)
      const t = await store.load(K)
      assert.equal(t.outgoing.length, n / 2, 'half deleted')
      assert.ok(t.outgoing.every((m) => m.seq % 2 === 1), 'odd seqs remain')
      assert.equal(t.incoming.length, 1000, 'incoming count')
      // A large batch with an invalid op at the very end applies nothing.
      const bad: StoreOp[] = []
      for (let i = 0; i < n; i++) bad.push(delOut(i))
      bad.push(putIn(0))
      await assert.rejects(store.apply(K, bad), 'large invalid batch')
      assert.equal((await store.load(K)).outgoing.length, n / 2, 'large invalid batch applied nothing')
    },
  },
  {
    name: 'concurrent applies keep call order',
    async run(store, assert) {
      const pending: Promise<void>[] = []
      for (let i = 0; i < 50; i++) {
        pending.push(store.apply(K, [putOut(out(1, { mid: i + 1, stage: i % 2 === 0 ? 'sent' : 'released', qos: 2 }))]))
        pending.push(store.apply(K, [putIn(i + 1), putMeta(meta({ nextMid: i + 2 }))]))
        if (i % 3 === 0) pending.push(store.apply(K, [delIn(i + 1)]))
      }
      pending.push(store.apply(K, [putOut(out(2))]), store.apply(K, [delOut(2)]))
      await Promise.all(pending)
      const s = await store.load(K)
      assert.deepEqual(s.outgoing, [out(1, { mid: 50, stage: 'released', qos: 2 })])
      assert.deepEqual(s.meta, meta({ nextMid: 51 }))
      const expectedIncoming: number[] = []
      for (let i = 0; i < 50; i++) if (i % 3 !== 0) expectedIncoming.push(i + 1)
      assert.deepEqual(s.incoming, expectedIncoming)
    },
  },
  {
    name: 'a failing batch does not block the batches after it',
    async run(store, assert) {
      const a = store.apply(K, [putIn(1)])
      const b = assert.rejects(store.apply(K, [putIn(2), putIn(0)]), 'invalid batch') // handled at once
      const c = store.apply(K, [putIn(3)])
      await Promise.all([a, b, c])
      assert.deepEqual((await store.load(K)).incoming, [1, 3])
    },
  },
  {
    name: 'load returns copies: mutating them does not change the store',
    async run(store, assert) {
      await store.apply(K, [putOut(out(1, { properties: { correlationData: bytes(1), userProperties: { a: 'b' } } })), putIn(1),
        putSub(sub('a', 1, { noLocal: true })), putMeta(meta())])
      const before = await store.load(K)
      const s = await store.load(K)
      const m = s.outgoing[0] as StoredOutgoing
      m.payload[0] = 99
      m.properties?.correlationData?.fill(9)
      ;(m.properties?.userProperties as Record<string, string>)['a'] = 'changed'
      ;(m as { topic: string }).topic = 'changed'
      s.outgoing.push(out(5))
      s.incoming.push(5)
      ;(s.subscriptions[0]?.options as { qos: number }).qos = 0
      s.subscriptions.pop()
      ;(s.meta as { nextMid: number }).nextMid = 1
      assert.deepEqual(await store.load(K), before)
    },
  },
  {
    name: 'apply copies its input: mutating ops afterwards does not change the store',
    async run(store, assert) {
      const payload = bytes(1, 2, 3)
      const correlationData = bytes(4)
      const message = { ...out(1), payload, properties: { correlationData, userProperties: { k: ['v'] } } }
      const subscription = { topic: 'a', options: { qos: 1 as const } }
      const m = { ...meta() }
      await store.apply(K, [putOut(message), putSub(subscription), putMeta(m)])
      payload.fill(0)
      correlationData.fill(0)
      message.properties.userProperties.k.push('w')
      ;(subscription.options as { qos: number }).qos = 0
      m.nextMid = 1
      const s = await store.load(K)
      assert.deepEqual(s.outgoing[0]?.payload, bytes(1, 2, 3))
      assert.deepEqual(s.outgoing[0]?.properties, { correlationData: bytes(4), userProperties: { k: ['v'] } })
      assert.deepEqual(s.subscriptions, [sub('a', 1)])
      assert.deepEqual(s.meta, meta())
    },
  },
  {
    name: 'reopen: a new store on the same backend sees the data',
    requires: 'reopen',
    async run(store, assert, env) {
      const reopen = env.reopen
      if (!reopen) return assert.fail('reopen not available')
      await store.apply(K, [putOut(out(2, { qos: 2, stage: 'released' })), putOut(out(1, { payload: bytes(0, 1) })),
        putIn(9), putSub(sub('a/#', 2)), putMeta(meta())])
      await store.apply(K2, [putIn(1)])
      const before = await store.load(K)
      const again = await reopen(store)
      assert.deepEqual(await again.load(K), before)
      assert.deepEqual(await again.keys(), [K, K2])
      await again.apply(K, [delOut(1)])
      await again.clear(K2)
      const third = await reopen(again)
      assert.deepEqual(seqs(await third.load(K)), [2])
      assert.deepEqual(await third.keys(), [K])
    },
  },
  {
    name: 'close: later calls reject; close twice resolves',
    async run(store, assert) {
      await store.apply(K, [putIn(1)])
      await store.close()
      await store.close()
      await assert.rejects(store.load(K), 'load after close')
      await assert.rejects(store.apply(K, [putIn(2)]), 'apply after close')
      await assert.rejects(store.keys(), 'keys after close')
      await assert.rejects(store.clear(K), 'clear after close')
    },
  },
]

/** Run one check on a fresh store; every store the check opened is closed afterwards. */
export async function runStoreCheck(
  check: SessionStoreCheck,
  makeStore: () => Promise<SessionStore>,
  assert: Assert,
  reopenFn?: (store: SessionStore) => Promise<SessionStore>,
): Promise<void> {
  const opened: SessionStore[] = [await makeStore()]
  const env: StoreCheckEnv = reopenFn
    ? { reopen: async (s) => { const n = await reopenFn(s); opened.push(n); return n } }
    : {}
  try {
    await check.run(opened[0] as SessionStore, assert, env)
  } finally {
    for (const s of opened) {
      try { await s.close() } catch { /* already closed */ }
    }
  }
}
