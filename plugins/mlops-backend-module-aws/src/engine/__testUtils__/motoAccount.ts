/**
 * The abalone reference system inside the moto harness, for the aws engine
 * over real HTTP: buckets, the model package group, the SageMaker pipeline
 * with the definition infra synthesises, the release (Source → CI →
 * MLPipeline → Approval → Deploy) bound to the data prefix, and a model host
 * that serves the deployed version's artifacts with ml-core's predictor.
 *
 * The emulator does not train: the Train step's output is a model trained
 * here, once, with ml-core on the demo data (its evaluation.json is that
 * model's real test metrics). Uploads start releases and registrations; they
 * do not change the model.
 */
import fs from 'fs';
import path from 'path';
import {
  CreateModelPackageGroupCommand,
  CreatePipelineCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  createPredictor,
  parseAbaloneCsv,
  preprocess,
  REFERENCE_HYPERPARAMETERS,
  regressionMetrics,
  toEvaluationJson,
  trainXGBoost,
  type LabeledRecord,
} from '@mlops-portal/ml-core';
import type { AwsClients } from '../clients';
import {
  startMotoHarness,
  type MotoHarness,
  type ModelHost,
} from '../../testing/moto/motoHarness';
import {
  ACCOUNT,
  GROUP,
  PIPELINE,
  PIPELINE_DEFINITION,
  REGION,
  RELEASE,
  ENDPOINT,
  ROLE_ARN,
} from '../__fixtures__/sagemaker';
import { ABALONE_SIGNATURE } from '../__fixtures__/signatures';
import { DATA_BUCKET, testCredentials } from './helpers';

export const ARTIFACT_BUCKET = `abalone-artifacts-${ACCOUNT}`;
const DEMO_DATA = path.resolve(
  __dirname,
  '../../../../../packages/demo-systems/abalone/abalone.data',
);

/** SDK clients that talk to the emulator (path-style S3: an IP endpoint needs it). */
export function emulatorClients(endpoint: string, region = REGION): AwsClients {
  const common = {
    region,
    endpoint,
    credentials: testCredentials,
    maxAttempts: 2,
  };
  return {
    sagemaker: new SageMakerClient(common),
    runtime: new SageMakerRuntimeClient(common),
    codepipeline: new CodePipelineClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
    cloudwatch: new CloudWatchClient(common),
  };
}

/** The demo data's first `n` rows, as the CSV an uploader sends. */
export function demoCsv(n = 300): string {
  const lines = fs.readFileSync(DEMO_DATA, 'utf8').trim().split('\n');
  return `${lines.slice(0, n).join('\n')}\n`;
}

/** A real model of the demo data: preprocessor.json, model.json and evaluation.json. */
export function trainDemoModel() {
  const parsed = parseAbaloneCsv(fs.readFileSync(DEMO_DATA, 'utf8'));
  const records = parsed.records as LabeledRecord[];
  const data = preprocess(records, { seed: 42 });
  const { booster } = trainXGBoost(
    { ...REFERENCE_HYPERPARAMETERS, num_round: 20 },
    data.train,
    data.validation,
  );
  const metrics = regressionMetrics(
    data.test.labels,
    booster.predict(data.test),
  );
  return {
    preprocessor: JSON.stringify(data.preprocessor),
    model: booster.toXGBoostJSONString(),
    evaluation: JSON.stringify(toEvaluationJson(metrics)),
    // The demo spec's inputs in the order this model's preprocessor reads them.
    signature: JSON.stringify(ABALONE_SIGNATURE),
    metrics,
  };
}

