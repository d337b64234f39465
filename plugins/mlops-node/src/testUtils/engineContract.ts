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
 *       // The ML system the entity runs (its spec is resources.system): what
 *       // its records, rows and predictions look like (see EngineContractSystem).
 *       system,
 *     };
 *   });
 *
 * Run it for systems of different tasks (e.g. a regression and a multiclass
 * one); nothing in the suite knows a data set.
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
 * - predict returns one prediction per record, built as toPrediction builds
 *   it for the system's task: regression a finite value (also under the
 *   target's name, and the display under its name); classifiers a known class
 *   with a probability per class summing to 1;
 * - every version carries its task, the task's metrics and a signature;
 * - a CSV with bad rows → InputError carrying `rowErrors` (row, column), and
 *   nothing is stored.
 */
import type {
  FeatureRecord,
  MlopsResources,
  ModelTask,
  OutputDisplay,
  PipelineExecution,
  Prediction,
} from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '../engine';
import { extractRowErrors } from '../errors';
import { Readable } from 'stream';

/**
 * The ML system a contract run uses, as test data: what the suite sends and
 * what it expects back, so one suite covers every task.
 */
export interface EngineContractSystem {
  /** For test names, e.g. `penguins`. */
  name: string;
  task: ModelTask;
  /** The target column's name (predictions also carry the value under it). */
  target: string;
  /** A metric every version of this task carries (e.g. `mse`, `accuracy`). */
  metric: string;
  /** Two valid prediction records (signature input names). */
  records: [FeatureRecord, FeatureRecord];
  /** Classification: the labels in the spec's class order. */
  classes?: string[];
  /** Regression: how the spec shows predictions (`name` gets the display value). */
  display?: OutputDisplay;
  /** Data file lines by the spec: its header (if the spec has one), a good row, and a row with one bad cell. */
  csv: {
    header?: string;
    goodRow: string;
    badRow: string;
    /** The column of the bad cell in badRow. */
    badColumn: string;
  };
}

export interface EngineContractSetup {
  engine: MlopsEngine;
  resources: MlopsResources;
  system: EngineContractSystem;
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

  /** A data file by the system's spec: header (if any) then the rows. */
  const csvOf = (sys: EngineContractSystem, rows: string[]) =>
    `${[...(sys.csv.header ? [sys.csv.header] : []), ...rows].join('\n')}\n`;
  /** The file line of the n-th data row (1-based), counting the header. */
  const lineOf = (sys: EngineContractSystem, n: number) =>
    n + (sys.csv.header ? 1 : 0);

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
        expect(mine.task).toBe(ctx.system.task);
        const metric = mine.metrics?.[ctx.system.metric];
        expect(Number.isFinite(metric)).toBe(true);
        expect(metric).toBeGreaterThanOrEqual(0);
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
      "returns the version's signature: the system's task, target and classes",
      async () => {
        const signature = await ctx.engine.getModelSignature(ctx.resources, v1);
        expect(signature.outputs.task).toBe(ctx.system.task);
        expect(signature.outputs.target).toBe(ctx.system.target);
        // regression: neither names classes
        expect(signature.outputs.classes).toEqual(ctx.system.classes);
        const inputs = signature.inputs.map(i => i.name);
        for (const key of Object.keys(ctx.system.records[0]))
          expect(inputs).toContain(key);
        expect(
          await errorOf(ctx.engine.getModelSignature(ctx.resources, 987654)),
        ).toMatchObject({ name: 'NotFoundError' });
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
            comment: 'Contract: passes the gate',
            actor,
          },
        );
        expect(approved.version).toBe(v1);
        expect(approved.approvalStatus).toBe('Approved');
        expect(approved.approvalHistory.at(-1)).toMatchObject({
          status: 'Approved',
          by: actor.ref,
          comment: 'Contract: passes the gate',
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
      'predicts one result per record from the deployed version, shaped by the task',
      async () => {
        const sys = ctx.system;
        const res = await ctx.engine.predict(ctx.resources, [...sys.records]);
        expect(res.endpointName).toBe(ctx.resources.endpointName);
        expect(res.modelVersion).toBe(v1);
        expect(res.predictions).toHaveLength(2);
        for (const p of res.predictions) {
          // The value is also under the target's name (older clients read it).
          expect(p[sys.target]).toBe(p.value);
          expect(predictionProblems(sys, p)).toEqual([]);
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
        const sys = ctx.system;
        const csv = csvOf(sys, [
          sys.csv.goodRow,
          sys.csv.badRow,
          sys.csv.goodRow,
        ]);
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
        expect(rowErrors![0]).toMatchObject({
          row: lineOf(sys, 2),
          column: sys.csv.badColumn,
        });
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
        const sys = ctx.system;
        // Small chunks, a row split across two of them, the bad row last.
        const text = csvOf(sys, [
          ...Array(50).fill(sys.csv.goodRow),
          sys.csv.badRow,
        ]);
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
          row: lineOf(sys, 51),
          column: sys.csv.badColumn,
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
        const good = csvOf(ctx.system, Array(40).fill(ctx.system.csv.goodRow));
        async function* cutOff() {
          yield Buffer.from(good);
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

/**
 * What is wrong with one prediction for the system's task (empty: nothing):
 * regression a finite value shown by the spec's display; classification a
 * known class, a probability per class in [0, 1] summing to 1, the class
 * shown being the most probable.
 */
function predictionProblems(
  sys: EngineContractSystem,
  p: Prediction,
): string[] {
  const problems: string[] = [];
  if (sys.task === 'regression') {
    if (typeof p.value !== 'number' || !Number.isFinite(p.value))
      problems.push(`value ${String(p.value)} is not a finite number`);
    if (p.probabilities !== undefined)
      problems.push('a regression has no probabilities');
    const display = sys.display;
    if (display && typeof p.value === 'number') {
      const shown = p.value * (display.scale ?? 1) + (display.offset ?? 0);
      if (!(Math.abs((p.display?.value ?? NaN) - shown) < 1e-9))
        problems.push(`display.value ${p.display?.value} is not ${shown}`);
      if (display.name && !(Math.abs(Number(p[display.name]) - shown) < 1e-9))
        problems.push(`${display.name} ${String(p[display.name])} is not ${shown}`);
    }
    return problems;
  }
  const classes = sys.classes ?? [];
  if (!classes.includes(String(p.value)))
    problems.push(`value ${String(p.value)} is not one of ${classes.join(', ')}`);
  const probabilities = p.probabilities ?? {};
  if (Object.keys(probabilities).sort().join() !== [...classes].sort().join())
    problems.push(`probabilities name ${Object.keys(probabilities).join(', ')}`);
  const probs = Object.values(probabilities);
  if (probs.some(q => !(q >= 0 && q <= 1)))
    problems.push(`a probability outside [0, 1]: ${probs.join(', ')}`);
  if (!(Math.abs(probs.reduce((a, q) => a + q, 0) - 1) < 1e-5))
    problems.push(`probabilities sum to ${probs.reduce((a, q) => a + q, 0)}`);
  if (probabilities[String(p.value)] !== Math.max(...probs))
    problems.push(`${String(p.value)} is not the most probable class`);
  return problems;
}
