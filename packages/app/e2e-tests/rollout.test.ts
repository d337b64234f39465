import { test, expect } from '@playwright/test';
import { signInAsGuest } from './monitoringSteps';
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
 * Issue 26's "done when" in a real browser: approving a penguins version
 * starts its spec's canary; the deployments card shows it live (split, step,
 * alarms, each version's traffic); the owner rolls it back and the history
 * says why. Penguins belong to team Field Research: the @viewer run signs in
 * as its member. The spec's bake time must outlast the test's traffic.
 */

test.use({ viewport: { width: 1440, height: 1000 } });

test.describe('@viewer a canary rollout and its rollback', () => {
  test('approve → canary in progress with its split; live traffic; roll back → history shows the reason', async ({
    page,
  }) => {
    test.setTimeout(300_000);
    await signInAsGuest(page);
    const governance = await rolloutApi(page, 'GET', '/governance');
    expect(
      governance.deployment?.trafficRouting?.type,
      "penguins' spec deploys by canary",
    ).toBe('CANARY');
    const serving = await ensureServing(page);

    const produced = await dropPenguinsData(page);
    await page.goto(ROLLOUT_TAB);
    const candidate = await approvableCandidate(page, serving);
    expect(candidate).toBe(produced);
    expect(
      candidate,
      'a pending version the signed-in owner did not produce (four-eyes rule)',
    ).toBeDefined();
    const share = await approveWithSystemCanary(page, candidate!);

    // Live: both versions and the split, in words and as a progress bar.
    const card = deploymentsCard(page);
    const panel = card.getByRole('region', { name: 'Rollout in progress' });
    await expect(panel).toBeVisible({ timeout: 60_000 });
    await expect(panel.getByTestId('rollout-split')).toHaveText(
      `Version ${serving}: ${100 - share} % · Version ${candidate}: ${share} %`,
      { timeout: 60_000 },
    );
    await expect(
      panel.getByRole('progressbar', {
        name: `Traffic to version ${candidate}`,
      }),
    ).toHaveAttribute('aria-valuenow', String(share));
    await expect(panel.getByTestId('rollout-step')).toHaveText(/Step 1 of 2/);
    await expect(panel.getByTestId('rollout-next-step')).toHaveText(
      /Next step in \d+/,
    );
    // The strip says it too.
    await expect(page.getByTestId('glance-rollout')).toContainText(
      `Canary: v${candidate} at ${share} %`,
    );

    // Traffic reaches both versions; the card's numbers follow by themselves.
    await sendPenguinTraffic(page);
    await expect(panel.getByTestId(`variant-${candidate}`)).not.toContainText(
      /%\s*0\s*0/,
      { timeout: 30_000 },
    );
    await expect
      .poll(
        async () => {
          const { rollout } = await rolloutApi(page, 'GET', '/deployments');
          return rollout?.variants?.find(
            (v: { modelVersion: number }) => v.modelVersion === candidate,
          )?.invocations;
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);

    // The owner rolls it back.
    await panel.getByRole('button', { name: 'Roll back' }).click();
    const confirm = page.getByRole('dialog', {
      name: `Roll back version ${candidate}?`,
    });
    await confirm
      .getByRole('textbox', { name: /Comment/ })
      .fill('e2e: rolled back by hand');
    await confirm.getByRole('button', { name: 'Roll back' }).click();
    await expect(confirm).toBeHidden({ timeout: 30_000 });

    const outcome = card.getByTestId('rollout-outcome');
    await expect(outcome).toHaveAttribute('data-status', 'RolledBack', {
      timeout: 60_000,
    });
    await expect(outcome).toContainText(
      `Rolled back version ${candidate}; version ${serving} serves. Reason:`,
    );
    await expect(panel).toBeHidden();
    await expect(card.getByTestId('endpoint-summary')).toContainText(
      `serving version ${serving}`,
    );
    const history = card.getByRole('table', { name: 'Deployment history' });
    const rolledBackRow = history
      .getByRole('row')
      .filter({ hasText: 'Rolled back:' })
      .first();
    await expect(rolledBackRow).toContainText(String(candidate));
    await expect(rolledBackRow).toContainText(/Rolled back: \S+/);
    await expect(page.getByTestId('glance-rollout')).toContainText(
      `Rolled back v${candidate}`,
    );
  });
});
