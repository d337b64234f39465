import { test, expect, Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { card, invocationsShown, sendShiftedTraffic } from './monitoringSteps';

/*
 * The portal story in a real browser against the real backend and local engine
 * (scripts/e2e.sh starts them). @owner runs signed in as the guest, a member of
 * the owning group; @viewer runs after a backend restart on the same data,
 * signed in as a non-owner.
 */

const ENTITY_TAB = '/catalog/default/component/abalone-age-predictor/mlops';
const DATA = path.resolve(__dirname, '../../demo-systems/abalone/abalone.data');
const SHOTS = process.env.E2E_SCREENSHOT_DIR;

async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByRole('link', { name: 'Catalog' }).first(),
  ).toBeVisible();
}

/** README screenshots, only when E2E_SCREENSHOT_DIR is set. */
async function shot(page: Page, name: string, opts: { whole?: boolean } = {}) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  const size = page.viewportSize()!;
  if (opts.whole) {
    // A tall viewport instead of fullPage, so the fixed sidebar is drawn once.
    const height = await page.evaluate(
      () => document.documentElement.scrollHeight,
    );
    await page.setViewportSize({
      width: size.width,
      height: Math.min(height, 4000),
    });
  }
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  await page.setViewportSize(size);
}

/** Highest version number shown in the model versions table. */
async function latestVersion(page: Page): Promise<number> {
  const ids = await page
    .locator('[data-testid^="model-version-row-"]')
    .evaluateAll(rows =>
      rows.map(r => Number(r.getAttribute('data-testid')!.split('-').pop())),
    );
  return ids.length ? Math.max(...ids) : 0;
}

test.use({ viewport: { width: 1440, height: 1000 } });

test.describe('@owner an owner trains, approves and predicts', () => {
  test('upload → run finishes → approve → predict', async ({ page }) => {
    test.setTimeout(240_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-e2e-'));
    await signIn(page);
    await page.goto(ENTITY_TAB);
    await expect(
      page.getByRole('list', { name: 'Release pipeline' }),
    ).toBeVisible();
    const versionsTable = page.getByRole('table', { name: 'Model versions' });

    // The backend seeds the bucket on first start; wait for that release to register its version.
    await expect(
      page.locator('[data-testid^="model-version-row-"]').first(),
    ).toBeVisible({ timeout: 120_000 });
    const before = await latestVersion(page);

    // A bad file is refused with row-level errors and starts nothing.
    const bad = path.join(tmp, 'bad.csv');
    fs.writeFileSync(
      bad,
      'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\nX,0.35,0.265,0.09,0.2255,0.0995,0.0485,0.07,7\n',
    );
    await page.getByTestId('dataset-file-input').setInputFiles(bad);
    const rowErrors = page.getByRole('table', { name: 'Dataset row errors' });
    await expect(rowErrors).toBeVisible();
    await expect(rowErrors).toContainText('2');
    await expect(rowErrors).toContainText(/sex/i);

    // A good file writes a manifest and triggers the release pipeline.
    const good = path.join(tmp, 'abalone-e2e.csv');
    fs.copyFileSync(DATA, good);
    await page.getByTestId('dataset-file-input').setInputFiles(good);
    const runs = page.getByRole('table', { name: 'Pipeline runs' });
    await expect(runs).toContainText('abalone-e2e.csv', { timeout: 30_000 });

    // Watch the run finish without reloading: a new version appears, pending approval.
    const version = before + 1;
    await expect(page.getByTestId(`approval-status-${version}`)).toHaveText(
      /pending/i,
      { timeout: 150_000 },
    );
    await expect(
      versionsTable.getByTestId(`model-version-row-${version}`),
    ).toContainText(/\d\.\d{3}/);
    await shot(page, 'entity-tab', { whole: true });

    // Approve with a comment: it deploys.
    await page.getByTestId(`approve-version-${version}`).click();
    const dialog = page.getByRole('dialog', {
      name: `Approve version ${version}`,
    });
    await expect(dialog).toBeVisible();
    await dialog
      .getByLabel('Comment')
      .fill('MSE under the gate on the e2e upload; ship it');
    await shot(page, 'approval-dialog');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId(`approval-status-${version}`)).toHaveText(
      /approved/i,
      { timeout: 30_000 },
    );
    await expect(page.getByTestId(`deployed-${version}`)).toBeVisible({
      timeout: 30_000,
    });
    await expect(
      page.getByRole('table', { name: 'Approval history' }),
    ).toContainText('ship it');

    // Predict with a preset: a plausible age from the version just deployed.
    await page.getByRole('button', { name: /^Example 1\b/ }).click();
    await page.getByRole('button', { name: 'Predict', exact: true }).click();
    const result = page.getByTestId('prediction-result');
    await expect(result).toContainText(/Predicted age: \d+\.\d years/);
    await expect(result).toContainText(`model version ${version}`);
    const age = Number(
      (await result.textContent())!.match(/Predicted age: ([\d.]+)/)![1],
    );
    expect(age).toBeGreaterThan(4);
    expect(age).toBeLessThan(27);

    // The overview page lists the ML system with its deployed version.
    await page.goto('/mlops');
    const systems = page.getByRole('table', { name: 'ML systems' });
    await expect(systems).toContainText('Abalone age predictor');
    await expect(systems).toContainText(`Version ${version}`);
    await shot(page, 'overview', { whole: true });
  });
});

