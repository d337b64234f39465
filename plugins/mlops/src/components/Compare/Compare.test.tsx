import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { ModelVersion } from '@mlops-portal/plugin-mlops-common';
import { modelVersions } from '../../__fixtures__';
import {
  createMockMlopsApi,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import { ModelVersionsCard } from '../ModelVersions/ModelVersionsCard';
import { CompareBar } from './CompareVersions';
import { VersionSelectionProvider } from './selection';

describe('compare versions picked in the versions table', () => {
  it('compares 3 versions: best per metric by its direction, differing parameters', async () => {
    const versions: ModelVersion[] = modelVersions.map(v => ({
      ...v,
      hyperparameters: { ...v.hyperparameters, max_depth: v.version + 2 },
    }));
    const api = createMockMlopsApi({
      listModelVersions: jest.fn(async () => ({ items: versions })),
    });
    await renderWithEntity(
      <VersionSelectionProvider>
        <ModelVersionsCard />
        <CompareBar />
      </VersionSelectionProvider>,
      { api },
    );
    const table = await screen.findByRole('table', { name: 'Model versions' });
    for (const v of [1, 3]) {
      fireEvent.click(
        within(table).getByRole('checkbox', { name: `Compare version ${v}` }),
      );
    }
    expect(screen.getByTestId('compare-count')).toHaveTextContent(
      '2 versions picked: 3, 1',
    );
    fireEvent.click(
      within(table).getByRole('checkbox', { name: 'Compare version 2' }),
    );
    fireEvent.click(screen.getByTestId('compare-open'));
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Compare versions 3, 2, 1'),
    ).toBeInTheDocument();
    const compared = within(dialog).getByRole('table', {
      name: 'Compared versions',
    });
    // lower mse is better (v3), higher r2 is better (v3)
    const mse = within(compared).getByTestId('compare-metric-mse');
    expect(mse.querySelector('[data-best="true"]')).toHaveTextContent(
      '4.620 (best)',
    );
    expect(within(compared).getByTestId('compare-metric-r2')).toHaveTextContent(
      '0.551 (best)',
    );
    expect(
      within(compared).getByTestId('compare-param-max_depth'),
    ).toHaveTextContent('543');
  });

  it('keeps the version column and the decisions sticky so they stay visible when the table scrolls', async () => {
    await renderWithEntity(
      <VersionSelectionProvider>
        <ModelVersionsCard />
      </VersionSelectionProvider>,
    );
    const table = await screen.findByRole('table', { name: 'Model versions' });
    const link = within(table).getByTestId('review-link-3');
    expect(link.closest('td')).toHaveStyle({ position: 'sticky', left: '0px' });
    await waitFor(() =>
      expect(
        within(table).getByTestId('decisions-3').closest('td'),
      ).toHaveStyle({ position: 'sticky', right: '0px' }),
    );
    // the version number opens its review
    expect(link).toHaveAttribute(
      'href',
      '/catalog/default/component/abalone-age-predictor/mlops?version=3',
    );
  });
});
