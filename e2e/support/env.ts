/**
 * What global setup started, as tests see it. Global setup sets these environment variables before the workers
 * start (and writes the same object to e2e/dist/e2e-env.json for debugging):
 *
 *   WEBMQTT_E2E_BASE_URL       http://127.0.0.1:<port>   static server (pages, bundles, broker logs, ws recorder)
 *   WEBMQTT_E2E_MOSQUITTO_WS   ws://127.0.0.1:<port>/mqtt  Mosquitto 2.0.11, MQTT 3.1/3.1.1/5, persistence off
 *   WEBMQTT_E2E_MOSQUITTO_TCP  <port>                      its plain MQTT listener
 *   WEBMQTT_E2E_AEDES_WS       ws://127.0.0.1:<port>/mqtt  Aedes 1.2.0, MQTT 3.1.1 only
 *   WEBMQTT_E2E_AEDES_TCP      <port>
 *   WEBMQTT_E2E_BROWSER_DIST   1 when packages/browser/dist has the IIFE and ESM builds
 */
export interface E2EEnv {
  /** http://127.0.0.1:<port> */
  readonly baseUrl: string
  readonly mosquitto: { readonly wsUrl: string; readonly tcpPort: number }
  readonly aedes: { readonly wsUrl: string; readonly tcpPort: number }
  /** packages/browser/dist/{webmqtt.iife.js,index.js} exist (served under /browser/). */
  readonly browserDist: boolean
}

export const ENV_VARS = {
  baseUrl: 'WEBMQTT_E2E_BASE_URL',
  mosquittoWs: 'WEBMQTT_E2E_MOSQUITTO_WS',
  mosquittoTcp: 'WEBMQTT_E2E_MOSQUITTO_TCP',
  aedesWs: 'WEBMQTT_E2E_AEDES_WS',
  aedesTcp: 'WEBMQTT_E2E_AEDES_TCP',
  browserDist: 'WEBMQTT_E2E_BROWSER_DIST',
} as const

export function e2eEnv(): E2EEnv {
  const get = (name: string): string => {
    const v = process.env[name]
    if (!v) throw new Error(`${name} is not set: run the suite with \`playwright test\` from e2e/ (global setup sets it)`)
    return v
  }
  return {
    baseUrl: get(ENV_VARS.baseUrl),
    mosquitto: { wsUrl: get(ENV_VARS.mosquittoWs), tcpPort: Number(get(ENV_VARS.mosquittoTcp)) },
    aedes: { wsUrl: get(ENV_VARS.aedesWs), tcpPort: Number(get(ENV_VARS.aedesTcp)) },
    browserDist: process.env[ENV_VARS.browserDist] === '1',
  }
}

/** `ws://127.0.0.1:<static port>/ws/<broker><path>`: the recording WebSocket relay to that broker. */
export function relayUrl(env: E2EEnv, broker: 'mosquitto' | 'aedes', path = '/mqtt'): string {
  return `${env.baseUrl.replace(/^http/, 'ws')}/ws/${broker}${path}`
}
