/**
 * Many ML systems from their spec files: the breast-cancer classifier the app
 * deploys beside Abalone, and a third system (the penguins spec) added here by
 * one construct call and nothing else. Also the Deploy stage's scoping
 * (issue #20, finding 7).
 */
import * as path from 'path';
import { MlSystem } from '../lib/ml-system';
import { DEPLOY_EXECUTION_POLICY, SERVED_BOUNDARY } from '../lib/deploy-access';
import {
  allStatements,
  asArray,
  joinToString,
  resourcesOf,
  synthesizeApp,
  Synthesized,
  TEST_ENV,
} from './helpers';
import * as fs from 'fs';

const PENGUINS = path.join(
  __dirname,
  '..',
  '..',
  'packages',
  'demo-systems',
  'penguins',
  'ml-system.yaml',
);

let s: Synthesized;
beforeAll(() => {
  s = synthesizeApp(undefined, (app, stacks) => {
    // The whole of adding a system: a spec file and this call.
    new MlSystem(app, 'Penguins', {
      specFile: PENGUINS,
      platform: stacks.platform,
      env: TEST_ENV,
    });
  });
});
afterAll(() => fs.rmSync(s.app.outdir, { recursive: true, force: true }));

function definitionOf(template: any): any {
  const [[, pipeline]] = resourcesOf(template, 'AWS::SageMaker::Pipeline');
  return JSON.parse(
    joinToString(pipeline.Properties.PipelineDefinition.PipelineDefinitionBody),
  );
}

function stepsOf(definition: any): Record<string, any> {
  const out: Record<string, any> = {};
  const visit = (list: any[]) =>
    list.forEach(st => {
      out[st.Name] = st;
      visit([
        ...(st.Arguments?.IfSteps ?? []),
        ...(st.Arguments?.ElseSteps ?? []),
      ]);
    });
  visit(definition.Steps);
  return out;
}

function apiOf(template: any) {
  const [[, model]] = resourcesOf(template, 'AWS::ApiGateway::Model');
  const method = resourcesOf(template, 'AWS::ApiGateway::Method').find(
    ([, m]) => m.Properties.HttpMethod === 'POST',
  )![1];
  return {
    schema: model.Properties.Schema,
    request: method.Properties.Integration.RequestTemplates['application/json'],
  };
}

describe.each([
  {
    prefix: 'BreastCancer',
    name: 'breast-cancer-classifier',
    objective: { objective: 'binary:logistic', eval_metric: 'logloss' },
    check: 'CheckAUC',
    condition: [
      'GreaterThanOrEqualTo',
      'binary_classification_metrics.auc.value',
      0.95,
    ],
    inputs: 30,
  },
  {
    prefix: 'PenguinSpeciesClassifier',
    name: 'penguin-species-classifier',
    objective: {
      objective: 'multi:softprob',
      num_class: '3',
      eval_metric: 'mlogloss',
    },
    check: 'CheckACCURACY',
    condition: [
      'GreaterThanOrEqualTo',
      'multiclass_classification_metrics.accuracy.value',
      0.9,
    ],
    inputs: 6,
  },
])('$name from its spec file', sys => {
  const t = (kind: string) => s.byName(`${sys.prefix}${kind}`);

  it('has its own pipeline, model package group and release pipeline, names derived from the spec', () => {
    const [[, pipeline]] = resourcesOf(
      t('Pipeline'),
      'AWS::SageMaker::Pipeline',
    );
    expect(pipeline.Properties.PipelineName).toBe(`${sys.name}-pipeline`);
    const [[, group]] = resourcesOf(
      t('Pipeline'),
      'AWS::SageMaker::ModelPackageGroup',
    );
    expect(group.Properties.ModelPackageGroupName).toBe(`${sys.name}-models`);
    const [[, release]] = resourcesOf(
      t('Release'),
      'AWS::CodePipeline::Pipeline',
    );
    expect(release.Properties.Name).toBe(`${sys.name}-release`);
    expect(
      release.Properties.Stages[0].Actions[1].Configuration.S3ObjectKey,
    ).toBe(`manifest/${sys.name}/data-manifest.zip`);
    const [[, endpoint]] = resourcesOf(
      t('Serving'),
      'AWS::SageMaker::Endpoint',
    );
    expect(endpoint.Properties.EndpointName).toBe(sys.name);
  });

  it('tells the catalog entity which spec file it was built from (mlops.io/spec)', () => {
    const outputs = t('Pipeline').Outputs;
    expect(outputs.SpecAnnotation.Value).toBe('./ml-system.yaml');
    expect(outputs.CatalogAnnotations.Value).toContain(
      'mlops.io/spec: ./ml-system.yaml',
    );
  });

  it('trains with the objective of its task and gates on the metric its spec names', () => {
    const steps = stepsOf(definitionOf(t('Pipeline')));
    expect(steps.Train.Arguments.HyperParameters).toMatchObject(sys.objective);
    const check = steps[sys.check];
    expect(check.Type).toBe('Condition');
    const [type, jsonPath, threshold] = sys.condition;
    expect(check.Arguments.Conditions[0]).toMatchObject({
      Type: type,
      LeftValue: { 'Std:JsonGet': { Path: jsonPath } },
      RightValue: threshold,
    });
    expect(steps[`${sys.check}Failed`].Type).toBe('Fail');
  });

  it('feeds system.json to the steps and links the signature from the model package', () => {
    const steps = stepsOf(definitionOf(t('Pipeline')));
    for (const step of [steps.Preprocess, steps.Evaluate]) {
      const input = step.Arguments.ProcessingInputs.find(
        (i: any) => i.InputName === 'system',
      );
      expect(input.S3Input).toMatchObject({
        S3Uri: `s3://mlops-artifacts-123456789012-eu-west-1/systems/${sys.name}/spec/`,
        LocalPath: '/opt/ml/processing/input/system',
      });
    }
    const props = steps.Register.Arguments.CustomerMetadataProperties;
    expect(props['mlops:signature']).toEqual({
      'Std:Join': {
        On: '/',
        Values: [
          {
            Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['signature'].S3Output.S3Uri",
          },
          'signature.json',
        ],
      },
    });
    expect(props['mlops:prediction-baseline']).toEqual({
      'Std:Join': {
        On: '/',
        Values: [
          {
            Get: "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri",
          },
          'prediction-baseline.json',
        ],
      },
    });
    expect(props['mlops:system']).toBe(sys.name);
    expect(
      steps.Register.Arguments.ModelMetrics.ModelQuality.Statistics.S3Uri,
    ).toBeDefined();
  });

  it("generates the API's request model and CSV mapping from the spec's inputs", () => {
    const { schema, request } = apiOf(t('Serving'));
    const item = schema.properties.instances.items;
    expect(item.required).toHaveLength(sys.inputs);
    expect(request.split('\n')[2].split(',')).toEqual(
      item.required.map((n: string) => `$i.${n}`),
    );
  });

  it("scopes the job role to the system's prefixes", () => {
    const bySid = Object.fromEntries(
      allStatements(t('Pipeline'))
        .filter(st => st.Sid)
        .map(st => [st.Sid, st]),
    );
    expect(JSON.stringify(bySid.ReadDataSet.Resource)).toContain(
      `/data/${sys.name}/*`,
    );
    expect(JSON.stringify(bySid.WriteRunOutputs.Resource)).toContain(
      `/systems/${sys.name}/runs/*`,
    );
  });
});

