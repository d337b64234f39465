import type { LabeledMatrix } from '../preprocess';
import type { Objective } from '../spec/types';
import { mulberry32, shuffleInPlace } from '../random';
import { Booster } from './booster';
import { buildHistData } from './bins';
import { buildExactData, ExactData, growExact } from './exact';
import { growHist, HistWorkspace } from './hist';
import type { GrowParams } from './nodes';
import {
  baseMargin,
  checkLabels,
  EvalMetric,
  evalMetric,
  logisticGradient,
  maximizes,
  softmaxGradient,
  softmaxRows,
} from './objectives';
import { AUTO_EXACT_MAX_ROWS, resolveParams, XGBoostParams } from './params';
import { syntheticRows } from './synthetic';
import { addTree, TreeArrays } from './tree';

export interface IterationInfo {
  iteration: number;
  totalRounds: number;
  /** The evaluation metric (eval_metric, default by objective: rmse, logloss, mlogloss). */
  metric: EvalMetric;
  trainScore: number;
  validationScore?: number;
  /** @deprecated The same as trainScore (the name predates the classification objectives). */
  trainRmse: number;
  /** @deprecated The same as validationScore. */
  validationRmse?: number;
}

export interface TrainCallbacks {
  onIteration?(info: IterationInfo): void;
}

export interface TrainResult {
  /** Holds trees 0..bestIteration only, so plain predict() equals XGBoost's iteration_range after early stopping. */
  booster: Booster;
  bestIteration: number;
  bestScore?: number;
  history: Array<Omit<IterationInfo, 'totalRounds'>>;
  seconds: number;
  /** 'exact' or 'hist', after resolving 'auto'. */
  treeMethod: 'exact' | 'hist';
}

function checkMatrix(m: LabeledMatrix, what: string, cols?: number): void {
  if (
    !m ||
    !(m.data instanceof Float32Array) ||
    !(m.labels instanceof Float32Array)
  ) {
    throw new Error(`${what}: expected Float32Array data and labels`);
  }
  if (m.data.length !== m.rows * m.cols || m.labels.length !== m.rows) {
    throw new Error(
      `${what}: data/labels length does not match ${m.rows}×${m.cols}`,
    );
  }
  if (cols !== undefined && m.cols !== cols) {
    throw new Error(
      `${what}: has ${m.cols} features, training data has ${cols}`,
    );
  }
}

/** Copies a float32 array (memmove; element-wise set() is slow on shared memory). */
function copyFloats(src: Float32Array, dest: Float32Array): void {
  Buffer.from(src.buffer, src.byteOffset, src.byteLength).copy(
    Buffer.from(dest.buffer, dest.byteOffset, dest.byteLength),
  );
}

function rmse(pred: Float32Array, labels: Float32Array): number {
  let s = 0;
  for (let i = 0; i < pred.length; i++) {
    const d = pred[i] - labels[i];
    s += d * d;
  }
  return pred.length ? Math.sqrt(s / pred.length) : NaN;
}

/**
 * XGBoost's squared-error gradient pred − label (the hessian stays 1), and
 * the training RMSE of `pred` from the same differences (one pass).
 */
function squaredErrorGradient(
  pred: Float32Array,
  labels: Float32Array,
  grad: Float32Array,
): number {
  let s = 0;
  for (let r = 0; r < grad.length; r++) {
    const d = pred[r] - labels[r];
    grad[r] = d;
    s += d * d;
  }
  return Math.sqrt(s / grad.length);
}

/**
 * One Bernoulli(rate) draw per row, in row order (the seeded sequence decides
 * the model). Kept rows go to `kept` ascending, the others to `dropped`;
 * returns the number kept. Both arrays are written every time (the index
 * that does not advance is overwritten later) so the loop has no
 * data-dependent branch.
 */
function sampleRows(
  rng: () => number,
  rate: number,
  rows: number,
  sampled: Uint8Array,
  kept: Uint32Array,
  dropped: Uint32Array,
): number {
  let nKept = 0;
  let nDropped = 0;
  for (let r = 0; r < rows; r++) {
    // 1 when rng() < rate, else 0: the sign of the difference is exact, and
    // V8 compiles Math.floor without a branch (a `?:` here mispredicts).
    const keep = -Math.floor(rng() - rate) | 0;
    sampled[r] = keep;
    kept[nKept] = r;
    dropped[nDropped] = r;
    nKept += keep;
    nDropped += keep ^ 1;
  }
  return nKept;
}

/** The objectives primeTrainer has run in this process. */
const primed = new Set<Objective>();

/** Whether this process has primed the trainer for `objective` (tests). */
export function trainerPrimed(objective: Objective): boolean {
  return primed.has(objective);
}

