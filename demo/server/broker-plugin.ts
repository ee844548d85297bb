/**
 * Vite plugin: starts the embedded Aedes broker on Vite's own HTTP server (dev and preview), at `/mqtt`,
 * so the page connects to `ws(s)://<same origin>/mqtt` with no extra port and no internet.
 * Vite's HMR socket is untouched: only upgrades for the broker path are taken.
 */
import type { Server as HttpServer } from 'node:http'
import type { Plugin, PreviewServer, ViteDevServer } from 'vite'
import { attachEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.mjs'

export interface EmbeddedBrokerPluginOptions {
  /** WebSocket path of the broker. Default '/mqtt'. */
  path?: string
  /** Set false to serve the page without a broker (e.g. `WEBMQTT_DEMO_BROKER=off`). Default true. */
  enabled?: boolean
  /** Called with the broker once it is attached (tests use it). */
  onReady?: (broker: EmbeddedBroker) => void
}

export function embeddedBrokerPlugin(options: EmbeddedBrokerPluginOptions = {}): Plugin {
  const path = options.path ?? '/mqtt'
  const enabled = options.enabled ?? process.env.WEBMQTT_DEMO_BROKER !== 'off'
  const started: EmbeddedBroker[] = []

  async function attach(server: ViteDevServer | PreviewServer): Promise<void> {
    const http = server.httpServer as HttpServer | null
    if (!enabled || !http) return // middleware mode: the host app owns the HTTP server
    const logger = server.config.logger
    const broker = await attachEmbeddedBroker(http, {
      path,
      log: (m) => logger.warn(`[broker] ${m}`, { timestamp: true }),
    })
    started.push(broker)
    options.onReady?.(broker)
    const announce = (): void => {
      const addr = http.address()
      if (addr === null || typeof addr === 'string') return
      const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address
      const scheme = server.config.server.https ? 'wss' : 'ws'
      logger.info(`  ➜  MQTT:    ${scheme}://${host}:${addr.port}${path}  (embedded Aedes broker, MQTT 3.1.1)`)
    }
    // After Vite's own "Local:" lines when it prints them; otherwise as soon as the server listens.
    const printUrls = server.printUrls.bind(server)
    let printed = false
    server.printUrls = () => {
      printUrls()
      printed = true
      announce()
    }
    http.once('listening', () => setTimeout(() => { if (!printed) announce() }, 500).unref())
  }

  return {
    name: 'webmqtt-embedded-broker',
    async configureServer(server) {
      await attach(server)
    },
    async configurePreviewServer(server) {
      await attach(server)
    },
    async closeBundle() {
      // Dev server close runs closeBundle; the broker also closes with its HTTP server.
      await Promise.all(started.splice(0).map((b) => b.close()))
    },
  }
}
