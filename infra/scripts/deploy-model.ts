/**
 * Release stage "Deploy": approve the released version in the registry (if
 * still pending) and deploy the serving + hosting stacks with it.
 *   MODEL_PACKAGE_ARN, APPROVED_BY (default: release pipeline)
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { ensureApproved } from './release-steps';

async function main() {
  const arn = process.env.MODEL_PACKAGE_ARN;
  if (!arn) throw new Error('MODEL_PACKAGE_ARN is required');
  await ensureApproved(new SageMakerClient({}), {
    modelPackageArn: arn,
    approvedBy:
      process.env.APPROVED_BY ??
      `Approved in release pipeline ${
        process.env.CODEBUILD_BUILD_ID ?? ''
      }`.trim(),
  });
  const args = [
    'cdk',
    'deploy',
    'MlopsServing',
    'MlopsHosting',
    '--exclusively',
    '--require-approval',
    'never',
    '--parameters',
    `MlopsServing:ModelPackageArn=${arn}`,
    '--outputs-file',
    'cdk-outputs.json',
  ];
  const run = spawnSync('npx', args, {
    cwd: path.join(__dirname, '..'),
    stdio: 'inherit',
  });
  if (run.status !== 0) throw new Error(`cdk deploy exited with ${run.status}`);
}

main().catch(e => {
  console.error(`Deploy stage failed: ${(e as Error).message}`);
  process.exit(1);
});
