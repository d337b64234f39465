import { test, expect, Page } from '@playwright/test';
import path from 'node:path';
import { signInAsGuest } from './monitoringSteps';

/*
 * WCAG 2.1 AA on the plugin's pages (axe-core, the rules the accessibility
 * review ran): the /mlops overview and each demo system's MLOps tab —
 * a regression and two classifiers, so every task's cards are checked.
 * Only the page's main content is judged: the app shell is Backstage's.
 */
const AXE = require.resolve('axe-core/axe.min.js');

async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: any }).axe;
    const result = await axe.run(
      { include: [['main']] },
      {
        runOnly: {
          type: 'tag',
          values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'],
        },
      },
    );
    return result.violations.map(
      (v: {
        id: string;
        help: string;
        nodes: Array<{ target: unknown; any: Array<{ message: string }> }>;
      }) =>
        `${v.id}: ${v.help} (${v.nodes
          .slice(0, 3)
          .map(
            n =>
              `${String(n.target)} ${String((n as any).html).slice(0, 160)}: ${
                n.any[0]?.message ?? ''
              }`,
          )
          .join('; ')})`,
    );
  });
}

// the app's CSP forbids inline scripts; axe is injected by the test, not the app
test.use({ viewport: { width: 1440, height: 1000 }, bypassCSP: true });

test.describe('@owner accessibility (WCAG 2.1 AA, axe)', () => {
  test('the overview page and every demo system’s tab have no violations', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    await signInAsGuest(page);

    await page.goto('/mlops');
    await expect(page.getByRole('table').first()).toBeVisible({
      timeout: 60_000,
    });
    expect(await violations(page)).toEqual([]);

    for (const system of [
      'abalone-age-predictor',
      'breast-cancer-classifier',
      'penguin-species-classifier',
    ]) {
      await page.goto(
        path.posix.join('/catalog/default/component', system, 'mlops'),
      );
      await expect(
        page.getByRole('region', { name: 'MLOps status' }),
      ).toBeVisible({ timeout: 60_000 });
      await expect(
        page.locator('[data-testid^="model-version-row-"]').first(),
      ).toBeVisible({ timeout: 60_000 });
      expect(await violations(page), system).toEqual([]);
    }
  });
});
