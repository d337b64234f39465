import {
  CloudWatchClient,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeModelPackageCommand,
  DescribeProcessingJobCommand,
  ListModelPackagesCommand,
  ListMonitoringExecutionsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockServices } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import { mockClient } from 'aws-sdk-client-mock';
// scripts/aws-models is a repo tool (botocore model checks), not a workspace package.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import type { AwsShapeItem } from '../../../../../scripts/aws-models/validate';
import * as sm from '../__fixtures__/sagemaker';
import {
  awsError,
  resources,
  s3Body,
  testCredentials,
} from '../__testUtils__/helpers';
import * as fx from './__fixtures__/monitoring';
import { createAwsMonitoring } from './AwsMonitoring';
import { trafficQueries } from './traffic';
import type { MonitoredInput } from './drift';
import { PENGUINS_SIGNATURE } from '../__fixtures__/signatures';

const { validateAwsShapes } =
  // eslint-disable-next-line @backstage/no-relative-monorepo-imports
  require('../../../../../scripts/aws-models/validate.cjs') as {
    validateAwsShapes: (items: AwsShapeItem[]) => string[];
  };

const { allowsAction } =
  // eslint-disable-next-line @backstage/no-relative-monorepo-imports
  require('../../../../../scripts/aws-models/portal-policy.cjs') as {
    allowsAction: (action: string) => boolean;
  };

const sagemaker = mockClient(SageMakerClient);
const cloudwatch = mockClient(CloudWatchClient);
const s3 = mockClient(S3Client);

function makeMonitoring(
  servedModelVersion?: number,
  servedInputs?: readonly MonitoredInput[],
) {
  const common = { region: sm.REGION, credentials: testCredentials };
  const clients = {
    sagemaker: new SageMakerClient(common),
    cloudwatch: new CloudWatchClient(common),
    s3: new S3Client(common),
  };
  return createAwsMonitoring({
    logger: mockServices.logger.mock(),
    clients: async () => clients,
    servedModelVersion: async () => servedModelVersion,
    servedInputs: async () => servedInputs,
    now: () => fx.NOW,
  });
}

const objects = new Map<string, string>();
function putObject(uri: string, value: unknown) {
  objects.set(uri, JSON.stringify(value));
}

beforeEach(() => {
  sagemaker.reset();
  cloudwatch.reset();
  s3.reset();
  objects.clear();
  sagemaker.on(DescribeEndpointCommand).resolves(fx.describeEndpoint);
  cloudwatch
    .on(GetMetricDataCommand)
    .resolvesOnce(fx.metricDataPage1)
    .resolvesOnce(fx.metricDataPage2);
  sagemaker.on(ListMonitoringExecutionsCommand).resolves(fx.listExecutions);
  sagemaker.on(DescribeProcessingJobCommand).resolves(fx.describeProcessingJob);
  s3.on(GetObjectCommand).callsFake(input => {
    const text = objects.get(`s3://${input.Bucket}/${input.Key}`);
    if (text === undefined)
      throw awsError('NoSuchKey', 'The specified key does not exist.', 404);
    return { Body: s3Body(text) };
  });
});

describe('fixture shapes and sent requests', () => {
  it('fit botocore’s service models', async () => {
    putObject(`${fx.OUTPUT_URI}/statistics.json`, fx.capturedStatistics(250));
    await makeMonitoring(3).getMonitoring(resources, { window: '1h' });
    const strip = ({ $metadata, ...rest }: any) => rest;
    const items: AwsShapeItem[] = [
      {
        service: 'sagemaker',
        operation: 'DescribeEndpoint',
        kind: 'output',
        value: strip(fx.describeEndpoint),
      },
      {
        service: 'cloudwatch',
        operation: 'GetMetricData',
        kind: 'output',
        value: strip(fx.metricDataPage1),
      },
      {
        service: 'cloudwatch',
        operation: 'GetMetricData',
        kind: 'output',
        value: strip(fx.metricDataPage2),
      },
      {
        service: 'sagemaker',
        operation: 'ListMonitoringExecutions',
        kind: 'output',
        value: strip(fx.listExecutions),
      },
      {
        service: 'sagemaker',
        operation: 'DescribeProcessingJob',
        kind: 'output',
        value: strip(fx.describeProcessingJob),
      },
      ...cloudwatch.commandCalls(GetMetricDataCommand).map(c => ({
        service: 'cloudwatch',
        operation: 'GetMetricData',
        kind: 'input' as const,
        value: c.args[0].input,
      })),
      ...sagemaker.commandCalls(ListMonitoringExecutionsCommand).map(c => ({
        service: 'sagemaker',
        operation: 'ListMonitoringExecutions',
        kind: 'input' as const,
        value: c.args[0].input,
      })),
      ...sagemaker.commandCalls(DescribeProcessingJobCommand).map(c => ({
        service: 'sagemaker',
        operation: 'DescribeProcessingJob',
        kind: 'input' as const,
        value: c.args[0].input,
      })),
    ];
    expect(items.length).toBe(9);
    expect(validateAwsShapes(items)).toEqual([]);
  });
});

