import { test, expect } from '@playwright/test';
import path from 'node:path';
import { card, sendShiftedTraffic, signInAsGuest } from './monitoringSteps';
import {
  approvableCandidate,
  approveWithSystemCanary,
  deploymentsCard,
  dropPenguinsData,
  ensureServing,
  rolloutApi,
  ROLLOUT_TAB,
  sendPenguinTraffic,
} from './rolloutSteps';

/*
 * README screenshots of the monitoring cards and the evaluation plots, taken
 * from a running portal whose entity has a deployed version (e.g. after
 * `bash scripts/e2e.sh`'s owner story, or the local demo after one approval):
 *
 *   PLAYWRIGHT_URL=http://localhost:7007 npx playwright test \
 *     --config playwright.config.ts --grep @screenshots
 *
 * Writes docs/screenshots/{endpoint-monitoring,drift,evaluation-plots}.png
 * (SCREENSHOT_DIR overrides). It sends ~160 predictions to the endpoint so the
 * cards have traffic and a drift to show. Not part of the e2e suite (its tag
 * is neither @owner nor @viewer).
 */
const OUT =
  process.env.SCREENSHOT_DIR ??
  path.resolve(__dirname, '../../../docs/screenshots');
// recharts draws bars and points with a 1.5 s animation.
const BAR_ANIMATION_MS = 1600;
const ENTITY_TAB = '/catalog/default/component/abalone-age-predictor/mlops';
// The drift notification's snackbar would cover the corner of a card.
const HIDE_SNACKBARS =
  '.notistack-SnackbarContainer { display: none !important; }';

test.use({ viewport: { width: 1440, height: 1000 } });

test('@screenshots endpoint monitoring, drift and evaluation plots', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signInAsGuest(page);
  const served = await sendShiftedTraffic(page);
  await page.goto(ENTITY_TAB);

  const endpointCard = card(page, 'Endpoint monitoring');
  await expect(
    endpointCard.getByRole('img', { name: 'Requests per minute over time' }),
  ).toBeVisible({ timeout: 30_000 });
  await endpointCard.scrollIntoViewIfNeeded();
  await endpointCard.screenshot({
    path: path.join(OUT, 'endpoint-monitoring.png'),
    style: HIDE_SNACKBARS,
  });

  const driftCard = card(page, 'Data drift');
  await expect(driftCard.getByTestId('drift-overall-status')).toBeVisible();
  await driftCard
    .getByRole('button', { name: 'Show the distribution of length' })
    .click();
  await expect(
    driftCard.getByRole('img', {
      name: 'length: baseline vs recent distribution',
    }),
  ).toBeVisible();
  await page.waitForTimeout(BAR_ANIMATION_MS);
  await driftCard.screenshot({
    path: path.join(OUT, 'drift.png'),
    style: HIDE_SNACKBARS,
  });

  await page.getByTestId(`plots-version-${served}`).click();
  const plots = page.getByRole('dialog', {
    name: `Evaluation plots, version ${served}`,
  });
  await expect(
    plots.getByRole('img', { name: 'Feature importance by gain' }),
  ).toBeVisible({ timeout: 30_000 });
  await page.waitForTimeout(BAR_ANIMATION_MS);
  await plots.screenshot({
    path: path.join(OUT, 'evaluation-plots.png'),
    style: HIDE_SNACKBARS,
  });
});

const tab = (name: string) => `/catalog/default/component/${name}/mlops`;

test('@screenshots the tab at a glance, a binary classifier’s plots and a multiclass prediction', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signInAsGuest(page);

  // The first 1440×1000 screen: the status strip, registry, deployments.
  await page.goto(tab('abalone-age-predictor'));
  const strip = page.getByRole('region', { name: 'MLOps status' });
  await expect(strip.getByTestId('glance-serving')).toBeVisible({
    timeout: 60_000,
  });
  await page.waitForTimeout(BAR_ANIMATION_MS);
  await page.screenshot({
    path: path.join(OUT, 'entity-tab.png'),
    style: HIDE_SNACKBARS,
  });

  // The breast-cancer classifier's seeded version: ROC, PR, confusion matrix, calibration.
  await page.goto(tab('breast-cancer-classifier'));
  const plotsButton = page.locator('[data-testid^="plots-version-"]').first();
  await expect(plotsButton).toBeVisible({ timeout: 60_000 });
  await plotsButton.click();
  const plots = page.getByRole('dialog', { name: /Evaluation plots, version/ });
  await expect(plots.getByTestId('roc-auc')).toBeVisible({ timeout: 30_000 });
  await page.waitForTimeout(BAR_ANIMATION_MS);
  await plots.screenshot({
    path: path.join(OUT, 'classifier-plots.png'),
    style: HIDE_SNACKBARS,
  });
  await plots.getByRole('button', { name: 'Close' }).click();

  // The penguins form, built from its signature, answering with class probabilities.
  await page.goto(tab('penguin-species-classifier'));
  const predict = page.locator('.MuiCard-root').filter({
    has: page.getByRole('button', { name: 'Predict', exact: true }),
  });
  await expect(
    predict.getByRole('button', { name: /^Example 1\b/ }),
  ).toBeVisible({ timeout: 60_000 });
  await predict.getByRole('button', { name: /^Example 1\b/ }).click();
  await predict.getByRole('button', { name: 'Predict', exact: true }).click();
  await expect(predict.getByTestId('prediction-result')).toContainText(
    /Predicted/,
    { timeout: 30_000 },
  );
  await predict.scrollIntoViewIfNeeded();
  await predict.screenshot({
    path: path.join(OUT, 'classifier-prediction.png'),
    style: HIDE_SNACKBARS,
  });
});

test('@screenshots the deployments card mid-canary and after a rollback', async ({
  page,
}) => {
  test.setTimeout(300_000);
  // penguins deploy by canary; run with a backend whose guest owns them (the viewer identity)
  await signInAsGuest(page);
  const serving = await ensureServing(page);
  // a version no signed-in person produced (MLOPS_E2E_DATA_DIR: the backend's data directory)
  await dropPenguinsData(page);
  await page.goto(ROLLOUT_TAB);
  const candidate = await approvableCandidate(page, serving);
  expect(candidate, 'a pending version this owner may approve').toBeDefined();
  await approveWithSystemCanary(page, candidate!);
  const deployments = deploymentsCard(page);
  const panel = deployments.getByRole('region', {
    name: 'Rollout in progress',
  });
  await expect(panel).toBeVisible({ timeout: 60_000 });
  await sendPenguinTraffic(page);
  await expect(panel.getByRole('table')).toBeVisible();
  // the card polls: wait until it shows the new version's requests
  await expect(panel.getByTestId(`variant-${candidate}`)).not.toContainText(
    /%\s*0\s*0/,
    { timeout: 30_000 },
  );
  await deployments.scrollIntoViewIfNeeded();
  await deployments.screenshot({
    path: path.join(OUT, 'rollout-canary.png'),
    style: HIDE_SNACKBARS,
  });

  await rolloutApi(page, 'POST', '/rollout/rollback', {
    comment: 'screenshot: rolled back by hand',
  });
  await expect(deployments.getByTestId('rollout-outcome')).toHaveAttribute(
    'data-status',
    'RolledBack',
    { timeout: 60_000 },
  );
  await deployments.screenshot({
    path: path.join(OUT, 'rollout-rolled-back.png'),
    style: HIDE_SNACKBARS,
  });
});
