import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildMlopsApp } from '../lib/mlops-app';
import { cdkJsonContext } from './helpers';

const SOURCES = ['lib', 'bin'].flatMap(dir =>
  fs.readdirSync(path.join(__dirname, '..', dir)).map(f => path.join(__dirname, '..', dir, f)),
);

describe('cdk-nag AwsSolutions', () => {
  it('finds no unacknowledged errors in the env-agnostic app `cdk synth` builds', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-nag-'));
    const app = new App({ context: cdkJsonContext(), outdir });
    buildMlopsApp(app); // env-agnostic and nag on, exactly as bin/app.ts without credentials
    expect(() => app.synth()).not.toThrow();
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    const nag = report.pluginReports.filter((r: any) => /AwsSolutions/i.test(r.summary?.pluginName ?? ''));
    expect(nag.length).toBeGreaterThan(0);
    for (const r of nag) {
      const errors = (r.violations ?? []).filter((v: any) => v.severity?.toLowerCase?.() === 'error' || v.severity === undefined);
      expect(errors.map((v: any) => v.ruleName)).toEqual([]);
    }
  });

  it('is wired as a validation plugin that really fails synth on a violation (control)', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-nag-control-')) });
    const stack = new Stack(app, 'Control');
    new s3.Bucket(stack, 'Plain'); // no SSL enforcement, no access logs
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S10|AwsSolutions-S1/);
  });

  it('justifies every acknowledgement in code with a reason', () => {
    const calls = SOURCES.flatMap(f => fs.readFileSync(f, 'utf8').match(/acknowledge(All)?\([^;]*?\);/gs) ?? []);
    expect(calls.length).toBeGreaterThan(10);
    for (const call of calls) {
      // acknowledge(scope, id(s), reason): the last argument is a sentence.
      const reason = call.match(/,\s*(['`])([^'`]{25,})\1\s*,?\s*\);$/s);
      if (call.includes('function acknowledge')) continue;
      expect({ call: call.slice(0, 80), hasReason: Boolean(reason) || /reason\)?;$/.test(call) }).toEqual({ call: call.slice(0, 80), hasReason: true });
    }
  });

  it('never registers cdk-nag as an Aspect (cdk-nag 3 is a validation plugin)', () => {
    for (const f of SOURCES) expect(fs.readFileSync(f, 'utf8')).not.toMatch(/Aspects\.of\([^)]*\)\.add\(new AwsSolutionsChecks/);
  });
});
