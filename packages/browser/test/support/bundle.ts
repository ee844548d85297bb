/** Build bundles with the package's own Vite settings (build/vite-options.mjs) into a directory, for tests. */
import { build } from 'vite'
import { viteOptions } from '../../build/vite-options.mjs'

export async function buildBundle(format: 'es' | 'iife', outDir: string, entry?: string): Promise<void> {
  const o = viteOptions(format) as { build: { outDir: string; lib: { entry: string } } }
  o.build.outDir = outDir
  if (entry) o.build.lib.entry = entry
  await build(o as never)
}
