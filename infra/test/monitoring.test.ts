/**
 * Data capture and Model Monitor in the synthesized serving and pipeline
 * stacks: resources, their wiring to the served version's baseline, IAM,
 * and the requests checked against botocore's SageMaker model.
 */
import { App } from 'aws-cdk-lib';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as os from 'os';
import { buildMlopsApp } from '../lib/mlops-app';
import {
  ML_SCRIPTS_DIR,
  renderRecordPreprocessor,
} from '../lib/ml-pipeline-stack';
import {
  MODEL_MONITOR_ACCOUNTS,
  parseCaptureSampling,
  recordPreprocessorKey,
} from '../lib/model-monitor';
import type { AwsShapeItem } from '../../scripts/aws-models/validate';
import {
  allStatements,
  asArray,
  cdkJsonContext,
  resourcesOf,
  synthesizeApp,
  TEST_ENV,
  APP_OPTIONS,
  type Synthesized,
} from './helpers';

const SYSTEM = 'systems/abalone-age-predictor';
const RECORD_PREPROCESSOR_KEY = recordPreprocessorKey('abalone-age-predictor');

const { validateAwsShapes } =
  require('../../scripts/aws-models/validate.cjs') as {
    validateAwsShapes: (items: AwsShapeItem[]) => string[];
  };

const BUCKET = `mlops-artifacts-${TEST_ENV.account}-${TEST_ENV.region}`;
const PACKAGE_ARN = `arn:aws:sagemaker:${TEST_ENV.region}:${TEST_ENV.account}:model-package/abalonemodelpackagegroup/3`;
const BASELINE = `s3://${BUCKET}/${SYSTEM}/runs/k3x9q2m7w1pa/baseline`;

/** CloudFormation intrinsics → the values a deploy of version 3 would give. */
function resolve(value: any, template: any): any {
  if (Array.isArray(value)) return value.map(v => resolve(v, template));
  if (!value || typeof value !== 'object') return value;
  if ('Ref' in value) {
    const refs: Record<string, string> = {
      ModelPackageArn: PACKAGE_ARN,
      'AWS::Region': TEST_ENV.region,
      'AWS::AccountId': TEST_ENV.account,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::Partition': 'aws',
    };
    return (
      refs[value.Ref] ?? `arn:aws:iam::${TEST_ENV.account}:role/${value.Ref}`
    );
  }
  if ('Fn::Join' in value) {
    const [sep, parts] = value['Fn::Join'];
    return resolve(parts, template).join(sep);
  }
  if ('Fn::Split' in value) {
    const [sep, s] = value['Fn::Split'];
    return resolve(s, template).split(sep);
  }
  if ('Fn::Select' in value) {
    const [i, list] = value['Fn::Select'];
    return resolve(list, template)[i];
  }
  if ('Fn::FindInMap' in value) {
    const [map, key, attr] = resolve(value['Fn::FindInMap'], template);
    return template.Mappings[map][key][attr];
  }
  if ('Fn::GetAtt' in value) {
    const [, attr] = value['Fn::GetAtt'];
    if (attr === 'Arn') return `arn:aws:iam::${TEST_ENV.account}:role/Monitor`;
    return `${BASELINE}/${
      attr.includes('Constraints') ? 'constraints' : 'statistics'
    }.json`;
  }
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, resolve(v, template)]),
  );
}

let synth: Synthesized;
beforeAll(() => {
  synth = synthesizeApp();
});

