import { addTreeRows } from './rows-kernel';

/** One regression tree in XGBoost's array layout (node 0 is the root, -1 = no child). */
export interface TreeArrays {
  left: Int32Array;
  right: Int32Array;
  parent: Int32Array;
  feature: Int32Array;
  /** Split threshold (go left if `x < condition`) or, for a leaf, the leaf value. */
  condition: Float32Array;
  defaultLeft: Uint8Array;
  baseWeight: Float32Array;
  lossChange: Float32Array;
  sumHessian: Float32Array;
}

/** XGBoost marks the root's parent with INT32_MAX. */
export const ROOT_PARENT = 2147483647;

/**
 * Adds the tree's leaf values to pred[r] for rows [begin, end) of the
 * row-major matrix x (the walk is inlined in addTreeRows, with the tree's
 * arrays hoisted: it runs for every validation row each round).
 */
export function addTree(
  tree: TreeArrays,
  x: Float32Array,
  cols: number,
  pred: Float32Array,
  begin: number,
  end: number,
): void {
  const { left, right, feature, condition, defaultLeft } = tree;
  addTreeRows(
    left,
    right,
    feature,
    condition,
    defaultLeft,
    x,
    cols,
    pred,
    begin,
    end,
  );
}
