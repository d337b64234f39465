import type { Config } from '@backstage/config';
import { DEFAULT_MSE_THRESHOLD } from '@mlops-portal/plugin-mlops-common';
import type { MlopsResources } from '@mlops-portal/plugin-mlops-common';
import path from 'path';

export interface SeedConfig {
  source: string;
  resources: MlopsResources;
}

export interface LocalSettings {
  dataDir: string;
  mseThreshold: number;
  seed?: SeedConfig;
  endpoint?: { host: string; port: number };
  /** Drop-a-file ingestion; undefined when disabled. */
  bucketWatch?: { stableMs: number };
}

/** Thrown at start-up for a config value the engine cannot run with. */
function invalid(key: string, rule: string, value: unknown): never {
  throw new Error(
    `Invalid config: ${key} ${rule}, got ${JSON.stringify(value)}`,
  );
}

function readSeed(local: Config | undefined): SeedConfig | undefined {
  const seedCfg = local?.getOptionalConfig('seed');
  if (!seedCfg?.has('source')) return undefined;
  const source = seedCfg.getString('source');
  if (source.trim() === '') {
    invalid('mlops.local.seed.source', 'must be a path or URL', source);
  }
  return {
    source,
    resources: {
      entityRef: seedCfg.getOptionalString('entityRef') ?? '',
      pipelineName:
        seedCfg.getOptionalString('pipelineName') ?? 'abalone-pipeline',
      modelPackageGroupName:
        seedCfg.getOptionalString('modelPackageGroupName') ??
        'AbaloneModelPackageGroup',
      endpointName:
        seedCfg.getOptionalString('endpointName') ?? 'abalone-endpoint',
      releasePipelineName:
        seedCfg.getOptionalString('releasePipelineName') ?? undefined,
    },
  };
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
  const mseThreshold =
    config.getOptionalNumber('mlops.qualityGate.mseThreshold') ??
    DEFAULT_MSE_THRESHOLD;
  if (!Number.isFinite(mseThreshold) || mseThreshold <= 0) {
    invalid(
      'mlops.qualityGate.mseThreshold',
      'must be a positive number',
      mseThreshold,
    );
  }
  return {
    dataDir: path.resolve(dataDir),
    mseThreshold,
    seed: readSeed(local),
    endpoint: readEndpoint(local),
    bucketWatch: readBucketWatch(local),
  };
}
