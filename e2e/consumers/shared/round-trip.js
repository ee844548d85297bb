// The QoS 1 round trip every bundled consumer shares (each bundles this file along with @webmqtt/browser through
// its own resolver): connect to ?broker=, subscribe to ?topic=, publish, receive it back. How the message is
// received is the app's choice: onMessage by default, the Vite SPA passes an async-iterator receiver.
// The outcome is the promise `window.webmqttConsumer` (read by e2e/tests/consumers-bundlers.spec.ts).
import { Client, sharedWorkerTimers } from '@webmqtt/browser'

/**
 * onMessage: starts listening on a connected client (before SUBSCRIBE); the returned function awaits the text.
 * @param {import('@webmqtt/browser').Client} client
 * @returns {() => Promise<string | undefined>}
 */
function viaOnMessage(client) {
  const text = new Promise((resolve) => { client.onMessage = (_client, _userdata, m) => resolve(m.text) })
  return () => text
}

/**
 * @param {string} tool the bundler's name, used in the default topic and the payload
 * @param {(client: import('@webmqtt/browser').Client, topic: string) => () => Promise<string | undefined>} [receive]
 */
export function roundTrip(tool, receive = viaOnMessage) {
  const violations = []
  document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`))

  async function run() {
    const params = new URLSearchParams(location.search)
    const broker = params.get('broker') ?? ''
    const topic = params.get('topic') ?? `webmqtt/${tool}`
    const client = new Client()
    try {
      await client.connect(broker)
      const message = receive(client, topic)
      await client.subscribe(topic, 1)
      const sent = `hello from ${tool} ${Date.now()}`
      await client.publish(topic, sent, 1).waitForPublish(10_000)
      const received = await message()
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
