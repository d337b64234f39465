import fs from 'fs';
import path from 'path';
import { DataLayout } from './dataLayout';
import { EndpointHost } from './endpointHost';
import { ModelRegistry, modelPackageArn } from './modelRegistry';
import { stageOf } from './releaseStages';
import { RESOURCES } from './__testUtils__/localEngine';
import {
  PartsHarness,
  createPartsHarness,
  testExecution,
  testVersion,
  writeTinyModelArtifacts,
} from './__testUtils__/parts';

const OWNER = { ref: 'user:default/owner' };

describe('ModelRegistry', () => {
  let h: PartsHarness;
  let host: EndpointHost;
  let registry: ModelRegistry;
  let artifacts: ReturnType<typeof writeTinyModelArtifacts>['files'];

  beforeEach(async () => {
    h = await createPartsHarness();
    const layout = new DataLayout(h.dataDir);
    host = new EndpointHost(h.store, layout, h.logger);
    registry = new ModelRegistry(h.store, layout, host, h.runs, h.events);
    artifacts = writeTinyModelArtifacts(
      path.join(h.dataDir, 'runs', 'x'),
    ).files;
  });
  afterEach(() => h.close());

  /** A stored execution with a registered version (as Register leaves it). */
  const registered = async (approval?: 'Approved') => {
    const rec = await h.store.insertExecution(
      testExecution({
        status: 'Succeeded',
        parameters: {
          ...testExecution().parameters,
          ...(approval ? { ModelApprovalStatus: approval } : {}),
        },
      }),
    );
    return {
      rec,
      version: await registry.register(rec, artifacts, {
        task: 'regression',
        approvalStatus: approval ?? 'PendingManualApproval',
      }),
    };
  };

  it('registers versions with their artifacts, once per execution', async () => {
    const { rec, version } = await registered();
    expect(version).toMatchObject({
      version: 1,
      approvalStatus: 'PendingManualApproval',
      modelPackageArn: modelPackageArn(RESOURCES.modelPackageGroupName, 1),
      executionId: rec.executionId,
    });
    expect(version.modelPackageArn).toBe(
      'arn:local:sagemaker:local:000000000000:model-package/abalonemodelpackagegroup/1',
    );
    for (const a of version.artifacts!) expect(fs.existsSync(a.uri)).toBe(true);
    expect(
      (
        await registry.register(rec, artifacts, {
          task: 'regression',
          approvalStatus: 'PendingManualApproval',
        })
      ).version,
    ).toBe(1);
    // The version carries its task and flat metrics; its signature is an artifact.
    expect(version.task).toBe('regression');
    expect(version.artifacts!.map(a => a.name)).toContain('signature.json');
    const signature = await registry.getSignature(RESOURCES, 1);
    expect(signature.outputs).toMatchObject({ task: 'regression', target: 'rings' });
    expect(signature.inputs.map(i => i.name)).toContain('shellWeight');
    expect(signature.examples!.length).toBeGreaterThan(0);
    expect((await registered('Approved')).version).toMatchObject({
      version: 2,
      approvalStatus: 'Approved',
    });
    const { items: listed } = await registry.list(RESOURCES);
    expect(listed.map(v => [v.version, v.deployed])).toEqual([
      [2, false],
      [1, false],
    ]);
    // Keyset pages: the token is the last version shown.
    const first = await registry.list(RESOURCES, { limit: 1 });
    expect(first.items.map(v => v.version)).toEqual([2]);
    const rest = await registry.list(RESOURCES, {
      limit: 1,
      nextToken: first.nextToken,
    });
    expect(rest).toEqual({ items: [expect.objectContaining({ version: 1 })] });
    await expect(
      registry.list(RESOURCES, { nextToken: 'x1' }),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(registry.get(RESOURCES, 9)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('validates a decision before touching anything', async () => {
    await registered();
    const decide = (o: object) =>
      registry.updateApproval(RESOURCES, 1, {
        status: 'Approved',
        comment: 'ok',
        actor: OWNER,
        ...o,
      } as any);
    await expect(
      decide({ status: 'PendingManualApproval' }),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(decide({ comment: ' ' })).rejects.toMatchObject({
      name: 'InputError',
    });
    await expect(
      registry.updateApproval(RESOURCES, 5, {
        status: 'Approved',
        comment: 'x',
        actor: OWNER,
      }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(decide({ status: 'Rejected' })).resolves.toBeDefined();
    await expect(decide({ status: 'Rejected' })).rejects.toMatchObject({
      name: 'ConflictError',
    });
  });

  it('approve deploys; rejecting the served version rolls back, then clears', async () => {
    const one = await registered();
    const two = await registered();
    const approve = (v: number) =>
      registry.updateApproval(RESOURCES, v, {
        status: 'Approved',
        comment: `ship ${v}`,
        actor: OWNER,
      });
    const reject = (v: number) =>
      registry.updateApproval(RESOURCES, v, {
        status: 'Rejected',
        comment: `pull ${v}`,
        actor: OWNER,
      });

    expect((await approve(1)).deployed).toBe(true);
    const v2 = await approve(2);
    expect(v2.deployed).toBe(true);
    expect(v2.approvalHistory.map(e => [e.status, e.by])).toEqual([
      ['PendingManualApproval', 'pipeline'],
      ['Approved', OWNER.ref],
    ]);
    const rec2 = (await h.store.getExecution(two.rec.executionId))!;
    expect(stageOf(rec2, 'Approval').summary).toBe(
      `Approved by ${OWNER.ref}: ship 2`,
    );
    expect(stageOf(rec2, 'Deploy').summary).toBe(
      `version 2 serving on ${RESOURCES.endpointName}`,
    );

    await reject(2);
    expect(host.predict(RESOURCES, []).modelVersion).toBe(1);
    const deps = await h.store.listDeployments(RESOURCES.endpointName);
    expect(deps[0]).toMatchObject({ modelVersion: 1, reason: 'rollback' });
    expect(
      stageOf((await h.store.getExecution(two.rec.executionId))!, 'Deploy')
        .summary,
    ).toMatch(/rolled back to version 1$/);

    await reject(1);
    expect(() => host.predict(RESOURCES, [])).toThrow(/no deployed model/);
    expect(
      stageOf((await h.store.getExecution(one.rec.executionId))!, 'Deploy')
        .summary,
    ).toMatch(/has no approved version left$/);
    const kinds = h.emitted.map(e => e.type);
    expect(kinds.filter(k => k === 'deployment')).toHaveLength(4);
    expect(kinds.filter(k => k === 'model-version')).toHaveLength(4);
  });

  it('deploys a version the pipeline approved itself', async () => {
    const { version } = await registered('Approved');
    registry.announce(RESOURCES, version);
    await registry.deployApproved(RESOURCES, version);
    const {
      items: [mv],
    } = await registry.list(RESOURCES);
    expect(mv.deployed).toBe(true);
    const deps = await h.store.listDeployments(RESOURCES.endpointName);
    expect(deps[0]).toMatchObject({ deployedBy: 'pipeline', current: true });
    expect(h.emitted.map(e => e.type)).toEqual(
      expect.arrayContaining(['model-version', 'deployment', 'execution']),
    );
  });
});

describe('ModelRegistry.getSignature of a version from before signatures', () => {
  let h: PartsHarness;
  let registry: ModelRegistry;

  beforeEach(async () => {
    h = await createPartsHarness();
    const layout = new DataLayout(h.dataDir);
    const host = new EndpointHost(h.store, layout, h.logger);
    registry = new ModelRegistry(h.store, layout, host, h.runs, h.events);
  });
  afterEach(() => h.close());

  it('builds it from the entity spec (nothing observed), else NotFoundError', async () => {
    await h.store.db.transaction(trx =>
      h.store.insertVersion(testVersion(1, { artifacts: [] }), trx),
    );
    const signature = await registry.getSignature(RESOURCES, 1);
    expect(signature.outputs).toMatchObject({
      task: 'regression',
      target: 'rings',
      display: expect.objectContaining({ name: 'age' }),
    });
    const sex = signature.inputs.find(i => i.name === 'sex')!;
    expect(sex).toMatchObject({ type: 'categorical', datatype: 'BYTES' });
    expect(signature.inputs.find(i => i.name === 'length')).not.toHaveProperty(
      'observedMin',
    );
    expect(signature.examples).toBeUndefined();

    const { system, ...noSpec } = RESOURCES;
    await expect(registry.getSignature(noSpec, 1)).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining('mlops.io/spec'),
    });
    await expect(registry.getSignature(RESOURCES, 9)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });
});