/** Synthetic rows per priming training: enough for every path, a few ms. */
const PRIME_ROWS = 256;

/** Below this many rows a cold training is short and priming would cost more than it saves. */
const PRIME_MIN_ROWS = 50_000;

/**
 * Runs the objective's hist path once on a few synthetic rows before the
 * first large training of a process. A kernel whose first call is a long
 * loop is compiled in the middle of it (OSR) with type feedback only for
 * what has run so far; the code after the loop, or a path met later, then
 * throws it back to the interpreter: without this, the first training's
 * partitionRows deopted on every call and buildHistData three times. Only
 * the objective at hand (priming all three cost more than it saved).
 * Models do not change (nothing is kept).
 */
function primeTrainer(
  objective: Objective,
  subsample: number,
  colsample: number,
): void {
  primed.add(objective);
  const train = syntheticRows(PRIME_ROWS, 10, 1);
  const validation = syntheticRows(PRIME_ROWS >> 2, 10, 2);
  trainXGBoost(
    {
      objective,
      num_class: objective === 'multi:softprob' ? 2 : undefined,
      tree_method: 'hist',
      max_depth: 4,
      // Fewer bins than distinct values: the quantile cuts run too.
      max_bin: 16,
      // The caller's sampling: the paths its training takes.
      subsample,
      colsample_bytree: colsample,
      num_round: 2,
      nthread: 1,
    },
    train,
    validation,
  );
}

/**
 * Gradient boosting with XGBoost 1.7's semantics for reg:squarederror
 * (gradient pred − label, hessian 1), binary:logistic and multi:softprob
 * (num_class trees per round, one per class, on the softmax gradient).
 */
