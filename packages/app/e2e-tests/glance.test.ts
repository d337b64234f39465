import { test, expect, Page } from '@playwright/test';
import { PREDICTION_SOURCE_HEADER } from '@mlops-portal/plugin-mlops-common';
import { ENTITY_API, guestToken, signInAsGuest } from './monitoringSteps';

/*
 * The MLOps tab at a glance (issue 22): the status strip stays true after an
 * approval while another version waits and after a rollback; the review
 * panel; compare of 3 versions; a deep link opened cold; widget traffic kept
 * out of drift; the four-eyes rule; the 1024 px layout. Runs after the owner
 * story in mlops.test.ts (@owner), which leaves one deployed version.
 */

const ENTITY_TAB = '/catalog/default/component/abalone-age-predictor/mlops';

// The penguins system (team Field Research, whose member the viewer run signs in as) has four eyes.
const FOUR_EYES_API =
  '/api/mlops/v1/entity/default/component/penguin-species-classifier';
const FOUR_EYES_TAB =
  '/catalog/default/component/penguin-species-classifier/mlops';
/** An abalone to score when the serving version's signature gives no example. */
const ABALONE = {
  sex: 'M',
  length: 0.455,
  diameter: 0.365,
  height: 0.095,
  wholeWeight: 0.514,
  shuckedWeight: 0.2245,
  visceraWeight: 0.101,
  shellWeight: 0.15,
};

