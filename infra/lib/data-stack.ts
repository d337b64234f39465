import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import {
  dataPrefix,
  manifestJsonKey,
  manifestZipKey,
  sharedBucketName,
} from './config';
import { DeployAccess } from './deploy-access';
import { projectLambda } from './project-lambda';
import { acknowledgeBucketNotificationsHandler } from './nag';
import { accessLogsBucket, secureBucket } from './secure-bucket';

/** Origin of the Backstage portal (context `portalOrigin`), for browser uploads. */
const DEFAULT_PORTAL_ORIGIN = 'http://localhost:3000';
/** Where the portal stages direct uploads before validating them (outside data/). */
const STAGING_PREFIX = 'staging/';

/**
 * What the ML systems of one account/region share (AWS's usual layout: one
 * bucket per purpose, a prefix per workload): the versioned, KMS-encrypted
 * data bucket (`data/<system>/`), the manifest bucket, the artifact bucket
 * (`systems/<system>/` holds each system's step code, spec, runs and
 * monitoring), and per system a manifest writer that turns every upload
 * under its prefix into a new data manifest (its release pipeline's source).
 */
export class DataStack extends Stack {
  readonly dataKey: kms.Key;
  readonly dataBucket: s3.Bucket;
  readonly manifestBucket: s3.Bucket;
  readonly artifactBucket: s3.Bucket;
  /** What the release pipelines' Deploy stage may do (scoped CDK bootstrap policy + boundary). */
  readonly deployAccess: DeployAccess;
  /** Manifest writers by system name. */
  readonly manifestWriters = new Map<string, NodejsFunction>();

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.templateOptions.description =
      'MLOps platform: data, manifest and artifact buckets shared by the ML systems; manifest writers';

    const logsBucket = accessLogsBucket(this);
    this.dataKey = new kms.Key(this, 'DataKey', {
      description: "Encrypts the ML systems' data sets",
      enableKeyRotation: true,
    });
    this.dataBucket = secureBucket(this, 'DataBucket', {
      bucketName: sharedBucketName('data', this.account, this.region),
      encryptionKey: this.dataKey,
      accessLogsBucket: logsBucket,
    });
    // Large portal uploads: the browser PUTs parts to presigned URLs under
    // staging/ and must read each part's ETag to complete the upload.
    this.dataBucket.addCorsRule({
      allowedMethods: [s3.HttpMethods.PUT],
      allowedOrigins: [
        this.node.tryGetContext('portalOrigin') ?? DEFAULT_PORTAL_ORIGIN,
      ],
      allowedHeaders: ['Content-Type'],
      exposedHeaders: ['ETag'],
      maxAge: 3000,
    });
    // The portal deletes what it staged; this catches uploads a browser or
    // backend never finished.
    this.dataBucket.addLifecycleRule({
      prefix: STAGING_PREFIX,
      abortIncompleteMultipartUploadAfter: Duration.days(1),
      expiration: Duration.days(1),
      noncurrentVersionExpiration: Duration.days(1),
    });
    // EventBridge notifications let the release pipeline start on a new
    // manifest without a CloudTrail trail.
    this.manifestBucket = secureBucket(this, 'ManifestBucket', {
      bucketName: sharedBucketName('manifest', this.account, this.region),
      accessLogsBucket: logsBucket,
      eventBridgeEnabled: true,
    });

    // Step code, specs and run outputs of every system, each under its own prefix.
    // EventBridge notifications let each serving stack's prediction-drift
    // publisher follow its endpoint's Data Capture files with its own rule.
    this.artifactBucket = secureBucket(this, 'ArtifactBucket', {
      bucketName: sharedBucketName('artifacts', this.account, this.region),
      accessLogsBucket: logsBucket,
      eventBridgeEnabled: true,
    });

    this.deployAccess = new DeployAccess(this, 'DeployAccess');

    new CfnOutput(this, 'DataBucketName', {
      value: this.dataBucket.bucketName,
      description: 'Upload data under data/',
    });
    new CfnOutput(this, 'ManifestBucketName', {
      value: this.manifestBucket.bucketName,
    });
    // The portal's credentials need kms:GenerateDataKey on this key to upload (SSE-KMS).
    new CfnOutput(this, 'DataKeyArn', {
      value: this.dataKey.keyArn,
      description:
        'KMS key of the data bucket (DATA_KEY_ARN in the portal IAM policy)',
    });
    new CfnOutput(this, 'ArtifactBucketName', {
      value: this.artifactBucket.bucketName,
    });
  }

  /**
   * A system's data prefix and manifest trigger: its own writer (and role)
   * lists `data/<system>/` and writes `manifest/<system>/data-manifest.*`.
   */
  addSystem(system: string): NodejsFunction {
    const existing = this.manifestWriters.get(system);
    if (existing) return existing;
    const scope = new Construct(this, `System-${system}`);
    const prefix = dataPrefix(system);
    const zipKey = manifestZipKey(system);
    const jsonKey = manifestJsonKey(system);
    const logGroup = new logs.LogGroup(scope, 'ManifestWriterLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
    });
    // Own role instead of AWSLambdaBasicExecutionRole: logs only to its own group.
    const role = new iam.Role(scope, 'ManifestWriterRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Manifest writer of ${system}: list its data prefix, write its manifest`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucketVersions', 's3:ListBucket'],
        resources: [this.dataBucket.bucketArn],
        conditions: {
          StringLike: { 's3:prefix': [prefix, `${prefix}*`] },
        },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [
          this.manifestBucket.arnForObjects(zipKey),
          this.manifestBucket.arnForObjects(jsonKey),
        ],
      }),
    );

    const writer = projectLambda(scope, 'ManifestWriter', 'manifest-writer', {
      role,
      logGroup,
      // No reserved concurrency: concurrent writers each list the whole
      // prefix, so whichever writes last still writes a complete manifest.
      environment: {
        DATA_BUCKET: this.dataBucket.bucketName,
        DATA_PREFIX: prefix,
        MANIFEST_BUCKET: this.manifestBucket.bucketName,
        MANIFEST_ZIP_KEY: zipKey,
        MANIFEST_JSON_KEY: jsonKey,
      },
    });
    this.dataBucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.LambdaDestination(writer),
      { prefix },
    );

    // CDK adds one notifications handler per stack with the first notification.
    if (this.manifestWriters.size === 0)
      acknowledgeBucketNotificationsHandler(this);
    this.manifestWriters.set(system, writer);
    return writer;
  }
}
