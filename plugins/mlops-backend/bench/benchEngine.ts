/** What the local-engine benchmarks share: a quiet engine on a temp SQLite file. */
import {
  ABALONE_RECORD as EXAMPLE_ABALONE,
  demoSystem,
} from '../src/__testUtils__/demoSystems';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import {
  type ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import fs from 'fs';
import knexFactory from 'knex';
import os from 'os';
import path from 'path';
import { LocalEngine } from '../src/engines/local/LocalEngine';

/** The demo's Abalone data, shipped in packages/demo-systems. */
export const ABALONE_DATA = path.resolve(
  __dirname,
  '../../../packages/demo-systems/abalone/abalone.data',
);

/** `--name <number>` from the command line, or `def`. */
export function numberArg(name: string, def: number): number {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
}

export const quietLogger: LoggerService = {
  info() {},
  debug() {},
  warn: (m: string) => console.warn(`warn: ${m}`),
  error: (m: string) => console.error(`error: ${m}`),
  child: () => quietLogger,
};

export const resources = {
  entityRef: 'component:default/abalone-age-predictor',
  pipelineName: 'abalone-pipeline',
  modelPackageGroupName: 'AbaloneModelPackageGroup',
  endpointName: 'abalone-endpoint',
  releasePipelineName: 'abalone-release',
  // what the plugin attaches from the entity's mlops.io/spec: the engine runs the system by it
  system: demoSystem('abalone').system,
};

export const actor = { ref: 'user:default/guest' };

/** A local engine with its own data directory and database; `dispose` removes both. */
export async function createBenchEngine(local: object = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'db.sqlite') },
    useNullAsDefault: true,
  });
  const engine = await LocalEngine.create({
    config: new ConfigReader({
      mlops: {
        qualityGate: { mseThreshold: 6 },
        local: {
          dataDir: path.join(dir, 'data'),
          endpoint: { host: '127.0.0.1', port: 0 },
          ...local,
        },
      },
    }),
    database: { getClient: async () => knex },
    logger: quietLogger,
  });
  const dispose = async () => {
    await engine.close();
    await knex.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { engine, dispose };
}

/** Resolves with the next version registered as PendingManualApproval. */
export function nextPendingVersion(
  engine: LocalEngine,
  timeoutMs: number,
): Promise<ModelVersion> {
  return new Promise<ModelVersion>((resolve, reject) => {
    const pending: { timer?: NodeJS.Timeout } = {};
    const off = engine.subscribe(e => {
      if (
        e.type === 'model-version' &&
        e.modelVersion.approvalStatus === 'PendingManualApproval'
      ) {
        off();
        clearTimeout(pending.timer);
        resolve(e.modelVersion);
      }
    });
    pending.timer = setTimeout(() => {
      off();
      reject(new Error(`no version after ${timeoutMs / 1000} s`));
    }, timeoutMs);
  });
}

/**
 * The user's story once: upload, wait for the registered version, approve
 * it (this deploys it), predict. Returns the marks (performance.now() ms)
 * and what each step produced.
 */
export async function uploadToPrediction(
  engine: LocalEngine,
  upload: { fileName: string; content: Buffer; timeoutMs: number },
) {
  const registered = nextPendingVersion(engine, upload.timeoutMs);
  const t0 = performance.now();
  const res = await engine.uploadDataset(resources, {
    fileName: upload.fileName,
    content: upload.content,
    contentType: 'text/csv',
    actor,
  });
  const uploaded = performance.now();
  const version = await registered;
  const registeredAt = performance.now();
  await engine.updateModelApproval(resources, version.version, {
    status: 'Approved',
    comment: 'benchmark auto-approval',
    actor,
  });
  const approved = performance.now();
  const prediction = await engine.predict(resources, [EXAMPLE_ABALONE]);
  const predicted = performance.now();
  if (prediction.modelVersion !== version.version)
    throw new Error('prediction not from the new version');
  const execution = await engine.getExecution(
    resources,
    res.execution!.executionId,
  );
  return {
    marks: { t0, uploaded, registered: registeredAt, approved, predicted },
    version,
    prediction,
    execution,
  };
}
