import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import { DEMO_SYSTEMS_DIR } from '../__testUtils__/demoSystems';
import {
  GUEST,
  VIEWER,
  abaloneEntity,
  ownershipPermissions,
} from '../__testUtils__/fixtures';
import { withDemoSpec } from '../__testUtils__/specEntities';
import { MlopsAccess } from '../service/access';
import { MlopsService } from '../service/MlopsService';
import { SystemSpecs } from '../service/systemSpecs';
import { recordingAuditor } from '../service/__testUtils__/recordingAuditor';
import { RollingEngine } from '../service/__testUtils__/rollingEngine';
import { AllowedDirsFileReader } from '../specs/fileUrlReader';
import { registerMlopsActions } from './registerActions';

const ENTITY = 'component:default/abalone-age-predictor';

function setup() {
  const entities = [withDemoSpec(abaloneEntity, 'abalone')];
  const catalog = catalogServiceMock({ entities });
  const engine = new RollingEngine();
  const { auditor, events } = recordingAuditor();
  const service = new MlopsService({
    engine: engine as unknown as MlopsEngine,
    access: new MlopsAccess({
      catalog,
      permissions: ownershipPermissions(entities) as any,
      auditor,
    }),
    catalog,
    auth: mockServices.auth(),
    specs: new SystemSpecs({
      catalog,
      urlReader: new AllowedDirsFileReader([DEMO_SYSTEMS_DIR]),
    }),
  });
  const actionsRegistry = actionsRegistryServiceMock();
  registerMlopsActions({ actionsRegistry, service });
  const invoke = async (name: string, input: object, user = GUEST) => {
    const { actions } = await actionsRegistry.list();
    const action = actions.find(a => a.name === name);
    if (!action) throw new Error(`no action ${name}`);
    return actionsRegistry.invoke({
      id: action.id,
      input: input as any,
      credentials: mockCredentials.user(user),
    });
  };
  return { engine, events, invoke };
}

describe('rollout actions', () => {
  it('approve with a deployment override, then get-rollout and control-rollout with the API rules', async () => {
    const { engine, events, invoke } = setup();
    expect(await invoke('get-rollout', { entityRef: ENTITY })).toEqual({
      output: { rollout: null },
    });
    await invoke('approve-model-version', {
      entityRef: ENTITY,
      version: 3,
      status: 'Approved',
      comment: 'canary this one',
      deployment: {
        trafficRouting: {
          type: 'CANARY',
          waitIntervalInSeconds: 120,
          canarySize: { type: 'CAPACITY_PERCENT', value: 10 },
        },
      },
    });
    expect(engine.approvals[0].options.deployment).toEqual({
      trafficRouting: {
        type: 'CANARY',
        waitIntervalInSeconds: 120,
        canarySize: { type: 'CAPACITY_PERCENT', value: 10 },
      },
    });
    // The same strategy checks as the API, naming the field.
    await expect(
      invoke('approve-model-version', {
        entityRef: ENTITY,
        version: 3,
        status: 'Approved',
        comment: 'too much',
        deployment: {
          trafficRouting: { type: 'LINEAR', waitIntervalInSeconds: 10 },
        },
      }),
    ).rejects.toThrow(/deployment\.trafficRouting\.linearStepSize/);

    const { output } = await invoke('get-rollout', { entityRef: ENTITY });
    expect((output as any).rollout).toMatchObject({
      rolloutId: 'r-3',
      status: 'InProgress',
      trafficPercent: 20,
    });

    await expect(
      invoke(
        'control-rollout',
        { entityRef: ENTITY, action: 'rollback' },
        VIEWER,
      ),
    ).rejects.toThrow(/may not mlops.model.approve/);
    const rolledBack = await invoke('control-rollout', {
      entityRef: ENTITY,
      action: 'rollback',
      comment: 'errors in the logs',
    });
    expect((rolledBack.output as any).rollout).toMatchObject({
      status: 'RolledBack',
    });
    await expect(
      invoke('control-rollout', { entityRef: ENTITY, action: 'promote' }),
    ).rejects.toThrow(/No rollout in progress to promote/);

    expect(engine.actions).toEqual([
      {
        action: 'rollback',
        actor: { ref: GUEST },
        comment: 'errors in the logs',
      },
      { action: 'promote', actor: { ref: GUEST }, comment: undefined },
    ]);
    const audited = events.filter(e => e.eventId === 'model-rollout');
    expect(
      audited.map(e => [e.meta!.action, e.meta!.via, e.outcome, e.error?.name]),
    ).toEqual([
      ['rollback', 'actions-registry', 'fail', 'NotAllowedError'],
      ['rollback', 'actions-registry', 'success', undefined],
      ['promote', 'actions-registry', 'fail', 'ConflictError'],
    ]);
  });
});
