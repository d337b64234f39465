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
import fs from 'fs';
import type { Knex } from 'knex';
import os from 'os';
import path from 'path';
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

export const RESOURCES: MlopsResources = {
  entityRef: 'component:default/abalone-age-predictor',
  pipelineName: 'abalone-pipeline',
  modelPackageGroupName: 'AbaloneModelPackageGroup',
  endpointName: 'abalone-endpoint',
  releasePipelineName: 'abalone-release',
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
    mseThreshold?: number;
    seed?: Record<string, string>;
    /** `mlops.local.monitoring` and `mlops.monitoring` config. */
    localMonitoring?: JsonObject;
    monitoring?: JsonObject;
  } = {},
): Promise<LocalEngine> {
  return LocalEngine.create({
    config: new ConfigReader({
      mlops: {
        qualityGate: { mseThreshold: options.mseThreshold ?? 6.0 },
        local: {
          dataDir,
          endpoint: { host: '127.0.0.1', port: 0 },
          ...(options.seed ? { seed: options.seed } : {}),
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
): Promise<PipelineExecutionDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = await engine.getExecution(RESOURCES, executionId);
    if (until(e)) return e;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for execution ${executionId}: ${e.status} at ${e.currentStep}`,
      );
    }
    await new Promise(r => setTimeout(r, 50));
  }
}
