/**
 * Release stage "Deploy": approve the released version in the registry (if
 * still pending) and deploy the system's serving stack (and any stacks that
 * depend on it, e.g. hosting) with it. cdk deploy goes through the scoped
 * deploy bootstrap (lib/deploy-access.ts), not the account's admin one.
 *   MODEL_PACKAGE_ARN, SERVING_STACK, DEPLOY_STACKS (space-separated, optional),
 *   APPROVED_BY (default: release pipeline)
 * An owner's rollout override recorded on the package (mlops:deployment) is
 * checked here and again by the serving stack at synth (context
 * mlops:deployment:<serving stack>); invalid → nothing is deployed.
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { deploymentOverrideContextKey } from '../lib/rollout';
import { ensureApproved, readDeploymentOverride } from './release-steps';

async function main() {
  const arn = process.env.MODEL_PACKAGE_ARN;
  if (!arn) throw new Error('MODEL_PACKAGE_ARN is required');
  const sm = new SageMakerClient({});
  // Checked before anything changes: an invalid override approves and deploys nothing.
  const override = await readDeploymentOverride(sm, arn);
  await ensureApproved(sm, {
    modelPackageArn: arn,
    approvedBy:
      process.env.APPROVED_BY ??
      `Approved in release pipeline ${
        process.env.CODEBUILD_BUILD_ID ?? ''
      }`.trim(),
  });
  const stackName = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
  const serving = process.env.SERVING_STACK ?? '';
  const extra = (process.env.DEPLOY_STACKS ?? '').split(/\s+/).filter(Boolean);
  for (const name of [serving, ...extra])
    if (!stackName.test(name))
      throw new Error(
        `SERVING_STACK / DEPLOY_STACKS: ${JSON.stringify(
          name.slice(0, 64),
        )} is not a stack name`,
      );
  const args = [
    'cdk',
    'deploy',
    serving,
    ...extra,
    '--exclusively',
    '--require-approval',
    'never',
    '--parameters',
    `${serving}:ModelPackageArn=${arn}`,
    '--outputs-file',
    'cdk-outputs.json',
    ...(override
      ? ['--context', `${deploymentOverrideContextKey(serving)}=${override}`]
      : []),
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
