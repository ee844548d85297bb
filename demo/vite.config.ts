import { fileURLToPath } from 'node:url'
import { defineConfig, defaultClientConditions } from 'vite'
import { embeddedBrokerPlugin } from './server/broker-plugin.js'
import { iifePlugin } from './server/iife-plugin.js'
import { cspPlugin } from './server/csp-plugin.js'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))

// `pnpm demo` → this dev server on 127.0.0.1 with the embedded broker at ws://<same origin>/mqtt.
export default defineConfig({
  root: here('.'),
  // 'source' first: @webmqtt/browser and @webmqtt/core are used from their TypeScript sources, no build needed.
  resolve: { conditions: ['source', ...defaultClientConditions] },
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
