import { test, expect, Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/*
 * @aws: the portal with `mlops.engine: aws` against the moto emulator
 * (scripts/e2e-aws.sh starts both). A ≥ 20 MB CSV goes from the browser
 * straight to S3 (presigned multipart parts, CORS), the release it starts runs
 * the ML pipeline step by step while the page watches, an approval answers the
 * release's manual approval and the Deploy stage puts that version on the
 * endpoint, whose answers come from the version's own artifacts.
 */

const ENTITY_TAB = '/catalog/default/component/abalone-age-predictor/mlops';
const DATA = path.resolve(__dirname, '../../demo-systems/abalone/abalone.data');
const EMULATOR = process.env.E2E_AWS_EMULATOR ?? 'http://127.0.0.1';

async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByRole('link', { name: 'Catalog' }).first(),
  ).toBeVisible();
}

/** The demo data repeated until the file is at least `bytes` long. */
function bigCsv(dir: string, bytes: number): string {
  const rows = fs.readFileSync(DATA, 'utf8').trim();
  const file = path.join(dir, 'abalone-aws-e2e.csv');
  const fd = fs.openSync(file, 'w');
  let size = 0;
  while (size < bytes) {
    fs.writeSync(fd, `${rows}\n`);
    size += Buffer.byteLength(rows) + 1;
  }
  fs.closeSync(fd);
  return file;
}

test.use({ viewport: { width: 1440, height: 1000 } });

test.describe('@aws the aws engine against the emulator', () => {
  test('20 MB direct upload → live DAG → approve → release deploys → predict', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-e2e-aws-'));
    const file = bigCsv(tmp, 20 * 1024 * 1024);
    expect(fs.statSync(file).size).toBeGreaterThanOrEqual(20 * 1024 * 1024);

    // Parts the browser PUTs straight to S3, and any body sent through the backend.
    const partPuts: number[] = [];
    const backendUploadBytes: number[] = [];
    page.on('response', res => {
      const req = res.request();
      if (req.method() === 'PUT' && res.url().startsWith(EMULATOR)) {
        partPuts.push(res.status());
      }
    });
    page.on('request', req => {
      if (
        req.method() === 'POST' &&
        /\/api\/mlops\/.*datasets/.test(req.url())
      ) {
        backendUploadBytes.push(req.postDataBuffer()?.length ?? 0);
      }
    });

    await signIn(page);
    await page.goto(ENTITY_TAB);
    await expect(
      page.getByRole('list', { name: 'Release pipeline' }),
    ).toBeVisible({ timeout: 60_000 });

    await page.getByTestId('dataset-file-input').setInputFiles(file);
    const runs = page.getByRole('table', { name: 'Pipeline runs' });
    await expect(runs).toContainText(/Running|Succeeded/, {
      timeout: 90_000,
    });
    // 20 MB in 8 MiB parts: three PUTs to S3, each accepted (CORS let the ETag through).
    expect(partPuts.length).toBeGreaterThanOrEqual(3);
    expect(partPuts.every(s => s === 200)).toBe(true);
    // Only small JSON went to the backend (create / complete), never the file.
    expect(Math.max(0, ...backendUploadBytes)).toBeLessThan(64 * 1024);

    // The DAG advances on the open page (3 s per step in the emulator).
    const dag = page.getByRole('figure', { name: 'ML pipeline steps' });
    const seen = new Set<string>();
    const stepStatuses = async () => {
      // Each node draws its name, then "<status> · <type>", then its duration.
      const texts = await dag
        .locator('text')
        .evaluateAll(els => els.map(e => e.textContent ?? ''));
      const out: Record<string, string> = {};
      texts.forEach((t, i) => {
        const m = /^(\w+) · \w+$/.exec(texts[i + 1] ?? '');
        if (m) out[t] = m[1];
      });
      return out;
    };
    await expect
      .poll(
        async () => {
          const statuses = await stepStatuses().catch(() => ({}));
          for (const [name, status] of Object.entries(statuses)) {
            if (status === 'Running') seen.add(name); // the label of Executing
          }
          return statuses.Register;
        },
        { timeout: 120_000, intervals: [500] },
      )
      .toBe('Succeeded');
    // More than one step was seen running: the page followed the run live.
    expect(seen.size).toBeGreaterThanOrEqual(2);

    // The version it registered waits for approval, and so does the release.
    const version = 1;
    await expect(page.getByTestId(`approval-status-${version}`)).toHaveText(
      /pending/i,
      { timeout: 60_000 },
    );
    await expect(page.getByTestId('release-stage-Approval')).toHaveAttribute(
      'data-status',
      'InProgress',
      { timeout: 30_000 },
    );

    await page.getByTestId(`approve-version-${version}`).click();
    const dialog = page.getByRole('dialog', {
      name: `Approve version ${version}`,
    });
    await dialog.getByLabel('Comment').fill('aws e2e: ship it');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await expect(dialog).toBeHidden();

    // The release moves past Approval and deploys that version.
    await expect(page.getByTestId('release-stage-Approval')).toHaveAttribute(
      'data-status',
      'Succeeded',
      { timeout: 30_000 },
    );
    await expect(page.getByTestId('release-stage-Deploy')).toHaveAttribute(
      'data-status',
      'Succeeded',
      { timeout: 60_000 },
    );
    await expect(page.getByTestId(`deployed-${version}`)).toBeVisible({
      timeout: 30_000,
    });

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
  });
});
