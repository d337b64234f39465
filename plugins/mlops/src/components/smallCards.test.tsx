import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  deployments,
  modelVersions,
  runDetails,
  succeededRun,
} from '../__fixtures__';
import { createMockMlopsApi, renderWithEntity } from '../__testUtils__/testApp';
import {
  MlopsEntityDataProvider,
  POLL_INTERVAL_MS,
} from '../hooks/MlopsEntityDataProvider';
import { DeploymentsCard } from './Deployments/DeploymentsCard';
import { CompareVersions, MetricsTrendCard } from './Metrics/MetricsTrendCard';
import { PipelineDagCard } from './PipelineDag/PipelineDagCard';
import { ReleasePipelineCard } from './ReleasePipeline/ReleasePipelineCard';

const fail = (message: string) =>
  jest.fn(async () => {
    throw new Error(message);
  });

describe('ReleasePipelineCard', () => {
  it('shows Source → Validate → ML pipeline → Approval → Deploy with status', async () => {
    await renderWithEntity(<ReleasePipelineCard />);
    const strip = await screen.findByRole('list', { name: 'Release pipeline' });
    const stages = within(strip).getAllByRole('listitem');
    expect(stages.map(s => s.querySelector('h6')?.textContent)).toEqual([
      'Source',
      'Validate',
      'ML pipeline',
      'Approval',
      'Deploy',
    ]);
    expect(screen.getByTestId('release-stage-MLPipeline')).toHaveAttribute(
      'data-status',
      'InProgress',
    );
    expect(screen.getByTestId('release-stage-Validate')).toHaveTextContent(
      '4177 rows valid',
    );
  });

  it('explains a missing release pipeline and shows errors', async () => {
    const api = createMockMlopsApi({
      getRelease: jest.fn(async () => ({ stages: null })),
    });
    const { unmount } = await renderWithEntity(<ReleasePipelineCard />, {
      api,
    });
    expect(
      await screen.findByText(/No release pipeline is configured/),
    ).toBeInTheDocument();
    unmount();
    await renderWithEntity(<ReleasePipelineCard />, {
      api: createMockMlopsApi({ getRelease: fail('CodePipeline throttled') }),
    });
    expect(
      (await screen.findAllByText(/CodePipeline throttled/))[0],
    ).toBeInTheDocument();
  });
});

