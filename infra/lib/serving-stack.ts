import {
  Annotations,
  CfnOutput,
  CfnParameter,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  StackProps,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import {
  predictRequestSchema,
  requestTemplate,
  responseTemplate,
  VALIDATION_ERROR_TEMPLATE,
} from './api-mapping';
import {
  artifactPrefix,
  DEFAULT_ENDPOINT_INSTANCE_TYPE,
  MlopsNames,
  sharedBucketName,
} from './config';
import { ResolvedSystem } from './spec';
import { grantContainerBasics } from './container-role';
import { SageMakerImages } from './images';
import {
  capturePrefix,
  DEFAULT_CAPTURE_SAMPLING_PERCENT,
  DataQualityMonitor,
  parseCaptureSampling,
} from './model-monitor';
import { acknowledge, acknowledgeAwsCustomResourceProvider } from './nag';
import { PredictionDriftPublisher } from './prediction-drift';
import {
  DEFAULT_MIN_INVOCATIONS,
  deploymentConfig,
  deploymentOverrideContextKey,
  DeploymentStrategy,
  effectiveStrategy,
  parseDeploymentOverride,
  RolloutAlarms,
  SERVING_VARIANT,
} from './rollout';
import { modelPackagesArn, sageMakerArn } from './sagemaker-arns';

export interface ServingStackProps extends StackProps {
  system: ResolvedSystem;
  names: MlopsNames;
  /** Endpoint instance type (default ml.m5.large). */
  instanceType?: string;
  minCapacity?: number;
  maxCapacity?: number;
  /** Target invocations per instance per minute for autoscaling. */
  invocationsPerInstanceTarget?: number;
  /** Origin allowed by CORS (default '*': the API is public and keyless). */
  allowOrigin?: string;
  /** Stage throttling: steady requests per second and burst. */
  throttle?: { rateLimit: number; burstLimit: number };
  /** Share of requests Data Capture records for Model Monitor, 0–100 (default 100). */
  captureSamplingPercent?: number;
}

export const DEFAULT_SERVING = {
  minCapacity: 1,
  maxCapacity: 4,
  invocationsPerInstanceTarget: 70,
  throttle: { rateLimit: 20, burstLimit: 40 },
  quotaPerDay: 100_000,
} as const;

/**
 * SageMaker sizes a canary or linear step in whole instances of the variant
 * (CAPACITY_PERCENT of its instance count), so a share smaller than one
 * instance of the fleet is not the share the spec asked for: warn at synth.
 */
function warnOnWholeInstances(
  stack: Stack,
  strategy: DeploymentStrategy,
  instances: number,
): void {
  const t = strategy.trafficRouting;
  const size = t.canarySize ?? t.linearStepSize;
  if (!size || (size.value / 100) * instances >= 1) return;
  const needed = Math.ceil(100 / size.value);
  const share = `${size.value} %`;
  Annotations.of(stack).addWarningV2(
    'mlops:rollout-instances',
    `${t.type} ${share} of ${instances} instance(s): SageMaker sizes each step in whole instances of the variant, ` +
      `so with fewer than ${needed} instances the first step cannot be ${share} of the traffic ` +
      '(SageMaker rounds it or refuses the update); raise serving.minCapacity for that share',
  );
}

/** A model package ARN as SageMaker writes it (names lower-cased, numeric version). */
export const MODEL_PACKAGE_ARN_PATTERN =
  '^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:model-package/[a-z0-9](-*[a-z0-9]){0,62}/[0-9]+$';

/**
 * Serving: a SageMaker model created from an approved model package (the
 * Deploy stage passes its ARN), endpoint config + endpoint with autoscaling,
 * and the public REST API that maps JSON ↔ CSV in front of it.
 */
export class ServingStack extends Stack {
  readonly endpoint: sagemaker.CfnEndpoint;
  readonly api: apigw.RestApi;
  readonly modelPackageArn: CfnParameter;
  readonly modelRole: iam.Role;
  /** The strategy this deploy uses: the approval's override, else the spec's, else all at once. */
  readonly strategy: DeploymentStrategy;
  readonly rolloutAlarms: RolloutAlarms;
  /** Publishes the drift alarm's metric; present when the strategy watches prediction drift. */
  readonly driftPublisher?: PredictionDriftPublisher;

  constructor(scope: Construct, id: string, props: ServingStackProps) {
    super(scope, id, props);
    this.templateOptions.description =
      'MLOps reference system: SageMaker endpoint and prediction API';
    const { names, system } = props;
    const prefix = artifactPrefix(system.name);
    const capture = capturePrefix(system.name);

    this.modelPackageArn = new CfnParameter(this, 'ModelPackageArn', {
      type: 'String',
      description:
        'ARN of the approved model package version to serve (the Deploy stage passes it)',
      allowedPattern: MODEL_PACKAGE_ARN_PATTERN,
      constraintDescription: `must be a SageMaker model package version ARN, e.g. arn:aws:sagemaker:eu-west-1:123456789012:model-package/${names.modelPackageGroupName.toLowerCase()}/3`,
    });
    const packageArn = this.modelPackageArn.valueAsString;
    const modelVersion = Fn.select(2, Fn.split('/', packageArn));
    // One model per package version; a new version replaces model and endpoint config.
    const modelName = Fn.join('-', [names.endpointName, 'v', modelVersion]);

    const images = new SageMakerImages(this, 'Images');
    const artifacts = s3.Bucket.fromBucketName(
      this,
      'Artifacts',
      sharedBucketName('artifacts', this.account, this.region),
    );

    const modelRole = new iam.Role(this, 'ModelRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Runs the inference containers of ${system.name} (preprocessor + XGBoost)`,
    });
    this.modelRole = modelRole;
    modelRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadModelArtifacts',
        actions: ['s3:GetObject'],
        resources: [artifacts.arnForObjects(`${prefix}runs/*`)],
      }),
    );
    // SageMaker writes captured requests with the endpoint's model role.
    modelRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteDataCapture',
        actions: ['s3:PutObject'],
        resources: [artifacts.arnForObjects(`${capture}/*`)],
      }),
    );
    grantContainerBasics(modelRole, {
      images,
      sidPrefix: 'Endpoint',
      logGroups: '/aws/sagemaker/Endpoints/*',
      logGroupsReason:
        'SageMaker writes endpoint logs to /aws/sagemaker/Endpoints/<endpoint> with per-container streams; limited to that prefix.',
    });
    const modelPolicy = modelRole.node.findChild('DefaultPolicy');
    acknowledge(
      modelPolicy,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${sharedBucketName(
        'artifacts',
        '<AWS::AccountId>',
        '<AWS::Region>',
      )}/${prefix}runs/*]`,
      "Model artifacts live under this system's runs/<pipeline execution id>/ in the artifact bucket; read-only.",
    );
    acknowledge(
      modelPolicy,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${sharedBucketName(
        'artifacts',
        '<AWS::AccountId>',
        '<AWS::Region>',
      )}/${capture}/*]`,
      'Data Capture writes one object per captured batch under monitoring/capture/; write-only.',
    );

    // CloudFormation's AWS::SageMaker::Model cannot be created from a
    // multi-container (inference pipeline) model package, so an SDK call does it.
    const createModel: cr.AwsSdkCall = {
      service: 'SageMaker',
      action: 'CreateModel',
      parameters: {
        ModelName: modelName,
        ExecutionRoleArn: modelRole.roleArn,
        Containers: [{ ModelPackageName: packageArn }],
      },
      physicalResourceId: cr.PhysicalResourceId.of(modelName),
    };
    const model = new cr.AwsCustomResource(this, 'Model', {
      resourceType: 'Custom::SageMakerModelFromPackage',
      installLatestAwsSdk: false,
      onCreate: createModel,
      // A new package version means a new model name (new physical id);
      // CloudFormation then deletes the old model once the endpoint moved.
      onUpdate: createModel,
      onDelete: {
        service: 'SageMaker',
        action: 'DeleteModel',
        parameters: { ModelName: new cr.PhysicalResourceIdReference() },
        ignoreErrorCodesMatching: 'ValidationException',
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: [
            'sagemaker:CreateModel',
            'sagemaker:DeleteModel',
            'sagemaker:DescribeModel',
          ],
          resources: [sageMakerArn(this, `model/${names.endpointName}-v-*`)],
        }),
        new iam.PolicyStatement({
          actions: ['sagemaker:DescribeModelPackage'],
          resources: [modelPackagesArn(this, names.modelPackageGroupName)],
        }),
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [modelRole.roleArn],
          conditions: {
            StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
          },
        }),
      ]),
      timeout: Duration.minutes(2),
    });
    model.node.addDependency(modelPolicy);
    acknowledge(
      model,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model/${names.endpointName}-v-*]`,
      "Model names are <endpoint>-v-<package version>, known only when the Deploy stage passes the package ARN; limited to this endpoint's models.",
    );
    acknowledge(
      model,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model-package/${names.modelPackageGroupName.toLowerCase()}/*]`,
      'CreateModel reads the package version being deployed; limited to versions of this model package group.',
    );
    acknowledgeAwsCustomResourceProvider(this);

    const endpointConfig = new sagemaker.CfnEndpointConfig(
      this,
      'EndpointConfig',
      {
        productionVariants: [
          {
            variantName: SERVING_VARIANT,
            modelName,
            initialInstanceCount:
              props.minCapacity ?? DEFAULT_SERVING.minCapacity,
            instanceType: props.instanceType ?? DEFAULT_ENDPOINT_INSTANCE_TYPE,
            initialVariantWeight: 1,
          },
        ],
        // What the endpoint serves, for the portal (mlops-backend-module-aws reads it with ListTags).
        tags: [{ key: 'mlops:model-package-arn', value: packageArn }],
        // Requests and responses for Model Monitor's data-quality job.
        dataCaptureConfig: {
          enableCapture: true,
          initialSamplingPercentage:
            parseCaptureSampling(props.captureSamplingPercent) ??
            DEFAULT_CAPTURE_SAMPLING_PERCENT,
          destinationS3Uri: artifacts.s3UrlForObject(capture),
          captureOptions: [{ captureMode: 'Input' }, { captureMode: 'Output' }],
          captureContentTypeHeader: { csvContentTypes: ['text/csv'] },
        },
      },
    );
    endpointConfig.node.addDependency(model);

    // The approval's override (the Deploy stage passes it from the model
    // package's mlops:deployment) is checked here, at synth: an invalid one
    // fails `cdk deploy` before anything is deployed, naming the field.
    const contextKey = deploymentOverrideContextKey(this.stackName);
    this.strategy = effectiveStrategy(
      system.deployment,
      parseDeploymentOverride(this.node.tryGetContext(contextKey), contextKey),
    );
    warnOnWholeInstances(
      this,
      this.strategy,
      props.minCapacity ?? DEFAULT_SERVING.minCapacity,
    );
    this.rolloutAlarms = new RolloutAlarms(this, 'RolloutAlarms', {
      endpointName: names.endpointName,
      thresholds: this.strategy.autoRollback,
    });
    // The drift alarm's metric: published only where the alarm watches it.
    const drift = this.strategy.autoRollback;
    if (drift?.predictionDrift !== undefined)
      this.driftPublisher = new PredictionDriftPublisher(
        this,
        'PredictionDrift',
        {
          endpointName: names.endpointName,
          artifacts,
          capturePrefix: capture,
          artifactPrefix: prefix,
          modelPackageGroupName: names.modelPackageGroupName,
          minPredictions: drift.minInvocations ?? DEFAULT_MIN_INVOCATIONS,
        },
      );
    // SageMaker applies DeploymentConfig when CloudFormation updates the
    // endpoint to a new config (a new version): blue/green, baking on the alarms.
    this.endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', {
      endpointName: names.endpointName,
      endpointConfigName: endpointConfig.attrEndpointConfigName,
      deploymentConfig: deploymentConfig(
        this.strategy,
        this.rolloutAlarms.alarmNames,
      ),
    });
    // The alarms are named, not referenced: SageMaker must find them when the update starts.
    this.endpoint.node.addDependency(this.rolloutAlarms);

    new DataQualityMonitor(this, 'DataQualityMonitor', {
      endpointName: names.endpointName,
      endpoint: this.endpoint,
      modelPackageGroupName: names.modelPackageGroupName,
      systemName: system.name,
      modelPackageArn: packageArn,
      artifacts,
    });

    const scaling = new appscaling.ScalableTarget(this, 'EndpointScaling', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${names.endpointName}/variant/${SERVING_VARIANT}`,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: props.minCapacity ?? DEFAULT_SERVING.minCapacity,
      maxCapacity: props.maxCapacity ?? DEFAULT_SERVING.maxCapacity,
    });
    scaling.node.addDependency(this.endpoint);
    // Use Application Auto Scaling's service-linked role for SageMaker (it
    // has exactly the endpoint permissions) instead of an empty custom role.
    (
      scaling.node.defaultChild as appscaling.CfnScalableTarget
    ).addPropertyDeletionOverride('RoleARN');
    scaling.node.tryRemoveChild('Role');
    scaling.scaleToTrackMetric('InvocationsPerInstance', {
      predefinedMetric:
        appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
      targetValue:
        props.invocationsPerInstanceTarget ??
        DEFAULT_SERVING.invocationsPerInstanceTarget,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });

    this.api = this.buildApi(props, modelVersion);
    new CfnOutput(this, 'EndpointName', { value: names.endpointName });
    new CfnOutput(this, 'ModelName', { value: modelName });
    new CfnOutput(this, 'ServedModelPackageArn', { value: packageArn });
    new CfnOutput(this, 'ModelRoleArn', {
      value: modelRole.roleArn,
      description:
        'Execution role of the served model (the portal passes it to shadow-test models)',
    });
    new CfnOutput(this, 'DeploymentStrategy', {
      value: JSON.stringify(this.strategy),
      description:
        'The rollout strategy of this deploy (DeploymentStrategy JSON)',
    });
    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Consumer app apiBaseUrl',
    });
    new CfnOutput(this, 'PredictUrl', {
      value: this.api.urlForPath('/predict'),
    });
  }

  private buildApi(
    props: ServingStackProps,
    modelVersion: string,
  ): apigw.RestApi {
    const { names, system } = props;
    const throttle = props.throttle ?? DEFAULT_SERVING.throttle;
    const origin = props.allowOrigin ?? '*';
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const api = new apigw.RestApi(this, 'PredictionApi', {
      restApiName: `${names.endpointName}-api`,
      description: `${system.title}: JSON instances in, ${system.schema.task} predictions out`,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: 'prod',
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        metricsEnabled: true,
        tracingEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
      defaultCorsPreflightOptions: {
        allowOrigins: [origin],
        allowMethods: ['POST', 'OPTIONS'],
        allowHeaders: ['Content-Type', 'Accept'],
        maxAge: Duration.hours(1),
      },
    });
    const corsOrigin = `'${origin}'`;
    const corsHeaders = { 'Access-Control-Allow-Origin': corsOrigin };

    // API Gateway's own errors also carry CORS headers, or browsers hide them.
    api.addGatewayResponse('BadRequestBody', {
      type: apigw.ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      responseHeaders: corsHeaders,
      templates: { 'application/json': VALIDATION_ERROR_TEMPLATE },
    });
    api.addGatewayResponse('Default4xx', {
      type: apigw.ResponseType.DEFAULT_4XX,
      responseHeaders: corsHeaders,
    });
    api.addGatewayResponse('Default5xx', {
      type: apigw.ResponseType.DEFAULT_5XX,
      responseHeaders: corsHeaders,
    });

    const invokeRole = new iam.Role(this, 'ApiInvokeRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description:
        'Lets the prediction API invoke exactly one SageMaker endpoint',
    });
    invokeRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sagemaker:InvokeEndpoint'],
        resources: [sageMakerArn(this, `endpoint/${names.endpointName}`)],
      }),
    );

    const corsResponse = {
      'method.response.header.Access-Control-Allow-Origin': corsOrigin,
    };
    const integration = new apigw.AwsIntegration({
      service: 'runtime.sagemaker',
      path: `endpoints/${names.endpointName}/invocations`,
      integrationHttpMethod: 'POST',
      options: {
        credentialsRole: invokeRole,
        passthroughBehavior: apigw.PassthroughBehavior.NEVER,
        requestParameters: {
          'integration.request.header.Content-Type': "'text/csv'",
          'integration.request.header.Accept': "'text/csv'",
        },
        requestTemplates: { 'application/json': requestTemplate(system) },
        integrationResponses: [
          {
            statusCode: '200',
            responseTemplates: {
              'application/json': responseTemplate(
                system,
                names.endpointName,
                modelVersion,
              ),
            },
            responseParameters: corsResponse,
          },
          {
            // SageMaker 4xx here means the model rejected rows that passed validation.
            selectionPattern: '4\\d{2}',
            statusCode: '502',
            responseTemplates: {
              'application/json':
                '{"message":"The model could not score this input."}',
            },
            responseParameters: corsResponse,
          },
          {
            selectionPattern: '5\\d{2}',
            statusCode: '503',
            responseTemplates: {
              'application/json':
                '{"message":"The model endpoint is unavailable; try again shortly."}',
            },
            responseParameters: corsResponse,
          },
        ],
      },
    });

    const requestModel = api.addModel('PredictRequest', {
      contentType: 'application/json',
      modelName: 'PredictRequest',
      schema: predictRequestSchema(system) as apigw.JsonSchema,
    });
    const validator = api.addRequestValidator('BodyValidator', {
      requestValidatorName: 'predict-body',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const methodResponse = (statusCode: string) => ({
      statusCode,
      responseParameters: {
        'method.response.header.Access-Control-Allow-Origin': true,
      },
    });
    api.root.addResource('predict').addMethod('POST', integration, {
      requestValidator: validator,
      requestModels: { 'application/json': requestModel },
      methodResponses: ['200', '502', '503'].map(methodResponse),
    });

    const plan = api.addUsagePlan('UsagePlan', {
      name: `${names.endpointName}-plan`,
      description: 'Throttle and daily quota for the public prediction API',
      throttle,
      quota: { limit: DEFAULT_SERVING.quotaPerDay, period: apigw.Period.DAY },
    });
    plan.addApiStage({ stage: api.deploymentStage });

    acknowledge(
      api,
      'AwsSolutions-APIG4',
      'Public, anonymous prediction API for the consumer web app (no user data, no side effects); abuse is bounded by stage throttling and the usage plan.',
    );
    acknowledge(
      api,
      'AwsSolutions-COG4',
      'No Cognito user pool: the consumer app has no sign-in by design; see APIG4.',
    );
    acknowledge(
      api,
      'AwsSolutions-APIG3',
      'No WAF web ACL in the reference deployment (cost); stage throttling and the usage plan limit request rates. Attach a WAF ACL in production.',
    );
    acknowledge(
      api,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'Account-level role API Gateway needs to write execution/access logs; AWS maintains the policy for that single purpose.',
    );
    return api;
  }
}
