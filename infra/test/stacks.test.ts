import { Match } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as path from 'path';
import { MODEL_PARAMETERS } from '../lib/config';
import { DEFAULT_SERVING } from '../lib/serving-stack';
import {
  allStatements,
  asArray,
  joinToString,
  resourcesOf,
  synthesizeApp,
  Synthesized,
} from './helpers';

let s: Synthesized;
beforeAll(() => {
  s = synthesizeApp();
});
afterAll(() => fs.rmSync(s.app.outdir, { recursive: true, force: true }));

describe('every bucket', () => {
  it.each(['data', 'release', 'hosting'] as const)(
    '%s: encrypted, public access blocked, SSL-only',
    name => {
      const template = s.json[name];
      const buckets = resourcesOf(template, 'AWS::S3::Bucket');
      expect(buckets.length).toBeGreaterThan(0);
      for (const [id, bucket] of buckets) {
        expect({
          id,
          enc: bucket.Properties.BucketEncryption
            ?.ServerSideEncryptionConfiguration?.length,
        }).toEqual({ id, enc: 1 });
        expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        const policy = resourcesOf(template, 'AWS::S3::BucketPolicy').find(
          ([, p]) => p.Properties.Bucket.Ref === id,
        );
        expect(policy).toBeDefined();
        expect(policy![1].Properties.PolicyDocument.Statement).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
      }
    },
  );
});

describe('data stack', () => {
  it('has a versioned, KMS-encrypted data bucket', () => {
    s.templates.data.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'mlops-data-123456789012-eu-west-1',
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: Match.anyValue(),
            },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
    s.templates.data.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
    });
  });

  it('runs one manifest writer per system on the explicit Node runtime, each on its own prefix and keys', () => {
    for (const system of ['abalone-age-predictor', 'breast-cancer-classifier'])
      s.templates.data.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Handler: 'index.handler',
        Environment: {
          Variables: {
            DATA_BUCKET: Match.anyValue(),
            DATA_PREFIX: `data/${system}/`,
            MANIFEST_BUCKET: Match.anyValue(),
            MANIFEST_ZIP_KEY: `manifest/${system}/data-manifest.zip`,
            MANIFEST_JSON_KEY: `manifest/${system}/data-manifest.json`,
          },
        },
      });
  });

  it('holds the artifact bucket every system shares (a prefix each)', () => {
    s.templates.data.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'mlops-artifacts-123456789012-eu-west-1',
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it("bundles the writer with local esbuild, leaving the runtime's AWS SDK out", () => {
    const [, fn] = resourcesOf(s.json.data, 'AWS::Lambda::Function').find(
      ([id]) => id.includes('ManifestWriter'),
    )!;
    const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    const bundle = fs.readFileSync(
      path.join(s.app.outdir, `asset.${hash}`, 'index.js'),
      'utf8',
    );
    expect(bundle).toContain('ListObjectVersionsCommand');
    expect(bundle).toContain('require("@aws-sdk/client-s3")');
    expect(bundle.length).toBeLessThan(50_000);
  });

  it('lets the portal origin PUT upload parts and read their ETags; expires unfinished staging uploads', () => {
    s.templates.data.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'mlops-data-123456789012-eu-west-1',
      CorsConfiguration: {
        CorsRules: [
          {
            AllowedMethods: ['PUT'],
            AllowedOrigins: ['http://localhost:3000'],
            AllowedHeaders: ['Content-Type'],
            ExposedHeaders: ['ETag'],
            MaxAge: 3000,
          },
        ],
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'staging/',
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            ExpirationInDays: 1,
          }),
        ]),
      },
    });
  });

  it("triggers each system's writer on objects created under its data prefix", () => {
    s.templates.data.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          'abalone-age-predictor',
          'breast-cancer-classifier',
        ].map(system => ({
          Events: ['s3:ObjectCreated:*'],
          Filter: {
            Key: {
              FilterRules: [{ Name: 'prefix', Value: `data/${system}/` }],
            },
          },
          LambdaFunctionArn: Match.anyValue(),
        })),
      },
    });
  });

  it('lets the writer list the data prefix and write only the two manifest keys', () => {
    const writerPolicy = resourcesOf(s.json.data, 'AWS::IAM::Policy').find(
      ([id]) =>
        id.startsWith('Systemabaloneagepredictor') &&
        id.includes('ManifestWriterRole'),
    )![1];
    const statements = writerPolicy.Properties.PolicyDocument.Statement;
    const put = statements.find((st: any) =>
      asArray(st.Action).includes('s3:PutObject'),
    );
    expect(asArray(put.Action)).toEqual(['s3:PutObject']);
    expect(JSON.stringify(put.Resource)).toContain(
      'manifest/abalone-age-predictor/data-manifest.zip',
    );
    expect(JSON.stringify(put.Resource)).toContain(
      'manifest/abalone-age-predictor/data-manifest.json',
    );
    const list = statements.find((st: any) =>
      asArray(st.Action).includes('s3:ListBucketVersions'),
    );
    expect(list.Condition).toEqual({
      StringLike: {
        's3:prefix': [
          'data/abalone-age-predictor/',
          'data/abalone-age-predictor/*',
        ],
      },
    });
  });

  it('sends manifest bucket events to EventBridge (release trigger)', () => {
    s.templates.data.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
  });
});

