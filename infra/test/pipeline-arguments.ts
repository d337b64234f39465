/**
 * Turns a SageMaker pipeline definition's step Arguments into the API request
 * SageMaker sends for the step: placeholders resolved to parameter defaults
 * and sample run values, and the job name the service adds filled in.
 */

/** What `Get` resolves to besides parameters: one sample execution and its step outputs. */
export const SAMPLE_EXECUTION_ID = 'x7k2m9q4w1ab';

/** Step type → the SageMaker operation it calls and the name member SageMaker fills in. */
export const STEP_OPERATIONS: Record<
  string,
  { operation: string; nameMember?: string }
> = {
  Processing: {
    operation: 'CreateProcessingJob',
    nameMember: 'ProcessingJobName',
  },
  Training: { operation: 'CreateTrainingJob', nameMember: 'TrainingJobName' },
  RegisterModel: { operation: 'CreateModelPackage' },
};

type Json = any;

export function resolvePlaceholders(
  value: Json,
  definition: Json,
  artifactBucket: string,
): Json {
  const defaults = new Map<string, Json>(
    definition.Parameters.map((p: Json) => [p.Name, p.DefaultValue]),
  );
  const get = (ref: string): Json => {
    if (ref.startsWith('Parameters.')) {
      const name = ref.slice('Parameters.'.length);
      if (!defaults.has(name)) throw new Error(`unknown parameter ${ref}`);
      return defaults.get(name);
    }
    if (ref === 'Execution.PipelineExecutionId') return SAMPLE_EXECUTION_ID;
    const output = ref.match(
      /^Steps\.(\w+)\.ProcessingOutputConfig\.Outputs\['([\w-]+)'\]\.S3Output\.S3Uri$/,
    );
    if (output)
      return `s3://${artifactBucket}/runs/${SAMPLE_EXECUTION_ID}/${output[2]}`;
    if (/^Steps\.\w+\.ModelArtifacts\.S3ModelArtifacts$/.test(ref))
      return `s3://${artifactBucket}/runs/${SAMPLE_EXECUTION_ID}/model/pipelines-train/output/model.tar.gz`;
    throw new Error(`no sample value for Get ${ref}`);
  };
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    if (typeof v.Get === 'string' && Object.keys(v).length === 1)
      return get(v.Get);
    if (v['Std:Join'])
      return v['Std:Join'].Values.map((x: Json) => String(walk(x))).join(
        v['Std:Join'].On,
      );
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value);
}

/** Every step with an API call behind it, Condition branches included. */
export function apiSteps(steps: Json[]): Json[] {
  return steps.flatMap((s: Json) =>
    s.Type === 'Condition'
      ? apiSteps([...s.Arguments.IfSteps, ...s.Arguments.ElseSteps])
      : STEP_OPERATIONS[s.Type]
      ? [s]
      : [],
  );
}

/** The CreateProcessingJob / CreateTrainingJob / CreateModelPackage request a step makes. */
export function stepRequest(
  step: Json,
  definition: Json,
  artifactBucket: string,
): { operation: string; value: Json } {
  const { operation, nameMember } = STEP_OPERATIONS[step.Type];
  const value = resolvePlaceholders(step.Arguments, definition, artifactBucket);
  if (nameMember)
    value[nameMember] = `pipelines-${SAMPLE_EXECUTION_ID}-${step.Name}`;
  return { operation, value };
}
