import {
  GATE_PARAMETER,
  PIPELINE_PARAMETERS,
  defaultParameters,
} from '@mlops-portal/plugin-mlops-common';
import type {
  ParameterValues,
  PipelineStep,
  ReleaseStage,
} from '@mlops-portal/plugin-mlops-common';
import { InputError } from '@backstage/errors';

/** The ML pipeline DAG, as in the reference SageMaker pipeline. */
export const ML_STEPS: ReadonlyArray<
  Pick<PipelineStep, 'name' | 'type' | 'dependsOn'>
> = [
  { name: 'Preprocess', type: 'Processing', dependsOn: [] },
  { name: 'Train', type: 'Training', dependsOn: ['Preprocess'] },
  { name: 'Evaluate', type: 'Processing', dependsOn: ['Train'] },
  { name: 'CheckMSE', type: 'Condition', dependsOn: ['Evaluate'] },
  { name: 'Register', type: 'RegisterModel', dependsOn: ['CheckMSE'] },
];

/** The release (CodePipeline) stages around it. */
export const RELEASE_STAGES = [
  'Source',
  'Validate',
  'MLPipeline',
  'Approval',
  'Deploy',
] as const;

export type ReleaseStageName = (typeof RELEASE_STAGES)[number];

export function initialSteps(): PipelineStep[] {
  return ML_STEPS.map(s => ({
    name: s.name,
    type: s.type,
    dependsOn: [...s.dependsOn],
    status: 'NotStarted',
  }));
}

export function initialRelease(): ReleaseStage[] {
  return RELEASE_STAGES.map(name => ({ name, status: 'NotStarted' }));
}

/**
 * Defaults (the gate from config) overlaid with the run's overrides.
 * Overrides are checked here too, not only by the router, so every caller
 * (seed, retries, adopters' code) gets the same validation.
 */
export function resolveParameters(
  mseThreshold: number,
  overrides: ParameterValues | undefined,
): ParameterValues {
  const params: ParameterValues = {
    ...defaultParameters(),
    // The gate the run is judged by, recorded on it.
    [GATE_PARAMETER]: mseThreshold,
  };
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (name === GATE_PARAMETER) {
      throw new InputError(
        `parameters.${name}: the quality gate is not a run parameter; it comes from configuration (mlops.qualityGate.mseThreshold)`,
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

/** XGBoost hyperparameters (snake_case, as the training job takes them) from pipeline parameters. */
export function hyperparametersOf(
  params: ParameterValues,
): Record<string, number> {
  const hp: Record<string, number> = {};
  for (const p of PIPELINE_PARAMETERS) {
    if (p.hyperparameter && typeof params[p.name] === 'number') {
      hp[p.hyperparameter] = params[p.name] as number;
    }
  }
  return hp;
}
