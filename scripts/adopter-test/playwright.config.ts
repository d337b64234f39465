import { defineConfig } from '@playwright/test';

/**
 * The adopter test's browser half: Debian's Chromium against the stock
 * create-app Backstage that run.sh generated and started (ports 3100/7100).
 */
export default defineConfig({
  testDir: '.',
  testMatch: 'adopter.spec.ts',
  timeout: 300_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: process.env.ADOPTER_APP_URL ?? 'http://localhost:3100',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
      ],
    },
  },
  outputDir: process.env.ADOPTER_PW_OUT ?? '/tmp/adopter-playwright-results',
});
