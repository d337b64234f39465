import { resolveSchema } from '@mlops-portal/ml-core';
import fs from 'fs';
import { demoSystem } from '../__testUtils__/demoSystems';
import { parseSignatureJson } from '../signatures';
import * as cp from './codepipeline';
import {
  ABALONE_SIGNATURE,
  BINARY_SIGNATURE,
  PENGUINS_SIGNATURE,
} from './signatures';
import * as sm from './sagemaker';
import {
  validateAwsShapes,
  type AwsShapeItem,
} from '../__testUtils__/awsShapes';

/** Every fixture response (hand-written, shape-checked), with the operation that returns it. */
const FIXTURES: Array<[string, string, string, unknown]> = [
  [
    'sagemaker',
    'ListPipelineExecutions',
    'listExecutionsPage1',
    sm.listExecutionsPage1,
  ],
  [
    'sagemaker',
    'ListPipelineExecutions',
    'listExecutionsPage2',
    sm.listExecutionsPage2,
  ],
  [
    'sagemaker',
    'DescribePipelineExecution',
    'describeSucceeded',
    sm.describeSucceeded,
  ],
  [
    'sagemaker',
    'DescribePipelineExecution',
    'describeFailed',
    sm.describeFailed,
  ],
  [
    'sagemaker',
    'DescribePipelineExecution',
    'describeRunning',
    sm.describeRunning,
  ],
  [
    'sagemaker',
    'ListPipelineExecutionSteps',
    'stepsSucceeded',
    sm.stepsSucceeded,
  ],
  [
    'sagemaker',
    'ListPipelineExecutionSteps',
    'stepsFailedPage1',
    sm.stepsFailedPage1,
  ],
  [
    'sagemaker',
    'ListPipelineExecutionSteps',
    'stepsFailedPage2',
    sm.stepsFailedPage2,
  ],
  ['sagemaker', 'ListPipelineExecutionSteps', 'stepsRunning', sm.stepsRunning],
  [
    'sagemaker',
    'DescribePipelineDefinitionForExecution',
    'definitionForExecution',
    sm.definitionForExecution,
  ],
  [
    'sagemaker',
    'ListPipelineParametersForExecution',
    'parametersForExecution',
    sm.parametersForExecution,
  ],
  ['sagemaker', 'ListModelPackages', 'listPackagesPage1', sm.listPackagesPage1],
  ['sagemaker', 'ListModelPackages', 'listPackagesPage2', sm.listPackagesPage2],
  [
    'sagemaker',
    'DescribeModelPackage',
    'describePackage1',
    sm.describePackage1,
  ],
  [
    'sagemaker',
    'DescribeModelPackage',
    'describePackage2',
    sm.describePackage2,
  ],
  [
    'sagemaker',
    'DescribeModelPackage',
    'describePackage3',
    sm.describePackage3,
  ],
  ['sagemaker', 'DescribeEndpoint', 'describeEndpoint', sm.describeEndpoint],
  [
    'sagemaker',
    'DescribeEndpointConfig',
    'describeEndpointConfig',
    sm.describeEndpointConfig,
  ],
  ['sagemaker', 'DescribeModel', 'describeModel', sm.describeModel],
  [
    'sagemaker',
    'ListTags',
    'listTagsEndpointConfig',
    sm.listTagsEndpointConfig,
  ],
  [
    'codepipeline',
    'GetPipelineState',
    'pipelineStatePendingApproval',
    cp.pipelineStatePendingApproval,
  ],
  [
    'codepipeline',
    'ListPipelineExecutions',
    'releaseExecutions',
    cp.releaseExecutions,
  ],
];

const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('hand-written AWS fixtures', () => {
  it("fit botocore's OUTPUT shapes", () => {
    const items: AwsShapeItem[] = FIXTURES.map(
      ([service, operation, label, value]) => {
        const { $metadata: _m, ...body } = value as Record<string, unknown>;
        return { service, operation, kind: 'output', value: body, label };
      },
    );
    expect(validateAwsShapes(items)).toEqual([]);
  });

  it('carry UUID approval tokens and execution ids, as CodePipeline issues them', () => {
    expect(cp.APPROVAL_TOKEN).toMatch(UUID);
    expect(cp.RELEASE_RUN).toMatch(UUID);
    expect(cp.OLD_RELEASE_RUN).toMatch(UUID);
  });

  it('list one deployed image per container of the two-container model', () => {
    const images =
      sm.describeEndpoint.ProductionVariants![0].DeployedImages ?? [];
    expect(images.map(i => i.SpecifiedImage)).toEqual([
      expect.stringContaining('sagemaker-scikit-learn'),
      expect.stringContaining('sagemaker-xgboost'),
    ]);
  });

  it('use the pipeline definition infra synthesises', () => {
    const definition = JSON.parse(sm.PIPELINE_DEFINITION);
    expect(definition.Steps.map((s: { Name: string }) => s.Name)).toEqual(
      expect.arrayContaining(['Preprocess', 'Train', 'Evaluate', 'CheckMSE']),
    );
  });
});

describe('signature fixtures', () => {
  it.each([
    ['abalone', ABALONE_SIGNATURE],
    ['penguins', PENGUINS_SIGNATURE],
  ] as const)(
    "%s: the engine's signature check accepts it, and its inputs, types, categories and classes are ml-core's reading of the demo spec and data",
    (name, signature) => {
      expect(parseSignatureJson(JSON.stringify(signature))).toEqual(signature);
      const demo = demoSystem(name);
      const schema = resolveSchema(
        demo.spec.spec.dataset,
        fs.readFileSync(demo.dataPath, 'utf8'),
      );
      const features = schema.columns.filter(c => c.name !== schema.target);
      expect(signature.inputs.map(i => [i.name, i.type, i.categories])).toEqual(
        features.map(c => [c.name, c.type, c.categories]),
      );
      expect(signature.outputs.target).toBe(schema.target);
      expect(signature.outputs.task).toBe(schema.task);
      expect(signature.outputs.classes).toEqual(schema.classes);
    },
  );

  it('the binary one passes the same check', () => {
    expect(parseSignatureJson(JSON.stringify(BINARY_SIGNATURE))).toEqual(
      BINARY_SIGNATURE,
    );
  });
});
