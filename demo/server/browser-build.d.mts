import type { InlineConfig } from 'vite'

/** Module name → browser shim file, for mqtt-packet's Node-only dependencies. */
export const SHIMS: Readonly<Record<string, string>>
/** Vite library-mode options of the browser package's ESM ('es') or IIFE ('iife') bundle. */
export function viteOptions(format: 'es' | 'iife'): InlineConfig
