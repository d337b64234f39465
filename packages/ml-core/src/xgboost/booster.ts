import type { Matrix } from '../preprocess';
import type { Objective } from '../spec/types';
import { baseMargin, OBJECTIVES, sigmoid } from './objectives';
import { ROOT_PARENT, TreeArrays } from './tree';

/** Objectives whose prediction is the raw margin (identity link), so scoring is base_score + Σ leaves. */
const IDENTITY_OBJECTIVES = new Set([
  'reg:squarederror',
  'reg:linear',
  'reg:absoluteerror',
  'reg:pseudohubererror',
]);

/** Objectives with a probability link (sigmoid / softmax). */
const CLASSIFIERS = new Set(['binary:logistic', 'multi:softprob']);

/** Version written into model.json; the schema matches XGBoost 1.7 (also loads in 2.x). */
const WRITTEN_VERSION = [1, 7, 4];

export interface BoosterOptions {
  trees: TreeArrays[];
  /** XGBoost's base_score, in output space (a probability for binary:logistic). */
  baseScore: number;
  numFeature: number;
  objective?: string;
  /** Classes of a multi:softprob model (trees are grouped class by class per round); 0 otherwise. */
  numClass?: number;
  attributes?: Record<string, string>;
}

/** Tree arrays XGBoost parses as floats: it rejects integer literals (e.g. `100`) there. */
const FLOAT_ARRAY_KEYS = new Set([
  'base_weights',
  'loss_changes',
  'split_conditions',
  'sum_hessian',
]);

/** Shortest decimal text that reads back as the same float32, always with a '.' or exponent. */
export function formatFloat32(value: number): string {
  const v = Math.fround(value);
  if (!Number.isFinite(v)) {
    throw new Error(
      `Cannot write non-finite value ${value} into an XGBoost model`,
    );
  }
  let s = String(v);
  for (let p = 1; p <= 9; p++) {
    const t = v.toPrecision(p);
    if (Math.fround(Number(t)) === v) {
      s = String(Number(t));
      break;
    }
  }
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

const FLOAT_MARK = '\u0000f:';

/**
 * JSON text of an XGBoost model object that real XGBoost can load: like
 * JSON.stringify, but float arrays are written as floats (`100.0`, not `100`).
 */
export function stringifyXGBoostJSON(model: object, space?: number): string {
  const text = JSON.stringify(
    model,
    (key, value) =>
      FLOAT_ARRAY_KEYS.has(key) && Array.isArray(value)
        ? value.map(v => `${FLOAT_MARK}${formatFloat32(Number(v))}`)
        : value,
    space,
  );
  return text.replace(/"\\u0000f:([^"]*)"/g, '$1');
}

