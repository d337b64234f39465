import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import type {
  MlopsResources,
  ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngineEvent } from '@mlops-portal/plugin-mlops-node';
import { decisionOf, entityMlopsLink, forwardEngineEvents } from './events';

const entityRef = 'component:default/penguin-species';
const resources = {
  entityRef,
  pipelineName: 'penguins-pipeline',
  modelPackageGroupName: 'penguins',
  endpointName: 'penguins-endpoint',
} as MlopsResources;

function version(overrides: Partial<ModelVersion>): ModelVersion {
  return {
    modelPackageGroupName: 'penguins',
    version: 3,
    modelPackageArn: 'local:penguins/3',
    approvalStatus: 'PendingManualApproval',
    createdAt: '2026-12-07T10:00:00.000Z',
    metrics: { accuracy: 0.97 },
    approvalHistory: [
      {
        status: 'PendingManualApproval',
        by: 'pipeline',
        at: '2026-12-07T10:00:00.000Z',
      },
    ],
    deployed: false,
    ...overrides,
  };
}

function setup() {
  let listener: ((event: MlopsEngineEvent) => void) | undefined;
  const sent: Parameters<NotificationService['send']>[0][] = [];
  const notifications: NotificationService = {
    send: async n => {
      sent.push(n);
    },
  };
  const signals: SignalsService = { publish: async () => {} };
  forwardEngineEvents({
    engine: {
      subscribe: l => {
        listener = l;
        return () => {};
      },
    },
    auditor: mockServices.auditor.mock(),
    signals,
    notifications,
    catalog: catalogServiceMock({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'penguin-species', namespace: 'default' },
          spec: { owner: 'group:default/ml-team', type: 'service' },
        },
      ],
    }),
    auth: mockServices.auth(),
    logger: mockServices.logger.mock(),
    config: mockServices.rootConfig({ data: {} }),
  });
  const emit = async (modelVersion: ModelVersion) => {
    listener!({ type: 'model-version', resources, modelVersion });
    // forwarding is asynchronous (owner look-up, send)
    await new Promise(r => setTimeout(r, 50));
  };
  return { sent, emit };
}

describe('entityMlopsLink', () => {
  it('links the tab, a version, a run and a card', () => {
    expect(entityMlopsLink(entityRef)).toBe(
      '/catalog/default/component/penguin-species/mlops',
    );
    expect(entityMlopsLink(entityRef, { version: 4 })).toBe(
      '/catalog/default/component/penguin-species/mlops?version=4',
    );
    expect(entityMlopsLink(entityRef, { run: 'exec-1', card: 'drift' })).toBe(
      '/catalog/default/component/penguin-species/mlops?run=exec-1#drift',
    );
  });
});

describe('decisionOf', () => {
  it('is undefined while pending and for versions the pipeline approved without waiting', () => {
    expect(decisionOf(version({}))).toBeUndefined();
    expect(
      decisionOf(
        version({
          approvalStatus: 'Approved',
          approvalHistory: [
            { status: 'Approved', by: 'pipeline', at: '2026-12-07T10:00:00Z' },
          ],
        }),
      ),
    ).toBeUndefined();
  });
});

describe('awaits-approval notifications', () => {
  it('links the version, then is resolved in place (same scope) once a person decides', async () => {
    const { sent, emit } = setup();
    const pending = version({});
    await emit(pending);
    expect(sent).toHaveLength(1);
    expect(sent[0].recipients).toEqual({
      type: 'entity',
      entityRef: 'group:default/ml-team',
    });
    expect(sent[0].payload.title).toBe(
      'Model version 3 of penguins awaits approval',
    );
    expect(sent[0].payload.link).toBe(
      '/catalog/default/component/penguin-species/mlops?version=3',
    );

    const approved = version({
      approvalStatus: 'Approved',
      deployed: true,
      approvalHistory: [
        ...pending.approvalHistory,
        {
          status: 'Approved',
          by: 'user:default/ada',
          at: '2026-12-07T11:00:00.000Z',
          comment: 'accuracy up',
        },
      ],
    });
    await emit(approved);
    // repeated events of one decision resolve once
    await emit(approved);
    expect(sent).toHaveLength(2);
    expect(sent[1].payload).toMatchObject({
      title: 'Model version 3 of penguins was approved by user:default/ada',
      scope: sent[0].payload.scope,
      severity: 'low',
      link: '/catalog/default/component/penguin-species/mlops?version=3',
    });
    expect(sent[1].payload.description).toContain('accuracy up');
  });

  it('sends nothing for a version the pipeline approved itself', async () => {
    const { sent, emit } = setup();
    await emit(
      version({
        approvalStatus: 'Approved',
        approvalHistory: [
          { status: 'Approved', by: 'pipeline', at: '2026-12-07T10:00:00Z' },
        ],
      }),
    );
    expect(sent).toHaveLength(0);
  });
});
