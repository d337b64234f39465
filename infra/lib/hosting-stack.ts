import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  StackProps,
} from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import { acknowledge, acknowledgeBucketDeployment } from './nag';
import { accessLogsBucket, secureBucket } from './secure-bucket';

export const CONSUMER_DIST_DIR = path.join(
  __dirname,
  '..',
  '..',
  'packages',
  'consumer-app',
  'dist',
);
export const PLACEHOLDER_SITE_DIR = path.join(
  __dirname,
  '..',
  'placeholder-site',
);

/** The consumer app's build output when it exists, else the placeholder page (synth works on a clean clone). */
export function siteSourceDir(distDir = CONSUMER_DIST_DIR): string {
  return fs.existsSync(path.join(distDir, 'index.html'))
    ? distDir
    : PLACEHOLDER_SITE_DIR;
}

export interface HostingStackProps extends StackProps {
  /** Base URL of the prediction API, written to config.json for the app. */
  apiBaseUrl: string;
  siteDir?: string;
  /** What the site is, for the distribution's comment. */
  title?: string;
}

/**
 * Consumer hosting: a private bucket behind CloudFront (origin access
 * control, HTTPS only) holding the consumer app plus a runtime config.json
 * that points it at the prediction API.
 */
export class HostingStack extends Stack {
  readonly distribution: cloudfront.Distribution;
  readonly siteBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: HostingStackProps) {
    super(scope, id, props);
    this.templateOptions.description =
      'MLOps reference system: consumer web app on CloudFront';

    const logsBucket = accessLogsBucket(this);
    // CloudFront standard logging writes with ACLs, so its bucket needs ACLs enabled.
    const cdnLogs = new s3.Bucket(this, 'CdnLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      serverAccessLogsBucket: logsBucket,
      serverAccessLogsPrefix: 'cdn-logs/',
    });
    // The site is rebuilt from the repo on every deploy; old versions are not kept.
    this.siteBucket = secureBucket(this, 'SiteBucket', {
      accessLogsBucket: logsBucket,
      versioned: false,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.title ?? 'ML system'} (consumer app)`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.siteBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy:
          cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      },
      additionalBehaviors: {
        // Runtime config must never be served stale after a redeploy.
        'config.json': {
          origin: origins.S3BucketOrigin.withOriginAccessControl(
            this.siteBucket,
          ),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        },
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: cdnLogs,
      logFilePrefix: 'cloudfront/',
      errorResponses: [
        // Single-page app: unknown paths fall back to index.html.
        {
          httpStatus: 403,
          responseHttpStatus: 200,
          responsePagePath: '/index.html',
          ttl: Duration.minutes(5),
        },
        {
          httpStatus: 404,
          responseHttpStatus: 200,
          responsePagePath: '/index.html',
          ttl: Duration.minutes(5),
        },
      ],
    });

    new s3deploy.BucketDeployment(this, 'Site', {
      sources: [
        s3deploy.Source.asset(props.siteDir ?? siteSourceDir()),
        s3deploy.Source.jsonData('config.json', {
          apiBaseUrl: props.apiBaseUrl,
        }),
      ],
      destinationBucket: this.siteBucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      memoryLimit: 512,
    });

    acknowledgeBucketDeployment(this, this.siteBucket, [
      'AwsSolutions-IAM5[Resource::*]',
    ]);
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'The consumer app is public worldwide by design; no geo restriction.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'No WAF web ACL in the reference deployment (static site, cost); add one in production.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'Uses the default *.cloudfront.net certificate, whose TLS policy CloudFront fixes; set a custom domain, certificate and minimumProtocolVersion TLSv1.2_2021 in production.',
    );

    new CfnOutput(this, 'ConsumerUrl', {
      value: `https://${this.distribution.distributionDomainName}`,
    });
    new CfnOutput(this, 'SiteBucketName', {
      value: this.siteBucket.bucketName,
    });
  }
}
