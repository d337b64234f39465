import {
  CloudWatchClient,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelPackageCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsShapeItem } from '../../../scripts/aws-models/validate';
import {
  BaselineError,
  bucketsOf,
  outputValues,
  parseBaseline,
  predictionPsi,
} from './baseline';
import { captureOutputs } from './capture';
import { createdObjects, createHandler, readConfig } from './index';

const { validateAwsShapes } =
  require('../../../scripts/aws-models/validate.cjs') as {
    validateAwsShapes: (items: AwsShapeItem[]) => string[];
  };

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ENDPOINT = 'sys-a-endpoint';
const BUCKET = `mlops-artifacts-${ACCOUNT}-${REGION}`;
const PREFIX = 'systems/sys-a/monitoring/capture';
const CURRENT_CONFIG = 'EndpointConfig-Old1x2y3z';
const PENDING_CONFIG = 'EndpointConfig-New4a5b6c';
const packageArn = (v: number) =>
  `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/sys-a-models/${v}`;
const BASELINE_KEY = (v: number) =>
  `systems/sys-a/runs/exec-${v}/evaluation/prediction-baseline.json`;
const CAPTURE_KEY = `${PREFIX}/${ENDPOINT}/AllTraffic/2026/12/07/15/01-02-345-0a1b2c3d-4e5f-6789-abcd-ef0123456789.jsonl`;

const env = {
  ENDPOINT_NAME: ENDPOINT,
  CAPTURE_BUCKET: BUCKET,
  CAPTURE_PREFIX: PREFIX,
  MIN_PREDICTIONS: '3',
};

/** One Data Capture line as SageMaker writes it (JSON lines, CSV captured as text). */
function captureLine(
  output: string,
  opts: { encoding?: 'CSV' | 'BASE64'; contentType?: string } = {},
): string {
  const encoding = opts.encoding ?? 'CSV';
  return JSON.stringify({
    captureData: {
      endpointInput: {
        observedContentType: 'text/csv',
        mode: 'INPUT',
        data: '0.5,1.25,red',
        encoding: 'CSV',
      },
      endpointOutput: {
        observedContentType: opts.contentType ?? 'text/csv; charset=utf-8',
        mode: 'OUTPUT',
        data:
          encoding === 'BASE64'
            ? Buffer.from(output).toString('base64')
            : output,
        encoding,
      },
    },
    eventMetadata: {
      eventId: '6f1c2b7e-0d9a-4a4e-9c43-5b0e2a1d7c11',
      inferenceTime: '2026-12-07T15:01:02Z',
    },
    eventVersion: '0',
  });
}

function objectCreated(key: string, bucket = BUCKET) {
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: ACCOUNT,
    time: '2026-12-07T15:06:00Z',
    region: REGION,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key, size: 1234, etag: 'b1946ac92492d2347c6235b4d2611184' },
      reason: 'PutObject',
    },
  };
}

const REGRESSION_BASELINE = {
  format: 'mlops-portal/prediction-baseline',
  task: 'regression',
  kind: 'bins',
  edges: [5, 10],
  shares: [0.25, 0.5, 0.25],
  count: 40,
};
const MULTICLASS_BASELINE = {
  format: 'mlops-portal/prediction-baseline',
  task: 'multiclass',
  kind: 'classes',
  labels: ['a', 'b', 'c'],
  shares: [0.5, 0.3, 0.2],
  count: 50,
};

const s3Mock = mockClient(S3Client);
const smMock = mockClient(SageMakerClient);
const cwMock = mockClient(CloudWatchClient);
/** The mocked AWS answers, checked against botocore's output shapes at the end of a test. */
let answers: AwsShapeItem[] = [];

const t0 = new Date('2026-12-01T10:00:00Z');

function answer<T>(service: string, operation: string, value: T): T {
  answers.push({ service, operation, kind: 'output', value, label: operation });
  return value;
}

function body(text: string, total = Buffer.byteLength(text)) {
  return {
    ContentRange: `bytes 0-${Math.max(
      Buffer.byteLength(text) - 1,
      0,
    )}/${total}`,
    Body: { transformToString: async () => text } as any,
  };
}

