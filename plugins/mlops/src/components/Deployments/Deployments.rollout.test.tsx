import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  canaryInProgress,
  completed,
  deploymentsWithRollout,
  modelVersions,
  rolledBack,
  shadowTest,
} from '../../__fixtures__';
import {
  createMockMlopsApi,
  renderWithEntity,
} from '../../__testUtils__/testApp';
import {
  MlopsEntityDataProvider,
  POLL_INTERVAL_MS,
} from '../../hooks/MlopsEntityDataProvider';
import { DeploymentsCard } from './DeploymentsCard';

const withRollout = (
  rollout: ReturnType<typeof canaryInProgress>,
  extra = {},
) =>
  createMockMlopsApi({
    getDeployments: jest.fn(async () => deploymentsWithRollout(rollout, extra)),
  });

describe('DeploymentsCard rollouts', () => {
  it('shows a canary in progress: split, step, countdown, alarms and variants', async () => {
    await renderWithEntity(<DeploymentsCard />, {
      api: withRollout(canaryInProgress()),
    });
    const panel = await screen.findByRole('region', {
      name: 'Rollout in progress',
    });
    expect(panel).toHaveTextContent('Canary rollout of version 3: In progress');
    expect(within(panel).getByTestId('rollout-split')).toHaveTextContent(
      'Version 2: 80 % · Version 3: 20 %',
    );
    const bar = within(panel).getByRole('progressbar', {
      name: 'Traffic to version 3',
    });
    expect(bar).toHaveAttribute('aria-valuenow', '20');
    expect(within(panel).getByTestId('rollout-step')).toHaveTextContent(
      'Step 1 of 2',
    );
    expect(within(panel).getByTestId('rollout-next-step')).toHaveTextContent(
      /Next step in (4[0-5]) s/,
    );
    const errorAlarm = within(panel).getByTestId('alarm-errorRate');
    expect(errorAlarm).toHaveTextContent('Error rate: 2 % / 5 % — OK');
    expect(errorAlarm).toHaveAttribute('data-state', 'OK');
    expect(within(panel).getByTestId('alarm-p99LatencyMs')).toHaveTextContent(
      'p99 latency: 620 ms / 500 ms — In alarm',
    );
    const variants = within(panel).getByRole('table', {
      name: 'Traffic by version during the rollout',
    });
    expect(within(variants).getByTestId('variant-3')).toHaveTextContent(
      'v3 (new)20 %4015 ms620 ms',
    );
    for (const name of ['Pause', 'Roll back', 'Promote now'])
      expect(within(panel).getByRole('button', { name })).toBeEnabled();
    expect(
      within(panel).queryByRole('button', { name: 'Resume' }),
    ).not.toBeInTheDocument();
  });

  it('rolls back after a confirmation with a comment, and refreshes', async () => {
    const api = withRollout(canaryInProgress());
    const { alertApi } = await renderWithEntity(<DeploymentsCard />, { api });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Roll back' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Roll back version 3?',
    });
    expect(dialog).toHaveTextContent(
      'All traffic goes back to version 2; version 3 stops serving.',
    );
    await userEvent.type(
      within(dialog).getByLabelText(/Comment/),
      'p99 too high',
    );
    const calls = api.getDeployments.mock.calls.length;
    await userEvent.click(within(dialog).getByTestId('confirm-action'));
    await waitFor(() =>
      expect(api.controlRollout).toHaveBeenCalledWith(
        'component:default/abalone-age-predictor',
        'rollback',
        'p99 too high',
      ),
    );
    await waitFor(() =>
      expect(api.getDeployments.mock.calls.length).toBeGreaterThan(calls),
    );
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'Rolling back: version 3' }),
    );
  });

  it("keeps a refused action's reason in the dialog", async () => {
    const api = withRollout(canaryInProgress());
    api.controlRollout.mockRejectedValue(
      new Error('Request failed with 409: the rollout is Completed'),
    );
    await renderWithEntity(<DeploymentsCard />, { api });
    await userEvent.click(await screen.findByRole('button', { name: 'Pause' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByTestId('confirm-action'));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'the rollout is Completed',
    );
  });

  it('shows a paused rollout with Resume instead of Pause', async () => {
    const paused = {
      ...canaryInProgress(),
      status: 'Paused' as const,
      nextStepAt: undefined,
    };
    await renderWithEntity(<DeploymentsCard />, { api: withRollout(paused) });
    const panel = await screen.findByTestId('rollout-panel');
    expect(panel).toHaveAttribute('data-status', 'Paused');
    expect(within(panel).getByTestId('rollout-next-step')).toHaveTextContent(
      'Paused: no shift until resumed.',
    );
    expect(
      within(panel).getByRole('button', { name: 'Resume' }),
    ).toBeInTheDocument();
    expect(
      within(panel).queryByRole('button', { name: 'Pause' }),
    ).not.toBeInTheDocument();
  });

  it('keeps the buttons visible but disabled, saying why, for viewers', async () => {
    await renderWithEntity(<DeploymentsCard />, {
      api: withRollout(canaryInProgress()),
      allowed: false,
    });
    const panel = await screen.findByTestId('rollout-panel');
    await waitFor(() =>
      expect(
        within(panel).getByRole('button', { name: 'Roll back' }),
      ).toBeDisabled(),
    );
    expect(within(panel).getByRole('button', { name: 'Pause' })).toBeDisabled();
    expect(
      within(panel).getAllByTestId('permission-denied-reason')[0],
    ).toHaveAttribute('aria-label', expect.stringMatching(/only its owners/));
  });

  it('marks a rollback in the history with its reason and shows the outcome once', async () => {
    await renderWithEntity(<DeploymentsCard />, {
      api: withRollout(rolledBack),
    });
    const outcome = await screen.findByTestId('rollout-outcome');
    expect(outcome).toHaveTextContent(
      'Rolled back version 3; version 2 serves. Reason: errorRate 0.35 > 0.05 over 24 invocations',
    );
    expect(screen.queryByTestId('rollout-panel')).not.toBeInTheDocument();
    const history = screen.getByRole('table', { name: 'Deployment history' });
    const row = within(history).getAllByRole('row')[1];
    expect(row).toHaveTextContent('Rolled back');
    expect(row).toHaveTextContent(
      'Approved: try the new features. Rolled back: errorRate 0.35 > 0.05 over 24 invocations',
    );
    expect(row).toHaveTextContent('rollout-7 (Canary)');
    // dismissed: the outcome does not come back with the next refresh
    await userEvent.click(
      within(outcome).getByRole('button', { name: /close/i }),
    );
    expect(screen.queryByTestId('rollout-outcome')).not.toBeInTheDocument();
  });

  it('shows a completed rollout as its outcome, not as a live panel', async () => {
    await renderWithEntity(<DeploymentsCard />, {
      api: withRollout(completed),
    });
    const outcome = await screen.findByTestId('rollout-outcome');
    expect(outcome).toHaveAttribute('data-status', 'Completed');
    expect(outcome).toHaveTextContent(
      'Version 3 rolled out: it serves all traffic.',
    );
    expect(screen.queryByTestId('rollout-panel')).not.toBeInTheDocument();
  });

  it('polls while a rollout moves and says once when it ended', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const api = withRollout(canaryInProgress());
      const { alertApi } = await renderWithEntity(
        <MlopsEntityDataProvider>
          <DeploymentsCard />
        </MlopsEntityDataProvider>,
        { api },
      );
      await screen.findByTestId('rollout-panel');
      api.getDeployments.mockResolvedValue(deploymentsWithRollout(rolledBack));
      await act(async () => {
        jest.advanceTimersByTime(POLL_INTERVAL_MS + 10);
      });
      expect(await screen.findByTestId('rollout-outcome')).toHaveAttribute(
        'data-status',
        'RolledBack',
      );
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          message: 'Rolled back v3: errorRate 0.35 > 0.05 over 24 invocations',
          severity: 'warning',
        }),
      );
      // Ended: no more polling of the deployments.
      const calls = api.getDeployments.mock.calls.length;
      await act(async () => {
        jest.advanceTimersByTime(3 * POLL_INTERVAL_MS);
      });
      expect(api.getDeployments.mock.calls.length).toBeLessThanOrEqual(
        calls + 1,
      );
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('DeploymentsCard shadow tests', () => {
  const withShadow = (test: ReturnType<typeof shadowTest>) =>
    createMockMlopsApi({
      getDeployments: jest.fn(async () => ({
        ...deploymentsWithRollout(completed),
        rollout: undefined,
        shadowTest: test,
      })),
    });

  it('compares a regression candidate by |difference|, with Stop', async () => {
    const api = withShadow(
      shadowTest({ meanAbsDifference: 0.42, maxAbsDifference: 2.5 }),
    );
    await renderWithEntity(<DeploymentsCard />, { api });
    const panel = await screen.findByRole('region', { name: 'Shadow test' });
    expect(panel).toHaveTextContent('Shadow test of version 3: running');
    expect(panel).toHaveTextContent(
      'Version 3 gets a copy of 50 % of requests; version 2 still answers them.',
    );
    expect(within(panel).getByTestId('shadow-difference')).toHaveTextContent(
      '|Candidate − serving| over 120 requests: mean 0.420, max 2.500.',
    );
    const table = within(panel).getByRole('table', {
      name: 'Serving and candidate on the same requests',
    });
    expect(within(table).getByTestId('variant-2')).toHaveTextContent(
      'v2 (serving)12003 ms9 ms',
    );
    expect(within(table).getByTestId('variant-3')).toHaveTextContent(
      'v3 (new)12024 ms14 ms',
    );
    await userEvent.click(within(panel).getByRole('button', { name: 'Stop' }));
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByTestId('confirm-action'),
    );
    await waitFor(() => expect(api.stopShadowTest).toHaveBeenCalledTimes(1));
  });

  it('compares a classifier by agreement and promotes through the approve dialog', async () => {
    const api = withShadow(shadowTest({ agreement: 0.975 }));
    await renderWithEntity(<DeploymentsCard />, { api });
    const panel = await screen.findByTestId('shadow-test-panel');
    expect(within(panel).getByTestId('shadow-agreement')).toHaveTextContent(
      'Same class as the serving version on 97.5 % of 120 requests.',
    );
    await userEvent.click(
      within(panel).getByRole('button', { name: 'Promote version 3' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Approve version 3',
    });
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /Comment/ }),
      'shadow agrees',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );
    await waitFor(() =>
      expect(api.setApproval).toHaveBeenCalledWith(
        'component:default/abalone-age-predictor',
        modelVersions[0].version,
        { status: 'Approved', comment: 'shadow agrees' },
      ),
    );
  });
});