describe('ML pipeline stack', () => {
  let definition: any;
  beforeAll(() => {
    const [, pipeline] = resourcesOf(
      s.json.pipeline,
      'AWS::SageMaker::Pipeline',
    )[0];
    definition = JSON.parse(
      joinToString(
        pipeline.Properties.PipelineDefinition.PipelineDefinitionBody,
      ),
    );
  });

  it('declares the pipeline and the AbaloneModelPackageGroup', () => {
    s.templates.pipeline.hasResourceProperties('AWS::SageMaker::Pipeline', {
      PipelineName: 'abalone-pipeline',
    });
    s.templates.pipeline.hasResourceProperties(
      'AWS::SageMaker::ModelPackageGroup',
      {
        ModelPackageGroupName: 'AbaloneModelPackageGroup',
      },
    );
  });

  it('exposes every portal parameter with its default', () => {
    const params = Object.fromEntries(
      definition.Parameters.map((p: any) => [p.Name, [p.Type, p.DefaultValue]]),
    );
    // The gate threshold is the spec's, not a parameter a run could lower.
    expect(params.MseThreshold).toBeUndefined();
    expect(params).toMatchObject({
      ModelApprovalStatus: ['String', 'PendingManualApproval'],
      MaxDepth: ['Integer', 5],
      Eta: ['Float', 0.2],
      Gamma: ['Float', 4],
      MinChildWeight: ['Float', 6],
      Subsample: ['Float', 0.7],
      NumRound: ['Integer', 50],
      EarlyStoppingRounds: ['Integer', 10],
      Seed: ['Integer', 0],
      ProcessingInstanceType: ['String', 'ml.m5.xlarge'],
      TrainingInstanceType: ['String', 'ml.m5.xlarge'],
    });
    expect(params.InputDataUrl[1]).toBe(
      's3://mlops-data-123456789012-eu-west-1/data/abalone-age-predictor/',
    );
  });

  it('chains Preprocess → Train → Evaluate → CheckMSE → Register with region-specific images', () => {
    expect(definition.Steps.map((st: any) => st.Name)).toEqual([
      'Preprocess',
      'Train',
      'Evaluate',
      'CheckMSE',
    ]);
    const [pre, train, evaluate, check] = definition.Steps;
    // The URL suffix stays AWS::URLSuffix (amazonaws.com, or .com.cn in China).
    expect(pre.Arguments.AppSpecification.ImageUri).toBe(
      '141502667606.dkr.ecr.eu-west-1.<TOKEN>/sagemaker-scikit-learn:1.2-1-cpu-py3',
    );
    expect(train.Arguments.AlgorithmSpecification.TrainingImage).toBe(
      '141502667606.dkr.ecr.eu-west-1.<TOKEN>/sagemaker-xgboost:1.7-1',
    );
    expect(
      pre.Arguments.ProcessingOutputConfig.Outputs.map(
        (o: any) => o.OutputName,
      ),
    ).toEqual([
      'train',
      'validation',
      'test',
      'preprocessor',
      'baseline',
      'signature',
    ]);
    expect(
      train.Arguments.InputDataConfig.map((c: any) => [
        c.ChannelName,
        c.DataSource.S3DataSource.S3Uri.Get,
      ]),
    ).toEqual([
      [
        'train',
        "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri",
      ],
      [
        'validation',
        "Steps.Preprocess.ProcessingOutputConfig.Outputs['validation'].S3Output.S3Uri",
      ],
    ]);
    expect(evaluate.PropertyFiles).toEqual([
      {
        PropertyFileName: 'EvaluationReport',
        OutputName: 'evaluation',
        FilePath: 'evaluation.json',
      },
    ]);
    expect(check.Arguments.IfSteps.map((st: any) => st.Name)).toEqual([
      'Register',
    ]);
    expect(
      check.Arguments.ElseSteps.map((st: any) => [st.Name, st.Type]),
    ).toEqual([['CheckMSEFailed', 'Fail']]);
  });

  it('trains with the reference hyperparameters from pipeline parameters and early stopping', () => {
    const hp = definition.Steps[1].Arguments.HyperParameters;
    expect(hp.objective).toBe('reg:squarederror');
    expect(hp.eval_metric).toBe('rmse');
    for (const p of MODEL_PARAMETERS.filter(p => p.hyperparameter)) {
      expect(hp[p.hyperparameter!]).toEqual({
        'Std:Join': { On: '', Values: [{ Get: `Parameters.${p.name}` }] },
      });
    }
    expect(Object.keys(hp).sort()).toEqual([
      'early_stopping_rounds',
      'eta',
      'eval_metric',
      'gamma',
      'max_depth',
      'min_child_weight',
      'num_round',
      'objective',
      'seed',
      'subsample',
    ]);
  });

  it("gates registration on the spec's gate: regression_metrics.mse.value ≤ 6", () => {
    expect(definition.Steps[3].Arguments.Conditions).toEqual([
      {
        Type: 'LessThanOrEqualTo',
        LeftValue: {
          'Std:JsonGet': {
            PropertyFile: {
              Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport',
            },
            Path: 'regression_metrics.mse.value',
          },
        },
        RightValue: 6,
      },
    ]);
  });

  it('registers preprocessor + XGBoost as one package with metrics and the approval status parameter', () => {
    const register = definition.Steps[3].Arguments.IfSteps[0];
    expect(register.Type).toBe('RegisterModel');
    expect(register.Arguments.ModelPackageGroupName).toBe(
      'AbaloneModelPackageGroup',
    );
    expect(register.Arguments.ModelApprovalStatus).toEqual({
      Get: 'Parameters.ModelApprovalStatus',
    });
    const containers = register.Arguments.InferenceSpecification.Containers;
    expect(containers.map((c: any) => c.Image)).toEqual([
      '141502667606.dkr.ecr.eu-west-1.<TOKEN>/sagemaker-scikit-learn:1.2-1-cpu-py3',
      '141502667606.dkr.ecr.eu-west-1.<TOKEN>/sagemaker-xgboost:1.7-1',
    ]);
    expect(containers[0].Environment.SAGEMAKER_PROGRAM).toBe('inference.py');
    expect(containers[1].ModelDataUrl).toEqual({
      Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts',
    });
    expect(register.Arguments.ModelMetrics.ModelQuality.Statistics).toEqual({
      ContentType: 'application/json',
      S3Uri: {
        'Std:Join': {
          On: '/',
          Values: [
            {
              Get: "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri",
            },
            'evaluation.json',
          ],
        },
      },
    });
  });

  it("uploads the step scripts and system.json under the system's prefix, next to its runs", () => {
    s.templates.pipeline.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: 'mlops-artifacts-123456789012-eu-west-1',
      DestinationBucketKeyPrefix: 'systems/abalone-age-predictor/code/',
    });
    s.templates.pipeline.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketKeyPrefix: 'systems/abalone-age-predictor/spec/',
    });
  });

  it('scopes the SageMaker role to its jobs, its package group and its own role', () => {
    const statements = allStatements(s.json.pipeline).filter(st => st.Sid);
    const bySid = Object.fromEntries(statements.map(st => [st.Sid, st]));
    expect(JSON.stringify(bySid.RunPipelineJobs.Resource)).toMatch(
      /processing-job\/\*.*training-job\/\*/,
    );
    expect(JSON.stringify(bySid.RegisterModelVersions.Resource)).toContain(
      'model-package/abalonemodelpackagegroup/*',
    );
    expect(bySid.PassOwnRoleToJobs.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
    });
    expect(bySid.ReadDataSet.Action).toBe('s3:GetObject');
  });
});

