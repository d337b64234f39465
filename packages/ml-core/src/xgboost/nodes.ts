/** The node list one tree is grown in, XGBoost's pruner, and conversion to TreeArrays. */
import * as split from './split';
import { RegParams } from './split';
import { ROOT_PARENT, TreeArrays } from './tree';

const calcWeight = split.calcWeight;

export interface GrowParams extends RegParams {
  max_depth: number;
  eta: number;
  gamma: number;
}

/** A typed array twice as long holding the same values (then zeros). */
function doubled<T extends Int32Array | Float64Array | Uint8Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Growable node list in XGBoost's numbering (children allocated in expansion
 * order). Typed arrays, so the element types never change under the
 * optimizing compiler.
 */
export class NodeStore {
  /** Number of nodes. */
  size = 0;
  left = new Int32Array(16);
  right = new Int32Array(16);
  parent = new Int32Array(16);
  feature = new Int32Array(16);
  cond = new Float64Array(16);
  defLeft = new Uint8Array(16);
  g = new Float64Array(16);
  h = new Float64Array(16);
  loss = new Float64Array(16);
  depth = new Int32Array(16);

  add(parent: number, g: number, h: number, depth: number): number {
    if (this.size === this.left.length) this.grow();
    const id = this.size++;
    this.left[id] = -1;
    this.right[id] = -1;
    this.parent[id] = parent;
    this.g[id] = g;
    this.h[id] = h;
    this.depth[id] = depth;
    return id;
  }

  private grow(): void {
    this.left = doubled(this.left);
    this.right = doubled(this.right);
    this.parent = doubled(this.parent);
    this.feature = doubled(this.feature);
    this.cond = doubled(this.cond);
    this.defLeft = doubled(this.defLeft);
    this.g = doubled(this.g);
    this.h = doubled(this.h);
    this.loss = doubled(this.loss);
    this.depth = doubled(this.depth);
  }

  split(
    node: number,
    feature: number,
    cond: number,
    defLeft: number,
    loss: number,
  ): [number, number] {
    const d = this.depth[node] + 1;
    const l = this.add(node, 0, 0, d);
    const r = this.add(node, 0, 0, d);
    this.left[node] = l;
    this.right[node] = r;
    this.feature[node] = feature;
    this.cond[node] = cond;
    this.defLeft[node] = defLeft;
    this.loss[node] = loss;
    return [l, r];
  }

  /**
   * XGBoost's TreePruner: bottom-up, a split whose children are both leaves
   * is undone when its loss change is below gamma (min_split_loss).
   */
  prune(gamma: number): void {
    const isLeaf = (n: number) => this.left[n] === -1;
    const tryPrune = (leaf: number) => {
      let n = leaf;
      while (this.parent[n] !== -1) {
        const p = this.parent[n];
        if (
          isLeaf(this.left[p]) &&
          isLeaf(this.right[p]) &&
          this.loss[p] < gamma
        ) {
          this.left[p] = -1;
          this.right[p] = -1;
          this.loss[p] = 0;
          n = p;
        } else {
          return;
        }
      }
    };
    const n = this.size;
    for (let i = 0; i < n; i++) {
      if (isLeaf(i) && this.reachable(i)) tryPrune(i);
    }
  }

  private reachable(node: number): boolean {
    let n = node;
    while (this.parent[n] !== -1) {
      const p = this.parent[n];
      if (this.left[p] !== n && this.right[p] !== n) return false;
      n = p;
    }
    return true;
  }

  /** Renumbers reachable nodes breadth-first (drops pruned ones) and sets leaf values = weight·eta. */
  toTree(p: GrowParams): TreeArrays {
    const order: number[] = [0];
    const newId = new Map<number, number>([[0, 0]]);
    for (let k = 0; k < order.length; k++) {
      const n = order[k];
      if (this.left[n] !== -1) {
        newId.set(this.left[n], order.length);
        order.push(this.left[n]);
        newId.set(this.right[n], order.length);
        order.push(this.right[n]);
      }
    }
    const m = order.length;
    const t: TreeArrays = {
      left: new Int32Array(m),
      right: new Int32Array(m),
      parent: new Int32Array(m),
      feature: new Int32Array(m),
      condition: new Float32Array(m),
      defaultLeft: new Uint8Array(m),
      baseWeight: new Float32Array(m),
      lossChange: new Float32Array(m),
      sumHessian: new Float32Array(m),
    };
    order.forEach((n, i) => {
      const w = calcWeight(p, this.g[n], this.h[n]);
      t.parent[i] = i === 0 ? ROOT_PARENT : newId.get(this.parent[n])!;
      t.baseWeight[i] = w;
      t.sumHessian[i] = this.h[n];
      if (this.left[n] === -1) {
        t.left[i] = -1;
        t.right[i] = -1;
        t.condition[i] = w * p.eta;
        // XGBoost leaves carry split_indices 0 and default_left 0.
      } else {
        t.left[i] = newId.get(this.left[n])!;
        t.right[i] = newId.get(this.right[n])!;
        t.feature[i] = this.feature[n];
        t.condition[i] = this.cond[n];
        t.defaultLeft[i] = this.defLeft[n];
        t.lossChange[i] = this.loss[n];
      }
    });
    return t;
  }
}
