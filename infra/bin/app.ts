#!/usr/bin/env node
/**
 * CDK entry point (run with tsx, see cdk.json). Stacks are env-agnostic
 * unless CDK_DEFAULT_ACCOUNT/REGION are set (they are during `cdk deploy`
 * with credentials), so `cdk synth` works offline.
 */
import { App } from 'aws-cdk-lib';
import { buildMlopsApp } from '../lib/mlops-app';
import { SYSTEMS } from './systems';

const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
buildMlopsApp(app, {
  systems: SYSTEMS,
  env: account && region ? { account, region } : undefined,
  approvalEmail: app.node.tryGetContext('approvalEmail'),
  allowOrigin: app.node.tryGetContext('allowOrigin'),
  captureSamplingPercent: app.node.tryGetContext('captureSamplingPercent'),
});
app.synth();
