// A Vite SPA using @webmqtt/browser with zero configuration, in TypeScript: the shared QoS 1 round trip
// (../../shared/round-trip.js), receiving through the client's async iterator instead of onMessage.
import type { Client, MqttMessage } from '@webmqtt/browser'
import { roundTrip } from '../../shared/round-trip.js'

/** Starts iterating the topic's messages before SUBSCRIBE; the returned function awaits the first one's text. */
function viaIterator(client: Client, topic: string): () => Promise<string | undefined> {
  const messages = client.messages(topic)
  return async () => {
    const next = await messages.next()
    await messages.return?.()
    return (next.value as MqttMessage | undefined)?.text
  }
}

roundTrip('vite', viaIterator)