async function api(
  page: Page,
  method: 'GET' | 'POST',
  path: string,
  data?: unknown,
  headers: Record<string, string> = {},
  base = ENTITY_API,
) {
  const token = await guestToken(page);
  const res = await page.request.fetch(`${base}${path}`, {
    method,
    data,
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  expect(
    res.ok(),
    `${method} ${path}: ${res.status()} ${await res.text()}`,
  ).toBeTruthy();
  return res.json();
}

/** Starts a run and waits until it registered a version; returns its number. */
async function trainVersion(page: Page, base = ENTITY_API): Promise<number> {
  const run = await api(
    page,
    'POST',
    '/runs',
    { displayName: 'glance e2e' },
    {},
    base,
  );
  await expect
    .poll(
      async () =>
        (
          await api(
            page,
            'GET',
            `/runs/${run.executionId}`,
            undefined,
            {},
            base,
          )
        ).status,
      { timeout: 180_000, intervals: [2000] },
    )
    .toBe('Succeeded');
  const detail = await api(
    page,
    'GET',
    `/runs/${run.executionId}`,
    undefined,
    {},
    base,
  );
  expect(detail.modelVersion, 'the run registered a version').toBeDefined();
  return detail.modelVersion;
}

async function decide(
  page: Page,
  version: number,
  status: 'Approved' | 'Rejected',
) {
  await api(page, 'POST', `/model-versions/${version}/approval`, {
    status,
    comment: `glance e2e: ${status}`,
  });
}

const strip = (page: Page) =>
  page.getByRole('region', { name: 'MLOps status' });

test.use({ viewport: { width: 1440, height: 1000 } });

test.describe('@owner the tab at a glance', () => {
  test('strip after approve-while-another-waits and after rollback; review; compare 3; deep link cold', async ({
    page,
  }) => {
    test.setTimeout(600_000);
    await signInAsGuest(page);
    const a = await trainVersion(page);
    const b = await trainVersion(page);
    const c = await trainVersion(page);

    // Approve a while b and c wait: a serves, the strip and the release card say so.
    await decide(page, a, 'Approved');
    await page.goto(ENTITY_TAB);
    await expect(strip(page).getByTestId('glance-serving')).toHaveAttribute(
      'data-status',
      String(a),
      { timeout: 30_000 },
    );
    await expect(strip(page).getByTestId('glance-serving')).toContainText(
      /mse \d+\.\d{3} \(gate mse ≤ 6/,
    );
    await expect(strip(page).getByTestId('glance-waiting')).toHaveAttribute(
      'data-status',
      String(c),
    );
    await expect(page.getByTestId('release-serving')).toContainText(
      `Serving now: version ${a}`,
    );
    await expect(page.getByTestId('release-serving')).toContainText(
      `Waiting for approval: version ${c}, ${b}`,
    );
    // The first 1440×1000 screen answers the daily questions: the strip and the registry are in view.
    await expect(strip(page)).toBeInViewport();
    await expect(
      page.getByRole('table', { name: 'Model versions' }),
    ).toBeInViewport({ ratio: 0.2 });

    // Review c from the strip: beside the serving a, naming what it replaces; approve it.
    await strip(page).getByTestId('glance-review').click();
    await expect(page).toHaveURL(new RegExp(`\\?version=${c}`));
    const panel = page.getByRole('dialog', {
      name: new RegExp(`Review version ${c}`),
    });
    await expect(panel).toBeVisible();
    await expect(panel.getByTestId('review-effect-Approved')).toHaveText(
      `Approving version ${c} deploys it, replacing version ${a} now serving.`,
    );
    await expect(panel.getByTestId('review-metric-mse')).toContainText(
      /better|worse|same/,
    );
    await expect(panel.getByTestId('review-parameter-summary')).toBeVisible();
    await panel
      .getByLabel(/Comment/)
      .fill('glance e2e: reviewed against the serving version');
    await panel.getByTestId('review-approve').click();
    await expect(panel).toBeHidden();
    await expect(strip(page).getByTestId('glance-serving')).toHaveAttribute(
      'data-status',
      String(c),
      { timeout: 30_000 },
    );

    // Reject the serving c: rollback to a. The strip and the release card follow.
    await page.goto(`${ENTITY_TAB}?version=${c}`);
    const again = page.getByRole('dialog', {
      name: new RegExp(`Review version ${c}`),
    });
    await expect(again.getByTestId('review-effect-Rejected')).toHaveText(
      `Rejecting version ${c} takes it off the endpoint and restores version ${a}.`,
    );
    await again.getByLabel(/Comment/).fill('glance e2e: roll back');
    await again.getByTestId('review-reject').click();
    await expect(again).toBeHidden();
    await expect(strip(page).getByTestId('glance-serving')).toHaveAttribute(
      'data-status',
      String(a),
      { timeout: 30_000 },
    );
    await expect(page.getByTestId('release-serving')).toContainText(
      `Serving now: version ${a}`,
    );
    await expect(strip(page).getByTestId('glance-waiting')).toHaveAttribute(
      'data-status',
      String(b),
    );

    // Compare 3 versions picked in the table.
    const table = page.getByRole('table', { name: 'Model versions' });
    for (const v of [a, b, c])
      await table
        .getByRole('checkbox', { name: `Compare version ${v}` })
        .check();
    await page.getByTestId('compare-open').click();
    const compared = page.getByRole('table', { name: 'Compared versions' });
    await expect(compared).toContainText(`Version ${a}`);
    await expect(compared).toContainText(`Version ${c}`);
    await expect(
      compared.getByTestId('compare-metric-mse').locator('[data-best="true"]'),
    ).toHaveCount(1);
    await page.keyboard.press('Escape');

    // A deep link opened cold in a new page: the review of b and the drift card in view.
    const cold = await page.context().newPage();
    await cold.goto(`${ENTITY_TAB}?version=${b}#drift`);
    await expect(
      cold.getByRole('dialog', { name: new RegExp(`Review version ${b}`) }),
    ).toBeVisible({ timeout: 30_000 });
    await cold.keyboard.press('Escape');
    await expect(cold.locator('#drift')).toBeInViewport({ timeout: 15_000 });
    await cold.close();
  });

  test("the portal's widget traffic stays out of traffic, errors and drift", async ({
    page,
  }) => {
    await signInAsGuest(page);
    const before = await api(page, 'GET', '/monitoring?window=1h');
    const versions = await api(page, 'GET', '/model-versions?limit=50');
    const serving = versions.items.find(
      (v: { deployed: boolean }) => v.deployed,
    );
    test.skip(!serving, 'nothing deployed');
    const signature = await api(
      page,
      'GET',
      `/model-versions/${serving.version}/signature`,
    ).catch(() => undefined);
    const example = signature?.examples?.[0] ?? ABALONE;
    for (let i = 0; i < 30; i++) {
      await api(
        page,
        'POST',
        '/predict',
        { instances: [example] },
        { [PREDICTION_SOURCE_HEADER]: 'portal' },
      );
    }
    const after = await api(page, 'GET', '/monitoring?window=1h');
    expect(after.totals.invocations).toBe(before.totals.invocations);
    expect(after.drift.sampleCount).toBe(before.drift.sampleCount);
    await page.goto(ENTITY_TAB);
    await expect(strip(page).getByTestId('glance-traffic')).toHaveAttribute(
      'data-status',
      String(before.totals.invocations),
    );
  });

  test('at 1024 px the version column and Approve/Reject stay visible', async ({
    page,
  }) => {
    await page.setViewportSize({ width: 1024, height: 900 });
    await signInAsGuest(page);
    await page.goto(ENTITY_TAB);
    const table = page.getByRole('table', { name: 'Model versions' });
    const row = table.locator('[data-testid^="model-version-row-"]').first();
    await expect(row).toBeVisible({ timeout: 30_000 });
    // scroll the table's box to its far right, then to its far left
    const scroller = table.locator(
      'xpath=ancestor::*[@data-testid="mlops-table-scroll"][1]',
    );
    await scroller.evaluate(el => el.scrollTo({ left: el.scrollWidth }));
    await expect(row.locator('td').first()).toBeInViewport();
    await scroller.evaluate(el => el.scrollTo({ left: 0 }));
    await expect(row.locator('[data-testid^="decisions-"]')).toBeInViewport();
    // the strip's chips wrap instead of overflowing the page
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
  });
});

test.describe('@viewer four-eyes at a glance', () => {
  test('a system with the four-eyes rule keeps Approve disabled for whoever started the run', async ({
    page,
  }) => {
    test.setTimeout(300_000);
    // penguins' spec sets approval.fourEyes; its catalog entity comes with the demo systems.
    await signInAsGuest(page);
    const token = await guestToken(page);
    const probe = await page.request.get(`${FOUR_EYES_API}/governance`, {
      headers: { authorization: `Bearer ${token}` },
    });
    test.skip(!probe.ok(), 'no penguins entity in this catalog');
    expect((await probe.json()).approval.fourEyes).toBe(true);
    // the signed-in owner (viewer) starts the run, so may not approve its version
    const version = await trainVersion(page, FOUR_EYES_API);
    await page.goto(FOUR_EYES_TAB);
    await expect(strip(page).getByTestId('glance-waiting')).toContainText(
      /Four-eyes rule/,
      { timeout: 30_000 },
    );
    await page.goto(`${FOUR_EYES_TAB}?version=${version}`);
    const panel = page.getByRole('dialog', {
      name: new RegExp(`Review version ${version}`),
    });
    await expect(panel.getByTestId('review-approve')).toBeDisabled();
    await expect(panel.getByTestId('review-reject')).toBeEnabled();
    // and the service refuses it too, whatever the UI shows
    const refused = await page.request.post(
      `${FOUR_EYES_API}/model-versions/${version}/approval`,
      {
        headers: { authorization: `Bearer ${token}` },
        data: { status: 'Approved', comment: 'own run' },
      },
    );
    expect(refused.status()).toBe(403);
  });
});
