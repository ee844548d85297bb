/** Build bundles with the package's own Vite settings (build/vite-options.mjs) into a directory, for tests. */
import { build } from 'vite'
import { viteOptions } from '../../build/vite-options.mjs'

export async function buildBundle(format: 'es' | 'iife', outDir: string, entry?: string): Promise<void> {
  const o = viteOptions(format, entry) as { build: { outDir: string } }
  o.build.outDir = outDir
  await build(o as never)
}
