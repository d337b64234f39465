/*
 * Test harness shared by the component tests: a fake MlopsApi answering from
 * the fixtures, and a renderer that mounts a view inside an entity page with
 * the permission decision of the test's choosing.
 */
import type { ReactElement } from 'react';
import type { Entity } from '@backstage/catalog-model';
import { alertApiRef, type ApiRef } from '@backstage/core-plugin-api';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { SWRConfig } from 'swr';
import type { MlopsApi } from '../api';
import { mlopsApiRef } from '../api';
import {
  abaloneSignature,
  canaryInProgress,
  deployments,
  evaluationPlots,
  mlopsEntity,
  monitoring,
  modelVersions,
  predictResponse,
  releaseStages,
  runDetails,
  runs,
  shadowTest,
  summary,
  systemSpec,
} from '../__fixtures__';

export type MockMlopsApi = { [K in keyof MlopsApi]: jest.Mock };

export function createMockMlopsApi(
  overrides: Partial<MockMlopsApi> = {},
): MockMlopsApi {
  return {
    getSummary: jest.fn(async () => summary),
    getGovernance: jest.fn(async () => ({
      qualityGate: {
        metric: 'mse',
        comparison: 'LessThanOrEqualTo',
        threshold: 6,
      },
      task: 'regression',
      approval: { preApprove: false, fourEyes: false },
    })),
    getSpec: jest.fn(async () => systemSpec),
    listRuns: jest.fn(async (_ref: string, opts?: { limit?: number }) => ({
      items: runs.slice(0, opts?.limit ?? runs.length),
    })),
    getRun: jest.fn(async (_ref: string, id: string) => {
      const run = runDetails[id];
      if (!run) throw new Error(`run ${id} not found`);
      return run;
    }),
    startRun: jest.fn(async () => ({
      ...runs[0],
      executionId: 'exec-0005',
      trigger: 'manual',
    })),
    retryRun: jest.fn(async (_ref: string, id: string) => ({
      ...runs[2],
      executionId: 'exec-0006',
      trigger: 'retry',
      retryOf: id,
      status: 'Executing',
    })),
    stopRun: jest.fn(async () => ({ ...runs[0], status: 'Stopping' })),
    getRelease: jest.fn(async () => ({ stages: releaseStages })),
    listModelVersions: jest.fn(async () => ({ items: modelVersions })),
    getModelVersion: jest.fn(async (_ref: string, v: number) =>
      modelVersions.find(m => m.version === v),
    ),
    setApproval: jest.fn(
      async (_ref: string, v: number, req: { status: string }) => ({
        ...modelVersions.find(m => m.version === v)!,
        approvalStatus: req.status,
      }),
    ),
    getDeployments: jest.fn(async () => deployments),
    controlRollout: jest.fn(async (_ref: string, action: string) => ({
      ...canaryInProgress(),
      status: action === 'pause' ? 'Paused' : 'InProgress',
    })),
    startShadowTest: jest.fn(
      async (_ref: string, req: { modelVersion: number }) => ({
        ...shadowTest(),
        candidateVersion: req.modelVersion,
      }),
    ),
    stopShadowTest: jest.fn(async () => ({
      ...shadowTest(),
      status: 'Stopped',
    })),
    uploadDataset: jest.fn(async () => ({
      manifest: {
        manifestId: 'manifest-new',
        files: [],
        rowCount: 4177,
        createdAt: '2026-11-26T11:00:00.000Z',
      },
      execution: { ...runs[0], executionId: 'exec-0007' },
    })),
    predict: jest.fn(async () => predictResponse),
    getMonitoring: jest.fn(async (_ref: string, window: string) => ({
      ...monitoring,
      window,
    })),
    getEvaluationPlots: jest.fn(async () => evaluationPlots),
    getModelSignature: jest.fn(async () => abaloneSignature),
    ...overrides,
  };
}

/** How many times each API method was called (methods never called left out). */
export function requestCounts(api: MockMlopsApi): Record<string, number> {
  return Object.fromEntries(
    Object.entries(api)
      .map(([name, fn]) => [name, fn.mock.calls.length] as const)
      .filter(([, n]) => n > 0),
  );
}

/** An error as the client throws it for an HTTP status (e.g. 501, 404). */
export function httpError(statusCode: number, message = `HTTP ${statusCode}`) {
  return Object.assign(new Error(message), { statusCode });
}

export function createPermissionApi(
  allowed: boolean | ((name: string) => boolean),
) {
  const decide = typeof allowed === 'function' ? allowed : () => allowed;
  return {
    authorize: jest.fn(async (req: { permission: { name: string } }) => ({
      result: decide(req.permission.name)
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    })),
  };
}

export function createAlertApi() {
  return { post: jest.fn(), alert$: jest.fn() };
}

export async function renderWithEntity(
  ui: ReactElement,
  options: {
    api?: MockMlopsApi;
    allowed?: boolean | ((name: string) => boolean);
    entity?: Entity;
    alertApi?: ReturnType<typeof createAlertApi>;
    /** More APIs of the test's choosing, e.g. a fake signal API. */
    apis?: Array<readonly [ApiRef<any>, any]>;
    /** The URL the app opens at, e.g. `/?version=3#drift` (a deep link opened cold). */
    routeEntries?: string[];
  } = {},
) {
  const api = options.api ?? createMockMlopsApi();
  const alertApi = options.alertApi ?? createAlertApi();
  const permissionApi = createPermissionApi(options.allowed ?? true);
  const result = await renderInTestApp(
    <TestApiProvider
      apis={[
        [mlopsApiRef, api],
        [permissionApiRef, permissionApi],
        [alertApiRef, alertApi],
        ...(options.apis ?? []),
      ]}
    >
      {/* usePermission caches decisions in SWR; a fresh cache per render keeps tests independent. */}
      <SWRConfig value={{ provider: () => new Map() }}>
        <EntityProvider entity={options.entity ?? mlopsEntity}>
          {ui}
        </EntityProvider>
      </SWRConfig>
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
      routeEntries: options.routeEntries,
    },
  );
  return { ...result, api, alertApi, permissionApi };
}
