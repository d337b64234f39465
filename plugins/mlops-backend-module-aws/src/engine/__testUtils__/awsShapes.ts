import path from 'path';
import { Readable } from 'stream';
import type { AwsStub } from 'aws-sdk-client-mock';

// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import type { AwsShapeItem } from '../../../../../scripts/aws-models/validate';

export type { AwsShapeItem };

// scripts/ is no package; its README asks tests to require the file.
const { validateAwsShapes } =
  // eslint-disable-next-line @backstage/no-relative-monorepo-imports
  require('../../../../../scripts/aws-models/validate.cjs') as {
    validateAwsShapes: (items: AwsShapeItem[]) => string[];
  };
const { allowsAction, readPortalPolicy } =
  // eslint-disable-next-line @backstage/no-relative-monorepo-imports
  require('../../../../../scripts/aws-models/portal-policy.cjs') as {
    allowsAction: (action: string, policy?: unknown) => boolean;
    readPortalPolicy: (file?: string) => unknown;
  };

export { validateAwsShapes };

/** The IAM policy users copy from this package's docs/aws.md. */
export function docsPolicyAllows(action: string): boolean {
  const file = path.join(__dirname, '..', '..', '..', 'docs', 'aws.md');
  return allowsAction(action, readPortalPolicy(file));
}

/** IAM's prefix per botocore service: InvokeEndpoint is a sagemaker: action. */
const IAM_PREFIX: Record<string, string> = {
  sagemaker: 'sagemaker',
  'sagemaker-runtime': 'sagemaker',
  codepipeline: 'codepipeline',
  s3: 's3',
  cloudwatch: 'cloudwatch',
};

/**
 * S3 operations IAM authorizes under another action's name: the multipart
 * calls are s3:PutObject, a CopyObject reads its source and writes its target.
 */
const IAM_ACTIONS_OF: Record<string, string[]> = {
  's3:CreateMultipartUpload': ['s3:PutObject'],
  's3:UploadPart': ['s3:PutObject'],
  's3:CompleteMultipartUpload': ['s3:PutObject'],
  's3:CopyObject': ['s3:GetObject', 's3:PutObject'],
};

/** SDK-only members (`$metadata`) and stream bodies are not in the service model. */
function forModel(value: any): unknown {
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$')) continue;
    // GetObject's Body is a stream mixin in the SDK; the model says "blob".
    if (k === 'Body' && v && typeof v === 'object' && !ArrayBuffer.isView(v))
      out[k] = '';
    else out[k] = v;
  }
  return out;
}

/** A streamed request Body (PutObject from a staged file) is a blob in the model. */
function streamBodyAsBlob(input: any): unknown {
  return input?.Body instanceof Readable ? { ...input, Body: '' } : input;
}

/**
 * Collects every request the mocked clients were sent, and every response
 * they gave, so a suite can check them all against botocore's INPUT/OUTPUT
 * shapes and the docs IAM policy in one go (one Python run).
 */
export function createCallRecorder(
  mocks: Record<string, AwsStub<any, any, any>>,
) {
  const items: AwsShapeItem[] = [];
  const actions = new Set<string>();
  return {
    items,
    actions,
    /** Call before a mock is reset (afterEach). */
    async collect(testName = '') {
      for (const [service, mock] of Object.entries(mocks)) {
        for (const call of mock.calls()) {
          const command = call.args[0] as { input: unknown };
          const operation = command.constructor.name.replace(/Command$/, '');
          const label = `${testName} ${service}.${operation}`;
          const action = `${IAM_PREFIX[service]}:${operation}`;
          for (const a of IAM_ACTIONS_OF[action] ?? [action]) actions.add(a);
          items.push({
            service,
            operation,
            kind: 'input',
            value: streamBodyAsBlob(command.input),
            label: `${label} input`,
          });
          const output = await Promise.resolve(call.returnValue).catch(
            () => undefined,
          );
          if (output) {
            items.push({
              service,
              operation,
              kind: 'output',
              value: forModel(output),
              label: `${label} output`,
            });
          }
        }
      }
    },
  };
}
