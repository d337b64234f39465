import { test, expect, Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/*
 * Issue 21's "done when" in a real browser: the portal serves classifiers
 * from their spec and each version's signature, not only the Abalone
 * regression. Runs as the owner (@owner, scripts/e2e.sh) against the demo
 * catalog's binary (breast cancer) and multiclass (penguins) systems.
 */

const tab = (name: string) => `/catalog/default/component/${name}/mlops`;
const BINARY_TAB = tab('breast-cancer-classifier');
const MULTICLASS_TAB = tab('penguin-species-classifier');
const DEMO = path.resolve(__dirname, '../../demo-systems');
const BINARY_DATA = path.join(DEMO, 'breast-cancer/breast-cancer.csv');
const MULTICLASS_DATA = path.join(DEMO, 'penguins/penguins.csv');

async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByRole('link', { name: 'Catalog' }).first(),
  ).toBeVisible();
}

async function versionNumbers(page: Page): Promise<number[]> {
  return page
    .locator('[data-testid^="model-version-row-"]')
    .evaluateAll(rows =>
      rows.map(r => Number(r.getAttribute('data-testid')!.split('-').pop())),
    );
}

test.use({ viewport: { width: 1440, height: 1000 } });

test.describe('@owner a binary classifier from its spec', () => {
  test('runs, a version with AUC/accuracy and a ROC plot, approve → deploy, predict a class with probabilities', async ({
    page,
  }) => {
    test.setTimeout(300_000);
    await signIn(page);
    await page.goto(BINARY_TAB);

    // The backend seeds each demo system at start: a run and its version.
    await expect(
      page.locator('[data-testid^="model-version-row-"]').first(),
    ).toBeVisible({ timeout: 120_000 });
    const runs = page.getByRole('table', { name: 'Pipeline runs' });
    await expect(
      runs.locator('[data-testid^="run-row-"]').first(),
    ).toBeVisible();
    // Runs and versions show the classifier's metrics, not a regression's.
    await expect(runs.getByRole('columnheader', { name: /AUC/ })).toBeVisible();
    const versions = page.getByRole('table', { name: 'Model versions' });
    await expect(
      versions.getByRole('columnheader', { name: 'AUC' }),
    ).toBeVisible();
    await expect(
      versions.getByRole('columnheader', { name: 'Accuracy' }),
    ).toBeVisible();
    await expect(
      versions.getByRole('columnheader', { name: 'MSE' }),
    ).toHaveCount(0);
    const seeded = Math.max(...(await versionNumbers(page)));
    await expect(
      versions.getByTestId(`model-version-row-${seeded}`),
    ).toContainText(/0\.\d{3}/);

    // Its evaluation plots are a classifier's: ROC with its AUC.
    await page.getByTestId(`plots-version-${seeded}`).click();
    const plots = page.getByRole('dialog', {
      name: `Evaluation plots, version ${seeded}`,
    });
    await expect(plots.getByTestId('roc-auc')).toContainText(
      /ROC curve \(AUC 0\.\d{3}\)/,
      { timeout: 30_000 },
    );
    await expect(
      plots.getByRole('img', { name: 'ROC curve with the chance line' }),
    ).toBeVisible();
    await expect(
      plots.getByRole('table', { name: 'Confusion matrix' }),
    ).toBeVisible();
    await plots.getByRole('button', { name: 'Close' }).click();
    await expect(plots).toBeHidden();

    // A new upload trains a version that waits for approval (gate auc ≥ 0.95).
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-e2e-bc-'));
    const upload = path.join(tmp, 'breast-cancer-e2e.csv');
    fs.copyFileSync(BINARY_DATA, upload);
    await page.getByTestId('dataset-file-input').setInputFiles(upload);
    await expect(runs).toContainText('breast-cancer-e2e.csv', {
      timeout: 30_000,
    });
    const version = seeded + 1;
    await expect(page.getByTestId(`approval-status-${version}`)).toHaveText(
      /pending/i,
      { timeout: 180_000 },
    );

    // Approve → the endpoint serves it.
    await page.getByTestId(`approve-version-${version}`).click();
    const dialog = page.getByRole('dialog', {
      name: `Approve version ${version}`,
    });
    await expect(dialog).toContainText(/AUC 0\.\d{3}/);
    await dialog
      .getByLabel('Comment')
      .fill('AUC above the gate on the e2e upload');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId(`deployed-${version}`)).toBeVisible({
      timeout: 60_000,
    });

    // The prediction form is the deployed version's signature: its inputs and examples.
    await expect(page.locator('#mlops-predict-mean_radius')).toBeVisible({
      timeout: 30_000,
    });
    await expect(
      page.locator('#mlops-predict-worst_fractal_dimension'),
    ).toBeVisible();
    await page.getByRole('button', { name: /^Example 1/ }).click();
    await page.getByRole('button', { name: 'Predict', exact: true }).click();
    const result = page.getByTestId('prediction-result');
    await expect(result).toContainText(/Predicted diagnosis: \S+/);
    await expect(result).toContainText(`model version ${version}`);
    const bars = result.getByRole('listitem');
    await expect(bars).toHaveCount(2);
    const shares = await bars.allTextContents();
    const total = shares
      .map(t => Number(t.match(/([\d.]+)%$/)![1]))
      .reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(99.5);
    expect(total).toBeLessThan(100.5);
  });
});

// penguins belong to team Field Research: the viewer run signs in as its member
test.describe('@viewer a multiclass system checks uploads against its spec', () => {
  test('an upload with an unknown category is refused naming the row and column, and starts nothing', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await signIn(page);
    await page.goto(MULTICLASS_TAB);
    await expect(page.getByTestId('dataset-dropzone')).toBeVisible({
      timeout: 60_000,
    });
    // The real header and two real rows, then an island the spec does not know.
    const lines = fs.readFileSync(MULTICLASS_DATA, 'utf8').split('\n');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-e2e-pg-'));
    const bad = path.join(tmp, 'penguins-bad.csv');
    fs.writeFileSync(
      bad,
      [
        lines[0],
        lines[1],
        lines[2],
        'Adelie,Atlantis,39.1,18.7,181,3750,MALE',
        '',
      ].join('\n'),
    );
    await page.getByTestId('dataset-file-input').setInputFiles(bad);
    const rowErrors = page.getByRole('table', { name: 'Dataset row errors' });
    await expect(rowErrors).toBeVisible({ timeout: 30_000 });
    const errorRow = rowErrors.getByRole('row').nth(1);
    await expect(errorRow).toContainText('island');
    await expect(errorRow).toContainText('Atlantis');
    // the third data row: line 4 of the file with its header
    await expect(errorRow.getByRole('cell').first()).toHaveText(/^(3|4)$/);
    await expect(page.getByText(/nothing was stored/)).toBeVisible();
    await expect(
      page.getByRole('table', { name: 'Pipeline runs' }),
    ).not.toContainText('penguins-bad.csv');
  });
});
