import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  binaryEvaluationPlots,
  entityRef,
  modelVersions,
  multiclassEvaluationPlots,
} from '../../__fixtures__';
import {
  createMockMlopsApi,
  httpError,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import { identityRange, PlotsByTask } from './EvaluationPlots';
import { MetricsTrendCard } from '../Metrics/MetricsTrendCard';
import {
  MlopsEntityDataProvider,
  useMlopsRefresh,
} from '../../hooks/MlopsEntityDataProvider';
import { ModelVersionsCard } from './ModelVersionsCard';

/** Refetches the shared versions page, as a signal would. */
function RefreshVersions() {
  const refresh = useMlopsRefresh();
  return <button onClick={() => refresh(['versions'])}>refresh</button>;
}

const rows = () =>
  screen
    .getAllByTestId(/^model-version-row-/)
    .map(r => r.getAttribute('data-testid'));

describe('ModelVersionsCard paging', () => {
  it('shows the newest page and loads older pages with nextToken', async () => {
    const api = createMockMlopsApi({
      listModelVersions: jest.fn(
        async (_ref: string, opts?: { nextToken?: string }) => {
          if (!opts?.nextToken)
            return { items: modelVersions.slice(0, 2), nextToken: 't2' };
          if (opts.nextToken === 't2')
            return { items: modelVersions.slice(2), nextToken: undefined };
          throw new Error(`unexpected token ${opts.nextToken}`);
        },
      ),
    });
    await renderWithEntity(<ModelVersionsCard />, { api });
    await screen.findByTestId('model-version-row-3');
    expect(rows()).toEqual(['model-version-row-3', 'model-version-row-2']);
    expect(api.listModelVersions).toHaveBeenCalledWith(entityRef, {
      limit: 50,
    });

    await userEvent.click(screen.getByTestId('model-versions-load-more'));
    expect(await screen.findByTestId('model-version-row-1')).toBeTruthy();
    expect(api.listModelVersions).toHaveBeenLastCalledWith(entityRef, {
      limit: 50,
      nextToken: 't2',
    });
    expect(rows()).toEqual([
      'model-version-row-3',
      'model-version-row-2',
      'model-version-row-1',
    ]);
    // The last page had no token: nothing more to load.
    expect(
      screen.queryByTestId('model-versions-load-more'),
    ).not.toBeInTheDocument();
    // The history covers the older page's decisions too.
    expect(
      screen.getByRole('table', { name: 'Approval history' }),
    ).toHaveTextContent('Trained on a partial upload');
  });

  it('a new version on the first page keeps the version it pushed off', async () => {
    const v4 = { ...modelVersions[0], version: 4, approvalHistory: [] };
    let firstPage = { items: modelVersions.slice(0, 2), nextToken: 't2' };
    const api = createMockMlopsApi({
      listModelVersions: jest.fn(
        async (_ref: string, opts?: { nextToken?: string }) =>
          opts?.nextToken ? { items: modelVersions.slice(2) } : firstPage,
      ),
    });
    await renderWithEntity(
      <MlopsEntityDataProvider>
        <ModelVersionsCard />
        <RefreshVersions />
      </MlopsEntityDataProvider>,
      { api },
    );
    await userEvent.click(
      await screen.findByTestId('model-versions-load-more'),
    );
    await screen.findByTestId('model-version-row-1');
    // Version 4 arrives: the first page is now [4, 3], 2 fell off it.
    firstPage = { items: [v4, modelVersions[0]], nextToken: 't3' };
    await userEvent.click(screen.getByRole('button', { name: 'refresh' }));
    await screen.findByTestId('model-version-row-4');
    expect(rows()).toEqual([
      'model-version-row-4',
      'model-version-row-3',
      'model-version-row-2',
      'model-version-row-1',
    ]);
    expect(api.listModelVersions).toHaveBeenCalledTimes(3);
  });

  it('works with a backend that ignores limit: everything, no Load more', async () => {
    await renderWithEntity(<ModelVersionsCard />);
    await screen.findByTestId('model-version-row-1');
    expect(rows()).toHaveLength(3);
    expect(
      screen.queryByTestId('model-versions-load-more'),
    ).not.toBeInTheDocument();
  });

  it('keeps the shown versions when an older page fails, and says so', async () => {
    const api = createMockMlopsApi({
      listModelVersions: jest.fn(
        async (_ref: string, opts?: { nextToken?: string }) => {
          if (opts?.nextToken) throw new Error('registry timeout');
          return { items: modelVersions.slice(0, 1), nextToken: 't1' };
        },
      ),
    });
    await renderWithEntity(<ModelVersionsCard />, { api });
    await userEvent.click(
      await screen.findByTestId('model-versions-load-more'),
    );
    expect(
      await screen.findByText(
        /Could not load older versions: registry timeout/,
      ),
    ).toBeInTheDocument();
    expect(rows()).toEqual(['model-version-row-3']);
  });
});

describe('evaluation plots of a version', () => {
  it('opens the plots of the chosen version: scatter with y = x, residuals, importance', async () => {
    const { api } = await renderWithEntity(<ModelVersionsCard />);
    await userEvent.click(await screen.findByTestId('plots-version-3'));
    const dialog = await screen.findByRole('dialog', {
      name: 'Evaluation plots, version 3',
    });
    expect(
      await within(dialog).findByRole('img', {
        name: 'Predicted vs actual scatter with the y = x line',
      }),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('img', { name: 'Residual histogram' }),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('img', { name: 'Feature importance by gain' }),
    ).toBeInTheDocument();
    expect(within(dialog).getByText(/4 test rows/)).toBeInTheDocument();
    expect(
      within(dialog).getByTestId('feature-importance-order'),
    ).toHaveTextContent('shellWeight 41.2, shuckedWeight 18.5, sex_I 9.1');
    expect(api.getEvaluationPlots).toHaveBeenCalledWith(entityRef, 3);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Close' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });

  it('loads nothing until asked, and says when a version has no plots (404)', async () => {
    const api = createMockMlopsApi({
      getEvaluationPlots: jest.fn(async () => {
        throw httpError(404);
      }),
    });
    await renderWithEntity(<ModelVersionsCard />, { api });
    await userEvent.click(await screen.findByTestId('plots-version-1'));
    expect(
      await screen.findByText('No evaluation plots for this version'),
    ).toBeInTheDocument();
    expect(api.getEvaluationPlots).toHaveBeenCalledTimes(1);
  });

  it('shows a failure to load the plots', async () => {
    const api = createMockMlopsApi({
      getEvaluationPlots: jest.fn(async () => {
        throw httpError(500, 'artifact store unreachable');
      }),
    });
    await renderWithEntity(<ModelVersionsCard />, { api });
    await userEvent.click(await screen.findByTestId('plots-version-2'));
    expect(
      (await screen.findAllByText(/artifact store unreachable/)).length,
    ).toBeGreaterThan(0);
  });

  it('the y = x line spans every actual and predicted value', () => {
    expect(
      identityRange([
        { actual: 3, predicted: 4.5 },
        { actual: 20, predicted: 16.2 },
      ]),
    ).toEqual([3, 20]);
    expect(identityRange([])).toEqual([0, 1]);
  });
});

describe('evaluation plots from the version compare', () => {
  it('opens the plots of version A and of version B', async () => {
    const { api } = await renderWithEntity(<MetricsTrendCard />);
    await screen.findByRole('table', { name: 'Compare versions' });
    await userEvent.click(screen.getByRole('button', { name: 'Plots of A' }));
    expect(
      await screen.findByRole('dialog', {
        name: 'Evaluation plots, version 2',
      }),
    ).toBeInTheDocument();
    expect(api.getEvaluationPlots).toHaveBeenLastCalledWith(entityRef, 2);
    await userEvent.click(screen.getByRole('button', { name: 'Close' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Plots of B' }));
    expect(
      await screen.findByRole('dialog', {
        name: 'Evaluation plots, version 3',
      }),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('img', { name: 'Residual histogram' }),
    ).toBeInTheDocument();
  });
});

describe('evaluation plots by task', () => {
  it('draws a binary classifier: ROC with its AUC, PR, confusion matrix and calibration', async () => {
    await renderWithEntity(<PlotsByTask plots={binaryEvaluationPlots} />);
    expect(screen.getByTestId('roc-auc')).toHaveTextContent(
      'ROC curve (AUC 0.987)',
    );
    for (const name of [
      'ROC curve with the chance line',
      'Precision-recall curve',
      'Calibration: predicted probability vs observed positive share',
      'Feature importance by gain',
    ])
      expect(screen.getByRole('img', { name })).toBeInTheDocument();
    expect(screen.getByTestId('confusion-malignant-benign')).toHaveTextContent(
      '3',
    );
    expect(
      screen.getByText(/86 test rows, positive class at probability ≥ 0.5/),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('img', { name: 'Residual histogram' }),
    ).toBeNull();
  });

  it('draws a multiclass classifier: confusion matrix and per-class table', async () => {
    await renderWithEntity(<PlotsByTask plots={multiclassEvaluationPlots} />);
    const matrix = screen.getByRole('table', { name: 'Confusion matrix' });
    expect(within(matrix).getAllByRole('row')).toHaveLength(4);
    expect(screen.getByTestId('confusion-Adelie-Chinstrap')).toHaveTextContent(
      '1',
    );
    expect(screen.getByTestId('per-class-Chinstrap')).toHaveTextContent(
      'Chinstrap0.9091.0000.95210',
    );
    expect(screen.queryByRole('img', { name: /ROC curve/ })).toBeNull();
  });
});