/** An endpoint serving package version 3, optionally updating to version 4. */
function endpoint(opts: {
  pending?: boolean;
  baselines: Record<number, unknown>;
  capture: string;
  captureTotal?: number;
}) {
  smMock.on(DescribeEndpointCommand).resolves(
    answer('sagemaker', 'DescribeEndpoint', {
      EndpointName: ENDPOINT,
      EndpointArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${ENDPOINT}`,
      EndpointConfigName: CURRENT_CONFIG,
      EndpointStatus: opts.pending ? 'Updating' : 'InService',
      CreationTime: t0,
      LastModifiedTime: t0,
      ...(opts.pending
        ? {
            PendingDeploymentSummary: {
              EndpointConfigName: PENDING_CONFIG,
              StartTime: t0,
            },
          }
        : {}),
    }),
  );
  const configs: Record<string, number> = {
    [CURRENT_CONFIG]: 3,
    [PENDING_CONFIG]: 4,
  };
  for (const [name, version] of Object.entries(configs)) {
    const arn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint-config/${name.toLowerCase()}`;
    smMock
      .on(DescribeEndpointConfigCommand, { EndpointConfigName: name })
      .resolves(
        answer('sagemaker', 'DescribeEndpointConfig', {
          EndpointConfigName: name,
          EndpointConfigArn: arn,
          ProductionVariants: [
            {
              VariantName: 'AllTraffic',
              ModelName: `${ENDPOINT}-v-${version}`,
              InitialInstanceCount: 1,
              InstanceType: 'ml.m5.large',
            },
          ],
          CreationTime: t0,
        }),
      );
    smMock.on(ListTagsCommand, { ResourceArn: arn }).resolves(
      answer('sagemaker', 'ListTags', {
        Tags: [
          { Key: 'aws:cloudformation:stack-name', Value: 'MlopsServing' },
          { Key: 'mlops:model-package-arn', Value: packageArn(version) },
        ],
      }),
    );
  }
  for (const version of [3, 4]) {
    const baseline = opts.baselines[version];
    smMock
      .on(DescribeModelPackageCommand, {
        ModelPackageName: packageArn(version),
      })
      .resolves(
        answer('sagemaker', 'DescribeModelPackage', {
          ModelPackageName: 'sys-a-models',
          ModelPackageGroupName: 'sys-a-models',
          ModelPackageVersion: version,
          ModelPackageArn: packageArn(version),
          CreationTime: t0,
          ModelPackageStatus: 'Completed',
          ModelPackageStatusDetails: { ValidationStatuses: [] },
          CustomerMetadataProperties: {
            'mlops:task': 'regression',
            ...(baseline === undefined
              ? {}
              : {
                  'mlops:prediction-baseline': `s3://${BUCKET}/${BASELINE_KEY(
                    version,
                  )}`,
                }),
          },
        }),
      );
    if (baseline !== undefined)
      s3Mock
        .on(GetObjectCommand, { Bucket: BUCKET, Key: BASELINE_KEY(version) })
        .resolves(body(JSON.stringify(baseline)));
  }
  s3Mock
    .on(GetObjectCommand, { Bucket: BUCKET, Key: CAPTURE_KEY })
    .resolves(body(opts.capture, opts.captureTotal));
}

/** Every request the handler sent, as botocore shape items. */
function requests(): AwsShapeItem[] {
  const items: AwsShapeItem[] = [];
  const add = (service: string, mock: any) =>
    mock.calls().forEach((call: any) =>
      items.push({
        service,
        operation: call.args[0].constructor.name.replace(/Command$/, ''),
        kind: 'input',
        value: call.args[0].input,
      }),
    );
  add('s3', s3Mock);
  add('sagemaker', smMock);
  add('cloudwatch', cwMock);
  return items;
}

/** Mocked answers without the streaming body (not part of the JSON shape). */
const answerShapes = () => answers;

const clients = () => ({
  s3: new S3Client({ region: REGION }),
  sagemaker: new SageMakerClient({ region: REGION }),
  cloudwatch: new CloudWatchClient({ region: REGION }),
});

const psiOf = (pairs: [number, number][]) =>
  pairs.reduce((sum, [a, e]) => sum + (a - e) * Math.log(a / e), 0);

beforeEach(() => {
  s3Mock.reset();
  smMock.reset();
  cwMock.reset();
  cwMock.on(PutMetricDataCommand).resolves({});
  answers = [];
  jest.spyOn(console, 'log').mockImplementation(() => {});
});

afterEach(() => jest.restoreAllMocks());

describe('prediction-drift publisher', () => {
  it('publishes the PSI of a capture file against the pending version’s baseline, skipping foreign lines', async () => {
    const capture = [
      captureLine('4.0'),
      captureLine('7\n8'),
      captureLine('12.5'),
      captureLine('nan'),
      captureLine('6.5', { encoding: 'BASE64' }),
      '{"captureData": {"endpointInput": {}}}',
      'not json at all',
      captureLine('{"predictions":[1]}', { contentType: 'application/json' }),
      captureLine('<html>error</html>'),
      '',
    ].join('\n');
    endpoint({
      pending: true,
      baselines: { 3: MULTICLASS_BASELINE, 4: REGRESSION_BASELINE },
      capture,
    });
    const handler = createHandler(clients(), env);
    const result = await handler(objectCreated(CAPTURE_KEY));

    // 4 → bin 0; 7, 8, 6.5 → bin 1; 12.5 → bin 2; nan → the extra bucket.
    const expected = psiOf([
      [1 / 6, 0.25],
      [3 / 6, 0.5],
      [1 / 6, 0.25],
      [1 / 6, 1e-4],
    ]);
    expect(result).toMatchObject({
      published: true,
      predictions: 6,
      modelPackageArn: packageArn(4),
      pending: true,
      files: [CAPTURE_KEY],
    });
    expect(result.psi).toBeCloseTo(expected, 10);
    const put = cwMock.commandCalls(PutMetricDataCommand);
    expect(put).toHaveLength(1);
    expect(put[0].args[0].input).toMatchObject({
      Namespace: 'MLOpsPortal/Rollouts',
      MetricData: [
        {
          MetricName: 'PredictionDrift',
          Dimensions: [{ Name: 'EndpointName', Value: ENDPOINT }],
          Unit: 'None',
        },
      ],
    });
    expect(put[0].args[0].input.MetricData![0].Value).toBeCloseTo(expected, 10);
    // The capture read is bounded by a byte range.
    const captureRead = s3Mock
      .commandCalls(GetObjectCommand)
      .find(c => c.args[0].input.Key === CAPTURE_KEY)!;
    expect(captureRead.args[0].input.Range).toBe(
      `bytes=0-${8 * 1024 * 1024 - 1}`,
    );
    // The skipped lines are logged with bounded reasons.
    const logged = (console.log as jest.Mock).mock.calls.map(c =>
      JSON.parse(c[0]),
    );
    const partly = logged.find(l => l.message === 'capture file partly read');
    expect(partly).toMatchObject({ skippedLines: 3, unusableOutputs: 1 });
    expect(partly.problems).toHaveLength(3);

    expect(validateAwsShapes([...requests(), ...answerShapes()])).toEqual([]);
  });

  it('uses the current config’s version outside a rollout and caches config and baseline lookups', async () => {
    const capture = [
      captureLine('[0.8, 0.1, 0.1]'),
      captureLine('0.1,0.7,0.2\n0.2,0.2,0.6'),
      captureLine('0.9,0.05,0.05'),
      captureLine('0.5,0.5'), // not a multiple of the classes: unusable
    ].join('\n');
    endpoint({
      baselines: { 3: MULTICLASS_BASELINE, 4: REGRESSION_BASELINE },
      capture,
    });
    const handler = createHandler(clients(), env);
    const first = await handler(objectCreated(CAPTURE_KEY));
    const second = await handler(objectCreated(CAPTURE_KEY));
    // a, b, c, a → shares [0.5, 0.25, 0.25] against [0.5, 0.3, 0.2].
    const expected = psiOf([
      [0.5, 0.5],
      [0.25, 0.3],
      [0.25, 0.2],
      [1e-4, 1e-4],
    ]);
    for (const r of [first, second]) {
      expect(r).toMatchObject({
        published: true,
        predictions: 4,
        pending: false,
        modelPackageArn: packageArn(3),
      });
      expect(r.psi).toBeCloseTo(expected, 10);
    }
    expect(smMock.commandCalls(DescribeEndpointCommand)).toHaveLength(2);
    expect(smMock.commandCalls(DescribeEndpointConfigCommand)).toHaveLength(1);
    expect(smMock.commandCalls(ListTagsCommand)).toHaveLength(1);
    expect(smMock.commandCalls(DescribeModelPackageCommand)).toHaveLength(1);
    const baselineReads = s3Mock
      .commandCalls(GetObjectCommand)
      .filter(c => c.args[0].input.Key === BASELINE_KEY(3));
    expect(baselineReads).toHaveLength(1);
    expect(cwMock.commandCalls(PutMetricDataCommand)).toHaveLength(2);
    expect(validateAwsShapes([...requests(), ...answerShapes()])).toEqual([]);
  });

  it('ignores objects of other endpoints, other buckets and non-capture keys without calling AWS', async () => {
    const handler = createHandler(clients(), env);
    for (const event of [
      objectCreated(
        `${PREFIX}/other-endpoint/AllTraffic/2026/12/07/15/x.jsonl`,
      ),
      objectCreated(CAPTURE_KEY, 'some-other-bucket'),
      objectCreated(
        `${PREFIX}/${ENDPOINT}/AllTraffic/2026/12/07/15/x.json.tmp`,
      ),
      { source: 'aws.s3', 'detail-type': 'Object Deleted', detail: {} },
      { hello: 'world' },
      null,
    ]) {
      const r = await handler(event);
      expect(r.published).toBe(false);
      expect(r.reason).toMatch(/no capture file/);
    }
    expect(smMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
    expect(cwMock.calls()).toHaveLength(0);
  });

  it('publishes nothing (and does not throw) when the version has no baseline or too few predictions', async () => {
    endpoint({
      pending: true,
      baselines: { 3: MULTICLASS_BASELINE },
      capture: captureLine('7'),
    });
    const noMetadata = await createHandler(
      clients(),
      env,
    )(objectCreated(CAPTURE_KEY));
    expect(noMetadata).toMatchObject({ published: false });
    expect(noMetadata.reason).toMatch(/has no mlops:prediction-baseline/);

    smMock.reset();
    s3Mock.reset();
    endpoint({
      pending: true,
      baselines: {
        4: {
          format: 'mlops-portal/prediction-baseline',
          task: 'regression',
          kind: 'none',
          reason: '3 finite predictions',
        },
      },
      capture: captureLine('7'),
    });
    const none = await createHandler(
      clients(),
      env,
    )(objectCreated(CAPTURE_KEY));
    expect(none.reason).toMatch(/no usable baseline: 3 finite predictions/);

    smMock.reset();
    s3Mock.reset();
    endpoint({
      pending: true,
      baselines: { 4: { format: 'other' } },
      capture: captureLine('7'),
    });
    const foreign = await createHandler(
      clients(),
      env,
    )(objectCreated(CAPTURE_KEY));
    expect(foreign.reason).toMatch(
      /prediction-baseline\.json: format: expected mlops-portal\/prediction-baseline/,
    );

    smMock.reset();
    s3Mock.reset();
    endpoint({
      pending: true,
      baselines: { 4: REGRESSION_BASELINE },
      capture: `${captureLine('7')}\n${captureLine('8')}`,
    });
    const few = await createHandler(clients(), env)(objectCreated(CAPTURE_KEY));
    expect(few).toMatchObject({ published: false, predictions: 2 });
    expect(few.reason).toBe('2 predictions, fewer than 3');
    expect(cwMock.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  it('drops the cut last line of a capture file longer than the byte cap', async () => {
    const lines = [
      captureLine('1'),
      captureLine('6'),
      captureLine('11'),
      captureLine('12'),
    ];
    const whole = lines.join('\n');
    const cut = whole.slice(0, whole.length - 20);
    endpoint({
      pending: true,
      baselines: { 4: REGRESSION_BASELINE },
      capture: cut,
      captureTotal: Buffer.byteLength(whole),
    });
    const handler = createHandler(clients(), {
      ...env,
      MAX_CAPTURE_BYTES: String(Buffer.byteLength(cut)),
    });
    const r = await handler(objectCreated(CAPTURE_KEY));
    expect(r).toMatchObject({ published: true, predictions: 3 });
    const logged = (console.log as jest.Mock).mock.calls.map(c =>
      JSON.parse(c[0]),
    );
    expect(
      logged.find(l => l.message === 'capture file partly read'),
    ).toMatchObject({
      truncated: true,
      lines: 3,
      skippedLines: 0,
    });
  });

  it('reads S3 notification records too (URL-encoded keys)', () => {
    expect(
      createdObjects({
        Records: [
          {
            eventName: 'ObjectCreated:Put',
            s3: { bucket: { name: BUCKET }, object: { key: 'a/b+c%3D.jsonl' } },
          },
          {
            eventName: 'ObjectRemoved:Delete',
            s3: { bucket: { name: BUCKET }, object: { key: 'x' } },
          },
        ],
      }),
    ).toEqual([{ bucket: BUCKET, key: 'a/b c=.jsonl' }]);
  });

  it('refuses a bad configuration naming the variable', () => {
    expect(() => readConfig({ ...env, ENDPOINT_NAME: '' })).toThrow(
      /ENDPOINT_NAME is required/,
    );
    expect(() => readConfig({ ...env, MIN_PREDICTIONS: '0' })).toThrow(
      /MIN_PREDICTIONS must be a positive integer/,
    );
    expect(readConfig({ ...env, CAPTURE_PREFIX: `${PREFIX}/` })).toMatchObject({
      capturePrefix: PREFIX,
      minPredictions: 3,
      maxCaptureLines: 20000,
    });
  });
});

describe('baseline and capture parsing', () => {
  it('checks the baseline file naming the field', () => {
    const bad = (doc: unknown) => () => parseBaseline(JSON.stringify(doc));
    expect(() => parseBaseline('{')).toThrow(BaselineError);
    expect(bad({ ...REGRESSION_BASELINE, task: 'ranking' })).toThrow(/^task:/);
    expect(bad({ ...REGRESSION_BASELINE, edges: [5] })).toThrow(
      /^edges: expected one number fewer/,
    );
    expect(bad({ ...REGRESSION_BASELINE, edges: [10, 5] })).toThrow(
      /^edges: expected ascending/,
    );
    expect(bad({ ...REGRESSION_BASELINE, shares: [] })).toThrow(/^shares:/);
    expect(bad({ ...MULTICLASS_BASELINE, labels: ['a', 'b'] })).toThrow(
      /^labels:/,
    );
    expect(bad({ ...MULTICLASS_BASELINE, kind: 'bins' })).toThrow(
      /^kind: bins does not fit task multiclass/,
    );
    expect(parseBaseline(JSON.stringify(MULTICLASS_BASELINE))).toEqual({
      task: 'multiclass',
      kind: 'classes',
      labels: ['a', 'b', 'c'],
      shares: [0.5, 0.3, 0.2],
    });
  });

  it('reads the container’s CSV answers and buckets them per task', () => {
    expect(outputValues('1.5\n2e-3,-4')).toEqual([1.5, 0.002, -4]);
    expect(outputValues('[0.2, 0.8]')).toEqual([0.2, 0.8]);
    expect(outputValues('NaN')).toEqual([NaN]);
    expect(outputValues('')).toBeUndefined();
    expect(outputValues('0x10')).toBeUndefined();
    expect(outputValues(',1')).toBeUndefined();
    const binary = parseBaseline(
      JSON.stringify({
        format: 'mlops-portal/prediction-baseline',
        task: 'binary',
        kind: 'classes',
        labels: ['no', 'yes'],
        shares: [0.6, 0.4],
      }),
    );
    if (binary.kind === 'none') throw new Error('unexpected');
    // A tie goes to the first class, as the prediction API decides.
    expect(bucketsOf(binary, [0.5, 0.51, 0.1, NaN])).toEqual([0, 1, 0, 2]);
    const regression = parseBaseline(JSON.stringify(REGRESSION_BASELINE));
    if (regression.kind === 'none') throw new Error('unexpected');
    // A value on an edge is in the bin above it.
    expect(bucketsOf(regression, [5, 9.99, 10, Infinity])).toEqual([
      1, 1, 2, 3,
    ]);
  });

  it('computes PSI as the local engine does (epsilon for empty buckets)', () => {
    expect(predictionPsi([0.5, 0.5], [0, 0])).toBeUndefined();
    expect(predictionPsi([0.5, 0.5], [5, 5])).toBeCloseTo(0, 12);
    expect(predictionPsi([0.5, 0.5], [10, 0])).toBeCloseTo(
      psiOf([
        [1, 0.5],
        [1e-4, 0.5],
      ]),
      12,
    );
  });

  it('keeps the reasons for skipped lines few and short', () => {
    const huge = captureLine('1', {
      contentType: `text/plain${'x'.repeat(100_000)}`,
    });
    const text = Array.from({ length: 10 }, () => huge).join('\n');
    const r = captureOutputs(text, { maxLines: 100, complete: true });
    expect(r).toMatchObject({ lines: 10, skipped: 10, outputs: [] });
    expect(r.problems).toHaveLength(5);
    for (const p of r.problems) expect(p.length).toBeLessThanOrEqual(200);
  });

  it('caps the lines it reads from a capture file', () => {
    const text = Array.from({ length: 5 }, () => captureLine('1')).join('\n');
    const r = captureOutputs(text, { maxLines: 2, complete: true });
    expect(r).toMatchObject({ lines: 2, truncated: true, skipped: 0 });
    expect(r.outputs).toEqual(['1', '1']);
  });
});
