import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SYSTEMS } from '../bin/systems';
import { buildMlopsApp } from '../lib/mlops-app';
import { cdkJsonContext } from './helpers';

// Source files, to check how cdk-nag is registered.
const SOURCES = ['lib', 'bin'].flatMap(dir =>
  fs
    .readdirSync(path.join(__dirname, '..', dir))
    .map(f => path.join(__dirname, '..', dir, f)),
);

describe('cdk-nag AwsSolutions', () => {
  let app: App;
  let outdir: string;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-nag-'));
    app = new App({ context: cdkJsonContext(), outdir });
    // env-agnostic and nag on, exactly as bin/app.ts without credentials
    buildMlopsApp(app, { systems: SYSTEMS });
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it('finds no unacknowledged errors in the env-agnostic app `cdk synth` builds', () => {
    expect(() => app.synth()).not.toThrow();
    const report = JSON.parse(
      fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'),
    );
    // The report lists plugin findings; with everything fixed or acknowledged there are none.
    const violations = report.pluginReports.flatMap(
      (r: any) => r.violations ?? [],
    );
    expect(
      violations.map(
        (v: any) =>
          `${v.ruleName}: ${JSON.stringify(
            v.violatingResources ?? v.violatingConstructs ?? '',
          )}`,
      ),
    ).toEqual([]);
  });

  it('is wired as a validation plugin that really fails synth on a violation (control)', () => {
    const controlDir = fs.mkdtempSync(
      path.join(os.tmpdir(), 'cdk-nag-control-'),
    );
    const control = new App({ outdir: controlDir });
    const stack = new Stack(control, 'Control');
    new s3.Bucket(stack, 'Plain'); // no SSL enforcement, no access logs
    Validations.of(control).addPlugins(new AwsSolutionsChecks(control));
    try {
      expect(() => control.synth()).toThrow(/AwsSolutions-S10|AwsSolutions-S1/);
    } finally {
      fs.rmSync(controlDir, { recursive: true, force: true });
    }
  });

  it('justifies every acknowledgement with a reason', () => {
    // Validations.acknowledge records { [ruleId]: reason } on the construct.
    const acks = app.node
      .findAll()
      .flatMap(c =>
        c.node.metadata
          .filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .map(m => ({ path: c.node.path, data: m.data })),
      )
      .flatMap(({ path: p, data }) =>
        Object.entries(data as Record<string, string>).map(([id, reason]) => ({
          path: p,
          id,
          reason,
        })),
      );
    expect(acks.length).toBeGreaterThan(20);
    for (const a of acks) {
      expect(a.id).toMatch(/^AwsSolutions::AwsSolutions-[A-Z]+\d+/);
      // A sentence, not a placeholder.
      expect({
        path: a.path,
        id: a.id,
        ok: typeof a.reason === 'string' && a.reason.length >= 30,
      }).toEqual({ path: a.path, id: a.id, ok: true });
    }
  });

  it('never registers cdk-nag as an Aspect (cdk-nag 3 is a validation plugin)', () => {
    for (const f of SOURCES)
      expect(fs.readFileSync(f, 'utf8')).not.toMatch(
        /Aspects\.of\([^)]*\)\.add\(new AwsSolutionsChecks/,
      );
  });
});
