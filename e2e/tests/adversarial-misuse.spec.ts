/**
 * Issue 5, scenario 7 — misuse from the app. A connected browser client is handed invalid topics, QoS values,
 * payloads, filters, properties and option calls that are only legal while disconnected. Each must fail with
 * its own typed error (checked by `error.name`), synchronously, and put NOTHING on the wire: a recording proxy
 * between page and broker decodes every WebSocket frame and MQTT packet, and between a QoS 1 marker before and
 * one after the misuse the page sent exactly one packet (the second marker) and exactly its bytes.
 */
import { startMosquitto } from '../../packages/core/test/harness/brokers.js'
import { expect, test } from '../support/adversarial/fixture.js'
import { openAdvPage } from '../support/adversarial/page-bundle.js'
import { portOf, publishTopic, startRecordingProxy } from '../support/adversarial/recording-proxy.js'
import type { RecordingProxy } from '../support/adversarial/recording-proxy.js'
import type { Page } from '@playwright/test'
import type { Attempt } from '../support/adversarial/misuse-calls.js'

/** Connect client `name` in the page through the proxy (keepalive 600 s: no PINGREQ during the test). */
async function connect(page: Page, name: string, url: string, clientId: string, protocol: 4 | 5): Promise<Record<string, unknown>> {
  return page.evaluate(async ([name, url, clientId, protocol]) => {
    const c = new window.adv.webmqtt.Client({ clientId, protocol, reconnectOnFailure: false })
    window.adv.clients.set(name, c)
    const errors: string[] = []
    c.on('status', (ev) => { if (ev.type === 'error') errors.push(ev.error.name) })
    ;(window as unknown as { statusErrors: string[] }).statusErrors = errors
    const r = await c.connect(url, undefined, 600)
    return { sessionPresent: r.sessionPresent, properties: JSON.parse(JSON.stringify(r.properties ?? {})) as Record<string, unknown> }
  }, [name, url, clientId, protocol] as const)
}

/** Publish a QoS 1 marker and wait for its PUBACK. */
async function marker(page: Page, name: string, topic: string): Promise<void> {
  await page.evaluate(async ([name, topic]) => {
    await window.adv.client(name).publish(topic, 'marker', 1).waitForPublish(10_000)
  }, [name, topic] as const)
}

/** Wire size of a masked client frame carrying `n` bytes. */
function maskedFrameSize(n: number): number {
  return n + 4 + (n < 126 ? 2 : n < 65536 ? 4 : 10)
}

/** Between the markers: exactly the second marker's PUBLISH went up, in one binary frame, and nothing else. */
function expectOnlyMarker(proxy: RecordingProxy, mark: { packets: number; frames: number; bytes: number }, topic: string): void {
  const up = proxy.up().slice(mark.packets)
  expect(up.map((p) => `${p.name} ${p.name === 'publish' ? publishTopic(p) : ''}`.trim()), 'MQTT packets the page sent after the first marker').toEqual([`publish ${topic}`])
  const frames = proxy.frames.slice(mark.frames).filter((f) => f.dir === 'up')
  expect(frames.map((f) => f.opcode), 'WebSocket frames the page sent after the first marker').toEqual([2])
  expect(proxy.bytesUp - mark.bytes, 'bytes the page sent after the first marker').toBe(maskedFrameSize(up[0]!.bytes.length))
}

function position(proxy: RecordingProxy): { packets: number; frames: number; bytes: number } {
  return { packets: proxy.up().length, frames: proxy.frames.length, bytes: proxy.bytesUp }
}

/** Run the named misuse calls (support/adversarial/misuse-calls.ts) on client `name` in the page. */
async function misuse(page: Page, name: string, url: string, labels: string[]): Promise<Attempt[]> {
  return page.evaluate(([name, url, labels]) => window.adv.runMisuse(window.adv.client(name), labels, url), [name, url, labels] as const)
}

/**
 * Expected error name per misuse call (by label). Invalid input throws synchronously (the API contract);
 * `async` marks the few whose failure is a rejected promise / failed MessageInfo by design.
 */
const COMMON: Record<string, { name: string; async?: boolean }> = {
  'publish to a topic with +': { name: 'InvalidTopicError' },
  'publish to a topic with #': { name: 'InvalidTopicError' },
  'publish to an empty topic': { name: 'InvalidTopicError' },
  'publish to a topic with U+0000': { name: 'InvalidTopicError' },
  'publish to a topic of 65,536 bytes': { name: 'InvalidTopicError' },
  'publish with QoS 3': { name: 'InvalidQosError' },
  'publish with QoS -1': { name: 'InvalidQosError' },
  'publish with QoS 1.5': { name: 'InvalidQosError' },
  "publish with QoS '1' (a string)": { name: 'InvalidQosError' },
  'publish a payload of 268,435,456 bytes': { name: 'InvalidPayloadError' },
  'publish a plain object as payload': { name: 'InvalidPayloadError' },
  'publish NaN as payload': { name: 'InvalidPayloadError' },
  'subscribe to a filter with # not last': { name: 'InvalidFilterError' },
  'subscribe to a filter with + inside a level': { name: 'InvalidFilterError' },
  'subscribe to an empty filter': { name: 'InvalidFilterError' },
  'subscribe with QoS 3': { name: 'InvalidQosError' },
  'subscribe to an empty list': { name: 'InvalidArgumentError' },
  'subscribe to a list with one bad filter (the good one is not sent either)': { name: 'InvalidFilterError' },
  'subscribe to a malformed shared subscription': { name: 'InvalidFilterError' },
  'unsubscribe from a bad filter': { name: 'InvalidFilterError' },
  'unsubscribe from an empty list': { name: 'InvalidArgumentError' },
  'usernamePwSet after connect': { name: 'InvalidStateError' },
  'willSet after connect': { name: 'InvalidStateError' },
  'willClear after connect': { name: 'InvalidStateError' },
  'reinitialise after connect': { name: 'InvalidStateError' },
  'connect again while connected': { name: 'InvalidStateError', async: true },
  'maxInflightMessagesSet(-1)': { name: 'InvalidArgumentError' },
  'maxQueuedMessagesSet(1.5)': { name: 'InvalidArgumentError' },
  'reconnectDelaySet(5, 1)': { name: 'InvalidArgumentError' },
  'tlsInsecureSet(true)': { name: 'NotSupportedError' },
  'tlsSet with a CA file': { name: 'NotSupportedError' },
  'wsSetOptions with headers (a browser cannot send them)': { name: 'NotSupportedError' },
  'wsSetOptions with a numeric path': { name: 'InvalidArgumentError' },
}

