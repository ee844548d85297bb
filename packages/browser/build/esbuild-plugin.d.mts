import type { Plugin } from 'esbuild'
export declare function esbuildBrowserModules(): Plugin