describe('serving stack', () => {
  it('takes the model package ARN as a validated parameter', () => {
    const param = s.json.serving.Parameters.ModelPackageArn;
    expect(param.Type).toBe('String');
    const re = new RegExp(param.AllowedPattern);
    expect(
      re.test(
        'arn:aws:sagemaker:eu-west-1:123456789012:model-package/abalonemodelpackagegroup/3',
      ),
    ).toBe(true);
    expect(
      re.test(
        'arn:aws:sagemaker:eu-west-1:123456789012:model-package/AbaloneModelPackageGroup',
      ),
    ).toBe(false);
  });

  it('creates the model from the package through a custom resource', () => {
    const [, model] = resourcesOf(
      s.json.serving,
      'Custom::SageMakerModelFromPackage',
    )[0];
    const create = JSON.parse(joinToString(model.Properties.Create));
    expect(create).toMatchObject({
      service: 'SageMaker',
      action: 'CreateModel',
      parameters: {
        ModelName: '<TOKEN>',
        ExecutionRoleArn: '<TOKEN>',
        Containers: [{ ModelPackageName: '<TOKEN>' }],
      },
    });
    expect(JSON.stringify(model.Properties.Create)).toContain(
      '{"Ref":"ModelPackageArn"}',
    );
    expect(JSON.parse(joinToString(model.Properties.Update)).action).toBe(
      'CreateModel',
    );
    expect(JSON.parse(model.Properties.Delete)).toMatchObject({
      action: 'DeleteModel',
      parameters: { ModelName: 'PHYSICAL:RESOURCEID:' },
    });
  });

  it('serves it from an endpoint config + fixed-name endpoint', () => {
    s.templates.serving.hasResourceProperties(
      'AWS::SageMaker::EndpointConfig',
      {
        ProductionVariants: [
          Match.objectLike({
            VariantName: 'AllTraffic',
            InitialInstanceCount: 1,
            InstanceType: 'ml.m5.large',
          }),
        ],
      },
    );
    s.templates.serving.hasResourceProperties('AWS::SageMaker::Endpoint', {
      EndpointName: 'abalone-age-endpoint',
    });
    // The portal reads what the endpoint serves from this tag.
    s.templates.serving.hasResourceProperties(
      'AWS::SageMaker::EndpointConfig',
      {
        Tags: [
          { Key: 'mlops:model-package-arn', Value: { Ref: 'ModelPackageArn' } },
        ],
      },
    );
  });

  it('autoscales the variant on invocations per instance within min/max', () => {
    s.templates.serving.hasResourceProperties(
      'AWS::ApplicationAutoScaling::ScalableTarget',
      {
        MinCapacity: DEFAULT_SERVING.minCapacity,
        MaxCapacity: DEFAULT_SERVING.maxCapacity,
        ResourceId: 'endpoint/abalone-age-endpoint/variant/AllTraffic',
        ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        ServiceNamespace: 'sagemaker',
        RoleARN: Match.absent(),
      },
    );
    s.templates.serving.hasResourceProperties(
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          PredefinedMetricSpecification: {
            PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance',
          },
          TargetValue: DEFAULT_SERVING.invocationsPerInstanceTarget,
        },
      },
    );
  });

  it('integrates POST /predict directly with InvokeEndpoint, JSON → CSV → JSON', () => {
    s.templates.serving.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestValidatorId: Match.anyValue(),
      RequestModels: { 'application/json': Match.anyValue() },
      Integration: Match.objectLike({
        Type: 'AWS',
        IntegrationHttpMethod: 'POST',
        PassthroughBehavior: 'NEVER',
        RequestParameters: {
          'integration.request.header.Content-Type': "'text/csv'",
          'integration.request.header.Accept': "'text/csv'",
        },
        RequestTemplates: {
          'application/json': Match.stringLikeRegexp(
            '\\$i\\.sex,\\$i\\.length',
          ),
        },
      }),
    });
    s.templates.serving.hasResourceProperties(
      'AWS::ApiGateway::RequestValidator',
      { ValidateRequestBody: true },
    );
    const [, post] = resourcesOf(
      s.json.serving,
      'AWS::ApiGateway::Method',
    ).find(([, m]) => m.Properties.HttpMethod === 'POST')!;
    expect(JSON.stringify(post.Properties.Integration.Uri)).toContain(
      ':runtime.sagemaker:path/endpoints/abalone-age-endpoint/invocations',
    );
  });

  it('validates the 8 features with a JSON schema model', () => {
    const [, model] = resourcesOf(s.json.serving, 'AWS::ApiGateway::Model')[0];
    const items = model.Properties.Schema.properties.instances.items;
    expect(items.required).toEqual([
      'sex',
      'length',
      'diameter',
      'height',
      'wholeWeight',
      'shuckedWeight',
      'visceraWeight',
      'shellWeight',
    ]);
    expect(items.additionalProperties).toBe(false);
    expect(items.properties.sex.enum).toEqual(['M', 'F', 'I']);
  });

  it('answers CORS preflight and puts the CORS header on responses and gateway errors', () => {
    s.templates.serving.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      Integration: Match.objectLike({
        IntegrationResponses: [
          Match.objectLike({
            ResponseParameters: Match.objectLike({
              'method.response.header.Access-Control-Allow-Origin': "'*'",
              'method.response.header.Access-Control-Allow-Methods':
                "'POST,OPTIONS'",
            }),
          }),
        ],
      }),
    });
    s.templates.serving.hasResourceProperties(
      'AWS::ApiGateway::GatewayResponse',
      {
        ResponseType: 'BAD_REQUEST_BODY',
        StatusCode: '400',
        ResponseParameters: {
          'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
        },
      },
    );
  });

  it('throttles the stage and attaches a usage plan', () => {
    s.templates.serving.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      MethodSettings: [
        Match.objectLike({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 }),
      ],
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    s.templates.serving.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 20, BurstLimit: 40 },
      Quota: { Limit: 100000, Period: 'DAY' },
    });
  });

  it('lets the API invoke only its endpoint', () => {
    const invoke = allStatements(s.json.serving).filter(st =>
      asArray(st.Action).includes('sagemaker:InvokeEndpoint'),
    );
    expect(invoke).toHaveLength(1);
    expect(asArray(invoke[0].Action)).toEqual(['sagemaker:InvokeEndpoint']);
    expect(JSON.stringify(invoke[0].Resource)).toContain(
      ':endpoint/abalone-age-endpoint"',
    );
  });
});