describe('PipelineDagCard', () => {
  it('draws each step with its status, duration and progress', async () => {
    await renderWithEntity(<PipelineDagCard />);
    const train = await screen.findByTestId('dag-step-Train');
    expect(train).toHaveAttribute('data-status', 'Executing');
    const progress = train.querySelector('[role="progressbar"]');
    expect(progress).toHaveAttribute('aria-label', 'Train progress');
    expect(progress).toHaveAttribute('aria-valuenow', '40');
    expect(train).toHaveTextContent('40%');
    expect(screen.getByTestId('dag-step-Preprocess')).toHaveTextContent('15s');
    expect(screen.getByTestId('dag-step-Register')).toHaveAttribute(
      'data-status',
      'NotStarted',
    );
    expect(screen.getByText(/current step: Train/)).toBeInTheDocument();
  });

  it('polls every 5 s while the run executes and shows the new state', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const api = createMockMlopsApi();
      await renderWithEntity(
        <MlopsEntityDataProvider>
          <PipelineDagCard />
        </MlopsEntityDataProvider>,
        { api },
      );
      expect(await screen.findByTestId('dag-step-Train')).toHaveAttribute(
        'data-status',
        'Executing',
      );
      const calls = api.getRun.mock.calls.length;
      // The run finishes between two polls.
      api.listRuns.mockResolvedValue({
        items: [{ ...succeededRun, executionId: 'exec-0004' }],
      });
      api.getRun.mockResolvedValue({
        ...succeededRun,
        executionId: 'exec-0004',
      });
      await act(async () => {
        jest.advanceTimersByTime(POLL_INTERVAL_MS + 10);
      });
      await waitFor(() =>
        expect(api.getRun.mock.calls.length).toBeGreaterThan(calls),
      );
      await waitFor(() =>
        expect(screen.getByTestId('dag-step-Register')).toHaveAttribute(
          'data-status',
          'Succeeded',
        ),
      );
      // Finished: polling stops.
      const after = api.getRun.mock.calls.length;
      await act(async () => {
        jest.advanceTimersByTime(3 * POLL_INTERVAL_MS);
      });
      expect(api.getRun.mock.calls.length).toBe(after);
    } finally {
      jest.useRealTimers();
    }
  });

  it('shows a failed run with its reason, the empty state and errors', async () => {
    const failedApi = createMockMlopsApi({
      listRuns: jest.fn(async () => ({ items: [runDetails['exec-0002']] })),
    });
    const first = await renderWithEntity(<PipelineDagCard />, {
      api: failedApi,
    });
    expect(await screen.findByTestId('dag-step-CheckMSE')).toHaveAttribute(
      'data-status',
      'Failed',
    );
    expect(
      screen.getByText('CheckMSE: test MSE 4.71 > MseThreshold 3'),
    ).toBeInTheDocument();
    first.unmount();
    const empty = await renderWithEntity(<PipelineDagCard />, {
      api: createMockMlopsApi({
        listRuns: jest.fn(async () => ({ items: [] })),
      }),
    });
    expect(await screen.findByText(/No pipeline runs yet/)).toBeInTheDocument();
    empty.unmount();
    await renderWithEntity(<PipelineDagCard />, {
      api: createMockMlopsApi({ listRuns: fail('pipeline not found') }),
    });
    expect(
      (await screen.findAllByText(/pipeline not found/))[0],
    ).toBeInTheDocument();
  });

  it('says when the engine could not read part of the run', async () => {
    const warning =
      'The pipeline definition of this execution could not be read (not valid JSON): steps are shown without their edges';
    const run = { ...runDetails['exec-0002'], warnings: [warning] };
    await renderWithEntity(<PipelineDagCard />, {
      api: createMockMlopsApi({
        listRuns: jest.fn(async () => ({ items: [run] })),
        getRun: jest.fn(async () => run),
      }),
    });
    expect(await screen.findByText(warning)).toBeInTheDocument();
    // the steps that ran are still drawn
    expect(screen.getByTestId('dag-step-CheckMSE')).toBeInTheDocument();
  });
});

