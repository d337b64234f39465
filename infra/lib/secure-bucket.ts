import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from './nag';

export interface SecureBucketProps {
  /** Physical name, for buckets other stacks reference by name. */
  bucketName?: string;
  /** Customer-managed key; S3-managed encryption when absent. */
  encryptionKey?: kms.IKey;
  versioned?: boolean;
  /** Where server access logs go; each stack has one access-log bucket. */
  accessLogsBucket?: s3.IBucket;
  accessLogsPrefix?: string;
  eventBridgeEnabled?: boolean;
  removalPolicy?: RemovalPolicy;
}

/**
 * The bucket defaults every bucket here shares: encrypted, SSL-only, all
 * public access blocked, bucket-owner-enforced, access-logged.
 */
export function secureBucket(
  scope: Construct,
  id: string,
  props: SecureBucketProps = {},
): s3.Bucket {
  return new s3.Bucket(scope, id, {
    bucketName: props.bucketName,
    encryption: props.encryptionKey
      ? s3.BucketEncryption.KMS
      : s3.BucketEncryption.S3_MANAGED,
    encryptionKey: props.encryptionKey,
    bucketKeyEnabled: props.encryptionKey ? true : undefined,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: props.versioned ?? true,
    serverAccessLogsBucket: props.accessLogsBucket,
    serverAccessLogsPrefix: props.accessLogsBucket
      ? props.accessLogsPrefix ?? `${id}/`
      : undefined,
    eventBridgeEnabled: props.eventBridgeEnabled,
    // Data, models and manifests outlive a stack deletion by default.
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    lifecycleRules:
      props.versioned === false
        ? undefined
        : [{ noncurrentVersionExpiration: Duration.days(365) }],
  });
}

/** A stack's server-access-log bucket (it cannot log to itself). */
export function accessLogsBucket(
  scope: Construct,
  id = 'AccessLogs',
): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ expiration: Duration.days(90) }],
  });
  acknowledge(
    bucket,
    'AwsSolutions-S1',
    'This is the access-log destination; logging it to itself would loop.',
  );
  return bucket;
}