/** InvokeEndpoint answers: [preprocessor, model] artifacts read from S3, ml-core predicts. */
export function mlCoreModelHost(s3: S3Client): ModelHost {
  const texts = new Map<string, Promise<string>>();
  const read = (uri: string) => {
    let t = texts.get(uri);
    if (!t) {
      const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
      if (!m) throw new Error(`not an S3 URI: ${uri}`);
      t = s3
        .send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }))
        .then(o => o.Body!.transformToString('utf-8'));
      texts.set(uri, t);
    }
    return t;
  };
  return async req => {
    if (req.modelDataUrls.length !== 2) {
      return {
        status: 400,
        body: 'expected a [preprocessor, model] pipeline model',
      };
    }
    const [pre, model] = await Promise.all(req.modelDataUrls.map(read));
    const parsed = parseAbaloneCsv(req.body.toString('utf8'), {
      labelOptional: true,
    });
    if (parsed.errors.length) {
      return { status: 400, body: JSON.stringify(parsed.errors.slice(0, 5)) };
    }
    const rings = createPredictor(JSON.parse(pre), JSON.parse(model)).predict(
      parsed.records,
    );
    return { body: `${Array.from(rings, r => r.toFixed(6)).join('\n')}\n` };
  };
}

export interface MotoAccount {
  harness: MotoHarness;
  clients: AwsClients;
  trained: ReturnType<typeof trainDemoModel>;
  /** Objects under the data prefix (what an upload stores). */
  dataObjectCount(): Promise<number>;
  close(): Promise<void>;
}

/** Starts the harness and creates the reference system's resources in it. */
export async function startMotoAccount(
  options: { stepSeconds?: number; corsOrigins?: string[] } = {},
): Promise<MotoAccount> {
  const trained = trainDemoModel();
  // The model host reads S3 through its own client, made once the port is known.
  const host: { s3?: S3Client } = {};
  const harness = await startMotoHarness({
    stepSeconds: options.stepSeconds ?? 0.3,
    modelHost: req => mlCoreModelHost(host.s3!)(req),
  });
  const clients = emulatorClients(harness.endpoint);
  host.s3 = clients.s3;
  for (const bucket of [DATA_BUCKET, ARTIFACT_BUCKET]) {
    await clients.s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: REGION },
      }),
    );
  }
  if (options.corsOrigins) {
    // What infra's data bucket allows a browser: PUT parts, read the ETag.
    await clients.s3.send(
      new PutBucketCorsCommand({
        Bucket: DATA_BUCKET,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: options.corsOrigins,
              AllowedMethods: ['PUT'],
              AllowedHeaders: ['*'],
              ExposeHeaders: ['ETag'],
              MaxAgeSeconds: 3000,
            },
          ],
        },
      }),
    );
  }
  await clients.sagemaker.send(
    new CreateModelPackageGroupCommand({ ModelPackageGroupName: GROUP }),
  );
  await clients.sagemaker.send(
    new CreatePipelineCommand({
      PipelineName: PIPELINE,
      PipelineDefinition: PIPELINE_DEFINITION,
      RoleArn: ROLE_ARN,
      ClientRequestToken: 'create-abalone-pipeline-0000000001',
    }),
  );
  await harness.control(`pipelines/${PIPELINE}`, {
    outputs: {
      Preprocess: {
        preprocessor: { 'model.tar.gz': trained.preprocessor },
        // Register names it in the package's mlops:signature.
        signature: { 'signature.json': trained.signature },
      },
      Train: { 'model.tar.gz': trained.model },
      Evaluate: { evaluation: { 'evaluation.json': trained.evaluation } },
    },
  });
  await harness.control(`releases/${RELEASE}`, {
    region: REGION,
    pipeline: PIPELINE,
    modelPackageGroup: GROUP,
    endpoint: ENDPOINT,
    dataUri: `s3://${DATA_BUCKET}/data/`,
    // The stages of infra/lib/release-stack.ts.
    stages: [
      { name: 'Source', kind: 'action' },
      { name: 'CI', kind: 'action' },
      { name: 'MLPipeline', kind: 'sagemaker-pipeline' },
      { name: 'Approval', kind: 'approval', action: 'ManualApproval' },
      { name: 'Deploy', kind: 'deploy' },
    ],
  });
  return {
    harness,
    clients,
    trained,
    dataObjectCount: async () => {
      const res = await clients.s3.send(
        new ListObjectsV2Command({ Bucket: DATA_BUCKET, Prefix: 'data/' }),
      );
      return res.KeyCount ?? 0;
    },
    close: () => harness.stop(),
  };
}
