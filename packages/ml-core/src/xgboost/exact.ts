/** Exact greedy tree growing (tree_method exact) over pre-sorted columns. */
import { GrowParams, NodeStore } from './nodes';
import * as split from './split';
import { RT_EPS } from './split';
import type { TreeArrays } from './tree';

// Module-local binding: transpiled cross-module calls go through export
// getters, which is measurable in the split-search loops.
const calcGain = split.calcGain;

/** Pre-sorted columns for exact greedy split finding (built once per training). */
export interface ExactData {
  rows: number;
  cols: number;
  x: Float32Array;
  sortedRows: Uint32Array[];
  sortedValues: Float32Array[];
  hasMissing: Uint8Array;
}

export function buildExactData(
  x: Float32Array,
  rows: number,
  cols: number,
): ExactData {
  const sortedRows: Uint32Array[] = [];
  const sortedValues: Float32Array[] = [];
  const hasMissing = new Uint8Array(cols);
  for (let f = 0; f < cols; f++) {
    const present: number[] = [];
    for (let r = 0; r < rows; r++) {
      if (!Number.isNaN(x[r * cols + f])) present.push(r);
      else hasMissing[f] = 1;
    }
    present.sort((a, b) => x[a * cols + f] - x[b * cols + f] || a - b);
    const idx = Uint32Array.from(present);
    sortedRows.push(idx);
    sortedValues.push(Float32Array.from(idx, r => x[r * cols + f]));
  }
  return { rows, cols, x, sortedRows, sortedValues, hasMissing };
}

/**
 * Exact greedy, depth-wise (XGBoost's grow_colmaker followed by prune):
 * each level scans every pre-sorted column once for all open nodes.
 * `pos[r]` is the row's open-node slot, or -1 for rows not sampled.
 */
