// A Vite SPA using @webmqtt/browser with zero configuration: QoS 1 round trip through the broker in ?broker=.
import { Client, sharedWorkerTimers } from '@webmqtt/browser'
import type { MqttMessage } from '@webmqtt/browser'

interface ConsumerResult {
  ok: boolean
  sent?: string
  received?: string
  timersMode?: string
  violations: string[]
  error?: string
}

const violations: string[] = []
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`))

async function run(): Promise<ConsumerResult> {
  const params = new URLSearchParams(location.search)
  const broker = params.get('broker') ?? ''
  const topic = params.get('topic') ?? 'webmqtt/vite'
  const client = new Client()
  try {
    await client.connect(broker)
    const messages = client.messages(topic)
    await client.subscribe(topic, 1)
    const sent = `hello from Vite ${Date.now()}`
    await client.publish(topic, sent, 1).waitForPublish(10_000)
    const next = await messages.next()
    const received = (next.value as MqttMessage | undefined)?.text
    await messages.return?.()
    return { ok: received === sent, sent, received, timersMode: sharedWorkerTimers().mode, violations }
  } catch (err) {
    return { ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err), violations }
  } finally {
    await client.disconnect()
  }
}

const result = run()
Object.assign(window, { webmqttConsumer: result })
void result.then((r) => {
  const out = document.getElementById('out')
  if (out) out.textContent = JSON.stringify(r, null, 2)
})
