/**
 * Playwright global setup (runner process): bundle the e2e pages, start Mosquitto and Aedes through the core
 * test harness, start the static server, publish their addresses to the workers (env vars, see support/env.ts).
 * Returns the teardown, which stops everything it started.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startAedes, startMosquitto } from '../packages/core/test/harness/brokers.js'
import type { AedesBroker, MosquittoBroker } from '../packages/core/test/harness/brokers.js'
import { BUNDLE_DIR, PAGES_DIR, REPO_ROOT, bundlePages } from './support/bundle.js'
import { ENV_VARS } from './support/env.js'
import { startStaticServer } from './support/static-server.js'
import type { StaticServer } from './support/static-server.js'

const BROWSER_DIST = join(REPO_ROOT, 'packages/browser/dist')

function browserDistReady(): boolean {
  return existsSync(join(BROWSER_DIST, 'webmqtt.iife.js')) && existsSync(join(BROWSER_DIST, 'index.js'))
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const started: { stop(): Promise<void> }[] = []
  const teardown = async (): Promise<void> => {
    for (const s of started.reverse()) {
      try {
        await s.stop()
      } catch (err) {
        console.error('[e2e] teardown:', err)
      }
    }
  }
  try {
    mkdirSync(BUNDLE_DIR, { recursive: true })
    const t0 = Date.now()
    const bundles = await bundlePages()
    console.log(`[e2e] bundled ${bundles.join(', ')} in ${Date.now() - t0} ms`)

    if (!browserDistReady() && process.env.WEBMQTT_E2E_NO_BUILD !== '1') {
      console.log('[e2e] packages/browser/dist missing: building @webmqtt/browser')
      const r = spawnSync('npx', ['-y', 'pnpm@10', '--filter', '@webmqtt/browser', 'run', 'build'], {
        cwd: REPO_ROOT, stdio: 'inherit', timeout: 180_000,
      })
      if (r.status !== 0) console.error('[e2e] the browser build failed; specs that need /browser/ will fail')
    }

    const mosquitto: MosquittoBroker = await startMosquitto()
    started.push(mosquitto)
    const aedes: AedesBroker = await startAedes()
    started.push(aedes)
    const server: StaticServer = await startStaticServer({
      roots: { pages: PAGES_DIR, build: BUNDLE_DIR, browser: BROWSER_DIST },
      wsTargets: { mosquitto: mosquitto.wsPort, aedes: aedes.wsPort },
      logs: { mosquitto: () => mosquitto.log() },
    })
    started.push(server)

    const env: Record<string, string> = {
      [ENV_VARS.baseUrl]: server.baseUrl,
      [ENV_VARS.mosquittoWs]: mosquitto.wsUrl,
      [ENV_VARS.mosquittoTcp]: String(mosquitto.tcpPort),
      [ENV_VARS.aedesWs]: aedes.wsUrl,
      [ENV_VARS.aedesTcp]: String(aedes.tcpPort),
      [ENV_VARS.browserDist]: browserDistReady() ? '1' : '0',
    }
    Object.assign(process.env, env)
    writeFileSync(join(BUNDLE_DIR, 'e2e-env.json'), `${JSON.stringify(env, null, 2)}\n`)
    console.log(`[e2e] pages ${server.baseUrl}  mosquitto ${mosquitto.wsUrl}  aedes ${aedes.wsUrl}`)
    return teardown
  } catch (err) {
    await teardown()
    throw err
  }
}
