/**
 * Page side of the misuse spec (scenario 7): each call misuses a connected client in one way. The spec keeps
 * the expected error per label; `runMisuse` reports what each call did, telling a thrown error (synchronous)
 * from a rejected promise or failed MessageInfo (asynchronous).
 */
import type { Client } from '../../../packages/browser/src/index.js'

type Call = (c: Client, url: string) => unknown
// The calls deliberately break the API's types.
type Loose = any

export const MISUSE_CALLS: Record<string, Call> = {
  'publish to a topic with +': (c) => c.publish('misuse/+/b', 'x', 1),
  'publish to a topic with #': (c) => c.publish('misuse/#', 'x', 0),
  'publish to an empty topic': (c) => c.publish('', 'x', 1),
  'publish to a topic with U+0000': (c) => c.publish('a\u0000b', 'x', 1),
  'publish to a topic of 65,536 bytes': (c) => c.publish('t'.repeat(65536), 'x', 1),
  'publish with QoS 3': (c) => c.publish('misuse/t', 'x', 3 as Loose),
  'publish with QoS -1': (c) => c.publish('misuse/t', 'x', -1 as Loose),
  'publish with QoS 1.5': (c) => c.publish('misuse/t', 'x', 1.5 as Loose),
  "publish with QoS '1' (a string)": (c) => c.publish('misuse/t', 'x', '1' as Loose),
  'publish a payload of 268,435,456 bytes': (c) => c.publish('misuse/t', new Uint8Array(268_435_456), 1),
  'publish a plain object as payload': (c) => c.publish('misuse/t', { an: 'object' } as Loose, 1),
  'publish NaN as payload': (c) => c.publish('misuse/t', Number.NaN, 1),
  'subscribe to a filter with # not last': (c) => c.subscribe('misuse/#/b', 1),
  'subscribe to a filter with + inside a level': (c) => c.subscribe('misuse/b+', 1),
  'subscribe to an empty filter': (c) => c.subscribe('', 1),
  'subscribe with QoS 3': (c) => c.subscribe('misuse/ok', 3 as Loose),
  'subscribe to an empty list': (c) => c.subscribe([]),
  'subscribe to a list with one bad filter (the good one is not sent either)': (c) => c.subscribe([['misuse/ok', 1], ['misuse/#/x', 1]]),
  'subscribe to a malformed shared subscription': (c) => c.subscribe('$share/group', 1),
  'unsubscribe from a bad filter': (c) => c.unsubscribe('misuse/#/x'),
  'unsubscribe from an empty list': (c) => c.unsubscribe([]),
  'usernamePwSet after connect': (c) => c.usernamePwSet('user', 'secret'),
  'willSet after connect': (c) => c.willSet('misuse/will', 'bye', 1),
  'willClear after connect': (c) => c.willClear(),
  'reinitialise after connect': (c) => c.reinitialise('another-id'),
  'connect again while connected': (c, url) => c.connect(url),
  'maxInflightMessagesSet(-1)': (c) => c.maxInflightMessagesSet(-1),
  'maxQueuedMessagesSet(1.5)': (c) => c.maxQueuedMessagesSet(1.5),
  'reconnectDelaySet(5, 1)': (c) => c.reconnectDelaySet(5, 1),
  'tlsInsecureSet(true)': (c) => c.tlsInsecureSet(true),
  'tlsSet with a CA file': (c) => c.tlsSet('/etc/ssl/ca.pem'),
  'wsSetOptions with headers (a browser cannot send them)': (c) => c.wsSetOptions({ headers: { Authorization: 'Bearer t' } }),
  'wsSetOptions with a numeric path': (c) => c.wsSetOptions({ path: 42 as Loose }),
  // MQTT 3.1.1 clients
  'publish with MQTT 5 properties on a 3.1.1 client': (c) => c.publish('misuse/t', 'x', 1, false, { contentType: 'text/plain' }),
  'subscribe with MQTT 5 properties on a 3.1.1 client': (c) => c.subscribe('misuse/t', 1, { subscriptionIdentifier: 1 }),
  // MQTT 5 clients of a broker announcing limits
  'publish a 4,096-byte payload (broker maximum packet size 2,048)': (c) => c.publish('misuse/t', new Uint8Array(4096), 1),
  'publish QoS 0 with a 4,096-byte payload (broker maximum packet size 2,048)': (c) => c.publish('misuse/t', new Uint8Array(4096), 0),
  'publish retained (broker has retain_available false)': (c) => c.publish('misuse/t', 'x', 1, true),
  'publish with a user property that is not a string': (c) => c.publish('misuse/t', 'x', 1, false, { userProperties: { n: 42 as Loose } }),
  'publish with a number as correlation data': (c) => c.publish('misuse/t', 'x', 1, false, { correlationData: 42 as Loose }),
  'publish with Message Expiry Interval -1': (c) => c.publish('misuse/t', 'x', 1, false, { messageExpiryInterval: -1 }),
  'publish with Topic Alias 0': (c) => c.publish('misuse/t', 'x', 1, false, { topicAlias: 0 }),
  'subscribe with noLocal on a shared subscription': (c) => c.subscribe('$share/g/misuse/t', { qos: 1, noLocal: true }),
  'subscribe with retainHandling 3': (c) => c.subscribe('misuse/t', { qos: 1, retainHandling: 3 as Loose }),
}

export interface Attempt {
  readonly label: string
  /** The error was thrown by the call itself (false: a rejected promise or a failed MessageInfo). */
  readonly sync: boolean
  /** The error's name; '(no error)' when the call succeeded. */
  readonly name: string
  readonly message: string
}

function errorOf(err: unknown): { name: string; message: string } {
  const e = err as { name?: unknown; message?: unknown } | undefined
  return { name: String(e?.name ?? typeof err), message: String(e?.message ?? err) }
}

/** Run the named calls on `c`, one after the other. */
export async function runMisuse(c: Client, labels: readonly string[], url: string): Promise<Attempt[]> {
  const out: Attempt[] = []
  for (const label of labels) {
    const call = MISUSE_CALLS[label]
    if (!call) {
      out.push({ label, sync: true, name: '(no such call)', message: '' })
      continue
    }
    let r: unknown
    try {
      r = call(c, url)
    } catch (err) {
      out.push({ label, sync: true, ...errorOf(err) })
      continue
    }
    try {
      const v = r as { then?: unknown; waitForPublish?: (ms: number) => Promise<void> } | undefined
      if (v && typeof v.waitForPublish === 'function') await v.waitForPublish(5000)
      else if (v && typeof v.then === 'function') await (v as PromiseLike<unknown>)
      out.push({ label, sync: false, name: '(no error)', message: '' })
    } catch (err) {
      out.push({ label, sync: false, ...errorOf(err) })
    }
  }
  return out
}
