import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests of the portal in Debian's Chromium (browser downloads are
 * not possible here). scripts/e2e.sh starts the backend, which serves the built
 * app on :7007, and selects the owner or viewer story with --grep.
 */
export default defineConfig({
  testDir: 'packages/app/e2e-tests',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:7007',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  outputDir: 'node_modules/.cache/e2e-test-results',
});