export function growExact(
  data: ExactData,
  grad: Float32Array,
  hess: Float32Array,
  sampled: Uint8Array | undefined,
  features: Int32Array,
  p: GrowParams,
): TreeArrays {
  const { rows, cols, x } = data;
  const store = new NodeStore();
  const pos = new Int32Array(rows);
  let g0 = 0;
  let h0 = 0;
  for (let r = 0; r < rows; r++) {
    if (sampled && !sampled[r]) {
      pos[r] = -1;
    } else {
      g0 += grad[r];
      h0 += hess[r];
    }
  }
  store.add(-1, g0, h0, 0);
  let frontier = [0];
  const mcw = p.min_child_weight;

  for (let depth = 0; depth < p.max_depth && frontier.length > 0; depth++) {
    const s = frontier.length;
    const nodeG = Float64Array.from(frontier, n => store.g[n]);
    const nodeH = Float64Array.from(frontier, n => store.h[n]);
    const rootGain = Float64Array.from(frontier, (_, i) =>
      calcGain(p, nodeG[i], nodeH[i]),
    );
    const accG = new Float64Array(s);
    const accH = new Float64Array(s);
    const last = new Float64Array(s);
    const bestLoss = new Float64Array(s).fill(-Infinity);
    const bestFeat = new Int32Array(s).fill(-1);
    const bestCond = new Float32Array(s);
    const bestDef = new Uint8Array(s);

    const gainOf = (g: number, h: number) => calcGain(p, g, h);
    const consider = (
      slot: number,
      gl: number,
      hl: number,
      feat: number,
      cond: number,
      def: number,
    ) => {
      const gr = nodeG[slot] - gl;
      const hr = nodeH[slot] - hl;
      if (hl < mcw || hr < mcw) return;
      const loss = gainOf(gl, hl) + gainOf(gr, hr) - rootGain[slot];
      if (loss > bestLoss[slot]) {
        bestLoss[slot] = loss;
        bestFeat[slot] = feat;
        bestCond[slot] = cond;
        bestDef[slot] = def;
      }
    };

    for (let fi = 0; fi < features.length; fi++) {
      const f = features[fi];
      const idx = data.sortedRows[f];
      const val = data.sortedValues[f];
      const n = idx.length;
      const missing = data.hasMissing[f] === 1;
      // Forward (missing → right) is only needed when the column has missing values.
      if (missing) {
        accG.fill(0);
        accH.fill(0);
        last.fill(NaN);
        for (let k = 0; k < n; k++) {
          const r = idx[k];
          const slot = pos[r];
          if (slot < 0) continue;
          const v = val[k];
          const lv = last[slot];
          if (v !== lv && accH[slot] >= mcw) {
            consider(
              slot,
              accG[slot],
              accH[slot],
              f,
              Math.fround(Math.fround(v + lv) * 0.5),
              0,
            );
          }
          accG[slot] += grad[r];
          accH[slot] += hess[r];
          last[slot] = v;
        }
        // All present values left, missing ones right.
        for (let slot = 0; slot < s; slot++) {
          const lv = last[slot];
          if (!Number.isNaN(lv) && accH[slot] >= mcw) {
            consider(
              slot,
              accG[slot],
              accH[slot],
              f,
              Math.fround(lv + Math.abs(lv) + RT_EPS),
              0,
            );
          }
        }
      }
      // Backward: the accumulated side is the right child, missing goes left.
      accG.fill(0);
      accH.fill(0);
      last.fill(NaN);
      for (let k = n - 1; k >= 0; k--) {
        const r = idx[k];
        const slot = pos[r];
        if (slot < 0) continue;
        const v = val[k];
        const lv = last[slot];
        // `last` is NaN before a node's first row: no split before the first value.
        if (v !== lv && !Number.isNaN(lv) && accH[slot] >= mcw) {
          const hr = accH[slot];
          const hl = nodeH[slot] - hr;
          if (hl >= mcw) {
            const gr = accG[slot];
            const gl = nodeG[slot] - gr;
            const loss = gainOf(gl, hl) + gainOf(gr, hr) - rootGain[slot];
            if (loss > bestLoss[slot]) {
              bestLoss[slot] = loss;
              bestFeat[slot] = f;
              bestCond[slot] = Math.fround(Math.fround(v + lv) * 0.5);
              bestDef[slot] = 1;
            }
          }
        }
        accG[slot] += grad[r];
        accH[slot] += hess[r];
        last[slot] = v;
      }
      if (missing) {
        // All present values right, missing ones left.
        for (let slot = 0; slot < s; slot++) {
          const lv = last[slot];
          if (!Number.isNaN(lv) && accH[slot] >= mcw) {
            consider(
              slot,
              nodeG[slot] - accG[slot],
              nodeH[slot] - accH[slot],
              f,
              Math.fround(lv - (Math.abs(lv) + RT_EPS)),
              1,
            );
          }
        }
      }
    }

    // Apply the splits; children get fresh slots in the next frontier.
    const next: number[] = [];
    const childSlot = new Int32Array(s * 2).fill(-1);
    const splitSlots = new Uint8Array(s);
    for (let slot = 0; slot < s; slot++) {
      if (bestFeat[slot] < 0 || !(bestLoss[slot] > RT_EPS)) continue;
      const [l, r] = store.split(
        frontier[slot],
        bestFeat[slot],
        bestCond[slot],
        bestDef[slot],
        bestLoss[slot],
      );
      splitSlots[slot] = 1;
      childSlot[slot * 2] = next.length;
      next.push(l);
      childSlot[slot * 2 + 1] = next.length;
      next.push(r);
    }
    const childG = new Float64Array(next.length);
    const childH = new Float64Array(next.length);
    for (let r = 0; r < rows; r++) {
      const slot = pos[r];
      if (slot < 0) continue;
      if (!splitSlots[slot]) {
        pos[r] = -1;
        continue;
      }
      const node = frontier[slot];
      const v = x[r * cols + store.feature[node]];
      const goLeft = Number.isNaN(v)
        ? store.defLeft[node] === 1
        : v < store.cond[node];
      const c = childSlot[slot * 2 + (goLeft ? 0 : 1)];
      childG[c] += grad[r];
      childH[c] += hess[r];
      pos[r] = c;
    }
    next.forEach((n, i) => {
      store.g[n] = childG[i];
      store.h[n] = childH[i];
    });
    frontier = next;
  }
  store.prune(p.gamma);
  return store.toTree(p);
}
