import * as fs from 'fs';
import * as path from 'path';
import {
  predictRequestSchema,
  requestTemplate,
  responseTemplate,
} from '../lib/api-mapping';
import { MODEL_PARAMETERS, modelParameters } from '../lib/config';
import { parseSpec, resolveSchema, TASK_METRICS } from '@mlops-portal/ml-core';
import {
  gateStepName,
  loadSystem,
  REPORT_METRICS,
  taskTraining,
} from '../lib/spec';
// The portal's step naming (infra does not depend on the plugin; the test holds both to one rule).
import { gateStepName as portalGateStepName } from '../../plugins/mlops-common/src/signature';
import { imageUri, SAGEMAKER_IMAGE_ACCOUNTS } from '../lib/images';
import {
  buildPipelineDefinition,
  pipelineParameters,
} from '../lib/pipeline-definition';
import {
  StackOutputs,
  appConfigYaml,
  catalogAnnotationsYaml,
  portalSnippet,
  resourcesFromOutputs,
} from '../lib/portal-snippet';
import { siteSourceDir, PLACEHOLDER_SITE_DIR } from '../lib/hosting-stack';

const DEMO = path.join(__dirname, '..', '..', 'packages', 'demo-systems');
const abalone = loadSystem(path.join(DEMO, 'abalone', 'ml-system.yaml'));
const FEATURE_COLUMNS = abalone.inputs.map(c => c.name);

