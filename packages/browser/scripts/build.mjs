#!/usr/bin/env node
// Build @webmqtt/browser:
//   dist/index.js        ESM, everything bundled (core, mqtt-packet, buffer), not minified, tree-shakable
//   dist/webmqtt.iife.js minified IIFE exposing the global `webmqtt`
//   dist/**/*.d.ts       declarations (tsc --emitDeclarationOnly)
// then reports the sizes. The IIFE's size budget (scripts/size.mjs: 30 KB gzip) is enforced by `pnpm size`
// (exit 1 when over) and by test/build.test.ts in CI; an oversized bundle is still written so e2e can run on it.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { build } from 'vite'
import { packageRoot, viteOptions } from '../build/vite-options.mjs'

const dist = join(packageRoot, 'dist')
rmSync(dist, { recursive: true, force: true })

for (const format of ['es', 'iife']) {
  await build(viteOptions(format))
  console.log(`built ${format === 'es' ? 'dist/index.js' : 'dist/webmqtt.iife.js'}`)
}

const tsc = createRequire(join(packageRoot, 'package.json')).resolve('typescript/bin/tsc')
const r = spawnSync(process.execPath, [tsc, '-p', join(packageRoot, 'tsconfig.build.json')], { stdio: 'inherit' })
if (r.status !== 0) {
  console.error('declaration build failed')
  process.exit(r.status ?? 1)
}
console.log('built dist/*.d.ts')

const size = spawnSync(process.execPath, [join(packageRoot, 'scripts/size.mjs')], { stdio: 'inherit' })
if (size.status !== 0) console.warn('warning: the IIFE is over its size budget (see above); `pnpm size` and the build test fail until it is fixed')
