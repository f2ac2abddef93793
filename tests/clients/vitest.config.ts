// `npm run test:clients`: real coding-agent CLIs against the built gateway. Kept out of the default
// `vitest run` (tests/unit, tests/integration): it needs `npm run build` and the CLIs installed by
// scripts/install-clients.mjs, and takes minutes.
import path from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '../..'),
    include: ['tests/clients/**/*.test.ts'],
    globalSetup: ['tests/clients/globalSetup.ts'],
    environment: 'node',
    pool: 'forks',
    // Each CLI is a heavy process (a 10-100 MB bundle or native binary); two at a time at most.
    maxWorkers: 2,
    testTimeout: 240_000,
    hookTimeout: 60_000,
    // A flaky pass is not a pass: no retries.
    retry: 0,
  },
})
