import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import * as path from 'path';

const INFRA_DIR = path.join(__dirname, '..');

/** Runtime of the repo's Node.js Lambdas (cdk-nag L1 wants the latest). */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * One of the project's own Lambdas, `infra/lambda/<name>/index.ts`
 * (`handler`), bundled by local esbuild (no Docker) on ARM with the repo's
 * runtime; the runtime ships SDK v3, so it stays external. The lock file
 * only anchors the project root (no node_modules are installed into the
 * bundle): infra/package.json exists in every clone, while the workspace
 * lock lives above infra/. 256 MB and 60 s unless `props` say otherwise.
 */
export function projectLambda(
  scope: Construct,
  id: string,
  name: string,
  props: Omit<
    NodejsFunctionProps,
    'entry' | 'handler' | 'projectRoot' | 'depsLockFilePath' | 'bundling'
  >,
): NodejsFunction {
  return new NodejsFunction(scope, id, {
    entry: path.join(INFRA_DIR, 'lambda', name, 'index.ts'),
    handler: 'handler',
    projectRoot: INFRA_DIR,
    depsLockFilePath: path.join(INFRA_DIR, 'package.json'),
    runtime: LAMBDA_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.seconds(60),
    ...props,
    bundling: {
      forceDockerBundling: false,
      externalModules: ['@aws-sdk/*'],
      minify: true,
      sourceMap: false,
      format: OutputFormat.CJS,
      target: 'node22',
    },
  });
}
