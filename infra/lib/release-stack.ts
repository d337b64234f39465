import {
  CfnElement,
  CfnOutput,
  Duration,
  Stack,
  StackProps,
} from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  CODE_SOURCE_KEY,
  manifestZipKey,
  MlopsNames,
  sharedBucketName,
} from './config';
import { DEPLOY_QUALIFIER, deployBootstrapRoleArns } from './deploy-access';
import {
  acknowledge,
  acknowledgeAll,
  acknowledgeBucketNotificationsHandler,
} from './nag';
import { modelPackagesArn, sageMakerArn } from './sagemaker-arns';
import { accessLogsBucket, secureBucket } from './secure-bucket';

export interface ReleaseStackProps extends StackProps {
  /** The ML system's name (its manifest key). */
  systemName: string;
  title: string;
  names: MlopsNames;
  /** The serving stack the Deploy stage deploys with the approved version. */
  servingStackName: string;
  /** Stacks deployed with it (they depend on its outputs, e.g. consumer hosting). */
  extraDeployStacks?: string[];
  /** Optional e-mail subscribed to approval notifications. */
  approvalEmail?: string;
}

/** Stage names the portal's release view shows (SageMaker/CodePipeline vocabulary). */
export const RELEASE_STAGES = [
  'Source',
  'CI',
  'MLPipeline',
  'Approval',
  'Deploy',
] as const;

const NODE_INSTALL = ['node --version', 'npm ci --no-audit --no-fund'];
/** CodeBuild standard:7.0 selects the Node.js major in the install phase. */
const RUNTIME = { nodejs: '20' };

/**
 * Release of one ML system: CodePipeline Source (repo zip + the system's data
 * manifest) → CI → MLPipeline → Approval (manual, SNS) → Deploy (its serving
 * stack, and any stack deployed with it, with the approved model package).
 */
