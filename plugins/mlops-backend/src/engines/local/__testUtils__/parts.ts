import { mockServices } from '@backstage/backend-test-utils';
import {
  flatMetrics,
  parseTableCsv,
  resolveSchema,
  trainTable,
} from '@mlops-portal/ml-core';
import type { QualityGate } from '@mlops-portal/plugin-mlops-common';
import fs from 'fs';
import knexFactory, { Knex } from 'knex';
import path from 'path';
import { ActiveRuns } from '../activeRuns';
import { EngineEventBus } from '../engineEvents';
import { initialRelease, initialSteps, resolveParameters } from '../pipeline';
import { ExecutionRecord, LocalStore, VersionRecord } from '../store';
import { demoSystem } from '../../../__testUtils__/demoSystems';
import { RESOURCES, abaloneSubset, tempDataDir } from './localEngine';

const abalone = demoSystem('abalone');

/** The parts' shared plumbing over a real (in-memory SQLite) store. */
export interface PartsHarness {
  knex: Knex;
  store: LocalStore;
  logger: ReturnType<typeof mockServices.logger.mock>;
  events: EngineEventBus;
  runs: ActiveRuns;
  emitted: Array<{ type: string; [k: string]: unknown }>;
  dataDir: string;
  close(): Promise<void>;
}

export async function createPartsHarness(): Promise<PartsHarness> {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  const store = await LocalStore.create(knex);
  const logger = mockServices.logger.mock();
  const events = new EngineEventBus(logger);
  const emitted: PartsHarness['emitted'] = [];
  events.subscribe(e => emitted.push(e as any));
  return {
    knex,
    store,
    logger,
    events,
    runs: new ActiveRuns(store, events, logger),
    emitted,
    dataDir: tempDataDir(),
    close: () => knex.destroy(),
  };
}

let counter = 0;

/** A fresh execution record (not stored). */
export function testExecution(
  overrides: Partial<ExecutionRecord> = {},
): ExecutionRecord {
  counter += 1;
  return {
    executionId: `exec${String(counter).padStart(8, '0')}`,
    pipelineName: RESOURCES.pipelineName,
    status: 'Executing',
    trigger: 'manual',
    triggeredBy: 'user:default/guest',
    parameters: resolveParameters(abalone.spec, undefined),
    createdAt: new Date().toISOString(),
    release: initialRelease(),
    steps: initialSteps(abalone.spec.spec.gate as QualityGate),
    resources: RESOURCES,
    ...overrides,
  };
}

/** A version record as Register writes it (not stored). */
export function testVersion(
  version: number,
  overrides: Partial<VersionRecord> = {},
): VersionRecord {
  return {
    modelPackageGroupName: RESOURCES.modelPackageGroupName,
    version,
    modelPackageArn: `arn:test/${version}`,
    approvalStatus: 'PendingManualApproval',
    createdAt: new Date().toISOString(),
    createdBy: 'user:default/guest',
    task: 'regression',
    metrics: { mse: 4, rmse: 2, mae: 1.5, r2: 0.5 },
    hyperparameters: {},
    artifacts: [],
    approvalHistory: [],
    ...overrides,
  };
}

/**
 * Real step artifacts (preprocessor, model, signature, evaluation) from a
 * few boosting rounds on the Abalone system's first rows, as the worker
 * would write them.
 */
export function writeTinyModelArtifacts(dir: string) {
  const text = abaloneSubset(400);
  const schema = resolveSchema(abalone.spec.spec.dataset, text);
  const { table } = parseTableCsv(text, schema);
  const run = trainTable({
    table,
    schema,
    spec: abalone.spec,
    params: { max_depth: 3, num_round: 5 },
    seed: 1,
  });
  const files = {
    preprocessor: path.join(dir, 'preprocessor.json'),
    model: path.join(dir, 'model.json'),
    signature: path.join(dir, 'signature.json'),
    evaluation: path.join(dir, 'evaluation.json'),
  };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(files.preprocessor, JSON.stringify(run.data.preprocessor));
  fs.writeFileSync(files.model, run.result.booster.toXGBoostJSONString());
  fs.writeFileSync(files.signature, JSON.stringify(run.signature));
  fs.writeFileSync(files.evaluation, JSON.stringify(run.evaluation));
  return { files, metrics: flatMetrics('regression', run.evaluation) };
}
