import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, Page, test } from '@playwright/test';
// @ts-expect-error serve.mjs is plain JavaScript without type declarations
import { createConsumerServer } from '../serve.mjs';
import {
  FAKE_MODEL_VERSION,
  startFakePredictServer,
} from './fakePredictServer';

/**
 * End-to-end: the built app (dist/, served by serve.mjs) in Debian Chromium.
 * CONSUMER_E2E_API_BASE_URL points it at a running back end (CI starts the
 * real local engine); without it, a test double in fakePredictServer.ts
 * stands in so the test can run on its own.
 */
const distDir = fileURLToPath(new URL('../dist/', import.meta.url));
const screenshotPath = fileURLToPath(
  new URL('../docs/screenshot.png', import.meta.url),
);
const phoneScreenshotPath = fileURLToPath(
  new URL('../docs/screenshot-phone.png', import.meta.url),
);
const realApi = process.env.CONSUMER_E2E_API_BASE_URL;

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Runs axe-core (WCAG 2.1 A/AA rules) on the page; returns the violations. */
async function axeViolations(page: Page) {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: any }).axe;
    const result = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'],
      },
    });
    return result.violations.map(
      (v: { id: string; help: string; nodes: Array<{ target: unknown }> }) =>
        `${v.id}: ${v.help} (${v.nodes.map(n => String(n.target)).join(', ')})`,
    );
  });
}

const servers: Server[] = [];
let appUrl = '';
let apiBaseUrl = '';

// A real back end only answers the origins its CORS config lists (the e2e
// config allows http://127.0.0.1:3001), so the app gets that port then; the
// test double allows any origin, so a free port is used.
const appPort = Number(
  process.env.CONSUMER_E2E_APP_PORT ?? (realApi ? 3001 : 0),
);

async function serveApp(api: string, port = 0): Promise<string> {
  const server: Server = createConsumerServer({ distDir, apiBaseUrl: api });
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

test.beforeAll(async () => {
  if (!existsSync(`${distDir}index.html`)) {
    throw new Error(
      'No build in dist/: run `npm run build -w @mlops-portal/consumer-app` first (test:e2e does).',
    );
  }
  if (realApi) {
    apiBaseUrl = realApi;
    appUrl = await serveApp(apiBaseUrl, appPort);
  } else {
    const fake = await startFakePredictServer();
    servers.push(fake.server);
    apiBaseUrl = fake.apiBaseUrl;
    appUrl = await serveApp(apiBaseUrl, appPort);
    fake.allowedOrigins.push(new URL(appUrl).origin);
  }
});

test.afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  }
});

const field = (page: Page, label: string) =>
  page.getByLabel(label, { exact: true });

/** The data set's first row, as a person measures it (mm and g). */
async function fillExampleByHand(page: Page) {
  await page.getByRole('radio', { name: 'Male', exact: true }).check();
  await field(page, 'Length (mm)').fill('91');
  await field(page, 'Diameter (mm)').fill('73');
  await field(page, 'Height (mm)').fill('19');
  await field(page, 'Whole weight (g)').fill('102.8');
  await field(page, 'Shucked weight (g)').fill('44.9');
  await field(page, 'Viscera weight (g)').fill('20.2');
  await field(page, 'Shell weight (g)').fill('30');
}

function countPredictRequests(page: Page): { count: number } {
  const counter = { count: 0 };
  page.on('request', request => {
    if (request.url().endsWith('/predict') && request.method() === 'POST') {
      counter.count++;
    }
  });
  return counter;
}

