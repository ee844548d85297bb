import { fileURLToPath } from 'node:url'
import { defineConfig, defaultClientConditions } from 'vite'
import { embeddedBrokerPlugin } from './server/broker-plugin.js'
import { iifePlugin } from './server/iife-plugin.js'
import { cspPlugin } from './server/csp-plugin.js'
// The browser package's build aliases (mqtt-packet's Node-only deps → small browser shims), so the built demo
// bundles the SDK as the published bundle does, and stays small.
import { SHIMS, clientOnlyMqttPacket, mqttPacketDir } from './server/browser-build.mjs'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))

/**
 * The browser package's shims as aliases, for the build only. In dev, Vite pre-bundles mqtt-packet (CommonJS)
 * with its own copy of everything it requires, while the core's sources import `buffer` on their own: with the
 * shims, mqtt-packet and the core would hold two different Buffer classes and mqtt-packet's `Buffer.isBuffer`
 * checks fail (a CONNECT with a password: "Invalid password"). Without them, dev uses the npm packages, which
 * Vite shares between the two. The build has one copy of each module, so it uses the shims, as the package does.
 */
function shimAliases(command: 'serve' | 'build'): Array<{ find: RegExp; replacement: string }> {
  if (command !== 'build') return []
  return Object.entries(SHIMS).map(([name, file]) => ({ find: new RegExp(`^${name}$`), replacement: file }))
}

// `pnpm demo` → this dev server on 127.0.0.1 with the embedded broker at ws://<same origin>/mqtt.
export default defineConfig(({ command }) => ({
  root: here('.'),
  // 'source' first: @webmqtt/browser and @webmqtt/core are used from their TypeScript sources, no build needed.
  resolve: {
    conditions: ['source', ...defaultClientConditions],
    alias: shimAliases(command),
  },
  server: { host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 5173), open: false },
  preview: { host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 4173) },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: { main: here('index.html'), 'script-tag': here('script-tag.html') },
    },
  },
  plugins: [
    // As the package's bundles: mqtt-packet without its server-side code paths (in dev Vite pre-bundles it whole).
    ...(command === 'build' ? [clientOnlyMqttPacket(mqttPacketDir(here('../packages/core')))] : []),
    embeddedBrokerPlugin(),
    iifePlugin({ packageDir: here('../packages/browser') }),
    cspPlugin(),
  ],
}))