describe('docs/aws.md IAM policy', () => {
  it('allows every call monitoring makes', async () => {
    putObject(`${fx.OUTPUT_URI}/statistics.json`, fx.capturedStatistics(250));
    putObject(fx.PLOTS_URI, fx.evaluationPlots);
    sagemaker
      .on(ListModelPackagesCommand)
      .resolves(sm.listPackagesPage1)
      .on(DescribeModelPackageCommand)
      .resolves({
        ModelMetrics: {
          ModelQuality: {
            Statistics: {
              ContentType: 'application/json',
              S3Uri: fx.EVALUATION_URI,
            },
          },
        },
      });
    const monitoring = makeMonitoring();
    await monitoring.getMonitoring(resources, { window: '24h' });
    await monitoring.getEvaluationPlots(resources, 3);
    const sent = [
      ...sagemaker
        .calls()
        .map(c => `sagemaker:${(c.args[0] as any).constructor.name}`),
      ...cloudwatch
        .calls()
        .map(c => `cloudwatch:${(c.args[0] as any).constructor.name}`),
      ...s3.calls().map(c => `s3:${(c.args[0] as any).constructor.name}`),
    ].map(a => a.replace(/Command$/, ''));
    expect(new Set(sent)).toEqual(
      new Set([
        'sagemaker:DescribeEndpoint',
        'sagemaker:ListMonitoringExecutions',
        'sagemaker:DescribeProcessingJob',
        'sagemaker:ListModelPackages',
        'sagemaker:DescribeModelPackage',
        'cloudwatch:GetMetricData',
        's3:GetObject',
      ]),
    );
    expect([...new Set(sent)].filter(a => !allowsAction(a))).toEqual([]);
  });
});

