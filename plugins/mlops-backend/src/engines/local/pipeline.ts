import {
  GATE_PARAMETER,
  PIPELINE_PARAMETERS,
  gateStepName,
} from '@mlops-portal/plugin-mlops-common';
import type {
  ParameterValues,
  PipelineStep,
  QualityGate,
  ReleaseStage,
} from '@mlops-portal/plugin-mlops-common';
import { type MlSystemSpec, defaultObjective } from '@mlops-portal/ml-core';
import { InputError } from '@backstage/errors';

/**
 * The ML pipeline DAG, as in the reference SageMaker pipeline; the gate
 * step is named after the spec's gate metric (CheckMSE, CheckACCURACY, …).
 */
export function mlSteps(
  gate: Pick<QualityGate, 'metric'>,
): Array<Pick<PipelineStep, 'name' | 'type' | 'dependsOn'>> {
  const check = gateStepName(gate);
  return [
    { name: 'Preprocess', type: 'Processing', dependsOn: [] },
    { name: 'Train', type: 'Training', dependsOn: ['Preprocess'] },
    { name: 'Evaluate', type: 'Processing', dependsOn: ['Train'] },
    { name: check, type: 'Condition', dependsOn: ['Evaluate'] },
    { name: 'Register', type: 'RegisterModel', dependsOn: [check] },
  ];
}

/** The release (CodePipeline) stages around it. */
export const RELEASE_STAGES = [
  'Source',
  'Validate',
  'MLPipeline',
  'Approval',
  'Deploy',
] as const;

export type ReleaseStageName = (typeof RELEASE_STAGES)[number];

/**
 * The steps of a new run. The gate is recorded on its Check step when the
 * run is queued, so the run is judged by the spec it was started with.
 */
export function initialSteps(gate: QualityGate): PipelineStep[] {
  return mlSteps(gate).map(s => ({
    name: s.name,
    type: s.type,
    dependsOn: [...s.dependsOn],
    status: 'NotStarted',
    ...(s.type === 'Condition' ? { parameters: { gate: { ...gate } } } : {}),
  }));
}

/** The gate a run's Check step records (undefined for runs from before specs). */
export function gateOf(steps: PipelineStep[]): QualityGate | undefined {
  const check = steps.find(s => s.type === 'Condition');
  const gate = check?.parameters?.gate as QualityGate | undefined;
  return gate && typeof gate.metric === 'string' ? gate : undefined;
}

export function initialRelease(): ReleaseStage[] {
  return RELEASE_STAGES.map(name => ({ name, status: 'NotStarted' }));
}

/**
 * A run's parameters: the spec's hyperparameters (under the pipeline's
 * parameter names), overlaid with the run's overrides. Overrides are
 * checked here too, not only by the router, so every caller (seed, retries,
 * adopters' code) gets the same validation. The gate is never a parameter:
 * it comes from the spec, so whoever may train cannot loosen it.
 */
export function resolveParameters(
  spec: MlSystemSpec,
  overrides: ParameterValues | undefined,
): ParameterValues {
  const params: ParameterValues = { ModelApprovalStatus: 'PendingManualApproval' };
  const hp = spec.spec.training?.hyperparameters ?? {};
  for (const p of PIPELINE_PARAMETERS) {
    if (p.hyperparameter && hp[p.hyperparameter] !== undefined)
      params[p.name] = hp[p.hyperparameter];
  }
  params.Seed = spec.spec.training?.split?.seed ?? 0;
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (name === GATE_PARAMETER) {
      throw new InputError(
        `parameters.${name}: the quality gate is not a run parameter; it comes from the system spec (gate)`,
      );
    }
    const info = PIPELINE_PARAMETERS.find(p => p.name === name);
    if (!info) {
      throw new InputError(
        `parameters.${name}: unknown parameter; known: ${PIPELINE_PARAMETERS.map(
          p => p.name,
        ).join(', ')}`,
      );
    }
    if (info.type === 'String') {
      if (typeof value !== 'string' || !(info.allowed ?? []).includes(value)) {
        throw new InputError(
          `parameters.${name} must be one of ${(info.allowed ?? []).join(
            ', ',
          )}`,
        );
      }
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new InputError(`parameters.${name} must be a number`);
      }
      if (info.type === 'Integer' && !Number.isInteger(value)) {
        throw new InputError(`parameters.${name} must be an integer`);
      }
      if (info.min !== undefined && value < info.min) {
        throw new InputError(`parameters.${name} must be ≥ ${info.min}`);
      }
      if (info.max !== undefined && value > info.max) {
        throw new InputError(`parameters.${name} must be ≤ ${info.max}`);
      }
    }
    params[name] = value;
  }
  return params;
}

/**
 * XGBoost parameters (snake_case, as the training job takes them): the
 * spec's (objective by task, any hyperparameter the portal has no parameter
 * for, e.g. colsample_bytree) under the run's pipeline parameters.
 */
export function hyperparametersOf(
  params: ParameterValues,
  spec: MlSystemSpec,
  classCount?: number,
): Record<string, number | string> {
  const task = spec.spec.dataset.task;
  const hp: Record<string, number | string> = {
    ...(spec.spec.training?.hyperparameters ?? {}),
    objective: spec.spec.training?.objective ?? defaultObjective(task),
    ...(task === 'multiclass' && classCount ? { num_class: classCount } : {}),
  };
  for (const p of PIPELINE_PARAMETERS) {
    if (p.hyperparameter && typeof params[p.name] === 'number') {
      hp[p.hyperparameter] = params[p.name] as number;
    }
  }
  return hp;
}
