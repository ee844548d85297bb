import type { Client } from '@webmqtt/browser'

/** Runs the round trip; its outcome becomes the promise `window.webmqttConsumer` and the page's #out text. */
export function roundTrip(tool: string, receive?: (client: Client, topic: string) => () => Promise<string | undefined>): void
