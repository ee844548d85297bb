/** Broker presets. "Local" is the embedded Aedes broker on the page's own origin (see server/broker-plugin.ts). */

export type PresetId = 'local' | 'emqx' | 'hivemq' | 'mosquitto' | 'custom'

export interface BrokerPreset {
  id: PresetId
  label: string
  /** Fixed URL; undefined for 'local' (derived from the page origin) and 'custom' (typed in). */
  url?: string
  /** Highest MQTT version the broker speaks. */
  maxProtocol: 3 | 4 | 5
  note: string
}

export const PRESETS: readonly BrokerPreset[] = [
  { id: 'local', label: 'Local (embedded Aedes)', maxProtocol: 4, note: 'Runs inside the demo server; works offline. MQTT 3.1.1 only.' },
  { id: 'emqx', label: 'EMQX public', url: 'wss://broker.emqx.io:8084/mqtt', maxProtocol: 5, note: 'Public broker: anyone can read what you publish.' },
  { id: 'hivemq', label: 'HiveMQ public', url: 'wss://broker.hivemq.com:8884/mqtt', maxProtocol: 5, note: 'Public broker: anyone can read what you publish.' },
  { id: 'mosquitto', label: 'test.mosquitto.org', url: 'wss://test.mosquitto.org:8081', maxProtocol: 5, note: 'Public test broker: anyone can read what you publish.' },
  { id: 'custom', label: 'Custom URL', maxProtocol: 5, note: 'Any ws:// or wss:// URL of an MQTT-over-WebSocket broker.' },
]

export function findPreset(id: string): BrokerPreset {
  return PRESETS.find((p) => p.id === id) ?? (PRESETS[0] as BrokerPreset)
}

/** ws(s)://<host>/mqtt of the page's origin: wss on https pages. */
export function localBrokerUrl(location: { protocol: string; host: string }, path = '/mqtt'): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`
}

export class BrokerUrlError extends Error {
  override readonly name = 'BrokerUrlError'
}

/** Check a custom URL: ws:// or wss:// with a host. Returns the normalized URL. */
export function validateBrokerUrl(raw: string): string {
  const text = raw.trim()
  if (text === '') throw new BrokerUrlError('enter a broker URL, e.g. wss://broker.example.com:8884/mqtt')
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new BrokerUrlError(`not a URL: ${text}`)
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new BrokerUrlError('the URL must start with ws:// or wss://')
  if (!url.hostname) throw new BrokerUrlError('the URL has no host')
  // URL() adds a trailing slash to an empty path; keep what the user typed otherwise.
  return url.pathname === '/' && !text.endsWith('/') ? text : url.toString()
}

/** The URL to connect to for a preset. */
export function resolveBrokerUrl(id: string, customUrl: string, location: { protocol: string; host: string }): string {
  const preset = findPreset(id)
  if (preset.id === 'local') return localBrokerUrl(location)
  if (preset.id === 'custom') return validateBrokerUrl(customUrl)
  return preset.url as string
}
