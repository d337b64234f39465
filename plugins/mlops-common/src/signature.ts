/**
 * What a model version expects and returns, as the API carries it: the
 * signature every training run writes next to model.json (MLflow's
 * `inputs`/`outputs` column specs, the Open Inference Protocol's datatypes),
 * feature records keyed by column name, predictions by task, metrics as the
 * task's Model Quality report keys, and the quality gate. Nothing here knows
 * a data set: each ML system's spec and each version's signature say it.
 *
 * The ML core writes these shapes (`@mlops-portal/ml-core`, spec/types.ts);
 * this is their wire form, kept in step by a type test in the backend.
 */

/** What a model predicts. @public */
export type ModelTask = 'regression' | 'binary' | 'multiclass';

/** How a column's cells are read. @public */
export type FeatureType = 'numeric' | 'categorical' | 'boolean';

/** One cell of a feature record; null is a missing value. @public */
export type FeatureValue = number | string | boolean | null;

/** One row to score, keyed by the signature's input names. @public */
export type FeatureRecord = { [column: string]: FeatureValue };

/** How a regression prediction is shown to people (e.g. a count shown as years: × 1 + 1.5). @public */
export interface OutputDisplay {
  /**
   * Field under which predictions also carry the display value (e.g. `age`),
   * so clients written for that field keep working.
   */
  name?: string;
  label?: string;
  unit?: string;
  /** Display value = prediction × scale + offset. */
  scale?: number;
  offset?: number;
}

/** One model input (signature.json `inputs[]`). @public */
export interface SignatureColumn {
  name: string;
  type: FeatureType;
  /** Open Inference Protocol datatype: FP64 (numeric), BYTES (categorical), BOOL. */
  datatype: 'FP64' | 'BYTES' | 'BOOL';
  label?: string;
  description?: string;
  /** Display unit as a person measures it (e.g. `mm`). */
  unit?: string;
  /** Display value = stored value × scale. */
  scale?: number;
  /** Accepted range in stored units; outside it a prediction is refused. */
  min?: number;
  max?: number;
  /** Range seen in the training rows. */
  observedMin?: number;
  observedMax?: number;
  /** Categories the model knows (one-hot order). */
  categories?: string[];
  /** true: any other category is refused (else it is encoded as unknown). */
  fixedCategories?: boolean;
  categoryLabels?: Record<string, string>;
  /** Share of training rows where the cell was missing. */
  missingRate: number;
}

/** signature.json, written next to model.json by every training run. @public */
export interface ModelSignature {
  format: 'mlops-portal/signature';
  version: 1;
  /** Model inputs, in the order the endpoint reads CSV columns. */
  inputs: SignatureColumn[];
  outputs: {
    task: ModelTask;
    /** The target column's name. */
    target: string;
    /** Classification: labels in class-index order. */
    classes?: string[];
    display?: OutputDisplay;
  };
  /** A few real training rows, for forms and examples. */
  examples?: FeatureRecord[];
}

/**
 * Test-set metrics of a run or version, keyed as in the task's SageMaker
 * Model Quality report: regression `mse`, `rmse`, `mae`, `r2`, `residualStd`;
 * binary `accuracy`, `precision`, `recall`, `f1`, `auc`, `pr_auc`, `logloss`;
 * multiclass `accuracy`, `weighted_f1`, `macro_f1`, `weighted_precision`,
 * `weighted_recall`, `logloss`.
 * @public
 */
export type ModelMetrics = { [metric: string]: number };

/** SageMaker ConditionStep comparisons. @public */
export type GateComparison =
  | 'LessThanOrEqualTo'
  | 'LessThan'
  | 'GreaterThanOrEqualTo'
  | 'GreaterThan';

/** The quality gate a version must pass to be registered (the spec's `gate`). @public */
export interface QualityGate {
  /** A key of the task's metrics, e.g. `mse`, `auc`, `accuracy`. */
  metric: string;
  comparison: GateComparison;
  threshold: number;
}

/** The gate's pipeline step: `Check` + the metric upper-cased (`CheckMSE`, `CheckAUC`). @public */
export function gateStepName(gate: Pick<QualityGate, 'metric'>): string {
  return `Check${gate.metric.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`;
}

/** Whether `value` passes the gate (NaN never does). @public */
export function passesGate(gate: QualityGate, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  switch (gate.comparison) {
    case 'LessThanOrEqualTo':
      return value <= gate.threshold;
    case 'LessThan':
      return value < gate.threshold;
    case 'GreaterThanOrEqualTo':
      return value >= gate.threshold;
    case 'GreaterThan':
      return value > gate.threshold;
    default:
      return false;
  }
}

/** `≤ 6`, `≥ 0.9`: the gate as people read it. @public */
export function formatGate(gate: QualityGate): string {
  const op = {
    LessThanOrEqualTo: '≤',
    LessThan: '<',
    GreaterThanOrEqualTo: '≥',
    GreaterThan: '>',
  }[gate.comparison];
  return `${gate.metric} ${op} ${gate.threshold}`;
}

/** Whether a higher value of `metric` is better (for trends and deltas). @public */
export function higherIsBetter(metric: string): boolean {
  return !/^(mse|rmse|mae|logloss|mlogloss|residualStd)$/i.test(metric);
}

/**
 * One prediction. `value` is the predicted target (regression) or class
 * label (classification); classifiers add the probability of every class.
 * A prediction also carries its value under the target's name and the
 * display under `display.name` (e.g. `{ value: 9.8, count: 9.8, years: 11.3 }` for target `count` shown as `years`),
 * so the first API's clients keep reading the fields they know.
 * @public
 */
export interface Prediction {
  value: number | string;
  /** Classification: probability per class label. */
  probabilities?: Record<string, number>;
  /** The value as people read it (regression with an output display). */
  display?: { value: number; label?: string; unit?: string };
  [field: string]: unknown;
}

/**
 * A model's raw output as a Prediction, the same on every engine:
 * regression `score` is the predicted target; binary `score` is the
 * positive class's probability (class index 1); multiclass `score` is the
 * probability of every class in the signature's class order.
 * @public
 */
export function toPrediction(
  outputs: ModelSignature['outputs'],
  score: number | readonly number[],
): Prediction {
  const { task, target, classes, display } = outputs;
  if (task === 'regression') {
    const value = typeof score === 'number' ? score : score[0];
    // the alias first: `value` and `display` always mean what they say
    const prediction: Prediction = { [target]: value, value };
    if (display) {
      const shown = value * (display.scale ?? 1) + (display.offset ?? 0);
      prediction.display = {
        value: shown,
        ...(display.label ? { label: display.label } : {}),
        ...(display.unit ? { unit: display.unit } : {}),
      };
      if (display.name && !(display.name in prediction)) prediction[display.name] = shown;
    }
    return prediction;
  }
  const labels = classes ?? [];
  const scores = typeof score === 'number' ? [score] : [...score];
  // binary: the positive class's probability (the last score given)
  const probs =
    task === 'binary' ? [1 - scores[scores.length - 1], scores[scores.length - 1]] : scores;
  if (labels.length !== probs.length)
    throw new Error(
      `the model gave ${probs.length} class probabilities for ${labels.length} classes`,
    );
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i] > probs[best]) best = i;
  const probabilities: Record<string, number> = {};
  labels.forEach((label, i) => {
    probabilities[label] = probs[i];
  });
  return { [target]: labels[best], value: labels[best], probabilities };
}
