/**
 * The pipeline definition and the step scripts agree: each processing step of
 * the synthesized definition is run as SageMaker lays it out (its inputs copied
 * to their LocalPaths, its entry point and arguments), on the Abalone data and
 * spec, and every file a later step or the Register step names exists where
 * the definition says. Needs python3 with pandas, scikit-learn and xgboost
 * (scripts/ensure-system-deps.sh); replaces greps of the scripts' source.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ML_SCRIPTS_DIR } from '../lib/ml-pipeline-stack';
import { buildPipelineDefinition } from '../lib/pipeline-definition';
import { loadSystem, systemDocument } from '../lib/spec';

const DEMO = path.join(__dirname, '..', '..', 'packages', 'demo-systems');
const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const CONTAINER_ROOT = '/opt/ml/processing';

const system = loadSystem(path.join(DEMO, 'abalone', 'ml-system.yaml'));
const definition = buildPipelineDefinition({
  system,
  roleArn: 'arn:aws:iam::123456789012:role/r',
  artifactBucketName: 'bucket',
  artifactPrefix: `systems/${system.name}/`,
  defaultInputDataUrl: 's3://data/',
  sklearnImage: 'sklearn',
  xgboostImage: 'xgboost',
  modelPackageGroupName: 'group',
  region: 'eu-west-1',
}) as any;
const steps: Record<string, any> = {};
const visit = (list: any[]) =>
  list.forEach(st => {
    steps[st.Name] = st;
    visit([
      ...(st.Arguments?.IfSteps ?? []),
      ...(st.Arguments?.ElseSteps ?? []),
    ]);
  });
visit(definition.Steps);
const defaults = new Map<string, unknown>(
  definition.Parameters.map((p: any) => [p.Name, p.DefaultValue]),
);

/** A Std:Join of parameters/strings → its value with the parameter defaults. */
function value(v: any): string {
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (v.Get?.startsWith('Parameters.'))
    return String(defaults.get(v.Get.slice('Parameters.'.length)));
  if (v['Std:Join'])
    return v['Std:Join'].Values.map(value).join(v['Std:Join'].On);
  throw new Error(`cannot resolve ${JSON.stringify(v)}`);
}

let root: string;
/** Each step's local root stands for its container's /opt/ml/processing. */
const local = (step: string, containerPath: string) => {
  expect(containerPath.startsWith(`${CONTAINER_ROOT}/`)).toBe(true);
  return path.join(root, step, containerPath.slice(CONTAINER_ROOT.length + 1));
};
/** Where a Get of another step's output points on this machine. */
function producer(ref: any): string {
  const get = ref.Get ?? ref['Std:Join']?.Values[0]?.Get;
  const output =
    /^Steps\.(\w+)\.ProcessingOutputConfig\.Outputs\['(\w+)'\]/.exec(get);
  if (output) {
    const out = steps[output[1]].Arguments.ProcessingOutputConfig.Outputs.find(
      (o: any) => o.OutputName === output[2],
    );
    return local(output[1], out.S3Output.LocalPath);
  }
  if (/^Steps\.Train\.ModelArtifacts/.test(get))
    return path.join(root, 'Train', 'model');
  throw new Error(`unknown reference ${get}`);
}

