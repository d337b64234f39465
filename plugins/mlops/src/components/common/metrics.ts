import {
  formatGate,
  higherIsBetter,
  type ModelMetrics,
  type ModelTask,
  type QualityGate,
} from '@mlops-portal/plugin-mlops-common';
import { formatMetric } from './format';

/** The metrics shown for each task, headline first (the gate's metric is put in front when it has one). */
export const TASK_METRICS: Record<ModelTask, string[]> = {
  // MAE rather than RMSE (√MSE says nothing MSE does not), as the columns always showed
  regression: ['mse', 'mae', 'r2'],
  binary: ['auc', 'accuracy', 'f1', 'logloss'],
  multiclass: ['accuracy', 'macro_f1', 'logloss'],
};

const LABELS: Record<string, string> = {
  mse: 'MSE',
  rmse: 'RMSE',
  mae: 'MAE',
  r2: 'R²',
  residualStd: 'Residual std',
  accuracy: 'Accuracy',
  precision: 'Precision',
  recall: 'Recall',
  f1: 'F1',
  auc: 'AUC',
  pr_auc: 'PR AUC',
  logloss: 'Log loss',
  weighted_f1: 'Weighted F1',
  macro_f1: 'Macro F1',
  weighted_precision: 'Weighted precision',
  weighted_recall: 'Weighted recall',
};

/** A metric key as people read it (`macro_f1` → `Macro F1`). */
export function metricLabel(key: string): string {
  return LABELS[key] ?? key.replace(/_/g, ' ');
}

/**
 * The task of a version or run: as recorded, else guessed from its metric
 * keys (versions from before signatures carry no task), else the governance's.
 */
export function taskOf(
  item: { task?: ModelTask; metrics?: ModelMetrics } | undefined,
  fallback?: ModelTask,
): ModelTask | undefined {
  if (item?.task) return item.task;
  const m = item?.metrics;
  if (m) {
    if ('mse' in m || 'r2' in m) return 'regression';
    if ('auc' in m) return 'binary';
    if ('macro_f1' in m || 'weighted_f1' in m) return 'multiclass';
  }
  return fallback;
}

/** The metric keys to show for a task: the gate's metric first, then the task's. */
export function metricKeys(
  task?: ModelTask,
  gate?: Pick<QualityGate, 'metric'>,
): string[] {
  const base = task ? TASK_METRICS[task] : [];
  const keys = gate?.metric ? [gate.metric, ...base] : base;
  return Array.from(new Set(keys));
}

/** The keys to show for a set of items of possibly mixed tasks (a table's columns). */
export function metricKeysOf(
  items: Array<{ task?: ModelTask; metrics?: ModelMetrics }>,
  fallback?: ModelTask,
  gate?: Pick<QualityGate, 'metric'>,
): string[] {
  const tasks = new Set<ModelTask>();
  for (const i of items) {
    const t = taskOf(i, fallback);
    if (t) tasks.add(t);
  }
  if (tasks.size === 0 && fallback) tasks.add(fallback);
  // a gate for another task (e.g. default config) must not add an empty column
  const gateFits =
    gate?.metric !== undefined &&
    ([...tasks].some(t => TASK_METRICS[t].includes(gate.metric)) ||
      items.some(i => i.metrics?.[gate.metric] !== undefined));
  const keys = gateFits ? [gate!.metric] : [];
  for (const t of tasks) keys.push(...TASK_METRICS[t]);
  return Array.from(new Set(keys));
}

/** `AUC 0.981 · Accuracy 0.947`: a version's or run's metrics in one line. */
export function formatMetrics(
  metrics: ModelMetrics | undefined,
  keys: string[],
): string {
  if (!metrics) return '—';
  const parts = keys
    .filter(k => metrics[k] !== undefined)
    .map(k => `${metricLabel(k)} ${formatMetric(metrics[k])}`);
  return parts.length ? parts.join(' · ') : '—';
}

/** B − A, marked better/worse by the metric's direction. */
export function metricDelta(metric: string, a?: number, b?: number): string {
  if (
    a === undefined ||
    b === undefined ||
    !Number.isFinite(a) ||
    !Number.isFinite(b)
  )
    return '—';
  const d = b - a;
  if (d === 0) return '0';
  const better = higherIsBetter(metric) ? d > 0 : d < 0;
  return `${d > 0 ? '+' : ''}${d.toFixed(3)} (${better ? 'better' : 'worse'})`;
}

/** The gate as people read it: `MSE ≤ 6`, `AUC ≥ 0.9`. */
export function gateLabel(gate: QualityGate): string {
  const text = formatGate(gate);
  return metricLabel(gate.metric) + text.slice(gate.metric.length);
}
