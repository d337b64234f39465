import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/*
 * What an adopter checks after following the READMEs: the stock app shows the
 * MLOps tab on an annotated entity, the backend plugin answers, and an upload
 * trains and registers a model version on the local engine.
 */

const BACKEND = process.env.ADOPTER_BACKEND_URL ?? 'http://localhost:7100';
const DATA =
  process.env.ADOPTER_DATA ??
  path.resolve(__dirname, '../../packages/demo-systems/abalone/abalone.data');
const ENTITY = '/catalog/default/component/abalone-age-predictor';

test('stock app: MLOps tab, health, upload → trained and registered version', async ({
  page,
  request,
}) => {
  const health = await request.get(`${BACKEND}/api/mlops/health`);
  expect(health.status()).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });

  // The stock app signs in with the guest provider (the first dev-server load is slow).
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click({ timeout: 120_000 });
  await expect(
    page.getByRole('link', { name: 'Catalog' }).first(),
  ).toBeVisible();

  await page.goto(ENTITY);
  const tab = page.locator(`a[href$="${ENTITY}/mlops"]`);
  await expect(tab).toBeVisible({ timeout: 60_000 });
  await expect(tab).toHaveText('MLOps');
  await tab.click();
  await expect(page).toHaveURL(new RegExp(`${ENTITY}/mlops$`));
  // Nothing has run yet: the release card says so.
  await expect(page.getByText('No release pipeline yet')).toBeVisible();
  // No data yet: nothing registered.
  await expect(page.locator('[data-testid^="model-version-row-"]')).toHaveCount(
    0,
  );

  const file = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'adopter-')),
    'abalone-adopter.csv',
  );
  fs.copyFileSync(DATA, file);
  await page.getByTestId('dataset-file-input').setInputFiles(file);
  await expect(
    page.getByRole('table', { name: 'Pipeline runs' }),
  ).toContainText('abalone-adopter.csv', {
    timeout: 30_000,
  });

  // The release trains in the local engine's worker and registers version 1 (MSE under the 6.0 gate).
  await expect(page.getByTestId('approval-status-1')).toHaveText(/pending/i, {
    timeout: 240_000,
  });
  const row = page.getByTestId('model-version-row-1');
  await expect(row).toContainText(/\d\.\d{3}/);
});
