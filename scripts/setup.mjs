#!/usr/bin/env node
// Prepares a fresh machine that has only Node and npm: system packages (Debian: mosquitto, chromium) when
// missing, then the workspace's dependencies through pnpm (via npx, no global install needed).
import { execSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const quiet = process.argv.includes('--quiet')
const log = (m) => { if (!quiet) console.log(`[setup] ${m}`) }
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0

const missing = []
const system = !process.argv.includes('--no-system') // the demo needs no system packages
if (system && !has('mosquitto') && !existsSync('/usr/sbin/mosquitto')) missing.push('mosquitto')
if (system && !existsSync('/usr/bin/chromium')) missing.push('chromium')
if (missing.length > 0) {
  if (!has('apt-get')) {
    console.error(`[setup] missing system packages: ${missing.join(', ')}; install them with your package manager`)
    process.exit(1)
  }
  const sudo = process.getuid && process.getuid() !== 0 ? 'sudo ' : ''
  log(`installing ${missing.join(', ')} with apt-get`)
  execSync(`${sudo}apt-get update -qq`, { stdio: 'inherit' })
  execSync(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`, { stdio: 'inherit' })
}

log('installing workspace dependencies with pnpm')
execSync('npx -y pnpm@10 install --frozen-lockfile', {
  stdio: 'inherit',
  env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
})
