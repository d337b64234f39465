import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as path from 'path';
import { SYSTEMS } from '../bin/systems';
import { buildMlopsApp, MlopsAppOptions, MlopsStacks } from '../lib/mlops-app';

/** The context cdk.json gives the CLI, so tests synthesize what `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(
    fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8'),
  ).context;
}

export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' };

type StackKey = 'data' | 'pipeline' | 'serving' | 'release' | 'hosting';

export interface Synthesized {
  app: App;
  stacks: MlopsStacks;
  /** The platform stack and the reference (first) system's stacks. */
  templates: Record<StackKey, Template>;
  json: Record<StackKey, any>;
  /** Any stack's template by stack name (e.g. BreastCancerServing). */
  byName: (stackName: string) => any;
}

export const APP_OPTIONS: MlopsAppOptions = { env: TEST_ENV, systems: SYSTEMS };

/**
 * Builds and synthesizes the whole app once (bundling and nag included);
 * each test file calls this in beforeAll and shares the result.
 */
export function synthesizeApp(
  options: MlopsAppOptions = APP_OPTIONS,
  extend?: (app: App, stacks: MlopsStacks) => void,
): Synthesized {
  const app = new App({
    context: cdkJsonContext(),
    outdir: fs.mkdtempSync(path.join(require('os').tmpdir(), 'cdk-test-')),
  });
  const stacks = buildMlopsApp(app, options);
  extend?.(app, stacks);
  const assembly = app.synth();
  const [first] = stacks.systems;
  const byName = (name: string) => assembly.getStackByName(name).template;
  const json = {
    data: byName(stacks.platform.stackName),
    pipeline: byName(first.pipelineStack.stackName),
    serving: byName(first.servingStack.stackName),
    release: byName(first.releaseStack.stackName),
    hosting: stacks.hosting ? byName(stacks.hosting.stackName) : undefined,
  };
  const templates = Object.fromEntries(
    Object.entries(json)
      .filter(([, t]) => t)
      .map(([k, t]) => [k, Template.fromJSON(t)]),
  ) as Synthesized['templates'];
  return { app, stacks, templates, json, byName };
}

/** Resources of one type in a template, as [logicalId, resource] pairs. */
export function resourcesOf(template: any, type: string): [string, any][] {
  return Object.entries(template.Resources as Record<string, any>).filter(
    ([, r]) => r.Type === type,
  );
}

/** Every IAM policy statement in a template (inline role policies and AWS::IAM::Policy). */
export function allStatements(template: any): any[] {
  const out: any[] = [];
  for (const [, r] of Object.entries(
    template.Resources as Record<string, any>,
  )) {
    if (r.Type === 'AWS::IAM::Policy')
      out.push(...r.Properties.PolicyDocument.Statement);
    if (r.Type === 'AWS::IAM::Role')
      for (const p of r.Properties.Policies ?? [])
        out.push(...p.PolicyDocument.Statement);
  }
  return out;
}

export const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Flattens an Fn::Join of a JSON document, replacing intrinsics with "<TOKEN>" so it parses. */
export function joinToString(value: any): string {
  if (typeof value === 'string') return value;
  if (value && value['Fn::Join']) {
    const [sep, parts] = value['Fn::Join'];
    return parts
      .map((p: any) => (typeof p === 'string' ? p : '<TOKEN>'))
      .join(sep);
  }
  throw new Error(`not a string or Fn::Join: ${JSON.stringify(value)}`);
}
