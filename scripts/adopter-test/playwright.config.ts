import { defineConfig } from '@playwright/test';
import portal from '../../playwright.config';

/**
 * The adopter test's browser half: the repo's Playwright setup (Debian's
 * Chromium, its flags) against the stock create-app Backstage that run.sh
 * generated and started on port 3100.
 */
export default defineConfig({
  ...portal,
  testDir: '.',
  testMatch: 'adopter.spec.ts',
  timeout: 300_000,
  use: {
    ...portal.use,
    baseURL: process.env.ADOPTER_APP_URL ?? 'http://localhost:3100',
  },
  outputDir: process.env.ADOPTER_PW_OUT ?? '/tmp/adopter-playwright-results',
});
