/**
 * Pipeline parameters shared by both engines and by infra/'s SageMaker pipeline
 * definition, so "Train now" sends the same names everywhere.
 */
export interface ParameterInfo {
  name: string;
  type: 'Integer' | 'Float' | 'String';
  default: number | string;
  min?: number;
  max?: number;
  allowed?: string[];
  description: string;
  /** XGBoost hyperparameter this maps to, if any. */
  hyperparameter?: string;
}

export const PIPELINE_PARAMETERS: ParameterInfo[] = [
  { name: 'ModelApprovalStatus', type: 'String', default: 'PendingManualApproval', allowed: ['PendingManualApproval', 'Approved'], description: 'Status of the registered version' },
  { name: 'MaxDepth', type: 'Integer', default: 5, min: 1, max: 16, description: 'Maximum tree depth', hyperparameter: 'max_depth' },
  { name: 'Eta', type: 'Float', default: 0.2, min: 0.001, max: 1, description: 'Learning rate', hyperparameter: 'eta' },
  { name: 'Gamma', type: 'Float', default: 4, min: 0, max: 100, description: 'Minimum loss reduction to split', hyperparameter: 'gamma' },
  { name: 'MinChildWeight', type: 'Float', default: 6, min: 0, max: 100, description: 'Minimum hessian sum in a child', hyperparameter: 'min_child_weight' },
  { name: 'Subsample', type: 'Float', default: 0.7, min: 0.1, max: 1, description: 'Row subsample ratio per tree', hyperparameter: 'subsample' },
  { name: 'NumRound', type: 'Integer', default: 50, min: 1, max: 2000, description: 'Boosting rounds', hyperparameter: 'num_round' },
  { name: 'EarlyStoppingRounds', type: 'Integer', default: 10, min: 1, max: 500, description: 'Stop after this many rounds without validation improvement', hyperparameter: 'early_stopping_rounds' },
  { name: 'Seed', type: 'Integer', default: 0, min: 0, max: 2147483647, description: 'Seed for the shuffle/split and subsampling', hyperparameter: 'seed' },
];

export const DEFAULT_MSE_THRESHOLD = 6.0;

/**
 * The quality gate's name on a run's recorded parameters. The gate comes from
 * configuration (`mlops.qualityGate.mseThreshold`, later the system spec's
 * `gate`) and is recorded on the run; it is never a run parameter, so whoever
 * may train cannot loosen it.
 */
export const GATE_PARAMETER = 'MseThreshold';

/** Parameters people set on "Train now": the model's hyperparameters only. */
export const HYPERPARAMETERS: ParameterInfo[] = PIPELINE_PARAMETERS.filter(
  p => p.hyperparameter !== undefined,
);

/** Defaults as a parameter map. */
export function defaultParameters(): Record<string, number | string> {
  return Object.fromEntries(PIPELINE_PARAMETERS.map(p => [p.name, p.default]));
}
