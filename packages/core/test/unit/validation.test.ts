import { beforeEach, describe, expect, it } from 'vitest'
import {
  InvalidArgumentError, InvalidFilterError, InvalidPayloadError, InvalidPropertyError, InvalidQosError,
  InvalidStateError, InvalidTopicError, MQTT_ERR_PAYLOAD_SIZE, MQTTv5,
} from '../../src/index.js'
import { publishes, rig, settle, text } from '../support/rig.js'
import type { Rig } from '../support/rig.js'

type ErrClass = abstract new (...args: never[]) => Error

/** `fn` throws `Err` synchronously, and afterwards nothing was sent and nothing was queued. */
async function refused(r: Rig, fn: () => unknown, Err: ErrClass): Promise<void> {
  const sent = r.broker.connections.reduce((n, c) => n + c.raw.length, 0)
  const pending = r.client.pendingMessages().length
  let thrown: unknown
  let returned: unknown
  try { returned = fn() } catch (e) { thrown = e }
  if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(() => {}, () => {})
  expect(thrown, `expected ${fn.toString()} to throw ${Err.name}`).toBeInstanceOf(Err)
  await settle()
  expect(r.broker.connections.reduce((n, c) => n + c.raw.length, 0)).toBe(sent)
  expect(r.client.pendingMessages()).toHaveLength(pending)
}

const EURO = '\u20ac' // 3 UTF-8 bytes
const E_ACUTE = '\u00e9' // 2 UTF-8 bytes
const GRIN = '\u{1F600}' // 4 UTF-8 bytes, 2 UTF-16 units