test('fills the form and gets a predicted age', async ({ page }) => {
  await page.goto(appUrl);
  await expect(
    page.getByRole('heading', { name: 'How old is this abalone?' }),
  ).toBeVisible();
  await fillExampleByHand(page);

  const requestPromise = page.waitForRequest(
    r => r.url().endsWith('/predict') && r.method() === 'POST',
  );
  await page.getByRole('button', { name: 'Predict age' }).click();
  const request = await requestPromise;
  expect(request.url()).toBe(`${apiBaseUrl.replace(/\/+$/, '')}/predict`);
  // Millimetres and grams were divided by 200, as the data set stores them.
  expect(request.postDataJSON()).toEqual({
    instances: [
      {
        sex: 'M',
        length: 0.455,
        diameter: 0.365,
        height: 0.095,
        wholeWeight: 0.514,
        shuckedWeight: 0.2245,
        visceraWeight: 0.101,
        shellWeight: 0.15,
      },
    ],
  });

  const age = page.getByTestId('predicted-age');
  await expect(age).toBeVisible();
  const ageYears = Number(await age.textContent());
  const rings = Number(await page.getByTestId('predicted-rings').textContent());
  expect(rings).toBeGreaterThan(0);
  expect(rings).toBeLessThan(30);
  // Displayed with one decimal each, so allow for rounding.
  expect(Math.abs(ageYears - (rings + 1.5))).toBeLessThanOrEqual(0.11);
  await expect(page.getByTestId('model-version')).toHaveText(
    realApi
      ? /Answered by model version \d+/
      : new RegExp(`Answered by model version ${FAKE_MODEL_VERSION}\\b`),
  );
  await expect(
    page.getByText(/age in years is the ring count\s+plus 1\.5/),
  ).toBeVisible();
});

test('shows a friendly error on each bad field and sends nothing', async ({
  page,
}) => {
  const predicts = countPredictRequests(page);
  await page.goto(appUrl);
  await field(page, 'Length (mm)').fill('abc');
  // Text that cannot become a number is flagged while typing.
  await expect(
    page.getByText(/Length must be a number in millimetres/),
  ).toBeVisible();
  await field(page, 'Height (mm)').fill('999');
  await field(page, 'Whole weight (g)').fill('0');
  await page.getByRole('button', { name: 'Predict age' }).click();

  await expect(
    page.getByText('Please fix 8 fields before predicting.'),
  ).toBeVisible();
  const length = field(page, 'Length (mm)');
  await expect(length).toHaveAttribute('aria-invalid', 'true');
  await expect(length).toHaveAccessibleDescription(
    /Length must be a number in millimetres, for example 91 or 91\.5\./,
  );
  await expect(field(page, 'Height (mm)')).toHaveAccessibleDescription(
    /Height can be at most 280 mm/,
  );
  await expect(field(page, 'Whole weight (g)')).toHaveAccessibleDescription(
    /Whole weight must be more than 0 g\./,
  );
  await expect(field(page, 'Diameter (mm)')).toHaveAccessibleDescription(
    /Enter the diameter in millimetres\./,
  );
  await expect(page.getByText('Choose male, female or infant.')).toBeVisible();
  // Focus goes to the first field to fix, for keyboard and screen-reader users.
  await expect(
    page.getByRole('radio', { name: 'Male', exact: true }),
  ).toBeFocused();

  // Fixing a field clears its message as the user types.
  await length.fill('91');
  await expect(length).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText(/Length must be a number/)).toHaveCount(0);

  expect(predicts.count).toBe(0);
  await expect(page.getByTestId('predicted-age')).toHaveCount(0);
});

test('has no WCAG 2.1 AA violations found by axe, with errors and with a result', async ({
  page,
}) => {
  await page.goto(appUrl);
  await page.getByRole('button', { name: 'Predict age' }).click();
  await expect(
    page.getByText('Please fix 8 fields before predicting.'),
  ).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);

  await page.getByRole('button', { name: 'Fill in an example' }).click();
  await page.getByRole('button', { name: 'Predict age' }).click();
  await expect(page.getByTestId('predicted-age')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
});

test('works with the keyboard alone', async ({ page }) => {
  await page.goto(appUrl);
  const example = page.getByRole('button', { name: 'Fill in an example' });
  await example.focus();
  await page.keyboard.press('Enter');
  await expect(field(page, 'Length (mm)')).toHaveValue('91');
  await field(page, 'Shell weight (g)').focus();
  // Enter in a field submits the form.
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('predicted-age')).toBeVisible();
});