describe('pipeline parameters', () => {
  const common = path.join(
    __dirname,
    '..',
    '..',
    'plugins',
    'mlops-common',
    'src',
    'parameters.ts',
  );
  (fs.existsSync(common) ? it : it.skip)(
    "match the portal contract (plugins/mlops-common/src/parameters.ts) name for name; the Abalone spec gives the portal's defaults",
    () => {
      const text = fs.readFileSync(common, 'utf8');
      const portal = [
        ...text.matchAll(/name: '(\w+)', type: '(\w+)', default: ([^,]+),/g),
      ].map(m => ({
        name: m[1],
        type: m[2],
        default: m[3].startsWith("'") ? m[3].slice(1, -1) : Number(m[3]),
      }));
      expect(portal.length).toBeGreaterThanOrEqual(9);
      // The gate threshold is the spec's on both sides, not a run parameter.
      expect(portal.map(p => p.name)).not.toContain('MseThreshold');
      expect(
        modelParameters(abalone).map(p => ({
          name: p.name,
          type: p.type,
          default: p.default,
        })),
      ).toEqual(portal);
      expect(MODEL_PARAMETERS.map(p => p.name)).toEqual(
        portal.map(p => p.name),
      );
    },
  );

  it('adds the data URL and instance types the aws engine also sends', () => {
    const names = pipelineParameters('s3://b/data/', abalone).map(p => p.Name);
    expect(names.slice(0, 3)).toEqual([
      'InputDataUrl',
      'ProcessingInstanceType',
      'TrainingInstanceType',
    ]);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('pipeline definition', () => {
  const def = buildPipelineDefinition({
    system: abalone,
    roleArn: 'arn:aws:iam::1:role/r',
    artifactBucketName: 'art',
    artifactPrefix: 'systems/a/',
    defaultInputDataUrl: 's3://data/data/',
    sklearnImage: 'sk',
    xgboostImage: 'xgb',
    modelPackageGroupName: 'AbaloneModelPackageGroup',
    region: 'eu-west-1',
  }) as any;

  it('references only steps and parameters that exist', () => {
    const json = JSON.stringify(def);
    const params = new Set(def.Parameters.map((p: any) => p.Name));
    for (const [, name] of json.matchAll(/"Parameters\.(\w+)"/g))
      expect(params.has(name)).toBe(true);
    const steps = new Set([
      'Preprocess',
      'Train',
      'Evaluate',
      'CheckMSE',
      'Register',
      'CheckMSEFailed',
    ]);
    for (const [, name] of json.matchAll(/"Steps\.(\w+)\./g))
      expect(steps.has(name)).toBe(true);
  });

  it("writes each run under the system's runs/<execution id>/ and feeds its code and system.json to both processing steps", () => {
    const [pre, , evaluate] = def.Steps;
    expect(
      pre.Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri,
    ).toEqual({
      'Std:Join': {
        On: '/',
        Values: [
          's3://art/systems/a/runs',
          { Get: 'Execution.PipelineExecutionId' },
          'train',
        ],
      },
    });
    for (const step of [pre, evaluate]) {
      const code = step.Arguments.ProcessingInputs.find(
        (i: any) => i.InputName === 'code',
      );
      expect(code.S3Input).toMatchObject({
        S3Uri: 's3://art/systems/a/code/',
        LocalPath: '/opt/ml/processing/input/code',
      });
      const system = step.Arguments.ProcessingInputs.find(
        (i: any) => i.InputName === 'system',
      );
      expect(system.S3Input).toMatchObject({
        S3Uri: 's3://art/systems/a/spec/',
        LocalPath: '/opt/ml/processing/input/system',
      });
      expect(step.Arguments.AppSpecification.ContainerEntrypoint[1]).toMatch(
        /^\/opt\/ml\/processing\/input\/code\/\w+\.py$/,
      );
    }
    expect(pre.Arguments.AppSpecification.ContainerArguments).toEqual([
      '--seed',
      { 'Std:Join': { On: '', Values: [{ Get: 'Parameters.Seed' }] } },
    ]);
  });
});

describe('framework images', () => {
  it('builds regional URIs and names an unknown region', () => {
    expect(imageUri('us-east-1', 'sagemaker-xgboost', '1.7-1')).toBe(
      '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
    );
    expect(() =>
      imageUri('mars-north-1', 'sagemaker-xgboost', '1.7-1'),
    ).toThrow(/region "mars-north-1"/);
    expect(
      Object.values(SAGEMAKER_IMAGE_ACCOUNTS).every(a => /^\d{12}$/.test(a)),
    ).toBe(true);
  });
});

describe('API mapping', () => {
  it("requires the spec's 8 inputs with their ranges and categories", () => {
    const schema = predictRequestSchema(abalone) as any;
    const item = schema.properties.instances.items;
    expect(item.required).toEqual([...FEATURE_COLUMNS]);
    expect(item.properties.length).toEqual({
      type: 'number',
      minimum: 0,
      maximum: 1,
    });
    expect(item.properties.sex).toEqual({
      type: 'string',
      enum: ['M', 'F', 'I'],
    });
    expect(schema.properties.instances.maxItems).toBe(1000);
  });

  it('refuses categories and classes that would break the CSV row or the VTL', () => {
    const bad = {
      ...abalone,
      inputs: [
        { name: 'x', type: 'categorical' as const, categories: ['a,b'] },
      ],
    };
    expect(() => requestTemplate(bad)).toThrow(
      /columns x: category "a,b" contains one of/,
    );
  });

  it('writes one CSV row per instance in the preprocessor column order', () => {
    expect(requestTemplate(abalone)).toContain(
      '#foreach($i in $instances)\n$i.sex,$i.length,$i.diameter,$i.height,$i.wholeWeight,$i.shuckedWeight,$i.visceraWeight,$i.shellWeight\n#end',
    );
  });

  it('answers {predictions:[{rings, value, display, age}]} with age = rings + 1.5', () => {
    const vtl = responseTemplate(abalone, 'ep', '3');
    expect(vtl).toContain('#set($shown = $y * 1 + 1.5)');
    expect(vtl).toContain(
      '{"rings":$y,"value":$y,"display":{"value":$shown,"label":"Age","unit":"years"},"age":$shown}',
    );
    expect(vtl).toContain('"endpointName":"ep","modelVersion":3}');
  });
});

describe('portal snippet', () => {
  const outputs = {
    MlopsPipeline: {
      PipelineName: 'abalone-pipeline',
      ModelPackageGroupName: 'AbaloneModelPackageGroup',
      Region: 'eu-west-1',
      EndpointName: 'abalone-age-endpoint',
    },
    MlopsRelease: { ReleasePipelineName: 'abalone-release' },
    MlopsServing: {
      EndpointName: 'abalone-age-endpoint',
      ApiUrl: 'https://x.execute-api.eu-west-1.amazonaws.com/prod/',
    },
  };

  it('prints the annotations and the aws engine config', () => {
    const r = resourcesFromOutputs(outputs);
    expect(catalogAnnotationsYaml(r)).toBe(
      [
        'metadata:',
        '  annotations:',
        '    mlops.io/pipeline: "abalone-pipeline"',
        '    mlops.io/model-package-group: "AbaloneModelPackageGroup"',
        '    mlops.io/endpoint: "abalone-age-endpoint"',
        '    mlops.io/release-pipeline: "abalone-release"',
        '    mlops.io/aws-region: "eu-west-1"',
        '    # the spec file the stacks were built from, relative to this catalog-info.yaml',
        '    mlops.io/spec: "./ml-system.yaml"',
        '',
      ].join('\n'),
    );
    expect(appConfigYaml(r)).toBe(
      'mlops:\n  engine: aws\n  aws:\n    region: "eu-west-1"\n',
    );
    const withData = {
      ...outputs,
      MlopsData: { InputDataUrl: 's3://mlops-data-1-eu-west-1/data/' },
    };
    expect(portalSnippet(withData)).toContain(
      '    mlops.io/data-bucket: "s3://mlops-data-1-eu-west-1/data/"\n',
    );
    expect(portalSnippet(withData)).toContain(
      '    dataBucket: "s3://mlops-data-1-eu-west-1/data/"\n',
    );
    expect(portalSnippet(outputs)).toContain(
      '# prediction API: https://x.execute-api.eu-west-1.amazonaws.com/prod/predict',
    );
  });

  it('prints the IAM policy values only the deployment knows, the data key ARN included', () => {
    const keyArn =
      'arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
    const snippet = portalSnippet({
      ...outputs,
      MlopsPipeline: {
        ...outputs.MlopsPipeline,
        ArtifactBucketName: 'mlops-artifacts-1-eu-west-1',
      },
      MlopsData: {
        InputDataUrl: 's3://mlops-data-1-eu-west-1/data/',
        DataKeyArn: keyArn,
      },
    });
    expect(snippet).toContain(
      [
        '# IAM policy of the portal backend (plugins/mlops-backend-module-aws/docs/aws.md)',
        '# DATA_BUCKET: mlops-data-1-eu-west-1',
        `# DATA_KEY_ARN: ${keyArn}  (kms:GenerateDataKey: uploads to the SSE-KMS data bucket)`,
        '# ARTIFACT_BUCKET: mlops-artifacts-1-eu-west-1',
        '',
      ].join('\n'),
    );
    expect(portalSnippet(outputs)).not.toContain('DATA_KEY_ARN');
  });

  it('prints the rollout policy to attach beside it when the pipeline stack has one', () => {
    const policyArn =
      'arn:aws:iam::123456789012:policy/mlops-portal-rollouts-abalone-age-predictor';
    const snippet = portalSnippet({
      ...outputs,
      MlopsPipeline: {
        ...outputs.MlopsPipeline,
        ArtifactBucketName: 'mlops-artifacts-1-eu-west-1',
        PortalRolloutPolicyArn: policyArn,
      },
    });
    const r = resourcesFromOutputs(outputs);
    expect(snippet).not.toContain('SAGEMAKER_EXECUTION_ROLE_ARN');
    const roleArn =
      'arn:aws:iam::123456789012:role/MlopsServing-ModelRoleEE661428-ABC';
    expect(
      portalSnippet({
        ...outputs,
        MlopsPipeline: {
          ...outputs.MlopsPipeline,
          ArtifactBucketName: 'mlops-artifacts-1-eu-west-1',
        },
        MlopsServing: { ...outputs.MlopsServing, ModelRoleArn: roleArn },
      }),
    ).toContain(`# SAGEMAKER_EXECUTION_ROLE_ARN: ${roleArn}\n`);
    expect(snippet).toContain(
      `# attach also: ${policyArn}  (rollout alarms, manual rollback, shadow tests of ${r.endpointName})\n`,
    );
    expect(portalSnippet(outputs)).not.toContain('attach also');
  });

  it('names the missing output', () => {
    expect(() =>
      resourcesFromOutputs({ MlopsPipeline: outputs.MlopsPipeline }),
    ).toThrow('cdk outputs lack MlopsRelease.ReleasePipelineName');
  });
});

describe('consumer site source', () => {
  it('falls back to the placeholder when the app is not built', () => {
    expect(siteSourceDir('/nonexistent/dist')).toBe(PLACEHOLDER_SITE_DIR);
    expect(fs.existsSync(path.join(PLACEHOLDER_SITE_DIR, 'index.html'))).toBe(
      true,
    );
  });
});

describe('spec files', () => {
  const write = (text: string) => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'spec-'));
    const file = path.join(dir, 'ml-system.yaml');
    fs.writeFileSync(file, text);
    return file;
  };
  const base = (over: string) =>
    `apiVersion: mlops.io/v1alpha1
kind: MLSystem
metadata: { name: churn }
spec:
  dataset:
    header: true
    target: churned
    task: binary
    classes: [no, yes]
    columns:
      - { name: plan, type: categorical, categories: [basic, pro] }
      - { name: tenure, type: numeric, min: 0 }
  gate: { metric: auc, comparison: GreaterThanOrEqualTo, threshold: 0.8 }
${over}`;

  it('resolves a spec whose columns are all listed, target typed by the task', () => {
    const system = loadSystem(write(base('')));
    expect(system.inputs.map(c => [c.name, c.type])).toEqual([
      ['plan', 'categorical'],
      ['tenure', 'numeric'],
    ]);
    expect(system.schema.classes).toEqual(['no', 'yes']);
    expect(system.split).toEqual({
      train: 0.7,
      validation: 0.15,
      test: 0.15,
      stratify: true,
    });
  });

  it('infers unlisted columns from a data file as ml-core does: numeric when every cell is a number', () => {
    const data = path.join(path.dirname(write(base(''))), 'data.csv');
    fs.writeFileSync(
      data,
      'plan,tenure,region,score,churned\nbasic,3,north,1.5,no\npro,NA,south,,yes\n',
    );
    const system = loadSystem(write(base('')), data);
    expect(
      system.inputs.map(c => [c.name, c.type, c.categories ?? null]),
    ).toEqual([
      ['plan', 'categorical', ['basic', 'pro']],
      ['tenure', 'numeric', null],
      // as the portal resolves it: an inferred category set is learned in training, not fixed at the API
      ['region', 'categorical', null],
      ['score', 'numeric', null],
    ]);
  });

  it.each([
    [
      'apiVersion: v2\n' + base('').split('\n').slice(1).join('\n'),
      /apiVersion: must be/,
    ],
    [
      base('').replace('name: churn', 'name: Churn_1'),
      /metadata.name: must be lower-case/,
    ],
    [
      base('').replace('metric: auc', 'metric: mse'),
      /spec.gate.metric: 'mse' is not a binary metric/,
    ],
    [
      base('').replace('GreaterThanOrEqualTo', 'AtLeast'),
      /spec.gate.comparison/,
    ],
    [
      base('').replace('classes: [no, yes]', 'classes: [a, b, c]'),
      /spec.dataset.classes: a binary task has exactly 2/,
    ],
    [
      base('  training: { split: { train: 0.9, validation: 0.2, test: 0.1 } }'),
      /spec.training.split/,
    ],
    [
      base('').replace('name: tenure', 'name: plan'),
      /spec.dataset.columns\[1\].name: 'plan' is listed twice/,
    ],
    [
      base('  training: { objective: reg:squarederror }'),
      /spec.training.objective: reg:squarederror does not fit task binary/,
    ],
    [
      base('  training: { hyperparameters: { max_depth: deep } }'),
      /spec.training.hyperparameters.max_depth: must be a number/,
    ],
    // Accepted by the portal's parseSpec, refused by what AWS adds:
    [
      base('').replace('name: churn', `name: ${'c'.repeat(41)}`),
      /metadata.name: .*at most 40 characters/,
    ],
    [
      base('').replace('name: tenure', 'name: tenure days'),
      /spec.dataset.columns\[1\].name: letters, digits and _/,
    ],
  ])('names the field of a bad spec (%#)', (text, message) => {
    expect(() => loadSystem(write(text as string))).toThrow(message as RegExp);
  });

  it("reads the spec with the portal's parser: the abalone and penguins specs load, and a problem is named with its file", () => {
    for (const demo of ['abalone', 'penguins'])
      expect(
        loadSystem(path.join(DEMO, demo, 'ml-system.yaml')).schema.task,
      ).toMatch(/regression|multiclass/);
    const file = write(base('').replace('task: binary', 'task: ranking'));
    expect(() => loadSystem(file)).toThrow(
      new RegExp(
        `^${file}: 1 problem:\n {2}- spec.dataset.task: must be one of`,
      ),
    );
  });

  it("trains with the task's objective and the spec's eval metric when it names one", () => {
    const system = loadSystem(
      write(base('  training: { hyperparameters: { eval_metric: auc } }')),
    );
    expect(taskTraining(system)).toEqual({
      objective: 'binary:logistic',
      eval_metric: 'auc',
    });
    expect(taskTraining(loadSystem(write(base(''))))).toEqual({
      objective: 'binary:logistic',
      eval_metric: 'logloss',
    });
  });

  it('evaluate.py reports every metric the portal lets a gate name, so a spec the portal accepts deploys', () => {
    for (const task of ['regression', 'binary', 'multiclass'] as const)
      expect(REPORT_METRICS[task]).toEqual(
        expect.arrayContaining(TASK_METRICS[task].metrics.map(m => m.name)),
      );
  });

  it("names every gate step as the portal does (CheckMSE, CheckPRAUC, …: the runs' step names are data both read)", () => {
    for (const task of ['regression', 'binary', 'multiclass'] as const)
      for (const metric of REPORT_METRICS[task])
        expect(
          gateStepName({ metric, comparison: 'LessThan', threshold: 0 }),
        ).toBe(portalGateStepName({ metric }));
  });

  it.each([
    ['abalone', 'abalone.data', false],
    ['breast-cancer', 'breast-cancer.csv', true],
    ['penguins', 'penguins.csv', false],
  ])(
    "resolves %s's inputs as the portal does (ml-core's resolveSchema over the data file), so the endpoint's CSV order is the signature's",
    (demo, data, needsData) => {
      const specFile = path.join(DEMO, demo, 'ml-system.yaml');
      const dataFile = path.join(DEMO, demo, data);
      const system = loadSystem(specFile, needsData ? dataFile : undefined);
      const portal = resolveSchema(
        parseSpec(fs.readFileSync(specFile, 'utf8')).spec.dataset,
        fs.readFileSync(dataFile, 'utf8'),
      );
      expect(system.inputs).toEqual(
        portal.columns.filter(c => c.name !== portal.target),
      );
      expect(system.schema.classes).toEqual(portal.classes);
      expect(system.schema.task).toBe(portal.task);
    },
  );

  it('refuses a data file holding a category the spec does not allow, naming the file and column', () => {
    const data = path.join(path.dirname(write(base(''))), 'data.csv');
    fs.writeFileSync(
      data,
      'plan,tenure,churned\nbasic,3,no\ngold,4,yes\npro,5,no\n',
    );
    expect(() => loadSystem(write(base('')), data)).toThrow(
      new RegExp(
        `^${data}: column 'plan' holds 'gold', not among its categories`,
      ),
    );
  });

  it('asks for a data file when a header spec leaves types to inference', () => {
    const file = path.join(DEMO, 'breast-cancer', 'ml-system.yaml');
    expect(() => loadSystem(file)).toThrow(
      /give every column with its type .* or a data file/,
    );
    expect(() => loadSystem(file, '/nonexistent/data.csv')).toThrow(
      '/nonexistent/data.csv: data file not found',
    );
  });
});

describe('portal snippet for several systems', () => {
  it("prints one app-config and each system's annotations", () => {
    const system = (p: string, name: string): StackOutputs => ({
      [`${p}Pipeline`]: {
        SystemName: name,
        PipelineName: `${name}-pipeline`,
        ModelPackageGroupName: `${name}-models`,
        Region: 'eu-west-1',
        EndpointName: name,
        InputDataUrl: `s3://mlops-data-1-eu-west-1/data/${name}/`,
        SpecAnnotation: `./${name}.yaml`,
      },
      [`${p}Release`]: { ReleasePipelineName: `${name}-release` },
    });
    const text = portalSnippet({
      ...system('Mlops', 'abalone-age-predictor'),
      ...system('BreastCancer', 'breast-cancer-classifier'),
    });
    expect(text.match(/mlops:\n {2}engine: aws/g)).toHaveLength(1);
    expect(text).toContain(
      '# ===== breast-cancer-classifier (stacks BreastCancer*) =====',
    );
    expect(text).toContain(
      '    mlops.io/data-bucket: "s3://mlops-data-1-eu-west-1/data/breast-cancer-classifier/"',
    );
    expect(text).toContain(
      '    mlops.io/release-pipeline: "abalone-age-predictor-release"',
    );
    expect(text).toContain(
      '    mlops.io/spec: "./breast-cancer-classifier.yaml"',
    );
  });
});
