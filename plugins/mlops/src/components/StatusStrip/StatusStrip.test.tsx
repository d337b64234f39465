import { screen, waitFor } from '@testing-library/react';
import type { ModelVersion } from '@mlops-portal/plugin-mlops-common';
import {
  canaryInProgress,
  completed,
  deployments,
  deploymentsWithRollout,
  modelVersions,
  monitoring,
  rolledBack,
} from '../../__fixtures__';
import {
  createMockMlopsApi,
  httpError,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import { StatusCard } from './StatusStrip';

const mseGate = {
  qualityGate: { metric: 'mse', comparison: 'LessThanOrEqualTo', threshold: 6 },
  task: 'regression',
  approval: { preApprove: false, fourEyes: false },
};

describe('StatusStrip', () => {
  it('answers what serves (with its gate metric), health, what waits and the last run', async () => {
    const api = createMockMlopsApi({
      getGovernance: jest.fn(async () => mseGate),
    });
    await renderWithEntity(<StatusCard />, { api });
    await waitFor(() =>
      expect(screen.getByTestId('glance-serving')).toHaveTextContent(
        'Version 2 · mse 4.850 (gate mse ≤ 6: passes)',
      ),
    );
    expect(screen.getByTestId('glance-endpoint')).toHaveTextContent(
      'In service',
    );
    await waitFor(() =>
      expect(screen.getByTestId('glance-traffic')).toHaveTextContent(
        `${monitoring.totals.invocations} requests`,
      ),
    );
    expect(screen.getByTestId('glance-drift')).toHaveAttribute(
      'data-status',
      monitoring.drift.status,
    );
    expect(screen.getByTestId('glance-waiting')).toHaveTextContent(
      'Version 3 awaits approval',
    );
    expect(screen.getByTestId('glance-last-run')).toHaveTextContent('Running');
    // Outside the tab, chips lead to the tab's cards.
    expect(screen.getByTestId('glance-drift')).toHaveAttribute(
      'href',
      '/catalog/default/component/abalone-age-predictor/mlops#drift',
    );
    expect(screen.getByTestId('glance-last-run')).toHaveAttribute(
      'href',
      '/catalog/default/component/abalone-age-predictor/mlops?run=exec-0004',
    );
  });

  it('shows a classifier gate without assuming mse, and the endpoint over a stale registry marker', async () => {
    const versions: ModelVersion[] = [
      {
        ...modelVersions[0],
        version: 5,
        approvalStatus: 'Approved',
        task: 'multiclass',
        metrics: { accuracy: 0.84, logloss: 0.4 },
        // the registry still marks another version deployed
        deployed: false,
      },
      { ...modelVersions[1], version: 4, deployed: true },
    ];
    const api = createMockMlopsApi({
      getGovernance: jest.fn(async () => ({
        qualityGate: {
          metric: 'accuracy',
          comparison: 'GreaterThanOrEqualTo',
          threshold: 0.9,
        },
        task: 'multiclass',
        approval: { preApprove: false, fourEyes: false },
      })),
      listModelVersions: jest.fn(async () => ({ items: versions })),
      getDeployments: jest.fn(async () => ({
        ...deployments,
        endpoint: { ...deployments.endpoint!, modelVersion: 5 },
      })),
      getMonitoring: jest.fn(async () => {
        throw httpError(501);
      }),
    });
    await renderWithEntity(<StatusCard />, { api });
    await waitFor(() =>
      expect(screen.getByTestId('glance-serving')).toHaveTextContent(
        'Version 5 · accuracy 0.840 (gate accuracy ≥ 0.9: fails)',
      ),
    );
    expect(screen.getByTestId('glance-waiting')).toHaveTextContent(
      'Nothing to decide',
    );
    await waitFor(() =>
      expect(screen.getByTestId('glance-traffic')).toHaveTextContent(
        'No monitoring',
      ),
    );
  });

  it('says nothing serves before any deployment', async () => {
    const api = createMockMlopsApi({
      getDeployments: jest.fn(async () => ({ deployments: [] })),
      listModelVersions: jest.fn(async () => ({ items: [] })),
      listRuns: jest.fn(async () => ({ items: [] })),
    });
    await renderWithEntity(<StatusCard />, { api });
    await waitFor(() =>
      expect(screen.getByTestId('glance-serving')).toHaveTextContent(
        'Nothing deployed',
      ),
    );
    expect(screen.getByTestId('glance-endpoint')).toHaveTextContent(
      'No endpoint',
    );
    expect(screen.getByTestId('glance-last-run')).toHaveTextContent(
      'No runs yet',
    );
  });
  it('says when a rollout is in progress, or that the last one rolled back', async () => {
    const api = createMockMlopsApi({
      getDeployments: jest.fn(async () =>
        deploymentsWithRollout(canaryInProgress()),
      ),
    });
    const { unmount } = await renderWithEntity(<StatusCard />, { api });
    const chip = await screen.findByTestId('glance-rollout');
    expect(chip).toHaveTextContent('Canary: v3 at 20 %');
    expect(chip).toHaveAttribute('data-status', 'InProgress');
    unmount();
    await renderWithEntity(<StatusCard />, {
      api: createMockMlopsApi({
        getDeployments: jest.fn(async () => deploymentsWithRollout(rolledBack)),
      }),
    });
    expect(await screen.findByTestId('glance-rollout')).toHaveTextContent(
      'Rolled back v3: errorRate 0.35 > 0.05 over 24 invocations',
    );
  });

  it('shows no rollout chip once a rollout completed', async () => {
    await renderWithEntity(<StatusCard />, {
      api: createMockMlopsApi({
        getDeployments: jest.fn(async () => deploymentsWithRollout(completed)),
      }),
    });
    await waitFor(() =>
      expect(screen.getByTestId('glance-serving')).toHaveTextContent(
        'Version 3',
      ),
    );
    expect(screen.queryByTestId('glance-rollout')).not.toBeInTheDocument();
  });
});
