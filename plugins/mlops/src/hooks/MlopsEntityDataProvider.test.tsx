import { act, screen, waitFor, within } from '@testing-library/react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  mlopsSignalChannel,
  type MlopsSignal,
} from '@mlops-portal/plugin-mlops-common';
import {
  deployments,
  entityRef,
  executingRun,
  modelVersions,
  runs,
} from '../__fixtures__';
import {
  createMockMlopsApi,
  httpError,
  renderWithEntity,
  requestCounts,
  type MockMlopsApi,
} from '../__testUtils__/testApp';
import {
  EntityMlopsContent,
  EntityMlopsMetricsCard,
  EntityMlopsModelVersionsCard,
} from '../components/EntityMlopsContent/EntityMlopsContent';
import { POLL_INTERVAL_MS } from './MlopsEntityDataProvider';

/** A signal API whose messages the test sends. */
function createSignals() {
  const listeners = new Map<string, (message: MlopsSignal) => void>();
  return {
    api: {
      subscribe: (channel: string, onMessage: (m: MlopsSignal) => void) => {
        listeners.set(channel, onMessage);
        return { unsubscribe: () => listeners.delete(channel) };
      },
    },
    send: (message: MlopsSignal) =>
      act(async () => {
        listeners.get(mlopsSignalChannel(entityRef))!(message);
      }),
  };
}

function diff(before: Record<string, number>, api: MockMlopsApi) {
  return Object.fromEntries(
    Object.entries(requestCounts(api))
      .map(([k, n]) => [k, n - (before[k] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

/** The whole tab, once every card shows its data. */
async function renderTab(api: MockMlopsApi, signals = createSignals()) {
  await renderWithEntity(<EntityMlopsContent />, {
    api,
    apis: [[signalApiRef, signals.api]],
  });
  await screen.findByRole('table', { name: 'Model versions' });
  await screen.findByRole('table', { name: 'Deployment history' });
  await screen.findByRole('list', { name: 'Release pipeline' });
  await screen.findAllByTestId(/^dag-step-/);
  return signals;
}

const EVERY_RESOURCE_ONCE = {
  listRuns: 1,
  getRun: 1,
  listModelVersions: 1,
  getDeployments: 1,
  getRelease: 1,
  // One window, shared by the endpoint and drift cards.
  getMonitoring: 1,
  // The gate, task and approval rules, read once for the versions, runs and metrics cards.
  getGovernance: 1,
  // The deployed version's inputs, for the prediction form.
  getModelSignature: 1,
  // The spec, for the upload card's expected columns.
  getSpec: 1,
};

describe('MlopsEntityDataProvider on the MLOps tab', () => {
  it('loads each resource once for all ten cards', async () => {
    // Only the poll interval is faked: on a loaded machine the first render can
    // outlast POLL_INTERVAL_MS, and a live tick is not what this test counts.
    jest.useFakeTimers({
      doNotFake: [
        'Date',
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
      ],
    });
    try {
      const api = createMockMlopsApi();
      await renderTab(api);
      // Runs (table and DAG) and versions (table and metrics) are shared.
      expect(requestCounts(api)).toEqual(EVERY_RESOURCE_ONCE);
    } finally {
      jest.useRealTimers();
    }
  });

  it('a live tick costs at most two requests', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const api = createMockMlopsApi({
        getDeployments: jest.fn(async () => ({
          ...deployments,
          endpoint: { ...deployments.endpoint!, status: 'Creating' as const },
        })),
      });
      await renderTab(api);
      const before = requestCounts(api);
      await act(async () => {
        jest.advanceTimersByTime(POLL_INTERVAL_MS + 10);
      });
      await waitFor(() =>
        expect(diff(before, api)).toEqual({ getRun: 1, getDeployments: 1 }),
      );
    } finally {
      jest.useRealTimers();
    }
  });

  it('a signal refetches only what it names, and the cards show it', async () => {
    // Nothing executing and an engine without monitoring (501): no polling,
    // so every request below is the signal's.
    const settled = runs.slice(1);
    const api = createMockMlopsApi({
      listRuns: jest.fn(async () => ({ items: settled })),
      getMonitoring: jest.fn(async () => {
        throw httpError(501);
      }),
    });
    const signals = await renderTab(api);
    expect(requestCounts(api)).toEqual(EVERY_RESOURCE_ONCE);

    let before = requestCounts(api);
    const v4 = {
      ...modelVersions[0],
      version: 4,
      approvalHistory: [],
    };
    api.listModelVersions.mockResolvedValue({
      items: [v4, ...modelVersions],
    });
    await signals.send({ type: 'model-version', version: 4 });
    const table = screen.getByRole('table', { name: 'Model versions' });
    expect(
      await within(table).findByTestId('model-version-row-4'),
    ).toBeTruthy();
    expect(diff(before, api)).toEqual({ listModelVersions: 1 });

    before = requestCounts(api);
    await signals.send({
      type: 'execution',
      executionId: settled[0].executionId,
    });
    await waitFor(() =>
      expect(diff(before, api)).toEqual({
        listRuns: 1,
        getRun: 1,
        getRelease: 1,
      }),
    );
    expect(api.getRun).toHaveBeenLastCalledWith(
      entityRef,
      settled[0].executionId,
    );

    before = requestCounts(api);
    await signals.send({ type: 'deployment', version: 2 });
    await waitFor(() =>
      expect(diff(before, api)).toEqual({
        getDeployments: 1,
        listModelVersions: 1,
        getRelease: 1,
      }),
    );
  });

  it('a new run keeps the previous DAG on screen until its steps arrive', async () => {
    const settled = runs.slice(1);
    const api = createMockMlopsApi({
      listRuns: jest.fn(async () => ({ items: settled })),
    });
    const signals = await renderTab(api);
    const dag = () => screen.getByTestId('dag-step-Register');
    expect(dag()).toHaveAttribute('data-status', 'Succeeded');

    let answer: (run: typeof executingRun) => void = () => {};
    api.getRun.mockImplementation(
      () => new Promise(resolve => (answer = resolve)),
    );
    api.listRuns.mockResolvedValue({ items: runs });
    await signals.send({ type: 'execution', executionId: 'exec-0004' });
    await waitFor(() =>
      expect(api.getRun).toHaveBeenLastCalledWith(entityRef, 'exec-0004'),
    );
    // Still the previous run's DAG, no spinner in its place.
    expect(dag()).toHaveAttribute('data-status', 'Succeeded');
    expect(screen.queryByTestId('progress')).not.toBeInTheDocument();

    await act(async () => answer(executingRun));
    expect(dag()).toHaveAttribute('data-status', 'NotStarted');
    expect(screen.getByTestId('dag-step-Train')).toHaveAttribute(
      'data-status',
      'Executing',
    );
  });

  it('cards placed one by one share one store per entity', async () => {
    const api = createMockMlopsApi();
    await renderWithEntity(
      <>
        <EntityMlopsModelVersionsCard />
        <EntityMlopsMetricsCard />
      </>,
      { api },
    );
    await screen.findByRole('table', { name: 'Model versions' });
    await screen.findByRole('table', { name: 'Compare versions' });
    expect(requestCounts(api)).toEqual({
      listModelVersions: 1,
      getGovernance: 1,
    });
  });
});
