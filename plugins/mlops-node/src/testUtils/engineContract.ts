/* eslint-disable jest/no-export -- a shared suite: engines call runEngineContract from their own test files */
/**
 * The engine contract: behaviour every MlopsEngine must share, so the local
 * and aws engines cannot drift. Each engine runs it from its own test file:
 *
 *   // src/engines/local/LocalEngine.contract.test.ts
 *   import { runEngineContract } from '@mlops-portal/plugin-mlops-node/testUtils';
 *   runEngineContract('local', async () => {
 *     const engine = await createLocalEngine({ ... });
 *     return {
 *       engine,
 *       resources,                       // MlopsResources of a test entity
 *       // Make a NEW version exist in PendingManualApproval and return its number
 *       // (local: upload data / run the pipeline until Register; aws: the fake registry registers one).
 *       // The execution that registered it must be listed by listExecutions and be Succeeded.
 *       createPendingVersion: async () => 1,
 *       // Optional: wait until work that follows an approval (deploying) has finished.
 *       settle: async () => {},
 *       // How many data objects/files the data bucket holds (to prove a rejected upload stored nothing).
 *       countStoredDatasets: async () => 0,
 *       // Optional teardown (stop runners, close servers, destroy databases).
 *       close: async () => engine.close(),
 *     };
 *   });
 *
 * Tests run in order against one setup (they build on each other: approve
 * before predict). Semantics fixed here:
 * - lists are newest first; executions of the entity's pipeline only;
 * - unknown execution ids and versions → NotFoundError;
 * - approving/rejecting needs status Approved|Rejected (else InputError) and a
 *   comment (else InputError); setting the status a version already has → ConflictError;
 * - approval history ends with {status, by: actor ref, comment};
 * - after approval (and settle) exactly that version is `deployed`, and the
 *   endpoint serves it; a rejection of another version does not redeploy;
 * - stopping or retrying a Succeeded execution → ConflictError;
 * - startExecution with the same clientRequestToken returns the same execution;
 * - predict returns one prediction per instance with age = rings + 1.5;
 * - a CSV with bad rows → InputError carrying `rowErrors` (row, column), and
 *   nothing is stored.
 */
import type {
  MlopsResources,
  PipelineExecution,
} from '@mlops-portal/plugin-mlops-common';
import { EXAMPLE_ABALONE } from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '../engine';
import { extractRowErrors } from '../errors';
import { Readable } from 'stream';

export interface EngineContractSetup {
  engine: MlopsEngine;
  resources: MlopsResources;
  createPendingVersion(): Promise<number>;
  settle?(): Promise<void>;
  countStoredDatasets(): Promise<number>;
  close?(): Promise<void>;
}

export interface EngineContractOptions {
  /** Per-test timeout in ms (a local pipeline run trains a model). Default 120 s. */
  timeoutMs?: number;
}

const EXECUTION_STATUSES = [
  'Executing',
  'Stopping',
  'Stopped',
  'Failed',
  'Succeeded',
];
const STEP_STATUSES = ['NotStarted', 'Starting', ...EXECUTION_STATUSES];
const APPROVAL_STATUSES = ['PendingManualApproval', 'Approved', 'Rejected'];
const TRIGGERS = ['upload', 'manual', 'retry', 'external'];
const actor = { ref: 'user:default/contract-tester' };

function isSortedDesc(values: string[]) {
  return values.every((v, i) => i === 0 || values[i - 1] >= v);
}