function runProcessing(name: string, sources: Record<string, string>) {
  const args = steps[name].Arguments;
  for (const input of args.ProcessingInputs) {
    const dest = local(name, input.S3Input.LocalPath);
    fs.mkdirSync(dest, { recursive: true });
    const from = sources[input.InputName] ?? producer(input.S3Input.S3Uri);
    fs.cpSync(
      from,
      fs.statSync(from).isDirectory()
        ? dest
        : path.join(dest, path.basename(from)),
      {
        recursive: true,
      },
    );
  }
  const [interpreter, script] = args.AppSpecification.ContainerEntrypoint;
  expect(interpreter).toBe('python3');
  const run = spawnSync(
    PY,
    [
      local(name, script),
      ...(args.AppSpecification.ContainerArguments ?? []).map(value),
      '--base-dir',
      path.join(root, name),
    ],
    { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
  );
  expect({
    step: name,
    status: run.status,
    stderr: run.stderr.slice(-2000),
  }).toEqual({
    step: name,
    status: 0,
    stderr: expect.any(String),
  });
  for (const out of args.ProcessingOutputConfig.Outputs)
    expect({
      output: out.OutputName,
      files: fs.readdirSync(local(name, out.S3Output.LocalPath)).length > 0,
    }).toEqual({
      output: out.OutputName,
      files: true,
    });
}

const hasModules =
  spawnSync(PY, ['-c', 'import pandas, sklearn, xgboost, joblib']).status === 0;
if (!hasModules)
  console.warn(
    'steps-contract.test.ts skipped: python3 lacks pandas/sklearn/xgboost (scripts/ensure-system-deps.sh)',
  );

(hasModules ? describe : describe.skip)(
  'the Abalone pipeline run step by step as SageMaker lays it out',
  () => {
    beforeAll(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'steps-contract-'));
      const spec = path.join(root, 'spec');
      fs.mkdirSync(spec);
      fs.writeFileSync(
        path.join(spec, 'system.json'),
        JSON.stringify(systemDocument(system)),
      );
      const code = path.join(root, 'code');
      fs.cpSync(ML_SCRIPTS_DIR, code, {
        recursive: true,
        filter: f =>
          !/tests|__pycache__/.test(path.relative(ML_SCRIPTS_DIR, f)),
      });
      runProcessing('Preprocess', {
        'input-data': path.join(DEMO, 'abalone', 'abalone.data'),
        code,
        system: spec,
      });
      // Train as the XGBoost container does with the step's hyperparameters (defaults resolved).
      const train = steps.Train.Arguments;
      const hyper = Object.fromEntries(
        Object.entries(train.HyperParameters).map(([k, v]) => [k, value(v)]),
      );
      const channels = Object.fromEntries(
        train.InputDataConfig.map((c: any) => [
          c.ChannelName,
          producer(c.DataSource.S3DataSource.S3Uri),
        ]),
      );
      const model = path.join(root, 'Train', 'model');
      fs.mkdirSync(model, { recursive: true });
      const run = spawnSync(
        PY,
        [
          '-c',
          `
import glob, json, os, sys, tarfile
import pandas as pd, xgboost
hp, channels, out = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
def dm(d):
    df = pd.concat(pd.read_csv(f, header=None) for f in sorted(glob.glob(os.path.join(d, '*.csv'))))
    return xgboost.DMatrix(df.iloc[:, 1:].to_numpy(), label=df.iloc[:, 0].to_numpy())
params = {k: v for k, v in hp.items() if k not in ('num_round', 'early_stopping_rounds')}
tr, va = dm(channels['train']), dm(channels['validation'])
b = xgboost.train(params, tr, int(hp['num_round']), evals=[(tr, 'train'), (va, 'validation')], early_stopping_rounds=int(hp['early_stopping_rounds']), verbose_eval=False)
b.save_model(os.path.join(out, 'xgboost-model'))
with tarfile.open(os.path.join(out, 'model.tar.gz'), 'w:gz') as t: t.add(os.path.join(out, 'xgboost-model'), arcname='xgboost-model')
os.remove(os.path.join(out, 'xgboost-model'))
`,
          JSON.stringify(hyper),
          JSON.stringify(channels),
          model,
        ],
        { encoding: 'utf8' },
      );
      expect(run.stderr.slice(-2000)).not.toMatch(/Traceback/);
      runProcessing('Evaluate', { code, system: spec });
    });
    afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

    it('writes the property file where the gate reads it, with the metric the gate names', () => {
      const [file] = steps.Evaluate.PropertyFiles;
      const out = steps.Evaluate.Arguments.ProcessingOutputConfig.Outputs.find(
        (o: any) => o.OutputName === file.OutputName,
      );
      const report = JSON.parse(
        fs.readFileSync(
          path.join(local('Evaluate', out.S3Output.LocalPath), file.FilePath),
          'utf8',
        ),
      );
      const condition = steps.CheckMSE.Arguments.Conditions[0];
      const metric = condition.LeftValue['Std:JsonGet'].Path.split('.').reduce(
        (o: any, k: string) => o[k],
        report,
      );
      expect(typeof metric).toBe('number');
      expect(metric).toBeGreaterThan(0);
      // The real Abalone data passes its spec's gate (test MSE ≤ 6).
      expect(metric).toBeLessThanOrEqual(condition.RightValue);
    });

    it('leaves every file Register names where its S3 URIs point', () => {
      const register = steps.Register.Arguments;
      const refs = [
        register.ModelMetrics.ModelQuality.Statistics.S3Uri,
        register.ModelMetrics.ModelDataQuality.Statistics.S3Uri,
        register.ModelMetrics.ModelDataQuality.Constraints.S3Uri,
        register.CustomerMetadataProperties['mlops:signature'],
        register.InferenceSpecification.Containers[0].ModelDataUrl,
        register.CustomerMetadataProperties['mlops:prediction-baseline'],
      ];
      for (const ref of refs) {
        const [dir, file] = ref['Std:Join'].Values;
        expect(fs.existsSync(path.join(producer(dir), file))).toBe(true);
      }
      const signature = JSON.parse(
        fs.readFileSync(
          path.join(producer(refs[3]['Std:Join'].Values[0]), 'signature.json'),
          'utf8',
        ),
      );
      expect(signature.inputs.map((i: any) => i.name)).toEqual(
        system.inputs.map(c => c.name),
      );
      expect(signature.outputs).toMatchObject({
        task: 'regression',
        target: 'rings',
      });
    });
  },
);
