#!/usr/bin/env node
// The README's test command: set up the machine, build, run every vitest suite (unit, contract, integration
// against real Mosquitto and Aedes) and the Playwright suite (real Chromium), then print one summary line
// `tests: N passed, N failed`. Exits non-zero when anything failed.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const tmp = join(root, '.tmp')
rmSync(tmp, { recursive: true, force: true })
mkdirSync(tmp, { recursive: true })
const args = process.argv.slice(2)
const skipSetup = args.includes('--no-setup')
const only = args.find((a) => a.startsWith('--only='))?.slice(7) // unit | e2e

const run = (cmd, cmdArgs, env = {}) => {
  console.log(`\n$ ${cmd} ${cmdArgs.join(' ')}`)
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  return r.status ?? 1
}
const pnpm = (a, env = {}) => run('npx', ['-y', 'pnpm@10', ...a], env)

let passed = 0
let failed = 0
let stageFailures = 0

if (!skipSetup && run('node', ['scripts/setup.mjs']) !== 0) { console.log('tests: 0 passed, 1 failed'); process.exit(1) }
if (pnpm(['run', 'build']) !== 0) { console.error('build failed'); stageFailures++ }
// Static checks count as failures too (they are not tests, so they add to "failed" only when they fail).
if (only !== 'e2e') {
  if (pnpm(['-r', 'run', 'typecheck']) !== 0) { console.error('typecheck failed'); stageFailures++ }
  if (pnpm(['exec', 'eslint', '.']) !== 0) { console.error('lint failed'); stageFailures++ }
}

if (only !== 'e2e') {
  const out = join(tmp, 'vitest.json')
  const code = pnpm(['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`])
  if (existsSync(out)) {
    const r = JSON.parse(readFileSync(out, 'utf8'))
    passed += r.numPassedTests ?? 0
    failed += (r.numFailedTests ?? 0)
    if (code !== 0 && (r.numFailedTests ?? 0) === 0) stageFailures++ // e.g. a suite that failed to load
  } else if (code !== 0) stageFailures++
}

if (only !== 'unit') {
  const out = join(tmp, 'playwright.json')
  // e2e/playwright.config.ts writes its JSON report to PLAYWRIGHT_JSON_OUTPUT_NAME.
  const code = pnpm(['--filter', '@webmqtt/e2e', 'run', 'test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: out })
  if (existsSync(out)) {
    const s = JSON.parse(readFileSync(out, 'utf8')).stats ?? {}
    passed += (s.expected ?? 0) + (s.flaky ?? 0)
    failed += s.unexpected ?? 0
    if (code !== 0 && (s.unexpected ?? 0) === 0) stageFailures++
  } else if (code !== 0) stageFailures++
}

console.log(`\ntests: ${passed} passed, ${failed + stageFailures} failed`)
process.exit(failed + stageFailures > 0 ? 1 : 0)
