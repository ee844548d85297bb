#!/usr/bin/env node
// Size budget: the minified IIFE must stay ≤ 30 KB gzip (MQTT.js is ~105 KB). Also reports the ESM bundle.
// Exits 1 when over budget or when the bundle is missing. `--json` prints the numbers as JSON.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

export const IIFE_BUDGET_BYTES = 30 * 1024

const dist = fileURLToPath(new URL('../dist/', import.meta.url))

export function measure(file) {
  const bytes = readFileSync(file)
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
}

const files = { iife: join(dist, 'webmqtt.iife.js'), esm: join(dist, 'index.js') }
const missing = Object.values(files).filter((f) => !existsSync(f))
if (missing.length > 0) {
  console.error(`size: missing ${missing.join(', ')}; run the build first`)
  process.exit(1)
}
const iife = measure(files.iife)
const esm = measure(files.esm)
const kb = (n) => `${(n / 1024).toFixed(1)} KB`
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ iife, esm, budget: IIFE_BUDGET_BYTES }))
} else {
  console.log(`size: webmqtt.iife.js ${kb(iife.raw)} min, ${kb(iife.gzip)} gzip (budget ${kb(IIFE_BUDGET_BYTES)})`)
  console.log(`size: index.js (ESM, unminified) ${kb(esm.raw)}, ${kb(esm.gzip)} gzip`)
}
if (iife.gzip > IIFE_BUDGET_BYTES) {
  console.error(`size: over budget by ${kb(iife.gzip - IIFE_BUDGET_BYTES)}`)
  process.exit(1)
}