describe('traffic', () => {
  it('asks CloudWatch per variant, pages through, and maps µs latency to ms', async () => {
    putObject(`${fx.OUTPUT_URI}/statistics.json`, fx.capturedStatistics(250));
    const res = await makeMonitoring(3).getMonitoring(resources, {
      window: '1h',
    });

    const calls = cloudwatch.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(2);
    const first = calls[0].args[0].input;
    expect(first.StartTime).toEqual(new Date('2026-12-01T14:01:00.000Z'));
    expect(first.EndTime).toEqual(new Date('2026-12-01T15:01:00.000Z'));
    expect(first.ScanBy).toBe('TimestampAscending');
    expect(calls[1].args[0].input.NextToken).toBe('page-2-token');
    const byId = Object.fromEntries(
      first.MetricDataQueries!.map(q => [q.Id, q.MetricStat]),
    );
    expect(Object.keys(byId).sort()).toEqual([
      'v0_e4',
      'v0_e5',
      'v0_inv',
      'v0_p50',
      'v0_p99',
      'v0_tp50',
      'v0_tp99',
    ]);
    expect(byId.v0_inv).toEqual({
      Metric: {
        Namespace: 'AWS/SageMaker',
        MetricName: 'Invocations',
        Dimensions: [
          { Name: 'EndpointName', Value: sm.ENDPOINT },
          { Name: 'VariantName', Value: 'AllTraffic' },
        ],
      },
      Period: 60,
      Stat: 'Sum',
    });
    expect(byId.v0_p99?.Stat).toBe('p99');
    expect(byId.v0_tp50).toMatchObject({ Period: 3600, Stat: 'p50' });

    expect(res.endpointName).toBe(sm.ENDPOINT);
    expect(res.modelVersion).toBe(3);
    expect(res.window).toBe('1h');
    expect(res.traffic).toHaveLength(60);
    expect(res.traffic[0].time).toBe('2026-12-01T14:01:00.000Z');
    const at = (hhmm: string) =>
      res.traffic.find(p => p.time === `2026-12-01T${hhmm}:00.000Z`);
    expect(at('14:58')).toEqual({
      time: '2026-12-01T14:58:00.000Z',
      invocations: 40,
      errors4xx: 2,
      errors5xx: 0,
      p50Ms: 4.2,
      p99Ms: 12,
    });
    expect(at('15:00')).toEqual({
      time: '2026-12-01T15:00:00.000Z',
      invocations: 20,
      errors4xx: 0,
      errors5xx: 0,
      p50Ms: 5.1,
      p99Ms: 15,
    });
    // Empty minutes are zero, with no latency.
    expect(at('14:59')).toEqual({
      time: '2026-12-01T14:59:00.000Z',
      invocations: 0,
      errors4xx: 0,
      errors5xx: 0,
    });
    expect(res.totals).toEqual({
      invocations: 60,
      errors4xx: 2,
      errors5xx: 0,
      p50Ms: 4.5,
      p99Ms: 14,
    });
  });

  it('uses the window’s period and one query set per production variant', () => {
    const queries = trafficQueries({
      endpointName: 'e',
      variantNames: ['A', 'B'],
      window: '7d',
      now: fx.NOW,
    });
    expect(queries).toHaveLength(14);
    expect(
      queries
        .filter(q => q.Id!.startsWith('v1_'))
        .map(q => q.MetricStat!.Metric!.Dimensions![1].Value),
    ).toEqual(Array(7).fill('B'));
    expect(queries.find(q => q.Id === 'v0_inv')!.MetricStat!.Period).toBe(3600);
    expect(queries.find(q => q.Id === 'v0_tp99')!.MetricStat!.Period).toBe(
      604_800,
    );
    expect(
      trafficQueries({
        endpointName: 'e',
        variantNames: ['A'],
        window: '24h',
        now: fx.NOW,
      })[0].MetricStat!.Period,
    ).toBe(900);
  });

  it('answers from its cache for a while', async () => {
    putObject(`${fx.OUTPUT_URI}/statistics.json`, fx.capturedStatistics(250));
    const monitoring = makeMonitoring(3);
    const a = await monitoring.getMonitoring(resources, { window: '1h' });
    const b = await monitoring.getMonitoring(resources, { window: '1h' });
    expect(b).toEqual(a);
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(2);
    expect(
      sagemaker.commandCalls(ListMonitoringExecutionsCommand),
    ).toHaveLength(1);
  });

  it('says 404 when the endpoint does not exist', async () => {
    sagemaker
      .on(DescribeEndpointCommand)
      .rejects(
        awsError(
          'ValidationException',
          `Could not find endpoint "${sm.ENDPOINT}".`,
        ),
      );
    await expect(
      makeMonitoring().getMonitoring(resources, { window: '24h' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('drift', () => {
  it('reads the newest completed execution’s report', async () => {
    putObject(`${fx.OUTPUT_URI}/statistics.json`, fx.capturedStatistics(250));
    putObject(`${fx.OUTPUT_URI}/constraint_violations.json`, fx.violations);
    const { drift } = await makeMonitoring(3).getMonitoring(resources, {
      window: '1h',
    });

    expect(
      sagemaker.commandCalls(ListMonitoringExecutionsCommand)[0].args[0].input,
    ).toEqual({
      EndpointName: sm.ENDPOINT,
      MonitoringTypeEquals: 'DataQuality',
      SortBy: 'ScheduledTime',
      SortOrder: 'Descending',
      MaxResults: 12,
    });
    expect(
      sagemaker.commandCalls(DescribeProcessingJobCommand)[0].args[0].input,
    ).toEqual({ ProcessingJobName: fx.JOB_NAME });
    expect(drift.status).toBe('drift');
    expect(drift.sampleCount).toBe(250);
    expect(drift.analyzedAt).toBe('2026-12-01T14:21:47.000Z');
    // From the job definition the CDK app names per served version.
    expect(drift.baselineVersion).toBe(3);
    expect(drift.features.map(f => [f.feature, f.status])).toEqual([
      ['sex', 'drift'],
      ['length', 'drift'],
      ['diameter', 'ok'],
      ['height', 'ok'],
      ['wholeWeight', 'ok'],
      ['shuckedWeight', 'ok'],
      ['visceraWeight', 'ok'],
      ['shellWeight', 'ok'],
    ]);
    expect(drift.features[1]).toEqual({
      feature: 'length',
      type: 'numeric',
      psi: null,
      ks: 0.2431,
      status: 'drift',
      sampleCount: 250,
    });
    expect(drift.features[0].ks).toBeNull();
    expect(drift.features[3].sampleCount).toBe(249);
    // Without the served signature, string statistics mean categorical.
    expect(drift.features[0]).toMatchObject({
      type: 'categorical',
      linf: 0.4,
    });
  });

  it("reads categorical features by the served signature: L-infinity, unseen categories, the signature's order", async () => {
    putObject(`${fx.OUTPUT_URI}/statistics.json`, fx.penguinsStatistics(300));
    putObject(
      `${fx.OUTPUT_URI}/constraint_violations.json`,
      fx.penguinsViolations,
    );
    const { drift } = await makeMonitoring(
      2,
      PENGUINS_SIGNATURE.inputs,
    ).getMonitoring(resources, { window: '24h' });
    expect(drift.features.map(f => [f.feature, f.type, f.status])).toEqual([
      ['island', 'categorical', 'drift'],
      ['bill_length_mm', 'numeric', 'ok'],
      ['bill_depth_mm', 'numeric', 'ok'],
      ['flipper_length_mm', 'numeric', 'ok'],
      ['body_mass_g', 'numeric', 'ok'],
      ['sex', 'categorical', 'ok'],
    ]);
    expect(drift.features[0]).toEqual({
      feature: 'island',
      type: 'categorical',
      psi: null,
      ks: null,
      linf: 0.3125,
      unseenCategories: ['Deception'],
      status: 'drift',
      sampleCount: 300,
    });
    expect(drift.features[5]).toMatchObject({
      linf: null,
      unseenCategories: [],
      sampleCount: 295,
    });
    // The data-quality job reads inputs only: no prediction shares.
    expect(drift.predictions).toBeUndefined();
  });

  it('is ok when the report has no violations file', async () => {
    putObject(`${fx.OUTPUT_URI}/statistics.json`, fx.capturedStatistics(250));
    const { drift } = await makeMonitoring().getMonitoring(resources, {
      window: '1h',
    });
    expect(drift.status).toBe('ok');
    expect(drift.features.every(f => f.status === 'ok')).toBe(true);
  });

  it('never alarms on too few captured rows', async () => {
    putObject(`${fx.OUTPUT_URI}/statistics.json`, fx.capturedStatistics(12));
    putObject(`${fx.OUTPUT_URI}/constraint_violations.json`, fx.violations);
    const { drift } = await makeMonitoring().getMonitoring(resources, {
      window: '1h',
    });
    expect(drift.status).toBe('insufficient_data');
    expect(drift.features.every(f => f.status === 'insufficient_data')).toBe(
      true,
    );
  });

  it('is insufficient_data before any execution completed', async () => {
    sagemaker.on(ListMonitoringExecutionsCommand).resolves({
      MonitoringExecutionSummaries: [
        fx.listExecutions.MonitoringExecutionSummaries![0],
      ],
    });
    const { drift } = await makeMonitoring().getMonitoring(resources, {
      window: '1h',
    });
    expect(drift).toEqual({
      status: 'insufficient_data',
      sampleCount: 0,
      features: [],
    });
    expect(sagemaker.commandCalls(DescribeProcessingJobCommand)).toHaveLength(
      0,
    );
  });

  it('names the file and field of a malformed report', async () => {
    putObject(`${fx.OUTPUT_URI}/statistics.json`, {
      dataset: {},
      features: [],
    });
    await expect(
      makeMonitoring().getMonitoring(resources, { window: '1h' }),
    ).rejects.toThrow(`${fx.OUTPUT_URI}/statistics.json: dataset.item_count`);
  });
});

describe('evaluation plots', () => {
  beforeEach(() => {
    sagemaker
      .on(ListModelPackagesCommand)
      .resolvesOnce(sm.listPackagesPage1)
      .resolves(sm.listPackagesPage2);
    sagemaker.on(DescribeModelPackageCommand).resolves({
      ModelPackageArn: sm.packageArn(2),
      ModelPackageGroupName: sm.GROUP,
      ModelPackageVersion: 2,
      ModelMetrics: {
        ModelQuality: {
          Statistics: {
            ContentType: 'application/json',
            S3Uri: fx.EVALUATION_URI,
          },
        },
      },
    });
  });

  it('reads evaluation-plots.json beside the version’s evaluation.json', async () => {
    putObject(fx.PLOTS_URI, fx.evaluationPlots);
    const plots = await makeMonitoring().getEvaluationPlots(resources, 2);
    expect(plots).toEqual(fx.evaluationPlots);
    expect(
      sagemaker.commandCalls(DescribeModelPackageCommand)[0].args[0].input,
    ).toEqual({ ModelPackageName: sm.packageArn(2) });
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({
      Bucket: `mlops-artifacts-${sm.ACCOUNT}-${sm.REGION}`,
      Key: 'runs/k3x9q2m7w1pa/evaluation/evaluation-plots.json',
    });
  });

  it('is 404 when the version has no plots or does not exist', async () => {
    await expect(
      makeMonitoring().getEvaluationPlots(resources, 2),
    ).rejects.toThrow(
      /Version 2 of AbaloneModelPackageGroup has no evaluation plots/,
    );
    await expect(
      makeMonitoring().getEvaluationPlots(resources, 99),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('rejects a file that is not in the plots format', async () => {
    putObject(fx.PLOTS_URI, { ...fx.evaluationPlots, version: 2 });
    await expect(
      makeMonitoring().getEvaluationPlots(resources, 2),
    ).rejects.toThrow(`${fx.PLOTS_URI}: version`);
  });
});
