import type { InlineConfig, Plugin } from 'vite'

/** Module name → browser shim file, for mqtt-packet's Node-only dependencies. */
export const SHIMS: Readonly<Record<string, string>>
/** Vite library-mode options of the browser package's ESM ('es') or IIFE ('iife') bundle. */
export function viteOptions(format: 'es' | 'iife'): InlineConfig
/** mqtt-packet's directory as the core (at `coreDir`) resolves it. */
export function mqttPacketDir(coreDir: string): string
/** Serves mqtt-packet's modules without their server-side code paths, as the browser package's bundles do. */
export function clientOnlyMqttPacket(dir: string): Plugin