describe('input validation: typed errors, thrown synchronously, nothing sent', () => {
  let r: Rig
  beforeEach(async () => {
    r = rig({ autoAck: true })
    await r.client.connect('b')
  })

  /** After all the refused calls a valid publish still goes out with the first packet id. */
  async function stillWorks(): Promise<void> {
    const info = r.client.publish('ok', 'fine', 1)
    await info.waitForPublish()
    const p = publishes(r.broker.current).at(-1)!
    expect([p.topic, text(p), p.messageId]).toEqual(['ok', 'fine', 1])
  }

  it('publish topic: empty, wildcards, NUL, not a string', async () => {
    for (const t of ['', '+', '#', 'a/+', 'a/#', 'a/b+', 'a#', '+/a', 'a\u0000b', '\u0000']) {
      await refused(r, () => r.client.publish(t, 'x', 1), InvalidTopicError)
    }
    for (const t of [undefined, null, 42, ['a'], { topic: 'a' }]) {
      await refused(r, () => r.client.publish(t as never, 'x', 1), InvalidTopicError)
    }
    await stillWorks()
  })

  it('publish topic: lone surrogates (high, low, reversed pair) are refused; a proper pair is fine', async () => {
    for (const t of ['\uD800', 'a/\uD83D', 'a\uDC00b', '\uDE00\uD83D', `${GRIN}\uDE00`]) {
      await refused(r, () => r.client.publish(t, 'x', 0), InvalidTopicError)
    }
    const info = r.client.publish(`emoji/${GRIN}`, 'x', 0)
    await info.waitForPublish()
    expect(publishes(r.broker.current).at(-1)!.topic).toBe(`emoji/${GRIN}`)
  })

  it('topics over 65,535 UTF-8 bytes are refused, counting multi-byte characters; exactly 65,535 is sent', async () => {
    const over = [
      'a'.repeat(65536),
      E_ACUTE.repeat(32768), // 32,768 units, 65,536 bytes
      EURO.repeat(21846), // 21,846 units, 65,538 bytes
      GRIN.repeat(16384), // 32,768 units, 65,536 bytes
      `${'a'.repeat(65533)}${EURO}`, // 65,534 units, 65,536 bytes
    ]
    for (const t of over) await refused(r, () => r.client.publish(t, 'x', 1), InvalidTopicError)
    for (const t of over) await refused(r, () => r.client.subscribe(t, 1), InvalidFilterError)
    for (const t of over) await refused(r, () => r.client.willSet(t, 'x'), InvalidStateError) // connected: state first
    const exact = `${E_ACUTE.repeat(32767)}a` // 65,535 bytes
    const info = r.client.publish(exact, 'x', 1)
    await info.waitForPublish()
    const sent = publishes(r.broker.current).at(-1)!
    expect(sent.topic).toBe(exact)
    expect(Buffer.byteLength(sent.topic, 'utf8')).toBe(65535)
  })

  it('QoS outside 0–2: -1, 3, 1.5, "1", NaN, null, true', async () => {
    for (const q of [-1, 3, 1.5, '1', Number.NaN, null, true, 2 ** 32]) {
      await refused(r, () => r.client.publish('t', 'x', q as never), InvalidQosError)
      await refused(r, () => r.client.subscribe('t', q as never), InvalidQosError)
      await refused(r, () => r.client.subscribe([['a', 1], ['t', q as never]]), InvalidQosError)
      await refused(r, () => r.client.subscribe('t', { qos: q as never }), InvalidQosError)
    }
    await stillWorks()
  })

  it('malformed filters: foo+, a/#/b, #/a, +a, "", NUL, lone surrogate, bad $share forms', async () => {
    const bad = ['foo+', 'a/#/b', '#/a', '+a', 'a/b#', '##', '', 'a\u0000', 'a/\uD800', '$share/g', '$share//a', '$share/g/', '$share/g+/a', '$share/#/a']
    for (const f of bad) {
      await refused(r, () => r.client.subscribe(f, 0), InvalidFilterError)
      await refused(r, () => r.client.subscribe([['ok/#', 0], [f, 0]]), InvalidFilterError) // none of the list is sent
      await refused(r, () => r.client.unsubscribe(f), InvalidFilterError)
      await refused(r, () => r.client.unsubscribe(['ok/#', f]), InvalidFilterError)
    }
    await refused(r, () => r.client.messages('a/#/b'), InvalidFilterError)
    await refused(r, () => r.client.messageCallbackAdd('foo+', () => {}), InvalidFilterError)
    const sub = r.client.subscribe('$share/g/a/+', 1)
    expect(sub.mid).toBe(1)
    await sub
  })

  it('bad subscribe / unsubscribe argument forms', async () => {
    const forms: Array<[() => unknown, ErrClass]> = [
      [() => r.client.subscribe(42 as never), InvalidArgumentError],
      [() => r.client.subscribe(null as never), InvalidArgumentError],
      [() => r.client.subscribe([] as never), InvalidArgumentError],
      [() => r.client.subscribe(['a'] as never), InvalidArgumentError],
      [() => r.client.subscribe(['a', 1, 2] as never), InvalidArgumentError],
      [() => r.client.subscribe([['a', 1], 'b'] as never), InvalidArgumentError],
      [() => r.client.subscribe([[1, 1]] as never), InvalidArgumentError],
      [() => r.client.subscribe('a', {} as never), InvalidQosError],
      [() => r.client.subscribe('a', 'x' as never), InvalidQosError],
      [() => r.client.subscribe('a', { qos: 1, retainHandling: 3 as never }), InvalidArgumentError],
      [() => r.client.unsubscribe([]), InvalidArgumentError],
      [() => r.client.unsubscribe(5 as never), InvalidArgumentError],
      [() => r.client.unsubscribe(undefined as never), InvalidArgumentError],
      [() => r.client.messageCallbackAdd('a/#', 'nope' as never), InvalidArgumentError],
    ]
    for (const [fn, Err] of forms) await refused(r, fn, Err)
    await stillWorks()
  })

  it('payload types: objects, arrays, booleans, bigint, symbol, functions → InvalidPayloadError (a TypeError)', async () => {
    const bad: unknown[] = [{}, { a: 1 }, [1, 2], true, false, 1n, Symbol('s'), () => 1, new Date(0), new Map(), new String('x')]
    for (const p of bad) {
      await refused(r, () => r.client.publish('t', p as never, 1), InvalidPayloadError)
      await refused(r, () => r.client.publish('t', p as never, 0), TypeError)
    }
    try { r.client.publish('t', {} as never) } catch (e) {
      expect(e).toBeInstanceOf(TypeError)
      expect((e as InvalidPayloadError).name).toBe('InvalidPayloadError')
      expect((e as InvalidPayloadError).rc).toBe(MQTT_ERR_PAYLOAD_SIZE)
    }
    await stillWorks()
  })

  it('payload conversion: strings as UTF-8, numbers as decimal text, buffers and views (with offsets) byte for byte', async () => {
    const backing = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).buffer
    const f32 = new Float32Array([1])
    const cases: Array<[unknown, number[]]> = [
      ['h\u00e9', [0x68, 0xc3, 0xa9]],
      [GRIN, [0xf0, 0x9f, 0x98, 0x80]],
      ['', []],
      [null, []],
      [undefined, []],
      [42, [...'42'].map((c) => c.charCodeAt(0))],
      [-1.5, [...'-1.5'].map((c) => c.charCodeAt(0))],
      [0, [0x30]],
      [new Uint8Array([9, 8, 7]), [9, 8, 7]],
      [new Uint8Array(backing).subarray(3, 6), [3, 4, 5]],
      [backing, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
      [new DataView(backing, 2, 3), [2, 3, 4]],
      [new Uint16Array(backing, 2, 2), [2, 3, 4, 5]],
      [new Int32Array(backing, 4, 1), [4, 5, 6, 7]],
      [f32, [0, 0, 0x80, 0x3f]],
      [Buffer.from('abc'), [0x61, 0x62, 0x63]],
    ]
    for (const [payload, bytes] of cases) {
      const info = r.client.publish('p', payload as never, 0)
      await info.waitForPublish()
      const sent = publishes(r.broker.current).at(-1)!
      expect([...(sent.payload as Uint8Array)], `payload ${String(payload)}`).toEqual(bytes)
    }
  })

  it('the payload is copied at publish(): changing the caller’s buffer later does not change the message', async () => {
    await r.client.disconnect()
    const buf = new Uint8Array([1, 2, 3])
    r.client.publish('copy', buf, 1)
    buf[0] = 99
    await r.client.connect('b')
    await settle()
    expect([...(publishes(r.broker.current)[0]!.payload as Uint8Array)]).toEqual([1, 2, 3])
  })

  it('payload over 268,435,455 bytes (a view claiming 268,435,456 bytes) is refused', async () => {
    const fake = Object.create(Uint8Array.prototype) as Uint8Array
    Object.defineProperty(fake, 'byteLength', { value: 268_435_456 })
    await refused(r, () => r.client.publish('big', fake, 1), InvalidPayloadError)
  })

  it('payload over 268,435,455 bytes (a real, lazily zero-filled 256 MiB buffer) is refused without copying it', async () => {
    const rss0 = process.memoryUsage().rss
    const big = new Uint8Array(268_435_456)
    await refused(r, () => r.client.publish('big', big, 1), InvalidPayloadError)
    await refused(r, () => r.client.publish('big', big.buffer, 0), InvalidPayloadError)
    await refused(r, () => r.client.publish('big', new DataView(big.buffer), 2), InvalidPayloadError)
    // untouched zero pages are not resident: nothing copied the 256 MiB
    expect(process.memoryUsage().rss - rss0).toBeLessThan(128 * 1024 * 1024)
    await stillWorks()
  })

  it('option setters while connected: usernamePwSet, willSet, willClear, reinitialise → InvalidStateError', async () => {
    await refused(r, () => r.client.usernamePwSet('u', 'p'), InvalidStateError)
    await refused(r, () => r.client.willSet('will', 'bye', 1), InvalidStateError)
    await refused(r, () => r.client.willClear(), InvalidStateError)
    await refused(r, () => r.client.reinitialise('other'), InvalidStateError)
    expect(r.client.clientId).toBe('c1')
    expect(r.client.isConnected()).toBe(true)
    await stillWorks()
  })

  it('option setters while connecting and while reconnecting → InvalidStateError', async () => {
    await r.client.disconnect()
    r.broker.opts.connack = false
    const pending = r.client.connect('b').catch(() => {})
    await settle()
    expect(r.client.state).toBe('connecting')
    await refused(r, () => r.client.usernamePwSet('u'), InvalidStateError)
    await refused(r, () => r.client.willSet('w'), InvalidStateError)
    r.broker.current.drop()
    await pending
    expect(r.client.state).toBe('reconnecting')
    await refused(r, () => r.client.willClear(), InvalidStateError)
    await refused(r, () => r.client.reinitialise(), InvalidStateError)
    await r.client.disconnect()
    r.client.usernamePwSet('u', 'p') // allowed again once disconnected
    r.client.willSet('w', 'x')
  })

  it('willSet validates topic, QoS and payload before storing (while disconnected)', async () => {
    await r.client.disconnect()
    await refused(r, () => r.client.willSet('', 'x'), InvalidTopicError)
    await refused(r, () => r.client.willSet('w/+', 'x'), InvalidTopicError)
    await refused(r, () => r.client.willSet('w', 'x', 3 as never), InvalidQosError)
    await refused(r, () => r.client.willSet('w', {} as never), InvalidPayloadError)
    await r.client.connect('b')
    expect((r.broker.current.packets('connect')[0] as { will?: unknown }).will).toBeUndefined()
  })

  it('connect() argument errors throw synchronously and open no connection', async () => {
    await r.client.disconnect()
    const n = r.broker.connections.length
    expect(() => r.client.connect('')).toThrow(InvalidArgumentError)
    expect(() => r.client.connect('b', 0)).toThrow(InvalidArgumentError)
    expect(() => r.client.connect('b', 65536)).toThrow(InvalidArgumentError)
    expect(() => r.client.connect('b', 1883, -1)).toThrow(InvalidArgumentError)
    expect(() => r.client.connect('b', 1883, 65536)).toThrow(InvalidArgumentError)
    expect(() => r.client.connect('b', 1883, 1.5)).toThrow(InvalidArgumentError)
    await settle()
    expect(r.broker.connections).toHaveLength(n)
    expect(r.client.state).toBe('disconnected')
  })

  it('MQTT 5-only arguments on a 3.1.1 client: publish/subscribe/unsubscribe/connect/will properties', async () => {
    await refused(r, () => r.client.publish('t', 'x', 1, false, { contentType: 'a' }), InvalidArgumentError)
    await refused(r, () => r.client.subscribe('t', 1, { subscriptionIdentifier: 3 }), InvalidArgumentError)
    await refused(r, () => r.client.unsubscribe('t', { userProperties: { a: 'b' } }), InvalidArgumentError)
    await r.client.disconnect()
    expect(() => r.client.connect('b', 1883, 60, { properties: { sessionExpiryInterval: 10 } })).toThrow(InvalidArgumentError)
    await refused(r, () => r.client.willSet('w', 'x', 0, false, { willDelayInterval: 5 }), InvalidArgumentError)
    await r.client.connect('b')
    expect((r.broker.current.packets('connect')[0] as { will?: unknown }).will).toBeUndefined()
  })

  it('MQTT 5: malformed properties → InvalidPropertyError, nothing sent', async () => {
    const v5 = rig({ protocol: MQTTv5 })
    await v5.client.connect('b')
    await refused(v5, () => v5.client.publish('t', 'x', 1, false, { userProperties: { a: 1 as never } }), InvalidPropertyError)
    await refused(v5, () => v5.client.publish('t', 'x', 1, false, { userProperties: [] as never }), InvalidPropertyError)
    await refused(v5, () => v5.client.publish('t', 'x', 1, false, { correlationData: 5 as never }), InvalidPropertyError)
    await refused(v5, () => v5.client.publish('t', 'x', 1, false, 'props' as never), InvalidPropertyError)
    await refused(v5, () => v5.client.subscribe('$share/g/t', { qos: 0, noLocal: true }), InvalidFilterError)
    const ok = v5.client.publish('t', 'x', 1, false, { userProperties: { a: ['1', '2'] } })
    await ok.waitForPublish()
    expect(ok.mid).toBe(1)
  })
})