function isRecord(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function numArray(v: unknown, what: string): number[] {
  if (!Array.isArray(v))
    throw new Error(`Invalid XGBoost model: ${what} is not an array`);
  // XGBoost 2.x writes default_left as booleans, 1.x as 0/1.
  return v.map(x => Number(x));
}

/** XGBoost ≥ 2 may write base_score as "[5E-1]". */
function parseBaseScore(v: unknown): number {
  const s = String(v ?? '0.5').replace(/^\[|\]$/g, '');
  const n = Number(s);
  if (!Number.isFinite(n))
    throw new Error(`Invalid XGBoost model: base_score '${v}'`);
  return n;
}

/**
 * A trained tree ensemble. Scoring follows XGBoost exactly: float32 features,
 * `x < split_condition` goes left, NaN follows default_left, and the sum is
 * accumulated in float32 starting from base_score.
 */
export class Booster {
  readonly trees: TreeArrays[];
  readonly baseScore: number;
  readonly numFeature: number;
  readonly objective: string;
  /** Classes (multi:softprob); 0 for regression and binary models. */
  readonly numClass: number;
  readonly attributes: Record<string, string>;
  // Flattened copies of all trees so predict() walks one set of typed arrays.
  private readonly flatLeft: Int32Array;
  private readonly flatRight: Int32Array;
  private readonly flatFeature: Int32Array;
  private readonly flatCondition: Float32Array;
  private readonly flatDefaultLeft: Uint8Array;
  private readonly roots: Int32Array;
  /** Margin of a row before any tree (base_score through the objective's link). */
  private readonly baseMarginValue: number;

  constructor(options: BoosterOptions) {
    this.trees = options.trees;
    this.baseScore = options.baseScore;
    this.numFeature = options.numFeature;
    this.objective = options.objective ?? 'reg:squarederror';
    this.numClass =
      this.objective === 'multi:softprob' ? options.numClass ?? 0 : 0;
    if (this.objective === 'multi:softprob') {
      if (!(this.numClass >= 2) || this.trees.length % this.numClass !== 0) {
        throw new Error(
          `A multi:softprob model needs num_class >= 2 and a multiple of it in trees (num_class ${this.numClass}, ${this.trees.length} trees)`,
        );
      }
    }
    this.baseMarginValue = baseMargin(
      OBJECTIVES.includes(this.objective as Objective)
        ? (this.objective as Objective)
        : 'reg:squarederror',
      this.baseScore,
    );
    this.attributes = options.attributes ?? {};
    const total = this.trees.reduce((n, t) => n + t.left.length, 0);
    this.flatLeft = new Int32Array(total);
    this.flatRight = new Int32Array(total);
    this.flatFeature = new Int32Array(total);
    this.flatCondition = new Float32Array(total);
    this.flatDefaultLeft = new Uint8Array(total);
    this.roots = new Int32Array(this.trees.length);
    let offset = 0;
    this.trees.forEach((t, i) => {
      this.roots[i] = offset;
      for (let n = 0; n < t.left.length; n++) {
        const o = offset + n;
        this.flatLeft[o] = t.left[n] === -1 ? -1 : t.left[n] + offset;
        this.flatRight[o] = t.right[n] === -1 ? -1 : t.right[n] + offset;
        this.flatFeature[o] = t.feature[n];
        this.flatCondition[o] = t.condition[n];
        this.flatDefaultLeft[o] = t.defaultLeft[n];
      }
      offset += t.left.length;
    });
  }

  get numTrees(): number {
    return this.trees.length;
  }

  /** Outputs per row: num_class for multi:softprob, else 1. */
  get outputsPerRow(): number {
    return this.numClass || 1;
  }

  /**
   * Raw margins, row-major (row r, class k at r·outputsPerRow + k): base
   * margin plus the leaf values of the row's trees (a class's trees only,
   * for multi:softprob), summed in float32 as XGBoost does.
   */
  predictMargin(m: Matrix): Float64Array {
    if (m.rows > 0 && m.cols < this.numFeature) {
      throw new Error(
        `Model expects ${this.numFeature} features, matrix has ${m.cols}`,
      );
    }
    const k = this.outputsPerRow;
    const out = new Float64Array(m.rows * k);
    const { data, cols } = m;
    const left = this.flatLeft;
    const right = this.flatRight;
    const feature = this.flatFeature;
    const condition = this.flatCondition;
    const defaultLeft = this.flatDefaultLeft;
    const roots = this.roots;
    const base = this.baseMarginValue;
    for (let i = 0; i < m.rows; i++) {
      const rowBase = i * cols;
      for (let c = 0; c < k; c++) {
        let sum = base;
        // Trees are stored round by round, class by class.
        for (let t = c; t < roots.length; t += k) {
          let node = roots[t];
          while (left[node] !== -1) {
            const x = data[rowBase + feature[node]];
            if (Number.isNaN(x))
              node = defaultLeft[node] ? left[node] : right[node];
            else node = x < condition[node] ? left[node] : right[node];
          }
          sum = Math.fround(sum + condition[node]);
        }
        out[i * k + c] = sum;
      }
    }
    return out;
  }

  /**
   * What XGBoost's predict() returns: the value (regression), the
   * probability of class 1 (binary:logistic), or each class's probability,
   * row-major (multi:softprob: row r, class k at r·num_class + k).
   */
  predict(m: Matrix): Float64Array {
    const out = this.predictMargin(m);
    if (this.objective === 'binary:logistic') {
      for (let i = 0; i < out.length; i++) out[i] = sigmoid(out[i]);
    } else if (this.objective === 'multi:softprob') {
      softmaxInPlace(out, this.numClass);
    }
    return out;
  }

  /** XGBoost JSON model schema (what `Booster.save_model('model.json')` writes). */
  toXGBoostJSON(): object {
    const nf = String(this.numFeature);
    return {
      learner: {
        attributes: { ...this.attributes },
        feature_names: [],
        feature_types: [],
        gradient_booster: {
          model: {
            gbtree_model_param: {
              num_parallel_tree: '1',
              num_trees: String(this.trees.length),
              size_leaf_vector: '0',
            },
            tree_info: this.trees.map((_, i) => i % this.outputsPerRow),
            trees: this.trees.map((t, id) => {
              const n = t.left.length;
              const zeros = new Array(n).fill(0);
              return {
                base_weights: Array.from(t.baseWeight),
                categories: [],
                categories_nodes: [],
                categories_segments: [],
                categories_sizes: [],
                default_left: Array.from(t.defaultLeft),
                id,
                left_children: Array.from(t.left),
                loss_changes: Array.from(t.lossChange),
                parents: Array.from(t.parent),
                right_children: Array.from(t.right),
                split_conditions: Array.from(t.condition),
                split_indices: Array.from(t.feature),
                split_type: zeros,
                sum_hessian: Array.from(t.sumHessian),
                tree_param: {
                  num_deleted: '0',
                  num_feature: nf,
                  num_nodes: String(n),
                  size_leaf_vector: '0',
                },
              };
            }),
          },
          name: 'gbtree',
        },
        learner_model_param: {
          base_score: formatFloat32(this.baseScore),
          boost_from_average: '1',
          num_class: String(this.numClass),
          num_feature: nf,
          num_target: '1',
        },
        objective:
          this.objective === 'multi:softprob'
            ? {
                name: this.objective,
                softmax_multiclass_param: { num_class: String(this.numClass) },
              }
            : {
                name: this.objective,
                reg_loss_param: { scale_pos_weight: '1' },
              },
      },
      version: WRITTEN_VERSION,
    };
  }

  /** model.json text loadable by `xgboost.Booster.load_model` (use this, not JSON.stringify, when writing files). */
  toXGBoostJSONString(): string {
    return stringifyXGBoostJSON(this.toXGBoostJSON());
  }

  /**
   * Loads a model.json written by XGBoost (1.x/2.x, gbtree; identity-link
   * regression, binary:logistic or multi:softprob) or by ml-core.
   */
  static fromXGBoostJSON(json: object): Booster {
    const root: any = typeof json === 'string' ? JSON.parse(json) : json;
    const learner = root?.learner;
    if (!isRecord(learner)) {
      throw new Error('Invalid XGBoost model: missing "learner" object');
    }
    const objective = String(learner.objective?.name ?? '');
    if (!IDENTITY_OBJECTIVES.has(objective) && !CLASSIFIERS.has(objective)) {
      throw new Error(
        `Unsupported XGBoost objective '${objective}' (supported: ${[
          ...IDENTITY_OBJECTIVES,
          ...CLASSIFIERS,
        ].join(', ')})`,
      );
    }
    const gb = learner.gradient_booster;
    if (!isRecord(gb) || gb.name !== 'gbtree' || !isRecord(gb.model)) {
      throw new Error(
        `Unsupported gradient booster '${gb?.name}' (only gbtree is supported)`,
      );
    }
    const params = learner.learner_model_param ?? {};
    const numClass = Number(params.num_class ?? 0);
    if (
      (numClass > 1 && objective !== 'multi:softprob') ||
      Number(params.num_target ?? 1) > 1
    ) {
      throw new Error(
        `Multi-target XGBoost models are not supported (objective ${objective}, num_class ${numClass})`,
      );
    }
    const rawTrees = gb.model.trees;
    if (!Array.isArray(rawTrees)) {
      throw new Error(
        'Invalid XGBoost model: gradient_booster.model.trees is not an array',
      );
    }
    const treeInfo = gb.model.tree_info;
    if (
      numClass > 1 &&
      Array.isArray(treeInfo) &&
      treeInfo.some((g: unknown, i: number) => Number(g) !== i % numClass)
    ) {
      throw new Error(
        'Invalid XGBoost model: tree_info must cycle through the classes round by round',
      );
    }
    const trees = rawTrees.map((t: any, i: number): TreeArrays => {
      const what = `trees[${i}]`;
      const left = numArray(t.left_children, `${what}.left_children`);
      const n = left.length;
      const arr = (key: string, fallback?: number) => {
        if (t[key] === undefined && fallback !== undefined) {
          return new Array(n).fill(fallback);
        }
        const a = numArray(t[key], `${what}.${key}`);
        if (a.length !== n) {
          throw new Error(
            `Invalid XGBoost model: ${what}.${key} has ${a.length} entries, expected ${n}`,
          );
        }
        return a;
      };
      if ((t.categories_nodes ?? []).length > 0) {
        throw new Error(`Categorical splits (${what}) are not supported`);
      }
      const right = arr('right_children');
      const feature = arr('split_indices');
      for (let k = 0; k < n; k++) {
        if (
          left[k] >= n ||
          right[k] >= n ||
          (left[k] === -1) !== (right[k] === -1)
        ) {
          throw new Error(
            `Invalid XGBoost model: ${what} node ${k} has bad children`,
          );
        }
      }
      return {
        left: Int32Array.from(left),
        right: Int32Array.from(right),
        parent: Int32Array.from(arr('parents', ROOT_PARENT)),
        feature: Int32Array.from(feature),
        condition: Float32Array.from(arr('split_conditions')),
        defaultLeft: Uint8Array.from(arr('default_left', 0)),
        baseWeight: Float32Array.from(arr('base_weights', 0)),
        lossChange: Float32Array.from(arr('loss_changes', 0)),
        sumHessian: Float32Array.from(arr('sum_hessian', 0)),
      };
    });
    let numFeature = Number(params.num_feature ?? 0);
    for (const t of trees) {
      for (let k = 0; k < t.left.length; k++) {
        if (t.left[k] !== -1)
          numFeature = Math.max(numFeature, t.feature[k] + 1);
      }
    }
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(learner.attributes ?? {})) {
      attributes[k] = String(v);
    }
    return new Booster({
      trees,
      baseScore: parseBaseScore(params.base_score),
      numFeature,
      objective,
      numClass,
      attributes,
    });
  }
}

/** XGBoost's softmax per row of k margins, in place. */
function softmaxInPlace(out: Float64Array, k: number): void {
  for (let base = 0; base < out.length; base += k) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, out[base + c]);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      out[base + c] = Math.exp(out[base + c] - max);
      sum += out[base + c];
    }
    for (let c = 0; c < k; c++) out[base + c] /= sum;
  }
}
