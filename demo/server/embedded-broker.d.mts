import type { Server } from 'node:http'
import type { Aedes } from 'aedes'

export interface EmbeddedBroker {
  readonly broker: Aedes
  readonly path: string
  /** Number of open MQTT WebSocket connections. */
  readonly connectionCount: number
  /** Terminate the broker's sockets and close it. Idempotent; also runs when the HTTP server closes. */
  close(): Promise<void>
}

export interface EmbeddedBrokerOptions {
  /** WebSocket path served by the broker. Default '/mqtt'. */
  path?: string
  log?: (msg: string) => void
}

export function attachEmbeddedBroker(httpServer: Server, options?: EmbeddedBrokerOptions): Promise<EmbeddedBroker>
export function brokerUrl(httpServer: Server, path?: string): string