test('tells the user what to do when the API is down', async ({ page }) => {
  // Same build, config pointing at a port where nothing listens.
  const closed = await startFakePredictServer();
  await new Promise(resolve => closed.server.close(resolve));
  const downUrl = await serveApp(closed.apiBaseUrl);

  await page.goto(downUrl);
  await page.getByRole('button', { name: 'Fill in an example' }).click();
  await page.getByRole('button', { name: 'Predict age' }).click();
  const error = page.getByTestId('predict-error');
  await expect(error).toContainText('Could not reach the prediction service');
  await expect(error).toContainText(
    'Check your internet connection and try again',
  );
});

test('shows the server message when the API rejects the input or has no model', async ({
  page,
}) => {
  await page.goto(appUrl);
  await page.getByRole('button', { name: 'Fill in an example' }).click();

  // Answers as the portal backend would to a value outside its range; the
  // browser-side route stands in because the form never sends such a value.
  await page.route('**/predict', route =>
    route.fulfill({
      status: 400,
      contentType: 'application/json',
      headers: { 'Access-Control-Allow-Origin': '*' },
      body: JSON.stringify({
        error: {
          name: 'InputError',
          message: 'instances.0.length: length must be ≤ 1',
        },
      }),
    }),
  );
  await page.getByRole('button', { name: 'Predict age' }).click();
  const error = page.getByTestId('predict-error');
  await expect(error).toContainText('The measurements were not accepted');
  await expect(page.getByTestId('server-message')).toHaveText(
    'instances.0.length: length must be ≤ 1',
  );
  await expect(field(page, 'Length (mm)')).toHaveAttribute(
    'aria-invalid',
    'true',
  );

  // API Gateway's shape, and 503 when nothing is deployed.
  await page.unroute('**/predict');
  await page.route('**/predict', route =>
    route.fulfill({
      status: 503,
      contentType: 'application/json',
      headers: { 'Access-Control-Allow-Origin': '*' },
      body: JSON.stringify({ message: 'No endpoint is in service' }),
    }),
  );
  await page.getByRole('button', { name: 'Predict age' }).click();
  await expect(error).toContainText('No prediction available right now');
  await expect(error).toContainText('try again later');
  await expect(page.getByTestId('server-message')).toHaveText(
    'No endpoint is in service',
  );
});

test('fits a phone-sized screen', async ({ browser }) => {
  const context = await browser.newContext({
    viewport: { width: 375, height: 740 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  await page.goto(appUrl);
  await page.getByRole('button', { name: 'Fill in an example' }).tap();
  await page.getByRole('button', { name: 'Predict age' }).tap();
  await expect(page.getByTestId('predicted-age')).toBeVisible();
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - window.innerWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  const box = await field(page, 'Length (mm)').boundingBox();
  expect(box!.width).toBeGreaterThan(200);
  await context.close();
});

test('screenshot for the README', async ({ browser }) => {
  test.skip(
    !process.env.CONSUMER_SCREENSHOT,
    'set CONSUMER_SCREENSHOT=1 (npm run screenshot)',
  );
  const context = await browser.newContext({
    viewport: { width: 1100, height: 760 },
  });
  const page = await context.newPage();
  await page.goto(appUrl);
  await page.getByRole('button', { name: 'Fill in an example' }).click();
  await page.getByRole('button', { name: 'Predict age' }).click();
  await expect(page.getByTestId('predicted-age')).toBeVisible();
  // Unstick the result card and un-hover the button for a clean picture.
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshotPath, fullPage: true });
  await context.close();

  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 1,
    isMobile: true,
  });
  const phonePage = await phone.newPage();
  await phonePage.goto(appUrl);
  await phonePage.getByRole('button', { name: 'Fill in an example' }).click();
  await field(phonePage, 'Length (mm)').fill('91x');
  await phonePage.evaluate(() => window.scrollTo(0, 0));
  await phonePage.screenshot({ path: phoneScreenshotPath });
  await phone.close();
});