describe('release stack', () => {
  it('has the five stages in order with the right actions', () => {
    const [, pipeline] = resourcesOf(
      s.json.release,
      'AWS::CodePipeline::Pipeline',
    )[0];
    expect(pipeline.Properties.Name).toBe('abalone-release');
    const stages = pipeline.Properties.Stages.map((st: any) => [
      st.Name,
      st.Actions.map(
        (a: any) =>
          `${a.ActionTypeId.Category}/${a.ActionTypeId.Provider}:${a.Name}`,
      ),
    ]);
    expect(stages).toEqual([
      ['Source', ['Source/S3:Code', 'Source/S3:DataManifest']],
      ['CI', ['Build/CodeBuild:Test']],
      ['MLPipeline', ['Build/CodeBuild:TrainEvaluateRegister']],
      ['Approval', ['Approval/Manual:ApproveModel']],
      ['Deploy', ['Build/CodeBuild:DeployEndpoint']],
    ]);
    const source = pipeline.Properties.Stages[0].Actions[1];
    expect(source.Configuration).toMatchObject({
      S3ObjectKey: 'manifest/abalone-age-predictor/data-manifest.zip',
      PollForSourceChanges: false,
    });
    const approval = pipeline.Properties.Stages[3].Actions[0];
    expect(approval.Configuration.NotificationArn).toBeDefined();
    const deploy = pipeline.Properties.Stages[4].Actions[0];
    expect(deploy.Configuration.EnvironmentVariables).toContain(
      '#{ML.MODEL_PACKAGE_ARN}',
    );
  });

  it('encrypts the approval topic and the build projects with a rotating key', () => {
    s.templates.release.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: Match.anyValue(),
    });
    s.templates.release.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
    });
    for (const [, project] of resourcesOf(
      s.json.release,
      'AWS::CodeBuild::Project',
    )) {
      expect(project.Properties.EncryptionKey).toBeDefined();
      expect(project.Properties.Environment.PrivilegedMode).toBe(false);
    }
  });

  it('runs install, lint, tests and cdk synth in CI, and the repo scripts in the ML and deploy stages', () => {
    const specs = resourcesOf(s.json.release, 'AWS::CodeBuild::Project').map(
      ([, p]) => p.Properties.Source.BuildSpec as string,
    );
    const ci = specs.find(b => b.includes('cdk synth'))!;
    expect(ci).toContain('npm ci');
    expect(ci).toContain('npm run lint -w @mlops-portal/infra');
    expect(ci).toContain('npm test -w @mlops-portal/infra');
    expect(ci).toContain('bash infra/scripts/test-python.sh');
    expect(specs.find(b => b.includes('run-ml-pipeline.ts'))).toContain(
      'MODEL_PACKAGE_ARN',
    );
    expect(specs.find(b => b.includes('deploy-model.ts'))).toBeDefined();
  });

  it('lets the ML stage start and watch only its pipeline', () => {
    const start = allStatements(s.json.release).find(
      st => st.Sid === 'RunSageMakerPipeline',
    );
    expect(start.Action).toBe('sagemaker:StartPipelineExecution');
    expect(JSON.stringify(start.Resource)).toContain(
      ':pipeline/abalone-pipeline"',
    );
  });

  it('starts on a new data manifest through EventBridge', () => {
    s.templates.release.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: ['mlops-manifest-123456789012-eu-west-1'] },
          object: { key: ['manifest/abalone-age-predictor/data-manifest.zip'] },
        },
      },
    });
  });
});