async function errorOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export function runEngineContract(
  name: string,
  setup: () => Promise<EngineContractSetup>,
  options: EngineContractOptions = {},
) {
  const timeout = options.timeoutMs ?? 120_000;

  describe(`MlopsEngine contract: ${name}`, () => {
    let ctx: EngineContractSetup;
    let v1: number;
    let v1Execution: PipelineExecution | undefined;

    beforeAll(async () => {
      ctx = await setup();
      v1 = await ctx.createPendingVersion();
    }, timeout * 2);

    afterAll(async () => {
      await ctx?.close?.();
    }, timeout);

    it(
      'lists executions of the pipeline, newest first, in the common shape',
      async () => {
        const { items } = await ctx.engine.listExecutions(ctx.resources);
        expect(items.length).toBeGreaterThanOrEqual(1);
        for (const e of items) {
          expect(typeof e.executionId).toBe('string');
          expect(e.executionId).not.toBe('');
          expect(e.pipelineName).toBe(ctx.resources.pipelineName);
          expect(EXECUTION_STATUSES).toContain(e.status);
          expect(TRIGGERS).toContain(e.trigger);
          expect(typeof e.parameters).toBe('object');
          expect(Number.isNaN(Date.parse(e.createdAt))).toBe(false);
        }
        expect(isSortedDesc(items.map(e => e.createdAt))).toBe(true);
        const one = await ctx.engine.listExecutions(ctx.resources, {
          limit: 1,
        });
        expect(one.items.length).toBe(1);
        expect(one.items[0].executionId).toBe(items[0].executionId);
      },
      timeout,
    );

    it(
      'lists model versions newest first, with metrics and history',
      async () => {
        const { items: versions } = await ctx.engine.listModelVersions(
          ctx.resources,
        );
        expect(versions.map(v => v.version)).toContain(v1);
        for (const v of versions) {
          expect(v.modelPackageGroupName).toBe(
            ctx.resources.modelPackageGroupName,
          );
          expect(Number.isInteger(v.version)).toBe(true);
          expect(APPROVAL_STATUSES).toContain(v.approvalStatus);
          expect(v.approvalHistory.length).toBeGreaterThanOrEqual(1);
          expect(typeof v.deployed).toBe('boolean');
        }
        expect(isSortedDesc(versions.map(v => v.createdAt))).toBe(true);
        expect(versions.filter(v => v.deployed).length).toBeLessThanOrEqual(1);
        const mine = await ctx.engine.getModelVersion(ctx.resources, v1);
        expect(mine.approvalStatus).toBe('PendingManualApproval');
        expect(mine.deployed).toBe(false);
        expect(Number.isFinite(mine.metrics?.mse)).toBe(true);
        expect(mine.metrics!.mse).toBeGreaterThanOrEqual(0);
        v1Execution = (
          await ctx.engine.listExecutions(ctx.resources)
        ).items.find(e => e.executionId === mine.executionId);
      },
      timeout,
    );

    it(
      'returns the DAG of an execution, edges within the step set',
      async () => {
        const id =
          v1Execution?.executionId ??
          (await ctx.engine.listExecutions(ctx.resources)).items[0].executionId;
        const detail = await ctx.engine.getExecution(ctx.resources, id);
        expect(detail.executionId).toBe(id);
        expect(detail.pipelineName).toBe(ctx.resources.pipelineName);
        expect(detail.steps.length).toBeGreaterThan(0);
        const names = new Set(detail.steps.map(s => s.name));
        expect(names.size).toBe(detail.steps.length);
        for (const s of detail.steps) {
          expect(STEP_STATUSES).toContain(s.status);
          for (const d of s.dependsOn) expect(names).toContain(d);
        }
        // At least one root: a DAG starts somewhere.
        expect(detail.steps.some(s => s.dependsOn.length === 0)).toBe(true);
      },
      timeout,
    );

    it(
      'throws NotFoundError for an unknown execution id or version',
      async () => {
        expect(
          await errorOf(
            ctx.engine.getExecution(ctx.resources, 'does-not-exist-0000'),
          ),
        ).toMatchObject({ name: 'NotFoundError' });
        expect(
          await errorOf(ctx.engine.getModelVersion(ctx.resources, 987654)),
        ).toMatchObject({
          name: 'NotFoundError',
        });
      },
      timeout,
    );

    it(
      'refuses to stop or retry a Succeeded execution (ConflictError)',
      async () => {
        const { items } = await ctx.engine.listExecutions(ctx.resources);
        const done = items.find(e => e.status === 'Succeeded');
        expect(done).toBeDefined();
        expect(
          await errorOf(
            ctx.engine.stopExecution(ctx.resources, done!.executionId, actor),
          ),
        ).toMatchObject({ name: 'ConflictError' });
        expect(
          await errorOf(
            ctx.engine.retryExecution(ctx.resources, done!.executionId, actor),
          ),
        ).toMatchObject({ name: 'ConflictError' });
      },
      timeout,
    );

    it(
      'has no release view when the entity names no release pipeline',
      async () => {
        await expect(
          ctx.engine.getReleaseState({
            ...ctx.resources,
            releasePipelineName: undefined,
          }),
        ).resolves.toBeUndefined();
      },
      timeout,
    );

    it(
      'rejects invalid approval requests without changing the version',
      async () => {
        expect(
          await errorOf(
            ctx.engine.updateModelApproval(ctx.resources, v1, {
              status: 'PendingManualApproval' as any,
              comment: 'back to pending',
              actor,
            }),
          ),
        ).toMatchObject({ name: 'InputError' });
        expect(
          await errorOf(
            ctx.engine.updateModelApproval(ctx.resources, v1, {
              status: 'Approved',
              comment: '  ',
              actor,
            }),
          ),
        ).toMatchObject({ name: 'InputError' });
        expect(
          await errorOf(
            ctx.engine.updateModelApproval(ctx.resources, 987654, {
              status: 'Approved',
              comment: 'x',
              actor,
            }),
          ),
        ).toMatchObject({ name: 'NotFoundError' });
        const v = await ctx.engine.getModelVersion(ctx.resources, v1);
        expect(v.approvalStatus).toBe('PendingManualApproval');
      },
      timeout,
    );

    it(
      'approval round trip: status, history, deployed marker and endpoint',
      async () => {
        const approved = await ctx.engine.updateModelApproval(
          ctx.resources,
          v1,
          {
            status: 'Approved',
            comment: 'Contract: MSE under the gate',
            actor,
          },
        );
        expect(approved.version).toBe(v1);
        expect(approved.approvalStatus).toBe('Approved');
        expect(approved.approvalHistory.at(-1)).toMatchObject({
          status: 'Approved',
          by: actor.ref,
          comment: 'Contract: MSE under the gate',
        });
        await ctx.settle?.();

        const after = await ctx.engine.getModelVersion(ctx.resources, v1);
        expect(after.approvalStatus).toBe('Approved');
        expect(after.deployed).toBe(true);
        const deployed = (
          await ctx.engine.listModelVersions(ctx.resources)
        ).items.filter(v => v.deployed);
        expect(deployed.map(v => v.version)).toEqual([v1]);

        const { endpoint, deployments } = await ctx.engine.listDeployments(
          ctx.resources,
        );
        expect(endpoint?.endpointName).toBe(ctx.resources.endpointName);
        expect(endpoint?.modelVersion).toBe(v1);
        expect(
          deployments.filter(d => d.current).map(d => d.modelVersion),
        ).toEqual([v1]);
      },
      timeout,
    );

    it(
      'refuses to set the status a version already has (ConflictError)',
      async () => {
        expect(
          await errorOf(
            ctx.engine.updateModelApproval(ctx.resources, v1, {
              status: 'Approved',
              comment: 'again',
              actor,
            }),
          ),
        ).toMatchObject({ name: 'ConflictError' });
      },
      timeout,
    );

    it(
      'predicts one result per instance with age = rings + 1.5 from the deployed version',
      async () => {
        const instances = [
          EXAMPLE_ABALONE,
          { ...EXAMPLE_ABALONE, sex: 'F' as const, shellWeight: 0.3 },
        ];
        const res = await ctx.engine.predict(ctx.resources, instances);
        expect(res.endpointName).toBe(ctx.resources.endpointName);
        expect(res.modelVersion).toBe(v1);
        expect(res.predictions).toHaveLength(2);
        for (const p of res.predictions) {
          expect(Number.isFinite(p.rings)).toBe(true);
          expect(p.rings).toBeGreaterThan(0);
          expect(p.age).toBeCloseTo(p.rings + 1.5, 10);
        }
      },
      timeout,
    );

    it(
      'rejecting another version records the decision and keeps the deployed one',
      async () => {
        const v2 = await ctx.createPendingVersion();
        expect(v2).not.toBe(v1);
        const rejected = await ctx.engine.updateModelApproval(
          ctx.resources,
          v2,
          {
            status: 'Rejected',
            comment: 'Contract: not better than the deployed one',
            actor,
          },
        );
        expect(rejected.approvalStatus).toBe('Rejected');
        expect(rejected.deployed).toBe(false);
        expect(rejected.approvalHistory.at(-1)).toMatchObject({
          status: 'Rejected',
          by: actor.ref,
          comment: 'Contract: not better than the deployed one',
        });
        await ctx.settle?.();
        expect(
          (await ctx.engine.getModelVersion(ctx.resources, v1)).deployed,
        ).toBe(true);
        expect(
          (await ctx.engine.listDeployments(ctx.resources)).endpoint
            ?.modelVersion,
        ).toBe(v1);
      },
      timeout * 2,
    );

    it(
      'pages model versions newest first with an opaque nextToken',
      async () => {
        const { items: all } = await ctx.engine.listModelVersions(
          ctx.resources,
        );
        expect(all.length).toBeGreaterThanOrEqual(2);
        const first = await ctx.engine.listModelVersions(ctx.resources, {
          limit: 1,
        });
        expect(first.items.map(v => v.version)).toEqual([all[0].version]);
        expect(typeof first.nextToken).toBe('string');
        const second = await ctx.engine.listModelVersions(ctx.resources, {
          limit: 1,
          nextToken: first.nextToken,
        });
        expect(second.items.map(v => v.version)).toEqual([all[1].version]);
        expect(second.items[0].version).toBeLessThan(first.items[0].version);

        // Walking every page yields the whole list once, in order.
        const walked: number[] = [];
        let token: string | undefined;
        do {
          const page = await ctx.engine.listModelVersions(ctx.resources, {
            limit: 1,
            nextToken: token,
          });
          walked.push(...page.items.map(v => v.version));
          token = page.nextToken;
        } while (token && walked.length <= all.length);
        expect(walked).toEqual(all.map(v => v.version));
      },
      timeout,
    );

    it(
      'starts one execution per idempotency token',
      async () => {
        const before = (await ctx.engine.listExecutions(ctx.resources)).items;
        const start = () =>
          ctx.engine.startExecution(ctx.resources, {
            trigger: 'manual',
            actor,
            parameters: { NumRound: 5 },
            clientRequestToken: 'contract-token-1',
          });
        const first = await start();
        const second = await start();
        expect(second.executionId).toBe(first.executionId);
        expect(first).toMatchObject({
          pipelineName: ctx.resources.pipelineName,
          trigger: 'manual',
          triggeredBy: actor.ref,
        });
        expect(first.parameters.NumRound).toBe(5);
        expect(EXECUTION_STATUSES).toContain(first.status);
        const after = (await ctx.engine.listExecutions(ctx.resources)).items;
        expect(after.length).toBe(before.length + 1);
        expect(after[0].executionId).toBe(first.executionId);
      },
      timeout,
    );

    it(
      'rejects a CSV with bad rows, naming row and column, and stores nothing',
      async () => {
        const before = await ctx.countStoredDatasets();
        const executionsBefore = (
          await ctx.engine.listExecutions(ctx.resources)
        ).items.length;
        const csv = [
          'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15',
          'F,0.53,abc,0.135,0.677,0.2565,0.1415,0.21,9',
          'M,0.44,0.365,0.125,0.516,0.2155,0.114,0.155,10',
        ].join('\n');
        const error = await errorOf(
          ctx.engine.uploadDataset(ctx.resources, {
            fileName: 'contract-bad.csv',
            content: Buffer.from(csv),
            contentType: 'text/csv',
            actor,
          }),
        );
        expect(error.name).toBe('InputError');
        const rowErrors = extractRowErrors(error);
        expect(rowErrors?.length).toBeGreaterThanOrEqual(1);
        expect(rowErrors![0]).toMatchObject({ row: 2 });
        expect(typeof rowErrors![0].column).toBe('string');
        expect(await ctx.countStoredDatasets()).toBe(before);
        expect(
          (await ctx.engine.listExecutions(ctx.resources)).items.length,
        ).toBe(executionsBefore);
      },
      timeout,
    );

    it(
      'reads a streamed upload: bad rows in a later chunk are found and nothing is stored',
      async () => {
        const before = await ctx.countStoredDatasets();
        const good = 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\n';
        // Small chunks, a row split across two of them, the bad row last.
        const text = `${good.repeat(
          50,
        )}I,0.33,0.255,0.08,0.205,0.0895,0.0395,0.055,-7\n`;
        const chunks: Buffer[] = [];
        for (let i = 0; i < text.length; i += 37)
          chunks.push(Buffer.from(text.slice(i, i + 37)));
        const error = await errorOf(
          ctx.engine.uploadDataset(ctx.resources, {
            fileName: 'contract-streamed-bad.csv',
            content: Readable.from(chunks),
            contentType: 'text/csv',
            actor,
          }),
        );
        expect(error.name).toBe('InputError');
        expect(extractRowErrors(error)?.[0]).toMatchObject({
          row: 51,
          column: 'rings',
        });
        expect(await ctx.countStoredDatasets()).toBe(before);
      },
      timeout,
    );

    it(
      'stores nothing and starts nothing when the upload stream fails part-way',
      async () => {
        const before = await ctx.countStoredDatasets();
        const executionsBefore = (
          await ctx.engine.listExecutions(ctx.resources)
        ).items.length;
        const good = 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\n';
        async function* cutOff() {
          yield Buffer.from(good.repeat(40));
          // What the router does when the body crosses its size limit.
          throw Object.assign(new Error('upload cut off'), {
            name: 'PayloadTooLargeError',
          });
        }
        const error = await errorOf(
          ctx.engine.uploadDataset(ctx.resources, {
            fileName: 'contract-cut-off.csv',
            content: Readable.from(cutOff()),
            contentType: 'text/csv',
            actor,
          }),
        );
        expect(error.message).toContain('upload cut off');
        expect(await ctx.countStoredDatasets()).toBe(before);
        expect(
          (await ctx.engine.listExecutions(ctx.resources)).items.length,
        ).toBe(executionsBefore);
      },
      timeout,
    );
  });
}
