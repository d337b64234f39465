import type { Config } from '@backstage/config';
import type { MlopsResources } from '@mlops-portal/plugin-mlops-common';
import os from 'os';
import path from 'path';

/**
 * One ML system the engine fills on first start: its spec, its data, the
 * resources (names as the entity's annotations give them), and whether the
 * seeded version is approved and deployed so the portal starts serving it.
 */
export interface SeedConfig {
  /** Path of the system's spec file (ml-system.yaml). */
  spec: string;
  /** Path of the data file (read at first start; no network). */
  source: string;
  resources: MlopsResources;
  deploy: boolean;
}

export interface LocalSettings {
  dataDir: string;
  seeds: SeedConfig[];
  /** `mlops.approval.preApprove`: a spec's `approval.preApprove` may register versions Approved. */
  allowPreApproval: boolean;
  endpoint?: { host: string; port: number };
  /** Drop-a-file ingestion; undefined when disabled. */
  bucketWatch?: { stableMs: number };
  /** Threads per training when the spec sets no nthread (`mlops.local.training.threads`). */
  trainingThreads: number;
}

/** Thrown at start-up for a config value the engine cannot run with. */
function invalid(key: string, rule: string, value: unknown): never {
  throw new Error(
    `Invalid config: ${key} ${rule}, got ${JSON.stringify(value)}`,
  );
}

const RESOURCE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})$/;

function readOneSeed(seed: Config, key: string): SeedConfig {
  const text = (name: string, required: boolean) => {
    const value = required
      ? seed.getString(name)
      : seed.getOptionalString(name);
    if (required && (value ?? '').trim() === '')
      invalid(`${key}.${name}`, 'must not be empty', value);
    return value;
  };
  const resources: MlopsResources = {
    entityRef: text('entityRef', true)!,
    pipelineName: text('pipelineName', true)!,
    modelPackageGroupName: text('modelPackageGroupName', true)!,
    endpointName: text('endpointName', true)!,
    releasePipelineName: text('releasePipelineName', false),
  };
  for (const name of [
    'pipelineName',
    'modelPackageGroupName',
    'endpointName',
  ] as const) {
    if (!RESOURCE_NAME.test(resources[name]))
      invalid(
        `${key}.${name}`,
        'must be 1-63 letters, digits or hyphens',
        resources[name],
      );
  }
  return {
    spec: text('spec', true)!,
    source: text('data', true)!,
    resources,
    deploy: seed.getOptionalBoolean('deploy') ?? false,
  };
}

/**
 * `mlops.local.seeds`: the systems filled on first start. The single
 * `mlops.local.seed` of earlier releases named no spec, which training now
 * needs, so it is refused with a message saying what to write instead.
 */
function readSeeds(local: Config | undefined): SeedConfig[] {
  if (local?.has('seed')) {
    throw new Error(
      'Invalid config: mlops.local.seed was replaced by mlops.local.seeds, a list whose entries also name the ML system spec: ' +
        '[{ spec, data, entityRef, pipelineName, modelPackageGroupName, endpointName, releasePipelineName, deploy }]',
    );
  }
  const list = local?.getOptionalConfigArray('seeds') ?? [];
  const seeds = list.map((c, i) => readOneSeed(c, `mlops.local.seeds[${i}]`));
  // One system per pipeline, group and endpoint: seeds must not share them.
  for (const name of [
    'pipelineName',
    'modelPackageGroupName',
    'endpointName',
  ] as const) {
    const seen = new Map<string, number>();
    seeds.forEach((s, i) => {
      const value = s.resources[name];
      const first = seen.get(value);
      if (first !== undefined)
        invalid(
          `mlops.local.seeds[${i}].${name}`,
          `must differ from mlops.local.seeds[${first}].${name}`,
          value,
        );
      seen.set(value, i);
    });
  }
  return seeds;
}

function readBucketWatch(local: Config | undefined) {
  const bw = local?.getOptionalConfig('bucketWatch');
  if (!(bw?.getOptionalBoolean('enabled') ?? true)) return undefined;
  const stableMs = bw?.getOptionalNumber('stableMs') ?? 1000;
  if (!Number.isInteger(stableMs) || stableMs < 50 || stableMs > 600_000) {
    invalid(
      'mlops.local.bucketWatch.stableMs',
      'must be an integer 50-600000',
      stableMs,
    );
  }
  return { stableMs };
}

function readEndpoint(local: Config | undefined) {
  const ep = local?.getOptionalConfig('endpoint');
  if (!(ep?.getOptionalBoolean('enabled') ?? true)) return undefined;
  const port = ep?.getOptionalNumber('port') ?? 7070;
  // 0 asks the OS for a free port (tests, several backends on one machine).
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    invalid('mlops.local.endpoint.port', 'must be an integer 0-65535', port);
  }
  return { host: ep?.getOptionalString('host') ?? '127.0.0.1', port };
}

/** Most threads a training may ask for (more only adds waiting on 2-64 core machines). */
const MAX_TRAINING_THREADS = 64;

function readTrainingThreads(local: Config | undefined): number {
  const threads = local?.getOptionalNumber('training.threads');
  if (threads === undefined)
    return Math.min(os.availableParallelism(), MAX_TRAINING_THREADS);
  if (
    !Number.isInteger(threads) ||
    threads < 1 ||
    threads > MAX_TRAINING_THREADS
  ) {
    invalid(
      'mlops.local.training.threads',
      `must be an integer 1-${MAX_TRAINING_THREADS}`,
      threads,
    );
  }
  return threads;
}

/**
 * Reads and checks the local engine's config once, at start-up; errors name
 * the config key (type errors come from Config's own getters).
 */
export function readLocalSettings(config: Config): LocalSettings {
  const local = config.getOptionalConfig('mlops.local');
  const dataDir = local?.getOptionalString('dataDir') ?? '.mlops-data';
  if (dataDir.trim() === '') {
    invalid('mlops.local.dataDir', 'must be a directory path', dataDir);
  }
  return {
    dataDir: path.resolve(dataDir),
    seeds: readSeeds(local),
    allowPreApproval:
      config.getOptionalBoolean('mlops.approval.preApprove') ?? false,
    endpoint: readEndpoint(local),
    bucketWatch: readBucketWatch(local),
    trainingThreads: readTrainingThreads(local),
  };
}
