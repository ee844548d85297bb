import { defineConfig } from 'vitest/config'

// One vitest run covers every package's Node-side tests (unit, contract, integration against real brokers).
// Browser tests live in e2e/ and run under Playwright.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'demo/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
})
