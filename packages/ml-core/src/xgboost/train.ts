import type { LabeledMatrix } from '../preprocess';
import { mulberry32, shuffleInPlace } from '../random';
import { Booster } from './booster';
import { buildHistData } from './bins';
import { buildExactData, ExactData, growExact } from './exact';
import { growHist, HistWorkspace } from './hist';
import type { GrowParams } from './nodes';
import { AUTO_EXACT_MAX_ROWS, resolveParams, XGBoostParams } from './params';
import { addTree, TreeArrays } from './tree';

export interface IterationInfo {
  iteration: number;
  totalRounds: number;
  trainRmse: number;
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
  history: Array<{
    iteration: number;
    trainRmse: number;
    validationRmse?: number;
  }>;
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
  for (let i = 0; i < m.rows; i++) {
    if (!Number.isFinite(m.labels[i])) {
      throw new Error(`${what}: label of row ${i + 1} is not a finite number`);
    }
  }
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

/**
 * Gradient boosting with XGBoost's reg:squarederror semantics
 * (gradient = pred − label, hessian = 1).
 */
export function trainXGBoost(
  params: XGBoostParams,
  train: LabeledMatrix,
  validation?: LabeledMatrix,
  callbacks?: TrainCallbacks,
): TrainResult {
  const start = process.hrtime.bigint();
  const p = resolveParams(params);
  checkMatrix(train, 'training data');
  if (train.rows === 0) throw new Error('training data: no rows');
  if (validation) checkMatrix(validation, 'validation data', train.cols);
  const { rows, cols } = train;
  const x = train.data;
  let method: 'exact' | 'hist' = rows <= AUTO_EXACT_MAX_ROWS ? 'exact' : 'hist';
  if (p.tree_method !== 'auto') method = p.tree_method;
  const grow: GrowParams = {
    max_depth: p.max_depth,
    eta: p.eta,
    gamma: p.gamma,
    lambda: p.lambda,
    alpha: p.alpha,
    min_child_weight: p.min_child_weight,
  };
  const rng = mulberry32(p.seed);
  const base = Math.fround(p.base_score);
  // Shared memory: hist worker threads (nthread > 1) add leaf values to
  // these predictions (training and validation rows).
  const pred = new Float32Array(new SharedArrayBuffer(4 * rows)).fill(base);
  const valPred = validation
    ? new Float32Array(new SharedArrayBuffer(4 * validation.rows)).fill(base)
    : undefined;
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
  const sampled = new Uint8Array(rows);
  const keptRows = ws ? ws.sampled.order : new Uint32Array(rows);
  const droppedRows = ws ? ws.rest.order : new Uint32Array(rows);
  const allFeatures = Int32Array.from({ length: cols }, (_, i) => i);
  const nColumns = Math.max(1, Math.floor(p.colsample_bytree * cols));

  const trees: TreeArrays[] = [];
  const history: TrainResult['history'] = [];
  let bestIteration = 0;
  let bestScore: number | undefined;
  const early =
    validation && p.early_stopping_rounds ? p.early_stopping_rounds : 0;

  try {
    for (let it = 0; it < p.num_round; it++) {
      // The gradient of the first round; later ones come with the RMSE.
      if (it === 0) squaredErrorGradient(pred, train.labels, grad);
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

      const trainRmse = squaredErrorGradient(pred, train.labels, grad);
      const validationRmse =
        validation && valPred ? rmse(valPred, validation.labels) : undefined;
      history.push({ iteration: it, trainRmse, validationRmse });
      callbacks?.onIteration?.({
        iteration: it,
        totalRounds: p.num_round,
        trainRmse,
        validationRmse,
      });
      if (validationRmse !== undefined) {
        if (bestScore === undefined || validationRmse < bestScore) {
          bestScore = validationRmse;
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

  const kept = trees.slice(0, bestIteration + 1);
  const booster = new Booster({
    trees: kept,
    baseScore: p.base_score,
    numFeature: cols,
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
