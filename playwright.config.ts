// E2E: the dashboard in Debian's Chromium against the headless gateway (web mode), plus an
// Electron launch test that runs only where the Electron binary could be installed.
import { defineConfig } from '@playwright/test'

export const CHROMIUM = process.env.SWITCHYARD_CHROMIUM ?? '/usr/bin/chromium'

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-artifacts/playwright',
  globalSetup: './tests/e2e/support/globalSetup.ts',
  // Each test starts its own gateway and backends on port 0; serial keeps a 2-core machine calm.
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { outputFolder: 'test-artifacts/playwright-report', open: 'never' }]] : 'list',
  use: {
    browserName: 'chromium',
    viewport: { width: 1000, height: 700 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
})
