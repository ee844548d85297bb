import { build } from 'vite'
import { gzipSync } from 'node:zlib'
import { viteOptions } from '../build/vite-options.mjs'
for (const entry of process.argv.slice(2)) {
  const o = viteOptions('iife')
  o.build.write = false
  o.build.lib.entry = entry
  const out = await build(o)
  const code = (Array.isArray(out) ? out[0] : out).output[0].code
  console.log(entry, code.length, gzipSync(code, { level: 9 }).length)
}
