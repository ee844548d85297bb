#!/usr/bin/env node
// Size budget of the minified IIFE, gzip level 9 (MQTT.js is ~105 KB): 30 KB (issue 3). Also reports the ESM bundle.
// `node scripts/size.mjs [distDir] [--json]` exits 1 over the budget or when a bundle is missing.
// test/build.test.ts applies the same check to a fresh build, so CI enforces it.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'

export const IIFE_BUDGET_BYTES = 30 * 1024
export const IIFE_FILE = 'webmqtt.iife.js'
export const ESM_FILE = 'index.js'

/** Raw and gzip (level 9) size of a file or string. */
export function measure(fileOrCode, isCode = false) {
  const bytes = isCode ? Buffer.from(fileOrCode) : readFileSync(fileOrCode)
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
}

export const kb = (n) => `${(n / 1024).toFixed(1)} KB`

/** The ESM output is one file per module: measure all of them together (what a consumer bundling it all gets). */
export function measureEsm(dist) {
  const files = readdirSync(dist, { recursive: true }).map(String)
    .filter((f) => f.endsWith('.js') && !f.endsWith(IIFE_FILE)).sort()
  return { ...measure(files.map((f) => readFileSync(join(dist, f), 'utf8')).join('\n'), true), files: files.length }
}

function main() {
  const args = process.argv.slice(2)
  const dist = resolve(args.find((a) => !a.startsWith('--')) ?? fileURLToPath(new URL('../dist/', import.meta.url)))
  const files = { iife: join(dist, IIFE_FILE), esm: join(dist, ESM_FILE) }
  const missing = Object.values(files).filter((f) => !existsSync(f))
  if (missing.length > 0) {
    console.error(`size: missing ${missing.join(', ')}; run the build first`)
    process.exit(1)
  }
  const iife = measure(files.iife)
  const esm = measureEsm(dist)
  if (args.includes('--json')) {
    console.log(JSON.stringify({ iife, esm, budget: IIFE_BUDGET_BYTES }))
  } else {
    console.log(`size: ${IIFE_FILE} ${kb(iife.raw)} min, ${kb(iife.gzip)} gzip (${iife.gzip} B of the ${IIFE_BUDGET_BYTES} B budget)`)
    console.log(`size: ESM (${esm.files} modules, unminified) ${kb(esm.raw)}, ${kb(esm.gzip)} gzip`)
  }
  if (iife.gzip > IIFE_BUDGET_BYTES) {
    console.error(`size: ${IIFE_FILE} is ${iife.gzip - IIFE_BUDGET_BYTES} B over the ${kb(IIFE_BUDGET_BYTES)} gzip budget`)
    process.exit(1)
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main()
