import {
  createServiceFactory,
  type SchedulerServiceTaskInvocationDefinition,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import type { RetrainingSpec } from '@mlops-portal/ml-core';
import type {
  MonitoringResponse,
  PipelineExecution,
} from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import { createTestEngineModule } from '@mlops-portal/plugin-mlops-node/testUtils';
import fs from 'fs';
import knexFactory, { type Knex } from 'knex';
import os from 'os';
import path from 'path';
import { mlopsPlugin } from '../plugin';
import { mlopsSpecFileReaderFactory } from '../specs/fileUrlReader';
import { demoSystem } from '../__testUtils__/demoSystems';

// These backends run the fake engine; the local engine (worker pool,
// endpoint host) is never created, so its module is not loaded either.
jest.mock('../engines/local', () => ({
  createLocalEngine: () => {
    throw new Error('the local engine is not used by these tests');
  },
}));
jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

type Task = SchedulerServiceTaskScheduleDefinition &
  SchedulerServiceTaskInvocationDefinition;

/** A repo folder with the penguins spec (plus `retraining`) and its entity. */
function systemRepo(retraining: RetrainingSpec): {
  root: string;
  entity: Entity;
} {
  const root = fs.realpathSync(
    fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-retraining-it-')),
  );
  const spec = JSON.parse(JSON.stringify(demoSystem('penguins').spec));
  spec.spec.retraining = retraining;
  // JSON is YAML.
  fs.writeFileSync(path.join(root, 'ml-system.yaml'), JSON.stringify(spec));
  const entity: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'penguin-species',
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': `file:${path.join(
          root,
          'catalog-info.yaml',
        )}`,
        'mlops.io/pipeline': 'penguins-pipeline',
        'mlops.io/model-package-group': 'Penguins',
        'mlops.io/endpoint': 'penguins-endpoint',
        'mlops.io/spec': './ml-system.yaml',
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'ml-platform' },
  };
  return { root, entity };
}

/** Records starts (shared by several backends) and always reports drift. */
function recordingEngine(
  started: Array<{ system?: string; trigger: string }>,
): MlopsEngine {
  return {
    type: 'fake',
    startExecution: jest.fn(async (r, o) => {
      // Slower than the database: both backends would get here if both won.
      await new Promise(resolve => setTimeout(resolve, 5));
      started.push({
        system: r.system?.spec.metadata.name,
        trigger: o.trigger,
      });
      return {
        executionId: `exec-${started.length}`,
        pipelineName: r.pipelineName,
        status: 'Executing',
        trigger: o.trigger,
        parameters: {},
        createdAt: new Date().toISOString(),
      } as PipelineExecution;
    }),
    getMonitoring: jest.fn(
      async (): Promise<MonitoringResponse> => ({
        endpointName: 'penguins-endpoint',
        window: '1h',
        totals: { invocations: 100, errors4xx: 0, errors5xx: 0 },
        traffic: [],
        drift: { status: 'drift', sampleCount: 100, features: [] },
      }),
    ),
  } as unknown as MlopsEngine;
}

/**
 * One backend with the plugin; the scheduler hands out its tasks so the test
 * runs them when it decides (the real scheduler's global lock is Backstage's).
 */
async function startBackend(options: {
  root: string;
  entity: Entity;
  engine: MlopsEngine;
  knex?: Knex;
}) {
  const tasks: Task[] = [];
  const scheduler = mockServices.scheduler.mock({
    scheduleTask: jest.fn(async task => {
      tasks.push(task as Task);
    }),
  });
  const sent: any[] = [];
  const auditor = mockServices.auditor.mock();
  const audit = { success: jest.fn(), fail: jest.fn() };
  auditor.createEvent.mockResolvedValue(audit as any);
  const backend = await startTestBackend({
    features: [
      mlopsPlugin,
      mlopsSpecFileReaderFactory,
      createTestEngineModule({ type: 'fake', engine: () => options.engine }),
      scheduler.factory,
      auditor.factory,
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      mockServices.rootConfig.factory({
        data: {
          mlops: { engine: 'fake', specs: { allowedDirs: [options.root] } },
        },
      }),
      catalogServiceMock.factory({ entities: [options.entity] }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send: async (n: any) => void sent.push(n) }),
      }),
      createServiceFactory({
        service: signalsServiceRef,
        deps: {},
        factory: () => ({ publish: async () => {} }),
      }),
    ],
  });
  const loop = tasks.filter(t => t.id === 'mlops-retraining');
  expect(loop).toHaveLength(1);
  const check = () => loop[0].fn(new AbortController().signal as any);
  const stop = () => backend.stop();
  return { task: loop[0], check, sent, auditor, audit, stop };
}

/**
 * The plugin as a backend runs it: the loop is one global SchedulerService
 * task; its check reads the entity's spec file through the UrlReaderService,
 * starts a run on the engine with the spec attached, audits it and notifies
 * the owning group.
 */
describe('retraining in the plugin', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    jest.restoreAllMocks();
    while (cleanup.length) await cleanup.pop()!();
  });

  it('registers one global task whose check starts a drift run once and notifies the owners', async () => {
    const { root, entity } = systemRepo({
      drift: { consecutiveWindows: 1, window: '1h', cooldown: '1d' },
    });
    cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const started: Array<{ system?: string; trigger: string }> = [];
    const b = await startBackend({
      root,
      entity,
      engine: recordingEngine(started),
    });
    cleanup.push(b.stop);
    expect(b.task).toMatchObject({
      scope: 'global',
      frequency: { seconds: 60 },
    });

    await b.check();
    await b.check();
    // The window is judged once: one run, with the entity's spec attached.
    expect(started).toEqual([
      { system: 'penguin-species-classifier', trigger: 'drift' },
    ]);
    expect(b.auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'pipeline-execution-start',
        meta: expect.objectContaining({ trigger: 'drift' }),
      }),
    );
    expect(b.audit.success).toHaveBeenCalledTimes(1);
    expect(b.sent).toEqual([
      expect.objectContaining({
        recipients: {
          type: 'entity',
          entityRef: 'group:default/ml-platform',
        },
        payload: expect.objectContaining({
          title: 'Drift-triggered retraining of penguins-pipeline started',
          link: '/catalog/default/component/penguin-species/mlops',
        }),
      }),
    ]);
  });

  it.each(databases.eachSupportedId())(
    'two backends sharing one %p database start one scheduled run per cron fire',
    async id => {
      const { root, entity } = systemRepo({
        schedule: { cron: '0 3 * * *' },
      });
      cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
      const [knexA, knexB] = await twoConnections(id, cleanup);
      let now = Date.UTC(2026, 11, 7, 2, 59);
      jest.spyOn(Date, 'now').mockImplementation(() => now);
      const started: Array<{ system?: string; trigger: string }> = [];
      // One after the other: both run the plugin's migrations on start.
      const a = await startBackend({
        root,
        entity,
        engine: recordingEngine(started),
        knex: knexA,
      });
      cleanup.push(a.stop);
      const b = await startBackend({
        root,
        entity,
        engine: recordingEngine(started),
        knex: knexB,
      });
      cleanup.push(b.stop);

      // Both checks at once, as if the global lock had let both through.
      const both = () => Promise.all([a.check(), b.check()]);
      await both();
      expect(started).toEqual([]);
      now = Date.UTC(2026, 11, 7, 3, 0, 20);
      await both();
      await both();
      expect(started).toEqual([
        { system: 'penguin-species-classifier', trigger: 'schedule' },
      ]);
      expect(b.sent.length + a.sent.length).toBe(1);
      // The next day's fire: again exactly one.
      now = Date.UTC(2026, 11, 8, 3, 0, 5);
      await both();
      expect(started).toHaveLength(2);
    },
  );
});

/** Two connections to one database, as two backend replicas have. */
async function twoConnections(
  id: Parameters<typeof databases.init>[0],
  cleanup: Array<() => Promise<void> | void>,
): Promise<[Knex, Knex]> {
  if (id === 'SQLITE_3') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-retraining-db-'));
    const open = () =>
      knexFactory({
        client: 'better-sqlite3',
        connection: { filename: path.join(dir, 'backend.sqlite') },
        useNullAsDefault: true,
      });
    const a = open();
    const b = open();
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    cleanup.push(async () => {
      await Promise.all([a.destroy(), b.destroy()]);
    });
    return [a, b];
  }
  const a = await databases.init(id);
  const b = knexFactory({
    client: a.client.config.client,
    connection: a.client.config.connection,
  });
  cleanup.push(() => b.destroy());
  return [a, b];
}
