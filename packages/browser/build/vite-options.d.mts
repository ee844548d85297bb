import type { InlineConfig, Plugin } from 'vite'
export declare const packageRoot: string
export declare const SHIMS: Record<string, string>
export declare function browserShims(): Plugin
export declare function viteOptions(format: 'es' | 'iife', entry?: string): InlineConfig