describe('MetricsTrendCard', () => {
  it('states the quality gate and compares two versions side by side', async () => {
    await renderWithEntity(<MetricsTrendCard />);
    expect(
      await screen.findByText(/quality gate \(MSE ≤ 6\)/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: 'Metric trend across versions' }),
    ).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Compare versions' });
    const mse = within(table).getByText('MSE').closest('tr')!;
    // Default: previous (v2) vs newest (v3).
    expect(mse).toHaveTextContent('4.8504.620-0.230');
    await userEvent.click(screen.getByLabelText('Version A'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Version 1' }),
    );
    expect(within(table).getByText('MSE').closest('tr')).toHaveTextContent(
      '5.4004.620-0.780',
    );
    expect(within(table).getByText('Status').closest('tr')).toHaveTextContent(
      'RejectedPending approval',
    );
  });

  it('follows a classifier: its metrics, its gate and better/worse by direction', async () => {
    const binary = (version: number, auc: number, logloss: number) => ({
      ...modelVersions[0],
      version,
      task: 'binary' as const,
      metrics: { auc, accuracy: 0.95, f1: 0.93, logloss },
    });
    await renderWithEntity(<MetricsTrendCard />, {
      api: createMockMlopsApi({
        listModelVersions: jest.fn(async () => ({
          items: [binary(2, 0.99, 0.1), binary(1, 0.97, 0.2)],
        })),
        getGovernance: jest.fn(async () => ({
          qualityGate: {
            metric: 'auc',
            comparison: 'GreaterThanOrEqualTo',
            threshold: 0.9,
          },
          task: 'binary',
          approval: { preApprove: false, fourEyes: false },
        })),
      }),
    });
    expect(
      await screen.findByText(/quality gate \(AUC ≥ 0.9\)/),
    ).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Compare versions' });
    expect(within(table).queryByText('MSE')).toBeNull();
    expect(within(table).getByText('AUC').closest('tr')).toHaveTextContent(
      '0.9700.990+0.020 (better)',
    );
    expect(within(table).getByText('Log loss').closest('tr')).toHaveTextContent(
      '0.2000.100-0.100 (better)',
    );
  });

  it('marks differing hyperparameters', async () => {
    const a = { ...modelVersions[1], hyperparameters: { MaxDepth: 5 } };
    const b = { ...modelVersions[0], hyperparameters: { MaxDepth: 7 } };
    await renderWithEntity(<CompareVersions versions={[b, a]} />);
    expect(screen.getByText('MaxDepth').closest('tr')).toHaveTextContent(
      '57differs',
    );
  });

  it('shows empty and error states', async () => {
    const { unmount } = await renderWithEntity(<MetricsTrendCard />, {
      api: createMockMlopsApi({
        listModelVersions: jest.fn(async () => ({ items: [] })),
      }),
    });
    expect(
      await screen.findByText(/metrics appear once a run registers a version/),
    ).toBeInTheDocument();
    unmount();
    await renderWithEntity(<MetricsTrendCard />, {
      api: createMockMlopsApi({ listModelVersions: fail('registry down') }),
    });
    expect(
      (await screen.findAllByText(/registry down/))[0],
    ).toBeInTheDocument();
  });
});

describe('DeploymentsCard', () => {
  it('shows the endpoint and who deployed which version, when and why', async () => {
    await renderWithEntity(<DeploymentsCard />);
    expect(await screen.findByTestId('endpoint-summary')).toHaveTextContent(
      'Endpoint abalone-endpoint: In service serving version 2',
    );
    const history = screen.getByRole('table', { name: 'Deployment history' });
    expect(within(history).getAllByRole('row')[1]).toHaveTextContent(
      '2 (current)In serviceguestApproved: MSE below gate',
    );
  });

  it('polls while the endpoint is being created', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const api = createMockMlopsApi({
        getDeployments: jest.fn(async () => ({
          ...deployments,
          endpoint: { ...deployments.endpoint!, status: 'Creating' as const },
        })),
      });
      await renderWithEntity(
        <MlopsEntityDataProvider>
          <DeploymentsCard />
        </MlopsEntityDataProvider>,
        { api },
      );
      expect(await screen.findByTestId('endpoint-summary')).toHaveTextContent(
        'Creating',
      );
      const calls = api.getDeployments.mock.calls.length;
      api.getDeployments.mockResolvedValue(deployments);
      await act(async () => {
        jest.advanceTimersByTime(POLL_INTERVAL_MS + 10);
      });
      await waitFor(() =>
        expect(screen.getByTestId('endpoint-summary')).toHaveTextContent(
          'In service',
        ),
      );
      expect(api.getDeployments.mock.calls.length).toBeGreaterThan(calls);
    } finally {
      jest.useRealTimers();
    }
  });

  it('shows the nothing-deployed state and errors', async () => {
    const { unmount } = await renderWithEntity(<DeploymentsCard />, {
      api: createMockMlopsApi({
        getDeployments: jest.fn(async () => ({ deployments: [] })),
      }),
    });
    expect(await screen.findByText(/Nothing deployed yet/)).toBeInTheDocument();
    unmount();
    await renderWithEntity(<DeploymentsCard />, {
      api: createMockMlopsApi({
        getDeployments: fail('endpoint lookup failed'),
      }),
    });
    expect(
      (await screen.findAllByText(/endpoint lookup failed/))[0],
    ).toBeInTheDocument();
  });
});
