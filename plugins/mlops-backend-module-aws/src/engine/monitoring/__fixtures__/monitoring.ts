/**
 * CloudWatch, SageMaker Model Monitor and S3 responses for the monitoring
 * parts, in the shapes the services return (checked against botocore's
 * models in AwsMonitoring.test.ts). Timestamps are Dates, as the SDK gives them.
 */
import type { GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';
import type {
  DescribeEndpointCommandOutput,
  DescribeProcessingJobCommandOutput,
  ListMonitoringExecutionsCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { ACCOUNT, ENDPOINT, REGION } from '../../__fixtures__/sagemaker';

const meta = {
  httpStatusCode: 200,
  requestId: 'a1b2c3d4-0000-4000-8000-000000000001',
  attempts: 1,
  totalRetryDelay: 0,
};

/** The clock in the tests: 30 s into a minute, so the 1h window ends at 15:01. */
export const NOW = new Date('2026-12-01T15:00:30.000Z');
const minute = (hhmm: string) => new Date(`2026-12-01T${hhmm}:00.000Z`);

export const describeEndpoint: DescribeEndpointCommandOutput = {
  $metadata: meta,
  EndpointName: ENDPOINT,
  EndpointArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${ENDPOINT}`,
  EndpointConfigName: `${ENDPOINT}-config-v3`,
  EndpointStatus: 'InService',
  CreationTime: new Date('2026-11-20T10:00:00.000Z'),
  LastModifiedTime: new Date('2026-11-30T08:12:00.000Z'),
  ProductionVariants: [
    {
      VariantName: 'AllTraffic',
      CurrentWeight: 1,
      DesiredWeight: 1,
      CurrentInstanceCount: 1,
      DesiredInstanceCount: 1,
    },
  ],
  DataCaptureConfig: {
    EnableCapture: true,
    CaptureStatus: 'Started',
    CurrentSamplingPercentage: 100,
    KmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0`,
    DestinationS3Uri: `s3://mlops-artifacts-${ACCOUNT}-${REGION}/monitoring/capture`,
  },
};

/** Page 1: counters and per-minute latency; page 2 (after NextToken): the rest. */
export const metricDataPage1: GetMetricDataCommandOutput = {
  $metadata: meta,
  MetricDataResults: [
    {
      Id: 'v0_inv',
      Label: 'Invocations',
      StatusCode: 'Complete',
      Timestamps: [minute('14:58'), minute('15:00')],
      Values: [40, 20],
    },
    {
      Id: 'v0_e4',
      Label: 'Invocation4XXErrors',
      StatusCode: 'Complete',
      Timestamps: [minute('14:58')],
      Values: [2],
    },
    {
      Id: 'v0_e5',
      Label: 'Invocation5XXErrors',
      StatusCode: 'Complete',
      Timestamps: [],
      Values: [],
    },
    // ModelLatency is in microseconds.
    {
      Id: 'v0_p50',
      Label: 'ModelLatency',
      StatusCode: 'PartialData',
      Timestamps: [minute('14:58')],
      Values: [4200],
    },
  ],
  NextToken: 'page-2-token',
  Messages: [],
};

export const metricDataPage2: GetMetricDataCommandOutput = {
  $metadata: meta,
  MetricDataResults: [
    {
      Id: 'v0_p50',
      Label: 'ModelLatency',
      StatusCode: 'Complete',
      Timestamps: [minute('15:00')],
      Values: [5100],
    },
    {
      Id: 'v0_p99',
      Label: 'ModelLatency',
      StatusCode: 'Complete',
      Timestamps: [minute('14:58'), minute('15:00')],
      Values: [12000, 15000],
    },
    {
      Id: 'v0_tp50',
      Label: 'ModelLatency',
      StatusCode: 'Complete',
      Timestamps: [minute('14:01')],
      Values: [4500],
    },
    {
      Id: 'v0_tp99',
      Label: 'ModelLatency',
      StatusCode: 'Complete',
      Timestamps: [minute('14:01')],
      Values: [14000],
    },
  ],
  Messages: [],
};

export const SCHEDULE = `${ENDPOINT}-data-quality`;
const scheduleArn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:monitoring-schedule/${SCHEDULE}`;
export const JOB_NAME =
  'model-monitoring-202612011400-6b1f0c2a9d3e4f5a6b7c8d9e';
export const OUTPUT_URI = `s3://mlops-artifacts-${ACCOUNT}-${REGION}/monitoring/reports/${ENDPOINT}/${SCHEDULE}/2026/12/01/14`;

/** Newest first: one still running, then the newest completed one, then an older one. */
export const listExecutions: ListMonitoringExecutionsCommandOutput = {
  $metadata: meta,
  MonitoringExecutionSummaries: [
    {
      MonitoringScheduleName: SCHEDULE,
      ScheduledTime: new Date('2026-12-01T15:00:00.000Z'),
      CreationTime: new Date('2026-12-01T15:00:04.000Z'),
      LastModifiedTime: new Date('2026-12-01T15:00:30.000Z'),
      MonitoringExecutionStatus: 'InProgress',
      ProcessingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:processing-job/model-monitoring-202612011500-0a1b2c3d4e5f60718293a4b5`,
      EndpointName: ENDPOINT,
      MonitoringType: 'DataQuality',
      MonitoringJobDefinitionName: `${ENDPOINT}-dq-v-3`,
    },
    {
      MonitoringScheduleName: SCHEDULE,
      ScheduledTime: new Date('2026-12-01T14:00:00.000Z'),
      CreationTime: new Date('2026-12-01T14:00:03.000Z'),
      LastModifiedTime: new Date('2026-12-01T14:21:47.000Z'),
      MonitoringExecutionStatus: 'CompletedWithViolations',
      ProcessingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:processing-job/${JOB_NAME}`,
      EndpointName: ENDPOINT,
      MonitoringType: 'DataQuality',
      MonitoringJobDefinitionName: `${ENDPOINT}-dq-v-3`,
    },
    {
      MonitoringScheduleName: SCHEDULE,
      ScheduledTime: new Date('2026-12-01T13:00:00.000Z'),
      CreationTime: new Date('2026-12-01T13:00:02.000Z'),
      LastModifiedTime: new Date('2026-12-01T13:19:10.000Z'),
      MonitoringExecutionStatus: 'Completed',
      ProcessingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:processing-job/model-monitoring-202612011300-9f8e7d6c5b4a39281706f5e4`,
      EndpointName: ENDPOINT,
      MonitoringType: 'DataQuality',
      MonitoringJobDefinitionName: `${ENDPOINT}-dq-v-3`,
    },
  ],
};

export const describeProcessingJob: DescribeProcessingJobCommandOutput = {
  $metadata: meta,
  ProcessingJobName: JOB_NAME,
  ProcessingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:processing-job/${JOB_NAME}`,
  ProcessingJobStatus: 'Completed',
  ExitMessage:
    'CompletedWithViolations: Job completed successfully with 2 violations.',
  CreationTime: new Date('2026-12-01T14:00:03.000Z'),
  ProcessingStartTime: new Date('2026-12-01T14:04:11.000Z'),
  ProcessingEndTime: new Date('2026-12-01T14:21:40.000Z'),
  ProcessingResources: {
    ClusterConfig: {
      InstanceCount: 1,
      InstanceType: 'ml.m5.large',
      VolumeSizeInGB: 20,
    },
  },
  AppSpecification: {
    ImageUri: `468650794304.dkr.ecr.${REGION}.amazonaws.com/sagemaker-model-monitor-analyzer`,
  },
  RoleArn: `arn:aws:iam::${ACCOUNT}:role/MlopsServing-MonitoringRole`,
  MonitoringScheduleArn: scheduleArn,
  ProcessingOutputConfig: {
    Outputs: [
      {
        OutputName: 'result',
        S3Output: {
          S3Uri: OUTPUT_URI,
          LocalPath: '/opt/ml/processing/output',
          S3UploadMode: 'Continuous',
        },
      },
    ],
  },
};

/** statistics.json of the captured window (Model Monitor's schema; kll parts trimmed). */
export function capturedStatistics(itemCount: number) {
  const numeric = (name: string, present: number) => ({
    name,
    inferred_type: 'Fractional',
    numerical_statistics: {
      common: { num_present: present, num_missing: itemCount - present },
      mean: 0.5,
      sum: 0.5 * present,
      std_dev: 0.1,
      min: 0.1,
      max: 0.9,
    },
  });
  return {
    version: 0,
    dataset: { item_count: itemCount },
    features: [
      {
        name: 'sex',
        inferred_type: 'String',
        string_statistics: {
          common: { num_present: itemCount, num_missing: 0 },
          distinct_count: 3,
          distribution: {
            categorical: { buckets: [{ value: 'M', count: itemCount }] },
          },
        },
      },
      numeric('length', itemCount),
      numeric('diameter', itemCount),
      numeric('height', itemCount - 1),
      numeric('wholeWeight', itemCount),
      numeric('shuckedWeight', itemCount),
      numeric('visceraWeight', itemCount),
      numeric('shellWeight', itemCount),
    ],
  };
}

/** statistics.json of a penguins (multiclass) endpoint's window: two string features, one with a new island. */
export function penguinsStatistics(itemCount: number) {
  const numeric = (name: string) => ({
    name,
    inferred_type: 'Fractional',
    numerical_statistics: {
      common: { num_present: itemCount, num_missing: 0 },
      mean: 40,
      sum: 40 * itemCount,
      std_dev: 5,
      min: 30,
      max: 60,
    },
  });
  return {
    version: 0,
    dataset: { item_count: itemCount },
    features: [
      {
        name: 'island',
        inferred_type: 'String',
        string_statistics: {
          common: { num_present: itemCount, num_missing: 0 },
          distinct_count: 3,
          distribution: {
            categorical: {
              buckets: [
                { value: 'Biscoe', count: itemCount - 40 },
                { value: 'Dream', count: 10 },
                { value: 'Deception', count: 30 },
              ],
            },
          },
        },
      },
      numeric('bill_length_mm'),
      numeric('bill_depth_mm'),
      numeric('flipper_length_mm'),
      numeric('body_mass_g'),
      {
        name: 'sex',
        inferred_type: 'String',
        string_statistics: {
          common: { num_present: itemCount - 5, num_missing: 5 },
          distinct_count: 2,
          distribution: {
            categorical: {
              buckets: [
                { value: 'FEMALE', count: 100 },
                { value: 'MALE', count: itemCount - 105 },
              ],
            },
          },
        },
      },
    ],
  };
}

export const penguinsViolations = {
  violations: [
    {
      feature_name: 'island',
      constraint_check_type: 'baseline_drift_check',
      description: 'Baseline drift distance: 0.3125 exceeds threshold: 0.1',
    },
    {
      feature_name: 'island',
      constraint_check_type: 'categorical_values_check',
      description:
        'Value: 0.12 does not meet the constraint requirement! Ratio of unknown values exceeded.',
    },
  ],
};

export const violations = {
  violations: [
    {
      feature_name: 'length',
      constraint_check_type: 'baseline_drift_check',
      description: 'Baseline drift distance: 0.2431 exceeds threshold: 0.1',
    },
    {
      feature_name: 'sex',
      constraint_check_type: 'baseline_drift_check',
      description: 'Baseline drift distance: 0.4 exceeds threshold: 0.1',
    },
  ],
};

export const EVALUATION_URI = `s3://mlops-artifacts-${ACCOUNT}-${REGION}/runs/k3x9q2m7w1pa/evaluation/evaluation.json`;
export const PLOTS_URI = `s3://mlops-artifacts-${ACCOUNT}-${REGION}/runs/k3x9q2m7w1pa/evaluation/evaluation-plots.json`;

export const evaluationPlots = {
  format: 'mlops-portal/evaluation-plots',
  version: 1,
  predictedVsActual: {
    total: 3,
    points: [
      { actual: 9, predicted: 9.4 },
      { actual: 12, predicted: 10.8 },
      { actual: 7, predicted: 7.3 },
    ],
  },
  residualHistogram: {
    bins: [
      { lower: -0.4, upper: 0.4, count: 2 },
      { lower: 0.4, upper: 1.2, count: 1 },
    ],
  },
  featureImportance: {
    importanceType: 'gain',
    features: [
      { feature: 'shellWeight', gain: 310.5, totalGain: 6210, weight: 20 },
    ],
  },
};
