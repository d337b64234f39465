/**
 * Prints what the CDK app derives from a spec file, for the step tests and
 * for a platform team checking a new spec before deploying:
 *   npx tsx scripts/system-json.ts <ml-system.yaml> [data file]
 *     system.json, the document the step scripts read (resolved schema, split, gate)
 *   npx tsx scripts/system-json.ts --train <ml-system.yaml> [data file]
 *     the Train step's HyperParameters with the pipeline parameters' defaults,
 *     and the gate's step name and JsonGet path, as the pipeline definition has them
 * A data file is needed when the spec leaves column types to inference.
 */
import { buildPipelineDefinition } from '../lib/pipeline-definition';
import { loadSystem, systemDocument } from '../lib/spec';

function trainView(system: ReturnType<typeof loadSystem>) {
  const definition = buildPipelineDefinition({
    system,
    roleArn: 'role',
    artifactBucketName: 'bucket',
    artifactPrefix: 'systems/x/',
    defaultInputDataUrl: 's3://data/',
    sklearnImage: 'sklearn',
    xgboostImage: 'xgboost',
    modelPackageGroupName: 'group',
    region: 'eu-west-1',
  }) as any;
  const defaults = new Map<string, unknown>(
    definition.Parameters.map((p: any) => [p.Name, p.DefaultValue]),
  );
  // Std:Join of one parameter → that parameter's default, as SageMaker passes it (a string).
  const resolve = (v: any): string =>
    typeof v === 'string'
      ? v
      : String(defaults.get(v['Std:Join'].Values[0].Get.slice(11)));
  const train = definition.Steps.find((s: any) => s.Name === 'Train');
  const check = definition.Steps.find((s: any) => s.Type === 'Condition');
  const condition = check.Arguments.Conditions[0];
  return {
    hyperparameters: Object.fromEntries(
      Object.entries(train.Arguments.HyperParameters).map(([k, v]) => [
        k,
        resolve(v),
      ]),
    ),
    seed: String(defaults.get('Seed')),
    gate: {
      stepName: check.Name,
      path: condition.LeftValue['Std:JsonGet'].Path,
      comparison: condition.Type,
      threshold: condition.RightValue,
    },
  };
}

const args = process.argv.slice(2);
const train = args[0] === '--train';
const [specFile, dataFile] = train ? args.slice(1) : args;
if (!specFile) {
  console.error('usage: system-json.ts [--train] <ml-system.yaml> [data file]');
  process.exit(2);
}
try {
  const system = loadSystem(specFile, dataFile);
  const out = train ? trainView(system) : systemDocument(system);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} catch (e) {
  console.error(`system-json: ${(e as Error).message}`);
  process.exit(1);
}
