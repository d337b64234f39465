import { defineConfig } from '@playwright/test';

// Debian's Chromium (apt-get install chromium): Playwright cannot download
// browsers here, so it drives the system one.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const jsonOutput = process.env.PLAYWRIGHT_JSON_OUTPUT_NAME;

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: jsonOutput
    ? [['list'], ['json', { outputFile: jsonOutput }]]
    : [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    trace: 'off',
  },
});
