import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import type {
  MlopsResources,
  PipelineExecutionDetail,
} from '@mlops-portal/plugin-mlops-common';
import { createHash } from 'crypto';
import fs from 'fs';
import type { Knex } from 'knex';
import os from 'os';
import path from 'path';
import { demoSystem } from '../../../__testUtils__/demoSystems';
import { LocalEngine } from '../LocalEngine';

/** The demo's Abalone data, shipped in packages/demo-systems. */
export const ABALONE_PATH = resolvePackagePath(
  '@mlops-portal/plugin-mlops-backend',
  '../../packages/demo-systems/abalone/abalone.data',
);

export const abaloneText = () => fs.readFileSync(ABALONE_PATH, 'utf8');

/** The first rows of the data set: enough to train on, quicker than all 4177. */
export const abaloneSubset = (rows = 1200) =>
  `${abaloneText().split('\n').slice(0, rows).join('\n')}\n`;

/** The Abalone system's resources, with its spec as the service attaches it. */
export const RESOURCES: MlopsResources = {
  entityRef: 'component:default/abalone-age-predictor',
  pipelineName: 'abalone-pipeline',
  modelPackageGroupName: 'AbaloneModelPackageGroup',
  endpointName: 'abalone-endpoint',
  releasePipelineName: 'abalone-release',
  system: demoSystem('abalone').system,
};

/**
 * The same system under another quality gate (another spec, so another
 * hash): tests about orchestration train on subsets, where the gate is not
 * their subject, or need a gate that fails.
 */
export function withGate(
  resources: MlopsResources,
  gate: { metric: string; comparison: string; threshold: number },
): MlopsResources {
  const spec = JSON.parse(JSON.stringify(resources.system!.spec));
  spec.spec.gate = gate;
  const hash = createHash('sha256')
    .update(`${resources.system!.hash}:${JSON.stringify(gate)}`)
    .digest('hex');
  return { ...resources, system: { ...resources.system!, hash, spec } };
}

/** An MSE gate at `threshold` on the Abalone system. */
export const abaloneWithMseGate = (threshold: number) =>
  withGate(RESOURCES, {
    metric: 'mse',
    comparison: 'LessThanOrEqualTo',
    threshold,
  });

/** The penguins system (multiclass, categorical features, missing values). */
export const PENGUIN_RESOURCES: MlopsResources = {
  entityRef: 'component:default/penguin-species-classifier',
  pipelineName: 'penguins-pipeline',
  modelPackageGroupName: 'PenguinsModelPackageGroup',
  endpointName: 'penguins-endpoint',
  releasePipelineName: 'penguins-release',
  system: demoSystem('penguins').system,
};

export const GUEST = { ref: 'user:default/guest' };

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-local-'));
}

export function databaseOf(knex: Knex): DatabaseService {
  return { getClient: async () => knex };
}

export async function createTestEngine(
  knex: Knex,
  dataDir: string,
  options: {
    /** `mlops.local.seeds` entries. */
    seeds?: JsonObject[];
    /** `mlops.approval.preApprove`. */
    preApprove?: boolean;
    /** `mlops.local.monitoring` and `mlops.monitoring` config. */
    localMonitoring?: JsonObject;
    monitoring?: JsonObject;
  } = {},
): Promise<LocalEngine> {
  return LocalEngine.create({
    config: new ConfigReader({
      mlops: {
        ...(options.preApprove ? { approval: { preApprove: true } } : {}),
        local: {
          dataDir,
          endpoint: { host: '127.0.0.1', port: 0 },
          ...(options.seeds ? { seeds: options.seeds } : {}),
          ...(options.localMonitoring
            ? { monitoring: options.localMonitoring }
            : {}),
        },
        ...(options.monitoring ? { monitoring: options.monitoring } : {}),
      },
    }),
    database: databaseOf(knex),
    logger: mockServices.logger.mock(),
  });
}

/** Polls until the execution leaves Executing/Stopping (or `until` holds). */
export async function waitForExecution(
  engine: LocalEngine,
  executionId: string,
  until: (e: PipelineExecutionDetail) => boolean = e =>
    e.status !== 'Executing' && e.status !== 'Stopping',
  timeoutMs = 60_000,
  resources: MlopsResources = RESOURCES,
): Promise<PipelineExecutionDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = await engine.getExecution(resources, executionId);
    if (until(e)) return e;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for execution ${executionId}: ${e.status} at ${e.currentStep}`,
      );
    }
    await new Promise(r => setTimeout(r, 50));
  }
}