const one = (type: string) => {
  const found = resourcesOf(synth.json.serving, type);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('data capture', () => {
  it('captures input and output of every request to the artifact bucket', () => {
    const [, config] = one('AWS::SageMaker::EndpointConfig');
    expect(
      resolve(config.Properties.DataCaptureConfig, synth.json.serving),
    ).toEqual({
      EnableCapture: true,
      InitialSamplingPercentage: 100,
      DestinationS3Uri: `s3://${BUCKET}/${SYSTEM}/monitoring/capture`,
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'] },
    });
  });

  it('takes the sampling from context and rejects a bad value by name', () => {
    const app = new App({
      context: { ...cdkJsonContext(), captureSamplingPercent: '25' },
    });
    const stacks = buildMlopsApp(app, {
      ...APP_OPTIONS,
      captureSamplingPercent: app.node.tryGetContext('captureSamplingPercent'),
    });
    const template = app
      .synth()
      .getStackByName(stacks.systems[0].servingStack.stackName).template;
    const [[, config]] = resourcesOf(
      template,
      'AWS::SageMaker::EndpointConfig',
    );
    expect(config.Properties.DataCaptureConfig.InitialSamplingPercentage).toBe(
      25,
    );
    expect(parseCaptureSampling(undefined)).toBeUndefined();
    expect(() => parseCaptureSampling('150')).toThrow(
      'captureSamplingPercent must be an integer from 0 to 100, got "150"',
    );
  });

  it('lets the endpoint write captures and nothing else there', () => {
    const writes = allStatements(synth.json.serving).filter(s =>
      asArray(s.Action).includes('s3:PutObject'),
    );
    const resources = writes
      .flatMap(s => asArray(s.Resource))
      .map(r => resolve(r, synth.json.serving));
    expect(resources.sort()).toEqual([
      `arn:aws:s3:::${BUCKET}/${SYSTEM}/monitoring/capture/*`,
      `arn:aws:s3:::${BUCKET}/${SYSTEM}/monitoring/reports/*`,
    ]);
  });
});

describe('data-quality monitoring schedule', () => {
  it('checks captured requests hourly against the served version’s baseline', () => {
    const [id, definition] = one('AWS::SageMaker::DataQualityJobDefinition');
    const props = resolve(definition.Properties, synth.json.serving);
    expect(props.DataQualityBaselineConfig).toEqual({
      StatisticsResource: { S3Uri: `${BASELINE}/statistics.json` },
      ConstraintsResource: { S3Uri: `${BASELINE}/constraints.json` },
    });
    expect(props.DataQualityAppSpecification).toEqual({
      ImageUri: `${MODEL_MONITOR_ACCOUNTS['eu-west-1']}.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer:latest`,
      RecordPreprocessorSourceUri: `s3://${BUCKET}/${RECORD_PREPROCESSOR_KEY}`,
    });
    expect(props.DataQualityJobInput.EndpointInput.EndpointName).toBe(
      'abalone-age-endpoint',
    );
    expect(
      props.DataQualityJobOutputConfig.MonitoringOutputs[0].S3Output.S3Uri,
    ).toBe(`s3://${BUCKET}/${SYSTEM}/monitoring/reports`);
    expect(props.JobDefinitionName).toBe('abalone-age-endpoint-dq-v-3');

    const [, schedule] = one('AWS::SageMaker::MonitoringSchedule');
    expect(resolve(schedule.Properties, synth.json.serving)).toEqual({
      MonitoringScheduleName: 'abalone-age-endpoint-data-quality',
      EndpointName: 'abalone-age-endpoint',
      MonitoringScheduleConfig: {
        MonitoringJobDefinitionName: 'abalone-age-endpoint-dq-v-3',
        MonitoringType: 'DataQuality',
        ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' },
      },
    });
    expect(schedule.DependsOn).toContain(id);
    const [endpointId] = one('AWS::SageMaker::Endpoint');
    expect(definition.DependsOn).toContain(endpointId);
  });

  it('reads the baseline location from the deployed model package', () => {
    const baseline = resourcesOf(
      synth.json.serving,
      'Custom::ModelPackageBaseline',
    );
    expect(baseline).toHaveLength(1);
    const create = JSON.parse(
      resolve(baseline[0][1].Properties.Update, synth.json.serving),
    );
    expect(create).toMatchObject({
      service: 'SageMaker',
      action: 'DescribeModelPackage',
      parameters: { ModelPackageName: PACKAGE_ARN },
    });
  });

  it('fits CreateDataQualityJobDefinition and CreateEndpointConfig in botocore’s model', () => {
    const [, definition] = one('AWS::SageMaker::DataQualityJobDefinition');
    const [, config] = one('AWS::SageMaker::EndpointConfig');
    const configProps = resolve(config.Properties, synth.json.serving);
    expect(
      validateAwsShapes([
        {
          service: 'sagemaker',
          operation: 'CreateDataQualityJobDefinition',
          kind: 'input',
          value: resolve(definition.Properties, synth.json.serving),
        },
        {
          service: 'sagemaker',
          operation: 'CreateEndpointConfig',
          kind: 'input',
          value: {
            EndpointConfigName: 'abalone-age-endpoint-config',
            ...configProps,
          },
        },
      ]),
    ).toEqual([]);
  });

  it('gives the monitoring role only the capture, baseline, preprocessor and report objects', () => {
    const roles = resourcesOf(synth.json.serving, 'AWS::IAM::Role').filter(
      ([, r]) => /Model Monitor/.test(r.Properties.Description ?? ''),
    );
    expect(roles).toHaveLength(1);
    const [roleId] = roles[0];
    const policy = resourcesOf(synth.json.serving, 'AWS::IAM::Policy').find(
      ([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId),
    )!;
    const statements = resolve(
      policy[1].Properties.PolicyDocument.Statement,
      synth.json.serving,
    );
    const bySid = Object.fromEntries(statements.map((s: any) => [s.Sid, s]));
    expect(
      asArray(bySid.ReadCaptureBaselineAndPreprocessor.Resource).sort(),
    ).toEqual([
      `arn:aws:s3:::${BUCKET}/${SYSTEM}/code/monitor_record_preprocessor.py`,
      `arn:aws:s3:::${BUCKET}/${SYSTEM}/monitoring/capture/*`,
      `arn:aws:s3:::${BUCKET}/${SYSTEM}/runs/*`,
    ]);
    expect(bySid.WriteReports).toMatchObject({
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${BUCKET}/${SYSTEM}/monitoring/reports/*`,
    });
    expect(bySid.PullAnalyzerImage.Resource).toBe(
      `arn:aws:ecr:eu-west-1:${MODEL_MONITOR_ACCOUNTS['eu-west-1']}:repository/sagemaker-model-monitor-analyzer`,
    );
    expect(
      statements
        .flatMap((s: any) => asArray(s.Action))
        .filter((a: string) => a.endsWith('*')),
    ).toEqual([]);
  });

  it("deploys a record preprocessor, rendered with the system's inputs, where the job reads it, and it names captured rows like the baseline", () => {
    const system = synth.stacks.systems[0].system;
    const rendered = renderRecordPreprocessor(system);
    // The step-code deployment of the pipeline stack writes <system>/code/; the generic file is
    // left out of the code asset and the rendered one added as its own source.
    const deployments = resourcesOf(
      synth.json.pipeline,
      'Custom::CDKBucketDeployment',
    ).filter(
      ([, d]) => d.Properties.DestinationBucketKeyPrefix === `${SYSTEM}/code/`,
    );
    expect(deployments).toHaveLength(1);
    expect(`${SYSTEM}/code/monitor_record_preprocessor.py`).toBe(
      RECORD_PREPROCESSOR_KEY,
    );
    const assets = fs
      .readdirSync(synth.app.outdir)
      .filter(d => d.startsWith('asset.'))
      .map(d =>
        path.join(synth.app.outdir, d, 'monitor_record_preprocessor.py'),
      )
      .filter(f => fs.existsSync(f));
    expect(assets.map(f => fs.readFileSync(f, 'utf8'))).toContain(rendered);
    expect(
      fs.readFileSync(
        path.join(ML_SCRIPTS_DIR, 'monitor_record_preprocessor.py'),
        'utf8',
      ),
    ).not.toBe(rendered);

    // Run the deployed file as Model Monitor does: one captured request, one record per line.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'record-pre-'));
    fs.writeFileSync(path.join(dir, 'rendered.py'), rendered);
    const run = spawnSync(
      'python3',
      [
        '-c',
        [
          'import json, sys, types',
          'sys.path.insert(0, sys.argv[1])',
          'import rendered',
          'record = types.SimpleNamespace(endpoint_input=types.SimpleNamespace(data=sys.argv[2]))',
          'print(json.dumps(rendered.preprocess_handler(record)))',
        ].join('\n'),
        dir,
        'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\nI,0.33,x,0.08,0.205,0.0895,0.0395,0.055\n',
      ],
      { encoding: 'utf8' },
    );
    fs.rmSync(dir, { recursive: true, force: true });
    expect(run.stderr).toBe('');
    const rows = JSON.parse(run.stdout);
    expect(rows).toHaveLength(2);
    expect(Object.keys(rows[0])).toEqual(system.inputs.map(c => c.name));
    expect(rows[0]).toMatchObject({ sex: 'M', shellWeight: 0.15 });
    expect(rows[1].diameter).toBeNull();
  });
});

describe('pipeline baseline', () => {
  const steps = () => synthesizedSteps(synth.json.pipeline);

  it('preprocess writes the baseline and Register attaches it as ModelDataQuality', () => {
    const { Preprocess, Register } = steps();
    expect(
      Preprocess.Arguments.ProcessingOutputConfig.Outputs.find(
        (o: any) => o.OutputName === 'baseline',
      ).S3Output.LocalPath,
    ).toBe('/opt/ml/processing/baseline');
    const quality = Register.Arguments.ModelMetrics.ModelDataQuality;
    for (const [kind, file] of [
      ['Statistics', 'statistics.json'],
      ['Constraints', 'constraints.json'],
    ]) {
      expect(quality[kind]).toEqual({
        ContentType: 'application/json',
        S3Uri: {
          'Std:Join': {
            On: '/',
            Values: [
              {
                Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['baseline'].S3Output.S3Uri",
              },
              file,
            ],
          },
        },
      });
    }
  });
});

/** Steps of the pipeline definition by name (Register sits inside CheckMSE's IfSteps). */
function synthesizedSteps(template: any): Record<string, any> {
  const [[, pipeline]] = resourcesOf(template, 'AWS::SageMaker::Pipeline');
  const body = pipeline.Properties.PipelineDefinition.PipelineDefinitionBody;
  const definition = JSON.parse(
    typeof body === 'string' ? body : resolve(body, template),
  );
  const out: Record<string, any> = {};
  const visit = (list: any[]) =>
    list.forEach(s => {
      out[s.Name] = s;
      visit([
        ...(s.Arguments?.IfSteps ?? []),
        ...(s.Arguments?.ElseSteps ?? []),
      ]);
    });
  visit(definition.Steps);
  return out;
}
