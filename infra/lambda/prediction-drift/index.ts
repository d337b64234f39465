/**
 * Prediction-drift publisher of one endpoint's rollouts: on every Data Capture
 * file SageMaker writes under the endpoint's capture prefix (an S3 "Object
 * Created" event through EventBridge, or an S3 notification record), count the
 * file's predictions into the buckets of the baseline of the version being
 * rolled out, and publish their PSI as `MLOpsPortal/Rollouts` `PredictionDrift`
 * {EndpointName}, the metric the `<endpoint>-rollout-prediction-drift` alarm
 * watches (infra/lib/rollout.ts). Reads are capped (bytes and lines); a file or
 * line that is not what Data Capture writes is logged briefly and skipped.
 */
import {
  CloudWatchClient,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { bucketsOf, outputValues, predictionPsi } from './baseline';
import { captureOutputs } from './capture';
import { BaselineResolver, NoBaseline, ServedBaseline } from './served';

export const METRICS_NAMESPACE = 'MLOpsPortal/Rollouts';
export const PREDICTION_DRIFT_METRIC = 'PredictionDrift';

export interface DriftConfig {
  endpointName: string;
  captureBucket: string;
  /** Data Capture's destination prefix (no trailing slash); files land under <prefix>/<endpoint>/. */
  capturePrefix: string;
  /** Fewer predictions in a file are not judged (the strategy's minInvocations). */
  minPredictions: number;
  maxCaptureBytes: number;
  maxCaptureLines: number;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): DriftConfig {
  const need = (name: string): string => {
    const v = env[name];
    if (!v || v.trim() === '')
      throw new Error(`environment variable ${name} is required`);
    return v.trim();
  };
  const positive = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 1)
      throw new Error(
        `environment variable ${name} must be a positive integer, got ${raw.slice(
          0,
          40,
        )}`,
      );
    return v;
  };
  return {
    endpointName: need('ENDPOINT_NAME'),
    captureBucket: need('CAPTURE_BUCKET'),
    capturePrefix: need('CAPTURE_PREFIX').replace(/\/+$/, ''),
    minPredictions: positive('MIN_PREDICTIONS', 10),
    maxCaptureBytes: positive('MAX_CAPTURE_BYTES', 8 * 1024 * 1024),
    maxCaptureLines: positive('MAX_CAPTURE_LINES', 20_000),
  };
}

/** S3 notification keys are URL-encoded with '+' for spaces. */
export function decodeKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** Bucket and key of each created object in an EventBridge S3 event or an S3 notification. */
export function createdObjects(
  event: unknown,
): { bucket: string; key: string }[] {
  const e = event as any;
  if (e?.source === 'aws.s3' && e?.['detail-type'] === 'Object Created') {
    const bucket = e.detail?.bucket?.name;
    const key = e.detail?.object?.key;
    return typeof bucket === 'string' && typeof key === 'string'
      ? [{ bucket, key }]
      : [];
  }
  if (Array.isArray(e?.Records))
    return e.Records.filter(
      (r: any) =>
        String(r?.eventName ?? '').startsWith('ObjectCreated') &&
        typeof r?.s3?.bucket?.name === 'string' &&
        typeof r?.s3?.object?.key === 'string',
    ).map((r: any) => ({
      bucket: r.s3.bucket.name,
      key: decodeKey(r.s3.object.key),
    }));
  return [];
}

export interface DriftResult {
  published: boolean;
  reason?: string;
  psi?: number;
  predictions: number;
  files: string[];
  modelPackageArn?: string;
  pending?: boolean;
}

const log = (fields: Record<string, unknown>) =>
  console.log(JSON.stringify(fields));

