import { expect, Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { NUMERIC_FEATURES } from '@mlops-portal/abalone-schema';

/*
 * Steps shared by the monitoring e2e test and the screenshot spec: live
 * traffic sent to the deployed model through the portal's predict API, and
 * the MLOps cards located by their title.
 */

export const ENTITY_API =
  '/api/mlops/v1/entity/default/component/abalone-age-predictor';

export async function signInAsGuest(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByRole('link', { name: 'Catalog' }).first(),
  ).toBeVisible();
}

/** The signed-in guest's Backstage token, for calling the API directly. */
export async function guestToken(page: Page): Promise<string> {
  const refresh = await page.request.get('/api/auth/guest/refresh', {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  expect(refresh.ok()).toBeTruthy();
  return (await refresh.json()).backstageIdentity.token;
}

const DATA = path.resolve(__dirname, '../../demo-systems/abalone/abalone.data');

/**
 * `count` real abalone from the data set, evenly spread over its rows, each
 * made long (length near the data set's max, where the training data has
 * few): the drift check must call `length` drifted. The other features keep
 * their real values, so their distributions match the baseline and only the
 * shift we made shows.
 */
export function shiftedInstances(count: number) {
  const rows = fs
    .readFileSync(DATA, 'utf8')
    .split('\n')
    .filter(line => line.trim() !== '');
  const stride = Math.max(1, Math.floor(rows.length / count));
  return Array.from({ length: count }, (_, i) => {
    // a row: sex, the numeric features in schema order, rings
    const [sex, ...values] = rows[(i * stride) % rows.length].split(',');
    const real = Object.fromEntries(
      NUMERIC_FEATURES.map((name, k) => [name, Number(values[k])]),
    );
    return { ...real, sex, length: 0.76 + (i % 5) * 0.01 };
  });
}

/**
 * Sends `requests` predict calls of `perRequest` instances each; returns the
 * model version that answered. More than 100 instances in all: the drift
 * check's default minimum sample count.
 */
export async function sendShiftedTraffic(
  page: Page,
  requests = 4,
  perRequest = 40,
) {
  const token = await guestToken(page);
  const instances = shiftedInstances(requests * perRequest);
  let modelVersion: number | undefined;
  for (let i = 0; i < requests; i++) {
    const res = await page.request.post(`${ENTITY_API}/predict`, {
      headers: { authorization: `Bearer ${token}` },
      data: {
        instances: instances.slice(i * perRequest, (i + 1) * perRequest),
      },
    });
    expect(res.status(), await res.text()).toBe(200);
    modelVersion = (await res.json()).modelVersion;
  }
  return modelVersion;
}

/**
 * The endpoint monitoring or drift card, by its title: the card holding the
 * window selector named after it (card titles are not headings).
 */
export function card(page: Page, title: 'Endpoint monitoring' | 'Data drift') {
  return page.locator('.MuiCard-root').filter({
    has: page.getByRole('group', { name: `${title} window`, exact: true }),
  });
}

export async function invocationsShown(page: Page): Promise<number> {
  const text = await page
    .getByTestId('endpoint-total-invocations')
    .textContent();
  return Number(text);
}
