// The browser builds' module rules as an esbuild plugin: the same shims (shims.mjs) and the same client-only
// mqtt-packet (client-only-mqtt-packet.mjs) as the Vite build, so bundles made with esbuild straight from the
// TypeScript sources (the e2e pages) run the code the published bundles ship.
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { clientOnlySourcesOnce, mqttPacketDir } from './client-only-mqtt-packet.mjs'
import { SHIMS } from './shims.mjs'

const SHIMMED = new RegExp(`^(${Object.keys(SHIMS).join('|')})$`)

/** @returns {import('esbuild').Plugin} */
export function esbuildBrowserModules() {
  const dir = mqttPacketDir(fileURLToPath(new URL('../../core/', import.meta.url)))
  const sources = clientOnlySourcesOnce(dir)
  return {
    name: 'webmqtt-browser-modules',
    setup(b) {
      b.onResolve({ filter: SHIMMED }, (args) => ({ path: SHIMS[args.path] }))
      b.onLoad({ filter: /[\\/]mqtt-packet[\\/]\w+\.js$/ }, (args) => {
        if (!args.path.startsWith(join(dir, sep))) return undefined
        const entry = sources.get(relative(dir, args.path))
        return entry ? { contents: entry.code, loader: 'js', resolveDir: dir } : undefined
      })
    },
  }
}
