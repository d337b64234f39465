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
import {
  cdkDeployArgs,
  ensureApproved,
  readDeploymentOverride,
} from './release-steps';

async function main() {
  const arn = process.env.MODEL_PACKAGE_ARN;
  if (!arn) throw new Error('MODEL_PACKAGE_ARN is required');
  const sm = new SageMakerClient({});
  // Checked before anything changes: an invalid override or stack name approves and deploys nothing.
  const override = await readDeploymentOverride(sm, arn);
  const args = cdkDeployArgs({
    servingStack: process.env.SERVING_STACK ?? '',
    extraStacks: (process.env.DEPLOY_STACKS ?? '').split(/\s+/).filter(Boolean),
    modelPackageArn: arn,
    deploymentOverride: override,
  });
  await ensureApproved(sm, {
    modelPackageArn: arn,
    approvedBy:
      process.env.APPROVED_BY ??
      `Approved in release pipeline ${
        process.env.CODEBUILD_BUILD_ID ?? ''
      }`.trim(),
  });
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
