// Bundled by webpack 5 with only entry, output and mode (no fallbacks, no plugins): QoS 1 round trip via ?broker=.
import { Client, sharedWorkerTimers } from '@webmqtt/browser'

const violations = []
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`))

async function run() {
  const params = new URLSearchParams(location.search)
  const broker = params.get('broker') ?? ''
  const topic = params.get('topic') ?? 'webmqtt/webpack'
  const client = new Client()
  try {
    let resolveMessage
    const message = new Promise((resolve) => { resolveMessage = resolve })
    client.onMessage = (_client, _userdata, m) => resolveMessage(m.text)
    await client.connect(broker)
    await client.subscribe(topic, 1)
    const sent = `hello from webpack ${Date.now()}`
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