describe('the penguins spec as a third system', () => {
  it('gets its data prefix and manifest writer in the platform stack', () => {
    const fns = resourcesOf(s.json.data, 'AWS::Lambda::Function').filter(
      ([, f]) => f.Properties.Environment?.Variables?.DATA_PREFIX,
    );
    expect(
      fns.map(([, f]) => f.Properties.Environment.Variables.DATA_PREFIX).sort(),
    ).toEqual([
      'data/abalone-age-predictor/',
      'data/breast-cancer-classifier/',
      'data/penguin-species-classifier/',
    ]);
  });

  it('refuses an unknown category in the API model (enum from the spec)', () => {
    const { schema } = apiOf(s.byName('PenguinSpeciesClassifierServing'));
    expect(schema.properties.instances.items.properties.island).toEqual({
      type: 'string',
      enum: ['Biscoe', 'Dream', 'Torgersen'],
    });
    expect(schema.properties.instances.items.properties.body_mass_g).toEqual({
      type: 'number',
      minimum: 2000,
      maximum: 7000,
    });
  });
});

describe('Deploy stage: scoped, not administrator (issue #20, finding 7)', () => {
  const releases = [
    'MlopsRelease',
    'BreastCancerRelease',
    'PenguinSpeciesClassifierRelease',
  ];

  it('may assume only the scoped bootstrap deploy and file-publishing roles, never the default bootstrap', () => {
    for (const name of releases) {
      const assume = allStatements(s.byName(name)).filter(st =>
        asArray(st.Action).some((a: string) => a.startsWith('sts:')),
      );
      expect(assume.map(st => st.Sid)).toEqual(['AssumeScopedDeployRoles']);
      expect(asArray(assume[0].Resource).map(joinToString)).toEqual([
        'arn:aws:iam::123456789012:role/cdk-mlopsdep-deploy-role-123456789012-eu-west-1',
        'arn:aws:iam::123456789012:role/cdk-mlopsdep-file-publishing-role-123456789012-eu-west-1',
      ]);
      // (the release stack itself is deployed by people through the default bootstrap)
      const granted = JSON.stringify(allStatements(s.byName(name)));
      expect(granted.includes('hnb659fds')).toBe(false);
    }
  });

  it('tells the deploy script which stacks to deploy', () => {
    const vars = (name: string) => {
      const project = resourcesOf(
        s.byName(name),
        'AWS::CodeBuild::Project',
      ).find(([, p]) =>
        p.Properties.Source.BuildSpec.includes('deploy-model.ts'),
      )![1];
      return Object.fromEntries(
        project.Properties.Environment.EnvironmentVariables.map((v: any) => [
          v.Name,
          v.Value,
        ]),
      );
    };
    expect(vars('MlopsRelease')).toMatchObject({
      SERVING_STACK: 'MlopsServing',
      DEPLOY_STACKS: 'MlopsHosting',
    });
    expect(vars('BreastCancerRelease')).toMatchObject({
      SERVING_STACK: 'BreastCancerServing',
      DEPLOY_STACKS: '',
    });
  });

  it('synthesizes the deployed stacks for the scoped bootstrap, every role under the serving boundary', () => {
    for (const name of [
      'MlopsServing',
      'MlopsHosting',
      'BreastCancerServing',
      'PenguinSpeciesClassifierServing',
    ]) {
      const template = s.byName(name);
      expect(template.Parameters.BootstrapVersion.Default).toBe(
        '/cdk-bootstrap/mlopsdep/version',
      );
      const roles = resourcesOf(template, 'AWS::IAM::Role');
      expect(roles.length).toBeGreaterThan(0);
      for (const [id, role] of roles)
        expect({
          id,
          boundary: joinToString(role.Properties.PermissionsBoundary),
        }).toEqual({
          id,
          boundary: `arn:aws:iam::123456789012:policy/${SERVED_BOUNDARY}`,
        });
    }
  });

  it('gives the execution role only named resources, roles only with the boundary, no IAM or service wildcards', () => {
    const [[, policy]] = resourcesOf(
      s.json.data,
      'AWS::IAM::ManagedPolicy',
    ).filter(
      ([, p]) => p.Properties.ManagedPolicyName === DEPLOY_EXECUTION_POLICY,
    );
    const statements = policy.Properties.PolicyDocument.Statement;
    const actions = statements.flatMap((st: any) => asArray(st.Action));
    expect(actions.filter((a: string) => a.endsWith('*') || a === '*')).toEqual(
      [],
    );
    for (const st of statements) {
      const acts = asArray(st.Action);
      if (
        acts.some((a: string) =>
          [
            'iam:CreateRole',
            'iam:PutRolePolicy',
            'iam:AttachRolePolicy',
          ].includes(a),
        )
      )
        expect(
          joinToString(st.Condition.StringEquals['iam:PermissionsBoundary']),
        ).toBe(`arn:aws:iam::123456789012:policy/${SERVED_BOUNDARY}`);
      // No statement grants anything on every resource except calls AWS cannot scope.
      if (asArray(st.Resource).includes('*'))
        expect(
          acts.every((a: string) =>
            /^(application-autoscaling|cloudfront):/.test(a),
          ),
        ).toBe(true);
    }
    const roleResources = statements
      .filter((st: any) => asArray(st.Action).includes('iam:PassRole'))
      .flatMap((st: any) => asArray(st.Resource).map(joinToString));
    expect(roleResources.sort()).toEqual(
      [
        'BreastCancerServing',
        'MlopsHosting',
        'MlopsServing',
        'PenguinSpeciesClassifierServing',
      ].map(n => `arn:aws:iam::123456789012:role/${n}-*`),
    );
  });

  it('keeps every action a served role is granted within the serving boundary', () => {
    const [[, boundary]] = resourcesOf(
      s.json.data,
      'AWS::IAM::ManagedPolicy',
    ).filter(([, p]) => p.Properties.ManagedPolicyName === SERVED_BOUNDARY);
    const bounded = new Set<string>(
      boundary.Properties.PolicyDocument.Statement.flatMap((st: any) =>
        asArray(st.Action),
      ),
    );
    const outside: string[] = [];
    for (const name of [
      'MlopsServing',
      'BreastCancerServing',
      'PenguinSpeciesClassifierServing',
    ])
      for (const [id, policy] of resourcesOf(
        s.byName(name),
        'AWS::IAM::Policy',
      ))
        for (const st of policy.Properties.PolicyDocument.Statement)
          for (const action of asArray(st.Action) as string[])
            if (!bounded.has(action)) outside.push(`${name}/${id}: ${action}`);
    // The penguins spec watches prediction drift, so its publisher is among them.
    expect(
      resourcesOf(
        s.byName('PenguinSpeciesClassifierServing'),
        'AWS::Events::Rule',
      ),
    ).toHaveLength(1);
    expect(outside).toEqual([]);
  });

  it('bounds served roles: no IAM writes and no services beyond serving', () => {
    const [[, boundary]] = resourcesOf(
      s.json.data,
      'AWS::IAM::ManagedPolicy',
    ).filter(([, p]) => p.Properties.ManagedPolicyName === SERVED_BOUNDARY);
    const actions: string[] =
      boundary.Properties.PolicyDocument.Statement.flatMap((st: any) =>
        asArray(st.Action),
      );
    expect(actions.filter(a => a.startsWith('iam:'))).toEqual(['iam:PassRole']);
    expect(new Set(actions.map(a => a.split(':')[0]))).toEqual(
      new Set([
        'sagemaker',
        'ecr',
        'logs',
        'cloudwatch',
        's3',
        'cloudfront',
        'iam',
      ]),
    );
  });
});