/*
 * Needs the backend's monitoring (GET …/monitoring) and evaluation-plots
 * routes, and runs after the owner story above (it deployed a version).
 */
test.describe('@owner monitoring follows live traffic', () => {
  test('predictions appear in the endpoint card within a few seconds; the drift card shows the shift', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await signIn(page);
    await page.goto(ENTITY_TAB);
    await expect(
      page.locator('[data-testid^="deployed-"]').first(),
    ).toBeVisible({ timeout: 60_000 });
    const endpointCard = card(page, 'Endpoint monitoring');
    const driftCard = card(page, 'Data drift');
    await expect(
      endpointCard.getByTestId('endpoint-total-invocations'),
    ).toBeVisible({ timeout: 30_000 });
    const before = await invocationsShown(page);

    const served = await sendShiftedTraffic(page);
    expect(served).toBeGreaterThan(0);
    // No reload: the card refreshes itself (every 5 s while the page is visible).
    await expect
      .poll(() => invocationsShown(page), { timeout: 15_000, intervals: [500] })
      .toBeGreaterThan(before);
    await expect(
      endpointCard.getByRole('img', { name: 'Requests per minute over time' }),
    ).toBeVisible();

    // Every input was long: `length` drifted, and so the whole model's inputs.
    await expect(driftCard.getByTestId('drift-status-length')).toHaveAttribute(
      'data-status',
      'drift',
      {
        timeout: 30_000,
      },
    );
    await expect(driftCard.getByTestId('drift-overall-status')).toHaveAttribute(
      'data-status',
      'drift',
    );
    await driftCard
      .getByRole('button', { name: 'Show the distribution of length' })
      .click();
    await expect(
      driftCard.getByRole('img', {
        name: 'length: baseline vs recent distribution',
      }),
    ).toBeVisible();
    await shot(page, 'monitoring-cards');

    // The deployed version's evaluation plots open from the versions table.
    await page.getByTestId(`plots-version-${served}`).click();
    const plots = page.getByRole('dialog', {
      name: `Evaluation plots, version ${served}`,
    });
    await expect(
      plots.getByRole('img', {
        name: 'Predicted vs actual scatter with the y = x line',
      }),
    ).toBeVisible();
    await expect(plots.getByTestId('feature-importance-order')).toContainText(
      'By gain:',
    );
  });
});

/** How a cell's content lays out in the browser (measured, not styled). */
type Measured = {
  text: string;
  lines: number;
  height: number;
  lineHeight: number;
};

/**
 * Per element: the line boxes of its text and its height against one line's.
 * Runs in the page (passed to evaluateAll), so it refers to nothing outside.
 */
function measureCells(els: Element[]): Measured[] {
  return els.map(el => {
    // The text's line boxes: one rect per line and text node, so count tops.
    const tops = new Set<number>();
    let top = Infinity;
    let bottom = -Infinity;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent?.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of Array.from(range.getClientRects())) {
        tops.add(Math.round(r.top));
        top = Math.min(top, r.top);
        bottom = Math.max(bottom, r.bottom);
      }
    }
    // A button's or chip's label box; for a plain cell, its text's.
    const label = el.querySelector('.MuiButton-label, .MuiChip-label');
    const style = getComputedStyle(label ?? el);
    const lh = parseFloat(style.lineHeight);
    return {
      text: el.textContent ?? '',
      lines: tops.size,
      height: label ? label.getBoundingClientRect().height : bottom - top,
      lineHeight: Number.isFinite(lh) ? lh : 1.2 * parseFloat(style.fontSize),
    };
  });
}

/*
 * Runs after the stories above (a version exists). A 900 px window puts the
 * cards at their narrowest; the tables must scroll inside them, not squeeze
 * "Approve" or a timestamp over two lines.
 */