export function trainXGBoost(
  params: XGBoostParams,
  train: LabeledMatrix,
  validation?: LabeledMatrix,
  callbacks?: TrainCallbacks,
): TrainResult {
  const start = process.hrtime.bigint();
  const p = resolveParams(params);
  const objective = p.objective;
  checkMatrix(train, 'training data');
  if (train.rows === 0) throw new Error('training data: no rows');
  checkLabels(objective, train.labels, p.num_class, 'training data');
  if (validation) {
    checkMatrix(validation, 'validation data', train.cols);
    checkLabels(objective, validation.labels, p.num_class, 'validation data');
  }
  const regression = objective === 'reg:squarederror';
  const metric = p.eval_metric;
  // Trees per round: one per class for multi:softprob.
  const groups = objective === 'multi:softprob' ? p.num_class : 1;
  const { rows, cols } = train;
  const x = train.data;
  let method: 'exact' | 'hist' = rows <= AUTO_EXACT_MAX_ROWS ? 'exact' : 'hist';
  if (p.tree_method !== 'auto') method = p.tree_method;
  if (method === 'hist' && rows >= PRIME_MIN_ROWS && !primed.has(objective)) {
    primeTrainer(objective, p.subsample, p.colsample_bytree);
  }
  const grow: GrowParams = {
    max_depth: p.max_depth,
    eta: p.eta,
    gamma: p.gamma,
    lambda: p.lambda,
    alpha: p.alpha,
    min_child_weight: p.min_child_weight,
  };
  const rng = mulberry32(p.seed);
  const base = baseMargin(objective, p.base_score);
  // Shared memory: hist worker threads (nthread > 1) add leaf values to
  // these margins (training and validation rows) — the margins of the
  // group (class) whose tree is growing.
  const pred = new Float32Array(new SharedArrayBuffer(4 * rows)).fill(base);
  const valPred = validation
    ? new Float32Array(new SharedArrayBuffer(4 * validation.rows)).fill(base)
    : undefined;
  // Every group's margins; with one group they are pred itself.
  const margins =
    groups === 1
      ? [pred]
      : Array.from({ length: groups }, () => new Float32Array(rows).fill(base));
  const valMargins =
    valPred &&
    (groups === 1
      ? [valPred]
      : Array.from({ length: groups }, () =>
          new Float32Array(valPred.length).fill(base),
        ));
  let exact: ExactData | undefined;
  let ws: HistWorkspace | undefined;
  if (method === 'exact') exact = buildExactData(x, rows, cols);
  else {
    const data = buildHistData(x, rows, cols, p.max_bin);
    ws = new HistWorkspace(
      data,
      pred,
      p.nthread,
      validation && valPred && { x: validation.data, pred: valPred },
    );
  }
  const grad = ws ? ws.grad : new Float32Array(rows);
  const hess = (ws ? ws.hess : new Float32Array(rows)).fill(1);
  // Only the logistic and softmax gradients write hessians.
  if (ws) ws.unitHessians = regression;
  const prob = groups > 1 ? new Float32Array(rows * groups) : undefined;
  const sampled = new Uint8Array(rows);
  const keptRows = ws ? ws.sampled.order : new Uint32Array(rows);
  const droppedRows = ws ? ws.rest.order : new Uint32Array(rows);
  const allFeatures = Int32Array.from({ length: cols }, (_, i) => i);
  const nColumns = Math.max(1, Math.floor(p.colsample_bytree * cols));

  const trees: TreeArrays[] = [];
  const history: TrainResult['history'] = [];
  let bestIteration = 0;
  let bestScore: number | undefined;
  const better = maximizes(metric)
    ? (a: number, b: number) => a > b
    : (a: number, b: number) => a < b;
  const early =
    validation && p.early_stopping_rounds ? p.early_stopping_rounds : 0;
  let trainScore = NaN;

  // The training metric comes from the next round's gradient pass when it
  // is the objective's own loss (no extra pass over the rows).
  const fused =
    metric === 'rmse' || metric === 'logloss' || metric === 'mlogloss';
  const nextGradient = (): number => {
    if (regression) return squaredErrorGradient(pred, train.labels, grad);
    if (objective === 'binary:logistic') {
      return logisticGradient(pred, train.labels, grad, hess);
    }
    return softmaxRows(margins, rows, prob!, train.labels);
  };

  try {
    for (let it = 0; it < p.num_round; it++) {
      // The gradient of the first round; later ones come with the metric.
      if (it === 0) nextGradient();
      for (let k = 0; k < groups; k++) {
        if (prob) {
          softmaxGradient(prob, groups, k, train.labels, grad, hess);
          copyFloats(margins[k], pred);
          if (valPred) copyFloats(valMargins![k], valPred);
        }
        // Row sampling: one Bernoulli draw per row and tree, as XGBoost does.
        let nSampled = rows;
        let nUnsampled = 0;
        if (p.subsample < 1) {
          nSampled = sampleRows(
            rng,
            p.subsample,
            rows,
            sampled,
            keptRows,
            droppedRows,
          );
          nUnsampled = rows - nSampled;
        } else if (ws) {
          for (let r = 0; r < rows; r++) keptRows[r] = r;
        }
        let features = allFeatures;
        if (nColumns < cols) {
          const shuffled = allFeatures.slice();
          shuffleInPlace(shuffled, rng);
          features = shuffled.subarray(0, nColumns).sort();
        }

        let tree: TreeArrays;
        if (exact) {
          tree = growExact(
            exact,
            grad,
            hess,
            p.subsample < 1 ? sampled : undefined,
            features,
            grow,
          );
          addTree(tree, x, cols, pred, 0, rows);
        } else {
          // Adds the tree's leaf values to pred for every training row.
          ws!.resetRows(nSampled, nUnsampled);
          tree = growHist(ws!, features, grow);
        }
        trees.push(tree);
        if (validation && valPred && !ws?.addTreeToValidation(tree)) {
          addTree(tree, validation.data, cols, valPred, 0, valPred.length);
        }
        if (groups > 1) {
          copyFloats(pred, margins[k]);
          if (valPred) copyFloats(valPred, valMargins![k]);
        }
      }

      // The next round's gradient (and, fused, this round's training metric).
      trainScore = nextGradient();
      if (!fused) {
        trainScore = evalMetric(metric, objective, margins, train.labels);
      }
      let validationScore: number | undefined;
      if (validation && valMargins) {
        validationScore =
          metric === 'rmse'
            ? rmse(valPred!, validation.labels)
            : evalMetric(metric, objective, valMargins, validation.labels);
      }
      const info = {
        iteration: it,
        metric,
        trainScore,
        validationScore,
        trainRmse: trainScore,
        validationRmse: validationScore,
      };
      history.push(info);
      callbacks?.onIteration?.({ ...info, totalRounds: p.num_round });
      if (validationScore !== undefined) {
        if (bestScore === undefined || better(validationScore, bestScore)) {
          bestScore = validationScore;
          bestIteration = it;
        } else if (early && it - bestIteration >= early) {
          break;
        }
      } else {
        bestIteration = it;
      }
    }
  } finally {
    // Worker threads (nthread > 1) would otherwise wait for work forever.
    ws?.close();
  }

  const kept = trees.slice(0, (bestIteration + 1) * groups);
  const booster = new Booster({
    trees: kept,
    baseScore: p.base_score,
    numFeature: cols,
    objective,
    numClass: p.num_class,
    attributes:
      bestScore !== undefined
        ? {
            best_iteration: String(bestIteration),
            best_score: String(bestScore),
          }
        : {},
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    booster,
    bestIteration,
    bestScore,
    history,
    seconds,
    treeMethod: method,
  };
}
