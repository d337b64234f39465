import {
  createServiceFactory,
  type SchedulerServiceTaskInvocationDefinition,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import type {
  MonitoringResponse,
  PipelineExecution,
} from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import { createTestEngineModule } from '@mlops-portal/plugin-mlops-node/testUtils';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { mlopsPlugin } from '../plugin';
import { mlopsSpecFileReaderFactory } from '../specs/fileUrlReader';
import { demoSystem } from '../__testUtils__/demoSystems';

jest.setTimeout(120_000);

/**
 * The plugin as a backend runs it: the loop is one global SchedulerService
 * task; its check reads the entity's spec file through the UrlReaderService,
 * starts a drift run on the engine with the spec attached, audits it and
 * notifies the owning group.
 */
describe('retraining in the plugin', () => {
  let root: string;
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('registers one global task whose check starts a drift run once and notifies the owners', async () => {
    root = fs.realpathSync(
      fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-retraining-it-')),
    );
    const spec = JSON.parse(JSON.stringify(demoSystem('penguins').spec));
    spec.spec.retraining = {
      drift: { consecutiveWindows: 1, window: '1h', cooldown: '1d' },
    };
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

    const started: Array<{ system?: string; trigger: string }> = [];
    const engine = {
      type: 'fake',
      startExecution: jest.fn(async (r, o) => {
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

    const tasks: Array<
      SchedulerServiceTaskScheduleDefinition &
        SchedulerServiceTaskInvocationDefinition
    > = [];
    const scheduler = mockServices.scheduler.mock({
      scheduleTask: jest.fn(async task => {
        tasks.push(task as any);
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
        createTestEngineModule({ type: 'fake', engine: () => engine }),
        scheduler.factory,
        auditor.factory,
        mockServices.rootConfig.factory({
          data: {
            mlops: { engine: 'fake', specs: { allowedDirs: [root] } },
          },
        }),
        catalogServiceMock.factory({ entities: [entity] }),
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
    try {
      const loop = tasks.filter(t => t.id === 'mlops-retraining');
      expect(loop).toHaveLength(1);
      expect(loop[0]).toMatchObject({
        scope: 'global',
        frequency: { seconds: 60 },
      });

      await loop[0].fn(new AbortController().signal as any);
      await loop[0].fn(new AbortController().signal as any);
      // The window is judged once: one run, with the entity's spec attached.
      expect(started).toEqual([
        { system: 'penguin-species-classifier', trigger: 'drift' },
      ]);
      expect(auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'pipeline-execution-start',
          meta: expect.objectContaining({ trigger: 'drift' }),
        }),
      );
      expect(audit.success).toHaveBeenCalledTimes(1);
      expect(sent).toEqual([
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
    } finally {
      await backend.stop();
    }
  });
});