test.describe('@owner narrow window: table cells stay whole', () => {
  test.use({ viewport: { width: 900, height: 1000 } });

  test('Approve/Reject, chips and timestamps are one line; the table scrolls in its card', async ({
    page,
  }) => {
    await signIn(page);
    await page.goto(ENTITY_TAB);
    const versions = page.getByRole('table', { name: 'Model versions' });
    await expect(
      versions.locator('[data-testid^="model-version-row-"]').first(),
    ).toBeVisible({ timeout: 120_000 });

    const buttons = versions.locator(
      '[data-testid^="approve-version-"], [data-testid^="reject-version-"]',
    );
    expect(await buttons.count()).toBeGreaterThan(0);
    const history = page.getByRole('table', { name: 'Approval history' });
    const measureAll = (cells: ReturnType<Page['locator']>) =>
      cells.evaluateAll(measureCells);
    const measured = [
      ...(await measureAll(buttons)),
      ...(await measureAll(
        versions.locator('[data-testid^="approval-status-"]'),
      )),
      // every cell of the versions table, every cell but "Why" of the history
      ...(await measureAll(versions.locator('td'))),
      ...(await measureAll(history.locator('td:not(:last-child)'))),
      // runs: status, trigger, started, duration, metrics, version (run names and manifests wrap at spaces/hyphens)
      ...(await measureAll(
        page
          .getByRole('table', { name: 'Pipeline runs' })
          .locator(
            'td:is(:nth-child(2), :nth-child(3), :nth-child(6), :nth-child(7), :nth-child(8), :nth-child(9))',
          ),
      )),
    ].filter(m => m.text.trim() !== '');
    for (const m of measured) {
      expect(m.lines, `"${m.text}" laid out on one line`).toBe(1);
      // getBoundingClientRect: the label is one line tall (not two).
      expect(m.height, `"${m.text}" height`).toBeLessThan(1.5 * m.lineHeight);
    }
    test.info().annotations.push({
      type: 'measured',
      description: `900 px: ${
        measured.length
      } cells on one line, e.g. ${JSON.stringify(measured[0])}`,
    });

    // The versions table is wider than its card: it scrolls inside the card,
    // and the page itself does not scroll sideways.
    const widths = await versions.evaluate(t => {
      const box = t.closest('[data-testid="mlops-table-scroll"]')!;
      return {
        table: t.scrollWidth,
        box: box.clientWidth,
        page: document.documentElement.scrollWidth,
      };
    });
    test.info().annotations.push({
      type: 'measured',
      description: `900 px: versions table ${widths.table} px wide in a ${widths.box} px card`,
    });
    expect(widths.page).toBeLessThanOrEqual(900);
    expect(widths.table).toBeGreaterThan(widths.box);
    const scrolls = await versions.evaluate(t => {
      for (let el = t.parentElement; el; el = el.parentElement) {
        if (
          el.scrollWidth > el.clientWidth &&
          getComputedStyle(el).overflowX === 'auto'
        )
          return true;
      }
      return false;
    });
    expect(
      scrolls,
      'an overflow-x: auto box inside the card scrolls the table',
    ).toBe(true);
  });
});

test.describe('@viewer a non-owner cannot approve', () => {
  test('approve is disabled in the UI and refused by the API', async ({
    page,
  }) => {
    await signIn(page);
    await page.goto(ENTITY_TAB);
    // State survived the backend restart: a version is still deployed.
    await expect(
      page.locator('[data-testid^="deployed-"]').first(),
    ).toBeVisible({ timeout: 60_000 });

    const approveButtons = page.locator('[data-testid^="approve-version-"]');
    await expect(approveButtons.first()).toBeVisible();
    await expect(approveButtons.first()).toBeDisabled();

    // The API refuses too (the UI is not the only gate).
    const refresh = await page.request.get('/api/auth/guest/refresh', {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    expect(refresh.ok()).toBeTruthy();
    const identity = await refresh.json();
    expect(identity.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/viewer',
    );
    const token = identity.backstageIdentity.token;
    const id = await approveButtons.first().getAttribute('data-testid');
    const version = Number(id!.split('-').pop());
    const base = '/api/mlops/v1/entity/default/component/abalone-age-predictor';
    const res = await page.request.post(
      `${base}/model-versions/${version}/approval`,
      {
        headers: { authorization: `Bearer ${token}` },
        data: { status: 'Approved', comment: 'trying as a non-owner' },
      },
    );
    expect(res.status()).toBe(403);
    const versions = await page.request.get(`${base}/model-versions`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = await versions.json();
    const v = body.items.find(
      (x: { version: number }) => x.version === version,
    );
    expect(v.approvalStatus).not.toBe('Approved');
  });
});
