import { test, expect } from '@playwright/test';

/*
 * Smoke test of production mode (scripts/e2e-prod.sh starts `npm run
 * start:prod`: the built backend serving the built app): guest sign-in, the
 * MLOps tab of abalone-age-predictor, whose seeded version is approved and
 * deployed at start (mlops.local.seeds, deploy: true), and a prediction.
 */

test.describe('@prod production mode serves the built app', () => {
  test('sign in → MLOps tab → the seeded version serves → predict', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await page.goto('/');
    await page.getByRole('button', { name: 'Enter' }).click();
    await expect(
      page.getByRole('link', { name: 'Catalog' }).first(),
    ).toBeVisible();

    await page.goto('/catalog/default/component/abalone-age-predictor/mlops');
    await expect(
      page.getByRole('list', { name: 'Release pipeline' }),
    ).toBeVisible();
    // On first start the backend seeds each demo system: version 1 trains, is approved and deploys.
    await expect(page.getByTestId('approval-status-1')).toHaveText(
      /approved/i,
      { timeout: 150_000 },
    );
    await expect(page.getByTestId('deployed-1')).toBeVisible({
      timeout: 60_000,
    });

    await page.getByRole('button', { name: /^Example 1\b/ }).click();
    await page.getByRole('button', { name: 'Predict', exact: true }).click();
    const result = page.getByTestId('prediction-result');
    await expect(result).toContainText(/Predicted age: \d+\.\d years/);
    await expect(result).toContainText('model version 1');
    const age = Number(
      (await result.textContent())!.match(/Predicted age: ([\d.]+)/)![1],
    );
    expect(age).toBeGreaterThan(4);
    expect(age).toBeLessThan(27);
  });
});
