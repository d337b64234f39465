import { expect, Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { guestToken } from './monitoringSteps';

/*
 * Steps of the safe-rollout e2e and its screenshots (issue 26): a canary
 * started from the UI on the penguins system, whose spec deploys by canary,
 * live traffic, and the rollback.
 */

export const ROLLOUT_ENTITY = 'penguin-species-classifier';
export const ROLLOUT_API = `/api/mlops/v1/entity/default/component/${ROLLOUT_ENTITY}`;
export const ROLLOUT_TAB = `/catalog/default/component/${ROLLOUT_ENTITY}/mlops`;
const DATA = path.resolve(
  __dirname,
  '../../demo-systems/penguins/penguins.csv',
);
const NUMERIC = new Set([
  'bill_length_mm',
  'bill_depth_mm',
  'flipper_length_mm',
  'body_mass_g',
]);

export async function rolloutApi(
  page: Page,
  method: 'GET' | 'POST',
  subPath: string,
  data?: unknown,
) {
  const token = await guestToken(page);
  const res = await page.request.fetch(`${ROLLOUT_API}${subPath}`, {
    method,
    data,
    headers: { authorization: `Bearer ${token}` },
  });
  expect(
    res.ok(),
    `${method} ${subPath}: ${res.status()} ${await res.text()}`,
  ).toBeTruthy();
  return res.json();
}

/** Real penguins from the data set (rows without missing values), target left out. */
export function penguinInstances(count: number) {
  const [header, ...rows] = fs
    .readFileSync(DATA, 'utf8')
    .split('\n')
    .filter(l => l.trim() !== '');
  const names = header.split(',');
  const complete = rows.filter(r => !/(^|,)(NA|\.|)(,|$)/.test(r));
  return Array.from({ length: count }, (_, i) => {
    const values = complete[i % complete.length].split(',');
    return Object.fromEntries(
      names
        .map((n, k) => [n, NUMERIC.has(n) ? Number(values[k]) : values[k]])
        .filter(([n]) => n !== 'species'),
    );
  });
}

/** Sends `requests` predictions of 10 penguins each through the portal's API. */
export async function sendPenguinTraffic(page: Page, requests = 20) {
  const token = await guestToken(page);
  const instances = penguinInstances(requests * 10);
  for (let i = 0; i < requests; i++) {
    const res = await page.request.post(`${ROLLOUT_API}/predict`, {
      headers: { authorization: `Bearer ${token}` },
      data: { instances: instances.slice(i * 10, i * 10 + 10) },
    });
    expect(res.status(), await res.text()).toBe(200);
  }
}

/** The deployments card, by its title. */
export function deploymentsCard(page: Page) {
  return page.locator('.MuiCard-root').filter({
    has: page.getByText('Deployments', { exact: true }),
  });
}

/**
 * Makes sure a version serves (a canary needs one to split against), all at
 * once; returns its number.
 */
export async function ensureServing(page: Page): Promise<number> {
  const deployments = await rolloutApi(page, 'GET', '/deployments');
  if (deployments.endpoint?.modelVersion !== undefined)
    return deployments.endpoint.modelVersion;
  const { items } = await rolloutApi(page, 'GET', '/model-versions');
  const first = items.find(
    (v: { approvalStatus: string }) =>
      v.approvalStatus === 'PendingManualApproval',
  );
  expect(first, 'a pending version to deploy first').toBeTruthy();
  await rolloutApi(page, 'POST', `/model-versions/${first.version}/approval`, {
    status: 'Approved',
    comment: 'e2e: a version to canary against',
    deployment: {
      trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
    },
  });
  await expect
    .poll(
      async () => (await rolloutApi(page, 'GET', '/deployments')).endpoint,
      { timeout: 120_000 },
    )
    .toMatchObject({ status: 'InService', modelVersion: first.version });
  return first.version;
}

/**
 * Produces a penguins version nobody signed in produced: a CSV dropped into
 * the local engine's data bucket (as a data team's job would) is ingested
 * by the bucket watcher and trains a version the owner may approve under the
 * four-eyes rule. e2e.sh exports the backend's data directory.
 */
export async function dropPenguinsData(page: Page): Promise<number> {
  const dataDir = process.env.MLOPS_E2E_DATA_DIR;
  expect(dataDir, 'MLOPS_E2E_DATA_DIR (set by scripts/e2e.sh)').toBeTruthy();
  const before = await rolloutApi(page, 'GET', '/model-versions');
  const newest = Math.max(
    0,
    ...before.items.map((v: { version: number }) => v.version),
  );
  const dir = path.join(dataDir!, 'bucket', 'penguins-pipeline');
  fs.mkdirSync(dir, { recursive: true });
  const name = `e2e-rollout-${Date.now()}.csv`;
  // Written under a .tmp name, then renamed: the watcher never reads half a file.
  fs.copyFileSync(DATA, path.join(dir, `${name}.tmp`));
  fs.renameSync(path.join(dir, `${name}.tmp`), path.join(dir, name));
  let produced: number | undefined;
  await expect
    .poll(
      async () => {
        const { items } = await rolloutApi(page, 'GET', '/model-versions');
        produced = items.find(
          (v: { version: number; approvalStatus: string }) =>
            v.version > newest && v.approvalStatus === 'PendingManualApproval',
        )?.version;
        return produced;
      },
      { timeout: 240_000, intervals: [2_000] },
    )
    .toBeDefined();
  return produced!;
}

/**
 * A pending version the signed-in owner may approve (the four-eyes rule
 * keeps Approve disabled on versions they produced), from the versions table.
 */
export async function approvableCandidate(page: Page, serving: number) {
  const rows = page.locator('[data-testid^="model-version-row-"]');
  await expect(rows.first()).toBeVisible({ timeout: 120_000 });
  const versions = await rows.evaluateAll(els =>
    els.map(e => Number(e.getAttribute('data-testid')!.split('-').pop())),
  );
  for (const v of versions) {
    if (v === serving) continue;
    const approve = page.getByTestId(`approve-version-${v}`);
    if ((await approve.count()) && (await approve.isEnabled())) return v;
  }
  return undefined;
}

/**
 * Approves `candidate` in the UI with the system's default strategy (a
 * canary); returns the canary share the spec sets.
 */
export async function approveWithSystemCanary(page: Page, candidate: number) {
  const governance = await rolloutApi(page, 'GET', '/governance');
  const share: number = governance.deployment.trafficRouting.canarySize.value;
  await page.getByTestId(`approve-version-${candidate}`).click();
  const dialog = page.getByRole('dialog', {
    name: `Approve version ${candidate}`,
  });
  await expect(
    dialog.getByRole('radio', { name: /^System default: Canary/ }),
  ).toBeChecked();
  await dialog
    .getByRole('textbox', { name: 'Comment' })
    .fill('e2e: canary the new version');
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(dialog).toBeHidden();
  return share;
}
