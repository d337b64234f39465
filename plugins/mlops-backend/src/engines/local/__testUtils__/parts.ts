import { mockServices } from '@backstage/backend-test-utils';
import {
  parseAbaloneCsv,
  preprocess,
  regressionMetrics,
  toEvaluationJson,
  trainXGBoost,
} from '@mlops-portal/ml-core';
import type { RegressionMetrics } from '@mlops-portal/plugin-mlops-common';
import fs from 'fs';
import knexFactory, { Knex } from 'knex';
import path from 'path';
import { ActiveRuns } from '../activeRuns';
import { EngineEventBus } from '../engineEvents';
import { initialRelease, initialSteps, resolveParameters } from '../pipeline';
import { ExecutionRecord, LocalStore, VersionRecord } from '../store';
import { RESOURCES, abaloneSubset, tempDataDir } from './localEngine';

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
    parameters: resolveParameters(6, undefined),
    createdAt: new Date().toISOString(),
    release: initialRelease(),
    steps: initialSteps(),
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
    metrics: { mse: 4, rmse: 2, mae: 1.5, r2: 0.5 } as RegressionMetrics,
    hyperparameters: {},
    artifacts: [],
    approvalHistory: [],
    ...overrides,
  };
}

/**
 * Real step artifacts (preprocessor, model, evaluation) from a few boosting
 * rounds on the data set's first rows, as the worker would write them.
 */
export function writeTinyModelArtifacts(dir: string) {
  const { records } = parseAbaloneCsv(abaloneSubset(400));
  const out = preprocess(records, { seed: 1 });
  const { booster } = trainXGBoost(
    { max_depth: 3, num_round: 5 },
    out.train,
    out.validation,
  );
  const metrics = regressionMetrics(out.test.labels, booster.predict(out.test));
  fs.mkdirSync(dir, { recursive: true });
  const files = {
    preprocessor: path.join(dir, 'preprocessor.json'),
    model: path.join(dir, 'model.json'),
    evaluation: path.join(dir, 'evaluation.json'),
  };
  fs.writeFileSync(files.preprocessor, JSON.stringify(out.preprocessor));
  fs.writeFileSync(files.model, JSON.stringify(booster.toXGBoostJSON()));
  fs.writeFileSync(
    files.evaluation,
    JSON.stringify(toEvaluationJson(metrics), null, 2),
  );
  return { files, metrics };
}
