import { fileURLToPath } from 'node:url'
import { defineConfig, defaultClientConditions } from 'vite'
import { embeddedBrokerPlugin } from './server/broker-plugin.js'
import { iifePlugin } from './server/iife-plugin.js'
import { cspPlugin } from './server/csp-plugin.js'
// The browser package's build aliases (mqtt-packet's Node-only deps → small browser shims), so the demo runs
// the SDK from source exactly as the published bundle does, and stays small.
import { SHIMS } from './server/browser-build.mjs'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))

// `pnpm demo` → this dev server on 127.0.0.1 with the embedded broker at ws://<same origin>/mqtt.
export default defineConfig({
  root: here('.'),
  // 'source' first: @webmqtt/browser and @webmqtt/core are used from their TypeScript sources, no build needed.
  resolve: {
    conditions: ['source', ...defaultClientConditions],
    // As aliases (not a resolveId plugin) so that dev-time dependency pre-bundling uses them too.
    alias: Object.entries(SHIMS).map(([name, file]) => ({ find: new RegExp(`^${name}$`), replacement: file })),
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
    embeddedBrokerPlugin(),
    iifePlugin({ packageDir: here('../packages/browser') }),
    cspPlugin(),
  ],
})
