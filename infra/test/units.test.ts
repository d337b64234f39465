import * as fs from 'fs';
import * as path from 'path';
import {
  predictRequestSchema,
  requestTemplate,
  responseTemplate,
} from '../lib/api-mapping';
import { FEATURE_COLUMNS, MODEL_PARAMETERS } from '../lib/config';
import { imageUri, SAGEMAKER_IMAGE_ACCOUNTS } from '../lib/images';
import {
  buildPipelineDefinition,
  pipelineParameters,
} from '../lib/pipeline-definition';
import {
  appConfigYaml,
  catalogAnnotationsYaml,
  portalSnippet,
  resourcesFromOutputs,
} from '../lib/portal-snippet';
import { siteSourceDir, PLACEHOLDER_SITE_DIR } from '../lib/hosting-stack';

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
    'match the portal contract (plugins/mlops-common/src/parameters.ts) name for name',
    () => {
      const text = fs.readFileSync(common, 'utf8');
      const portal = [
        ...text.matchAll(/name: '(\w+)', type: '(\w+)', default: ([^,]+),/g),
      ].map(m => ({
        name: m[1],
        type: m[2],
        default: m[3].startsWith("'") ? m[3].slice(1, -1) : Number(m[3]),
      }));
      expect(portal.length).toBeGreaterThanOrEqual(10);
      expect(
        MODEL_PARAMETERS.map(p => ({
          name: p.name,
          type: p.type,
          default: p.default,
        })),
      ).toEqual(portal);
    },
  );

  it('adds the data URL and instance types the aws engine also sends', () => {
    const names = pipelineParameters('s3://b/data/').map(p => p.Name);
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
    roleArn: 'arn:aws:iam::1:role/r',
    artifactBucketName: 'art',
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
      'MseAboveThreshold',
    ]);
    for (const [, name] of json.matchAll(/"Steps\.(\w+)\./g))
      expect(steps.has(name)).toBe(true);
  });

  it('writes each run under runs/<execution id>/ and feeds the code prefix to both processing steps', () => {
    const [pre, , evaluate] = def.Steps;
    expect(
      pre.Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri,
    ).toEqual({
      'Std:Join': {
        On: '/',
        Values: [
          's3://art/runs',
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
        S3Uri: 's3://art/code/',
        LocalPath: '/opt/ml/processing/input/code',
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
  it('requires the 8 features with the portal ranges', () => {
    const schema = predictRequestSchema() as any;
    const item = schema.properties.instances.items;
    expect(item.required).toEqual([...FEATURE_COLUMNS]);
    expect(item.properties.length).toEqual({
      type: 'number',
      minimum: 0,
      maximum: 1,
    });
    expect(schema.properties.instances.maxItems).toBe(1000);
  });

  it('writes one CSV row per instance in the preprocessor column order', () => {
    expect(requestTemplate()).toContain(
      '#foreach($i in $instances)\n$i.sex,$i.length,$i.diameter,$i.height,$i.wholeWeight,$i.shuckedWeight,$i.visceraWeight,$i.shellWeight\n#end',
    );
  });

  it('answers {predictions:[{rings, age}]} with age = rings + 1.5', () => {
    const vtl = responseTemplate('ep', '3');
    expect(vtl).toContain('#set($age = $rings + 1.5)');
    expect(vtl).toContain('{"rings":$rings,"age":$age}');
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
        '# IAM policy of the portal backend (plugins/mlops-backend/docs/aws.md)',
        '# DATA_BUCKET: mlops-data-1-eu-west-1',
        `# DATA_KEY_ARN: ${keyArn}  (kms:GenerateDataKey: uploads to the SSE-KMS data bucket)`,
        '# ARTIFACT_BUCKET: mlops-artifacts-1-eu-west-1',
        '',
      ].join('\n'),
    );
    expect(portalSnippet(outputs)).not.toContain('DATA_KEY_ARN');
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

describe('step scripts (content the pipeline relies on)', () => {
  const ml = (f: string) =>
    fs.readFileSync(path.join(__dirname, '..', 'ml', f), 'utf8');

  it('preprocess: median impute, standard scale, one-hot sex, seeded 70/15/15 split, packaged preprocessor', () => {
    const py = ml('preprocess.py');
    expect(py).toContain('SimpleImputer(strategy="median")');
    expect(py).toContain('StandardScaler()');
    expect(py).toContain(
      'OneHotEncoder(categories=[SEX_CATEGORIES], handle_unknown="ignore")',
    );
    expect(py).toContain('fractions=(0.7, 0.15, 0.15)');
    expect(py).toContain('np.random.default_rng(seed)');
    expect(py).toContain('preprocessor.fit(train[FEATURE_COLUMNS])');
    expect(py).toMatch(
      /for name, part in \(\("train", train\), \("validation", validation\), \("test", test\)\)/,
    );
    expect(py).toContain('arcname=f"code/{name}"');
  });

  it('evaluate: writes regression_metrics.mse.value to evaluation/evaluation.json', () => {
    const py = ml('evaluate.py');
    expect(py).toContain('"regression_metrics"');
    expect(py).toContain('"mse": {"value": mse, "standard_deviation"');
    expect(py).toContain('os.path.join(out_dir, "evaluation.json")');
  });

  it('inference: the SKLearn serving hooks and the API column order', () => {
    const py = ml('inference.py');
    for (const fn of ['model_fn', 'input_fn', 'predict_fn', 'output_fn'])
      expect(py).toContain(`def ${fn}(`);
    const common = ml('abalone_common.py');
    expect(common).toContain(
      FEATURE_COLUMNS.map(c => `    "${c}",`).join('\n'),
    );
    expect(common).toContain('SEX_CATEGORIES = ["F", "I", "M"]');
  });

  it('python tests exist and skip cleanly without the modules', () => {
    const tests = ml('tests/test_steps.py');
    expect(tests).toMatch(
      /@unittest\.skipIf\(missing\("pandas", "sklearn", "joblib"\)/,
    );
    expect(tests).toMatch(
      /@unittest\.skipIf\(missing\("pandas", "numpy", "xgboost"\)/,
    );
  });
});