const V311_ONLY: typeof COMMON = {
  'publish with MQTT 5 properties on a 3.1.1 client': { name: 'InvalidArgumentError' },
  'subscribe with MQTT 5 properties on a 3.1.1 client': { name: 'InvalidArgumentError' },
}

/**
 * Limits the v5 broker announces in CONNACK (max_packet_size 2048, retain_available false; Mosquitto 2.0.11 does
 * not announce max_qos) and v5 properties.
 */
const V5_ONLY: typeof COMMON = {
  // Checked when the message is sent (it may be queued before the broker's limit is known): a failed MessageInfo.
  'publish a 4,096-byte payload (broker maximum packet size 2,048)': { name: 'PacketTooLargeError', async: true },
  'publish QoS 0 with a 4,096-byte payload (broker maximum packet size 2,048)': { name: 'PacketTooLargeError', async: true },
  'publish retained (broker has retain_available false)': { name: 'InvalidArgumentError' },
  'publish with a user property that is not a string': { name: 'InvalidPropertyError' },
  'publish with a number as correlation data': { name: 'InvalidPropertyError' },
  'publish with Message Expiry Interval -1': { name: 'InvalidPropertyError' },
  'publish with Topic Alias 0': { name: 'InvalidPropertyError' },
  'subscribe with noLocal on a shared subscription': { name: 'InvalidFilterError' },
  'subscribe with retainHandling 3': { name: 'InvalidArgumentError' },
}

function expectTypedErrors(results: Attempt[], table: typeof COMMON): void {
  const got = Object.fromEntries(results.map((r) => [r.label, `${r.name}${r.sync ? '' : ' (async)'}`]))
  const want = Object.fromEntries(Object.entries(table).map(([label, e]) => [label, `${e.name}${e.async ? ' (async)' : ''}`]))
  // Soft: the wire check below still runs when an error is wrong.
  expect.soft(got, 'error name per misuse (async: a rejected promise instead of a thrown error)').toEqual(want)
}

test.describe('misuse from the app (scenario 7)', () => {
  test('MQTT 3.1.1 on Mosquitto: a typed error each, nothing on the wire', async ({ page, adv, e2e }, testInfo) => {
    const proxy = await startRecordingProxy(portOf(e2e.mosquitto.wsUrl))
    try {
      await openAdvPage(page, adv)
      const id = `misuse-311-${testInfo.workerIndex}-${Date.now()}`
      await connect(page, 'c', proxy.wsUrl, id, 4)
      await marker(page, 'c', `${id}/before`)
      const mark = position(proxy)

      const table = { ...COMMON, ...V311_ONLY }
      const results = await misuse(page, 'c', proxy.wsUrl, Object.keys(table))
      expectTypedErrors(results, table)
      expect(await page.evaluate(() => ({ state: window.adv.client('c').state, errors: (window as unknown as { statusErrors: string[] }).statusErrors })))
        .toEqual({ state: 'connected', errors: [] })

      await marker(page, 'c', `${id}/after`)
      expectOnlyMarker(proxy, mark, `${id}/after`)
      expect(proxy.acceptedConnections, 'connections through the proxy').toBe(1)
      await page.evaluate(() => window.adv.client('c').disconnect())
    } finally {
      await proxy.stop()
    }
  })

  test('MQTT 5 on a Mosquitto with limits: a typed error each, nothing on the wire', async ({ page, adv }, testInfo) => {
    const broker = await startMosquitto({ extra: ['max_packet_size 2048', 'retain_available false'] })
    const proxy = await startRecordingProxy(broker.wsPort)
    try {
      await openAdvPage(page, adv)
      const id = `misuse-v5-${testInfo.workerIndex}-${Date.now()}`
      const connack = await connect(page, 'c', proxy.wsUrl, id, 5)
      expect(connack.properties, 'limits announced in CONNACK').toMatchObject({ maximumPacketSize: 2048, retainAvailable: false })
      await marker(page, 'c', `${id}/before`)
      const mark = position(proxy)

      const table = { ...COMMON, ...V5_ONLY }
      const results = await misuse(page, 'c', proxy.wsUrl, Object.keys(table))
      expectTypedErrors(results, table)
      expect(await page.evaluate(() => ({ state: window.adv.client('c').state, errors: (window as unknown as { statusErrors: string[] }).statusErrors })))
        .toEqual({ state: 'connected', errors: [] })

      await marker(page, 'c', `${id}/after`)
      expectOnlyMarker(proxy, mark, `${id}/after`)
      await page.evaluate(() => window.adv.client('c').disconnect())
    } finally {
      await proxy.stop()
      await broker.stop()
    }
  })
})
