/**
 * The portal backend's IAM policy as documented (plugins/mlops-backend-module-aws/docs/aws.md)
 * against the deployed buckets: every bucket the policy lets the portal write or
 * read that is encrypted with a customer-managed KMS key needs the matching KMS
 * action on that key (PutObject → kms:GenerateDataKey, GetObject → kms:Decrypt),
 * or every such call is AccessDenied.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SYSTEMS } from '../bin/systems';
import { buildMlopsApp } from '../lib/mlops-app';
import type { PolicyStatement, PortalPolicy } from './iam-doc-types';
import { asArray, cdkJsonContext, TEST_ENV } from './helpers';

const { readPortalPolicy, portalPolicyActions, allowsAction } =
  require('../../scripts/aws-models/portal-policy.cjs') as PortalPolicy;

/** Placeholders of the documented policy that name deployed resources → the stack output holding them. */
const PLACEHOLDER_OUTPUTS: Record<string, [stack: string, output: string]> = {
  DATA_BUCKET: ['data', 'DataBucketName'],
  DATA_KEY_ARN: ['data', 'DataKeyArn'],
  ARTIFACT_BUCKET: ['data', 'ArtifactBucketName'],
};
/** S3 action → the KMS action it needs on an SSE-KMS bucket's key. */
const KMS_FOR: Record<string, string> = {
  's3:PutObject': 'kms:GenerateDataKey',
  's3:GetObject': 'kms:Decrypt',
};

describe('portal IAM policy in docs/aws.md', () => {
  const policy = readPortalPolicy();
  let templates: Record<string, any>;

  beforeAll(() => {
    // Bundling is irrelevant to IAM and buckets; skipping it keeps this synth fast.
    const app = new App({
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    });
    const stacks = buildMlopsApp(app, { env: TEST_ENV, systems: SYSTEMS });
    const byKey: Record<string, Stack> = {
      data: stacks.platform,
      pipeline: stacks.systems[0].pipelineStack,
    };
    templates = Object.fromEntries(
      Object.entries(byKey).map(([k, st]) => [
        k,
        Template.fromStack(st).toJSON(),
      ]),
    );
  });

  /** A placeholder's deployed value: a stack output's Value (a name, or a Ref/GetAtt). */
  const outputValue = (placeholder: string) => {
    const [stack, output] = PLACEHOLDER_OUTPUTS[placeholder];
    const value = templates[stack].Outputs?.[output]?.Value;
    if (value === undefined) throw new Error(`no output ${stack}.${output}`);
    return { stack, value };
  };

  /** Buckets named by the policy's S3 statements, with the actions granted on their objects. */
  const s3Grants = () =>
    policy.Statement.flatMap((s: PolicyStatement) =>
      asArray(s.Resource).flatMap(resource => {
        const m = resource.match(/^arn:aws:s3:::([A-Z_]+)\//);
        return m
          ? asArray(s.Action)
              .filter(a => KMS_FOR[a])
              .map(action => ({ placeholder: m[1], action }))
          : [];
      }),
    );

  /** The bucket resource a placeholder names, found by its physical name. */
  const bucketOf = (placeholder: string) => {
    const { stack, value } = outputValue(placeholder);
    const resources = templates[stack].Resources as Record<string, any>;
    const found = Object.entries(resources).find(
      ([id, r]) =>
        r.Type === 'AWS::S3::Bucket' &&
        (r.Properties?.BucketName === value ||
          JSON.stringify({ Ref: id }) === JSON.stringify(value)),
    );
    if (!found) throw new Error(`${placeholder}: no bucket named ${value}`);
    return { stack, bucket: found[1] };
  };

  it('is valid JSON with the upload, evaluation-report and signature grants', () => {
    // the signature's S3 object, under the run's own prefix (what the aws engine reads)
    expect(JSON.stringify(policy)).toContain(
      'arn:aws:s3:::ARTIFACT_BUCKET/systems/*/runs/*/signature.json',
    );
    expect(policy.Version).toBe('2012-10-17');
    expect(s3Grants()).toEqual([
      { placeholder: 'DATA_BUCKET', action: 's3:PutObject' },
      // Direct (multipart) uploads: the staging prefix.
      { placeholder: 'DATA_BUCKET', action: 's3:PutObject' },
      { placeholder: 'DATA_BUCKET', action: 's3:GetObject' },
      // Versions: evaluation.json and signature.json (the version's inputs, for predictions and forms).
      { placeholder: 'ARTIFACT_BUCKET', action: 's3:GetObject' },
      { placeholder: 'ARTIFACT_BUCKET', action: 's3:GetObject' },
      // Monitoring: Model Monitor reports and evaluation-plots.json.
      { placeholder: 'ARTIFACT_BUCKET', action: 's3:GetObject' },
      { placeholder: 'ARTIFACT_BUCKET', action: 's3:GetObject' },
    ]);
  });

  it('grants the KMS action on the key of every CMK-encrypted bucket it writes or reads', () => {
    const checked: string[] = [];
    for (const { placeholder, action } of s3Grants()) {
      const { stack, bucket } = bucketOf(placeholder);
      const sse =
        bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]
          .ServerSideEncryptionByDefault;
      if (sse.SSEAlgorithm !== 'aws:kms' || !sse.KMSMasterKeyID) continue;
      const kmsAction = KMS_FOR[action];
      // A statement allowing the KMS action on a placeholder that deploys as this bucket's key.
      const statement = policy.Statement.find(
        (s: PolicyStatement) =>
          s.Effect === 'Allow' &&
          asArray(s.Action).includes(kmsAction) &&
          asArray(s.Resource).some(
            r =>
              PLACEHOLDER_OUTPUTS[r]?.[0] === stack &&
              JSON.stringify(outputValue(r).value) ===
                JSON.stringify(sse.KMSMasterKeyID),
          ),
      );
      expect({ placeholder, action, kmsAction, found: !!statement }).toEqual({
        placeholder,
        action,
        kmsAction,
        found: true,
      });
      checked.push(`${placeholder}:${kmsAction}`);
    }
    // The data bucket is SSE-KMS (MlopsData), so the check above is not vacuous.
    expect(checked).toEqual([
      'DATA_BUCKET:kms:GenerateDataKey',
      'DATA_BUCKET:kms:GenerateDataKey',
      'DATA_BUCKET:kms:Decrypt',
    ]);
  });

  it('limits the data key to use through S3', () => {
    const statement = policy.Statement.find(
      (s: PolicyStatement) => s.Resource === 'DATA_KEY_ARN',
    )!;
    expect(statement.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.REGION.amazonaws.com' },
    });
  });

  it('exports its actions for the engine-side check', () => {
    const actions = portalPolicyActions(policy);
    expect(actions).toEqual([...new Set(actions)].sort());
    expect(actions).toEqual(
      expect.arrayContaining([
        's3:PutObject',
        'kms:GenerateDataKey',
        'sagemaker:InvokeEndpoint',
        'codepipeline:PutApprovalResult',
      ]),
    );
    expect(allowsAction('sagemaker:describeendpoint', policy)).toBe(true);
    expect(allowsAction('s3:DeleteBucket', policy)).toBe(false);
  });
});