export class ReleaseStack extends Stack {
  readonly pipeline: codepipeline.Pipeline;
  readonly approvalTopic: sns.Topic;
  readonly codeBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ReleaseStackProps) {
    super(scope, id, props);
    this.templateOptions.description = `ML system ${props.systemName}: release pipeline (CodePipeline + CodeBuild)`;
    const names = props.names;
    const manifestKey = manifestZipKey(props.systemName);

    const logsBucket = accessLogsBucket(this);
    const key = new kms.Key(this, 'ReleaseKey', {
      description:
        'Encrypts release build artifacts, logs and approval notifications',
      enableKeyRotation: true,
    });
    // CodePipeline publishes approval requests to the encrypted topic.
    key.grantEncryptDecrypt(
      new iam.ServicePrincipal('codepipeline.amazonaws.com'),
    );
    this.codeBucket = secureBucket(this, 'CodeSourceBucket', {
      accessLogsBucket: logsBucket,
      eventBridgeEnabled: true,
    });
    const artifactBucket = secureBucket(this, 'PipelineArtifacts', {
      accessLogsBucket: logsBucket,
      encryptionKey: key,
    });
    const manifestBucket = s3.Bucket.fromBucketName(
      this,
      'ManifestBucket',
      sharedBucketName('manifest', this.account, this.region),
    );

    this.approvalTopic = new sns.Topic(this, 'ApprovalTopic', {
      displayName: `${props.title} model release approvals`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.approvalEmail)
      this.approvalTopic.addSubscription(
        new subs.EmailSubscription(props.approvalEmail),
      );

    const codeOutput = new codepipeline.Artifact('Code');
    const manifestOutput = new codepipeline.Artifact('DataManifest');

    const project = (
      id: string,
      description: string,
      spec: Record<string, unknown>,
      env: Record<string, string> = {},
    ) =>
      new codebuild.PipelineProject(this, id, {
        description,
        encryptionKey: key,
        environment: {
          buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: codebuild.ComputeType.MEDIUM,
          privileged: false,
        },
        environmentVariables: Object.fromEntries(
          Object.entries(env).map(([k, value]) => [k, { value }]),
        ),
        buildSpec: codebuild.BuildSpec.fromObject(spec),
        timeout: Duration.hours(3),
      });

    const ci = project(
      'CiProject',
      'CI: install, lint, unit tests, cdk synth',
      {
        version: '0.2',
        phases: {
          install: {
            'runtime-versions': RUNTIME,
            commands: [
              ...NODE_INSTALL,
              'apt-get install -y python3-sklearn python3-pandas python3-xgboost || true',
              // The jest checks against AWS's models and the VTL templates: botocore, Velocity 1.7.
              'apt-get install -y velocity || true',
              'python3 -m pip install --quiet botocore==1.43.11',
            ],
          },
          build: {
            commands: [
              'npm run lint -w @mlops-portal/infra',
              'npm test -w @mlops-portal/infra -- --ci',
              'bash infra/scripts/test-python.sh',
              'cd infra && npx cdk synth -q',
            ],
          },
        },
      },
    );

    const mlProject = project(
      'MlPipelineProject',
      "Runs the SageMaker pipeline on the manifest's data and fails when the quality gate fails",
      {
        version: '0.2',
        env: {
          'exported-variables': ['MODEL_PACKAGE_ARN', 'PIPELINE_EXECUTION_ARN'],
        },
        phases: {
          install: { 'runtime-versions': RUNTIME, commands: NODE_INSTALL },
          build: {
            commands: [
              'MANIFEST_FILE="$CODEBUILD_SRC_DIR_DataManifest/manifest.json" npx tsx infra/scripts/run-ml-pipeline.ts',
              'export MODEL_PACKAGE_ARN=$(node -p "require(\'./ml-pipeline-result.json\').modelPackageArn")',
              'export PIPELINE_EXECUTION_ARN=$(node -p "require(\'./ml-pipeline-result.json\').executionArn")',
            ],
          },
        },
      },
      {
        PIPELINE_NAME: names.pipelineName,
        MODEL_PACKAGE_GROUP: names.modelPackageGroupName,
      },
    );
    mlProject.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RunSageMakerPipeline',
        actions: ['sagemaker:StartPipelineExecution'],
        resources: [sageMakerArn(this, `pipeline/${names.pipelineName}`)],
      }),
    );
    mlProject.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'WatchSageMakerPipeline',
        actions: [
          'sagemaker:DescribePipelineExecution',
          'sagemaker:ListPipelineExecutionSteps',
        ],
        resources: [
          sageMakerArn(this, `pipeline/${names.pipelineName}/execution/*`),
        ],
      }),
    );

    const deployProject = project(
      'DeployProject',
      `Deploys ${props.servingStackName} with the approved model package (scoped ${DEPLOY_QUALIFIER} bootstrap)`,
      {
        version: '0.2',
        phases: {
          install: { 'runtime-versions': RUNTIME, commands: NODE_INSTALL },
          build: {
            commands: [
              'npx tsx infra/scripts/deploy-model.ts',
              'cat infra/cdk-outputs.json',
            ],
          },
        },
      },
      {
        SERVING_STACK: props.servingStackName,
        DEPLOY_STACKS: (props.extraDeployStacks ?? []).join(' '),
      },
    );
    deployProject.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ApproveReleasedVersion',
        actions: [
          'sagemaker:DescribeModelPackage',
          'sagemaker:UpdateModelPackage',
        ],
        resources: [modelPackagesArn(this, names.modelPackageGroupName)],
      }),
    );
    // cdk deploy works through bootstrap roles. Only the scoped deploy
    // bootstrap's two roles, never the default (administrator) bootstrap:
    // its execution policy covers the served stacks only (lib/deploy-access.ts).
    deployProject.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'AssumeScopedDeployRoles',
        actions: ['sts:AssumeRole'],
        resources: deployBootstrapRoleArns(this),
      }),
    );

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: names.releasePipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      artifactBucket,
      crossAccountKeys: false,
      restartExecutionOnUpdate: false,
      stages: [
        {
          stageName: 'Source',
          actions: [
            new actions.S3SourceAction({
              actionName: 'Code',
              bucket: this.codeBucket,
              bucketKey: CODE_SOURCE_KEY,
              output: codeOutput,
              trigger: actions.S3Trigger.NONE,
            }),
            new actions.S3SourceAction({
              actionName: 'DataManifest',
              bucket: manifestBucket,
              bucketKey: manifestKey,
              output: manifestOutput,
              trigger: actions.S3Trigger.NONE,
            }),
          ],
        },
        {
          stageName: 'CI',
          actions: [
            new actions.CodeBuildAction({
              actionName: 'Test',
              project: ci,
              input: codeOutput,
            }),
          ],
        },
        {
          stageName: 'MLPipeline',
          actions: [
            new actions.CodeBuildAction({
              actionName: 'TrainEvaluateRegister',
              project: mlProject,
              input: codeOutput,
              extraInputs: [manifestOutput],
              variablesNamespace: 'ML',
            }),
          ],
        },
        {
          stageName: 'Approval',
          actions: [
            new actions.ManualApprovalAction({
              actionName: 'ApproveModel',
              notificationTopic: this.approvalTopic,
              additionalInformation:
                'Review model package #{ML.MODEL_PACKAGE_ARN} (metrics in the portal) and approve to deploy it.',
            }),
          ],
        },
        {
          stageName: 'Deploy',
          actions: [
            new actions.CodeBuildAction({
              actionName: 'DeployEndpoint',
              project: deployProject,
              input: codeOutput,
              environmentVariables: {
                MODEL_PACKAGE_ARN: { value: '#{ML.MODEL_PACKAGE_ARN}' },
              },
            }),
          ],
        },
      ],
    });

    // Start on a new data manifest or a new code zip (EventBridge, no polling, no trail).
    const startOn = (id: string, bucketName: string, key: string) =>
      new events.Rule(this, id, {
        description: `Start ${names.releasePipelineName} when s3://${bucketName}/${key} changes`,
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: { bucket: { name: [bucketName] }, object: { key: [key] } },
        },
        targets: [new targets.CodePipeline(this.pipeline)],
      });
    startOn('OnNewManifest', manifestBucket.bucketName, manifestKey);
    startOn('OnNewCode', this.codeBucket.bucketName, CODE_SOURCE_KEY);

    this.acknowledgeFindings(names, artifactBucket, [
      ci,
      mlProject,
      deployProject,
    ]);
    acknowledgeBucketNotificationsHandler(this);

    new CfnOutput(this, 'ReleasePipelineName', {
      value: names.releasePipelineName,
    });
    new CfnOutput(this, 'CodeSourceBucketName', {
      value: this.codeBucket.bucketName,
      description: `Upload the repo as ${CODE_SOURCE_KEY}`,
    });
    new CfnOutput(this, 'ApprovalTopicArn', {
      value: this.approvalTopic.topicArn,
    });
  }

  /** Findings from CDK's grant helpers and CodeBuild defaults, each with its reason. */
  private acknowledgeFindings(
    names: MlopsNames,
    artifacts: s3.Bucket,
    projects: codebuild.PipelineProject[],
  ): void {
    const artifactId = this.getLogicalId(
      artifacts.node.defaultChild as CfnElement,
    );
    const grantIds = [
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      'AwsSolutions-IAM5[Action::s3:Abort*]',
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      `AwsSolutions-IAM5[Resource::<${artifactId}.Arn>/*]`,
    ];
    const grantReason =
      "CDK CodePipeline/CodeBuild grant helpers: object-level read/write on this pipeline's own artifact bucket (artifact keys are generated per execution) and use of its release KMS key.";
    acknowledgeAll(this.pipeline, grantIds, grantReason);
    for (const p of projects) {
      const id = this.getLogicalId(p.node.defaultChild as CfnElement);
      acknowledgeAll(p, grantIds, grantReason);
      acknowledgeAll(
        p,
        [
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<${id}>:*]`,
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/<${id}>-*]`,
        ],
        "CodeBuild default: log streams and test report groups are named per build; limited to this project's log group and report groups.",
      );
    }
    acknowledge(
      projects[1],
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:pipeline/${names.pipelineName}/execution/*]`,
      'Execution ids are generated per run; limited to executions of this one SageMaker pipeline.',
    );
    acknowledge(
      projects[2],
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model-package/${names.modelPackageGroupName.toLowerCase()}/*]`,
      'The version to approve/deploy is chosen at run time; limited to versions of this model package group.',
    );
  }
}