describe('hosting stack', () => {
  it('serves a private bucket through CloudFront with OAC, HTTPS only', () => {
    s.templates.hosting.hasResourceProperties(
      'AWS::CloudFront::OriginAccessControl',
      {
        OriginAccessControlConfig: Match.objectLike({
          OriginAccessControlOriginType: 's3',
          SigningBehavior: 'always',
        }),
      },
    );
    s.templates.hosting.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'https-only',
        }),
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: 'config.json',
            ViewerProtocolPolicy: 'https-only',
          }),
        ],
      }),
    });
  });

  it('deploys the site plus a config.json pointing at the API', () => {
    const [, deployment] = resourcesOf(
      s.json.hosting,
      'Custom::CDKBucketDeployment',
    )[0];
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
    const markers = JSON.stringify(deployment.Properties.SourceMarkers);
    expect(markers).toContain('PredictionApi');
    expect(deployment.Properties.DistributionPaths).toEqual(['/*']);
  });
});

describe('no wildcard actions on wildcard resources', () => {
  it.each(['data', 'pipeline', 'serving', 'release', 'hosting'] as const)(
    '%s',
    name => {
      for (const st of allStatements(s.json[name])) {
        const actions = asArray(st.Action);
        const resources = asArray(st.Resource ?? []);
        const wildcardAction = actions.some(
          (a: string) => a === '*' || a.endsWith(':*'),
        );
        expect({
          st: st.Sid ?? actions,
          bad: wildcardAction && resources.includes('*'),
        }).toEqual({ st: st.Sid ?? actions, bad: false });
      }
    },
  );
});
