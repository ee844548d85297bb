// The QoS 1 round trip the esbuild, webpack and Rollup consumers share (each bundles this file along with
// @webmqtt/browser through its own resolver): connect to ?broker=, subscribe to ?topic=, publish, receive it back.
// The outcome is the promise `window.webmqttConsumer` (read by e2e/tests/consumers-bundlers.spec.ts).
import { Client, sharedWorkerTimers } from '@webmqtt/browser'

/** @param {string} tool the bundler's name, used in the default topic and the payload */
export function roundTrip(tool) {
  const violations = []
  document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`))

  async function run() {
    const params = new URLSearchParams(location.search)
    const broker = params.get('broker') ?? ''
    const topic = params.get('topic') ?? `webmqtt/${tool}`
    const client = new Client()
    try {
      let resolveMessage
      const message = new Promise((resolve) => { resolveMessage = resolve })
      client.onMessage = (_client, _userdata, m) => resolveMessage(m.text)
      await client.connect(broker)
      await client.subscribe(topic, 1)
      const sent = `hello from ${tool} ${Date.now()}`
      await client.publish(topic, sent, 1).waitForPublish(10_000)
      const received = await message
      return { ok: received === sent, sent, received, timersMode: sharedWorkerTimers().mode, violations }
    } catch (err) {
      return { ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err), violations }
    } finally {
      await client.disconnect()
    }
  }

  const result = run()
  window.webmqttConsumer = result
  result.then((r) => { document.getElementById('out').textContent = JSON.stringify(r, null, 2) })
}