export function createHandler(
  clients: {
    s3: S3Client;
    sagemaker: SageMakerClient;
    cloudwatch: CloudWatchClient;
  },
  env: NodeJS.ProcessEnv = process.env,
) {
  const resolver = new BaselineResolver(clients.sagemaker, clients.s3);
  return async (event: unknown): Promise<DriftResult> => {
    const config = readConfig(env);
    const own = `${config.capturePrefix}/${config.endpointName}/`;
    const files = createdObjects(event)
      .filter(o => o.bucket === config.captureBucket && o.key.startsWith(own))
      .map(o => o.key)
      .filter(k => k.endsWith('.jsonl'));
    const result: DriftResult = { published: false, predictions: 0, files };
    const done = (reason: string) => {
      result.reason = reason;
      log({ message: 'drift not published', reason, files });
      return result;
    };
    if (files.length === 0)
      return done(`no capture file of ${config.endpointName} in the event`);

    let served: ServedBaseline;
    try {
      served = await resolver.forEndpoint(config.endpointName);
    } catch (e) {
      if (e instanceof NoBaseline) return done(e.message);
      throw e;
    }
    result.modelPackageArn = served.modelPackageArn;
    result.pending = served.pending;
    const baseline = served.baseline;
    if (baseline.kind === 'none')
      return done(
        `${served.modelPackageArn} has no usable baseline: ${baseline.reason}`,
      );

    const counts = new Array<number>(baseline.shares.length + 1).fill(0);
    for (const key of files) {
      const text = await readCapped(
        clients.s3,
        config.captureBucket,
        key,
        config.maxCaptureBytes,
      );
      const capture = captureOutputs(text.text, {
        maxLines: config.maxCaptureLines,
        complete: text.complete,
      });
      let unusable = 0;
      for (const output of capture.outputs) {
        const values = outputValues(output);
        const buckets = values && bucketsOf(baseline, values);
        if (!buckets) {
          unusable++;
          continue;
        }
        for (const b of buckets) counts[b]++;
      }
      if (capture.skipped || unusable || capture.truncated)
        log({
          message: 'capture file partly read',
          key,
          lines: capture.lines,
          skippedLines: capture.skipped,
          unusableOutputs: unusable,
          truncated: capture.truncated,
          problems: capture.problems,
        });
    }
    result.predictions = counts.reduce((a, b) => a + b, 0);
    if (result.predictions < config.minPredictions)
      return done(
        `${result.predictions} predictions, fewer than ${config.minPredictions}`,
      );
    const psi = predictionPsi(baseline.shares, counts)!;
    await clients.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: METRICS_NAMESPACE,
        MetricData: [
          {
            MetricName: PREDICTION_DRIFT_METRIC,
            Dimensions: [{ Name: 'EndpointName', Value: config.endpointName }],
            // Now, not the captures' time: the alarm judges the latest minute.
            Timestamp: new Date(),
            Value: psi,
            Unit: 'None',
          },
        ],
      }),
    );
    result.published = true;
    result.psi = psi;
    log({
      message: 'drift published',
      endpointName: config.endpointName,
      psi,
      predictions: result.predictions,
      modelPackageArn: served.modelPackageArn,
      pending: served.pending,
      files,
    });
    return result;
  };
}

/** The object's first `maxBytes` bytes; `complete` is false when it is longer. */
async function readCapped(
  s3: S3Client,
  bucket: string,
  key: string,
  maxBytes: number,
): Promise<{ text: string; complete: boolean }> {
  const object = await s3.send(
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      Range: `bytes=0-${maxBytes - 1}`,
    }),
  );
  const text = (await object.Body?.transformToString('utf-8')) ?? '';
  // "bytes 0-999/5000": the size after the slash says whether the read was whole.
  const total = Number(/\/(\d+)$/.exec(object.ContentRange ?? '')?.[1]);
  const complete = Number.isFinite(total)
    ? total <= maxBytes
    : Buffer.byteLength(text) < maxBytes;
  return { text, complete };
}

export const handler = createHandler({
  s3: new S3Client({}),
  sagemaker: new SageMakerClient({}),
  cloudwatch: new CloudWatchClient({}),
});
