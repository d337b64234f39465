import type { PipelineExecutionStep } from '@aws-sdk/client-sagemaker';
import type { PipelineStep } from '@mlops-portal/plugin-mlops-common';
import { iso, stepStatus } from './mappers';

const METADATA_TYPES: Record<string, string> = {
  ProcessingJob: 'Processing',
  TrainingJob: 'Training',
  Condition: 'Condition',
  RegisterModel: 'RegisterModel',
  Model: 'Model',
  Fail: 'Fail',
  Lambda: 'Lambda',
  TransformJob: 'Transform',
};

/** Merges the definition's DAG with the steps that ran (latest attempt per step). */
export function buildSteps(
  definition: Array<{ name: string; type: string; dependsOn: string[] }>,
  runtime: PipelineExecutionStep[],
): PipelineStep[] {
  const latest = new Map<string, PipelineExecutionStep>();
  for (const s of runtime) {
    if (!s.StepName) continue;
    const prev = latest.get(s.StepName);
    const t = s.StartTime?.getTime() ?? 0;
    if (!prev || t >= (prev.StartTime?.getTime() ?? 0))
      latest.set(s.StepName, s);
  }
  const steps: PipelineStep[] = definition.map(d =>
    toStep(d.name, d.type, d.dependsOn, latest.get(d.name)),
  );
  for (const [name, s] of latest) {
    if (!definition.some(d => d.name === name)) {
      steps.push(toStep(name, undefined, [], s));
    }
  }
  return steps;
}

function toStep(
  name: string,
  type: string | undefined,
  dependsOn: string[],
  s: PipelineExecutionStep | undefined,
): PipelineStep {
  const step: PipelineStep = {
    name,
    type: type ?? 'Unknown',
    dependsOn,
    status: s ? stepStatus(s.StepStatus) : 'NotStarted',
  };
  if (!s) return step;
  const meta = s.Metadata ?? {};
  if (!type) {
    const kind = Object.keys(meta).find(k => (meta as any)[k] !== undefined);
    if (kind && METADATA_TYPES[kind]) step.type = METADATA_TYPES[kind];
  }
  step.startTime = iso(s.StartTime);
  step.endTime = iso(s.EndTime);
  const failure = s.FailureReason ?? meta.Fail?.ErrorMessage;
  if (failure) step.failureReason = failure;
  const metadata: Record<string, unknown> = {};
  if (meta.ProcessingJob?.Arn)
    metadata.processingJobArn = meta.ProcessingJob.Arn;
  if (meta.TrainingJob?.Arn) metadata.trainingJobArn = meta.TrainingJob.Arn;
  if (meta.RegisterModel?.Arn)
    metadata.modelPackageArn = meta.RegisterModel.Arn;
  if (meta.Model?.Arn) metadata.modelArn = meta.Model.Arn;
  if (meta.Lambda?.Arn) metadata.lambdaArn = meta.Lambda.Arn;
  if (s.AttemptCount !== undefined) metadata.attemptCount = s.AttemptCount;
  if (s.CacheHitResult?.SourcePipelineExecutionArn) {
    metadata.cacheHitSource = s.CacheHitResult.SourcePipelineExecutionArn;
  }
  if (Object.keys(metadata).length) step.metadata = metadata;
  if (meta.Condition?.Outcome)
    step.outputs = { conditionOutcome: meta.Condition.Outcome };
  if (meta.RegisterModel?.Arn) {
    step.outputs = { ...step.outputs, modelPackageArn: meta.RegisterModel.Arn };
  }
  return step;
}
