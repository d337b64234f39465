import { mulberry32, shuffleInPlace } from '../random';
import type { DatasetSchema, SplitSpec, Table } from '../spec/types';
import { DEFAULT_SPLIT } from '../spec/constants';
import { columnOf } from './records';

/** Rows grouped by identical raw values (every column, the target included). */
export interface RowGroups {
  /** Group id of each row; groups are numbered in order of first appearance. */
  groupOf: Int32Array;
  groupCount: number;
  /** Rows that repeat an earlier row. */
  duplicateRows: number;
}

// Bound once: a global lookup of Math.imul per call is ~100× slower under
// jest's sandboxed globals, and this runs a few times per cell.
const imul = Math.imul;

/** MurmurHash3's 32-bit mixing step for one word. */
function mix(h: number, k: number): number {
  const k1 = imul(k, 0xcc9e2d51);
  const k2 = imul((k1 << 15) | (k1 >>> 17), 0x1b873593);
  const h1 = h ^ k2;
  return (imul((h1 << 13) | (h1 >>> 19), 5) + 0xe6546b64) | 0;
}

function stringHash(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return mix(h, s.length);
}

const groupCache = new WeakMap<Table, RowGroups>();

/**
 * Groups identical rows by a 64-bit hash of their raw values (two 32-bit
 * lanes). Two different rows sharing a hash would only be kept on the same
 * side of a split, which costs nothing. Typed arrays and an open-addressing
 * table instead of a Map of strings: millions of rows stay cheap.
 */
export function groupRows(table: Table): RowGroups {
  // The data checks and the split both ask: hash once per table.
  const cached = groupCache.get(table);
  if (cached && cached.groupOf.length === table.rowCount) return cached;
  const groups = hashGroups(table);
  groupCache.set(table, groups);
  return groups;
}

function hashGroups(table: Table): RowGroups {
  const n = table.rowCount;
  const h1 = new Int32Array(n).fill(0x9747b28c);
  const h2 = new Int32Array(n).fill(0x2f1a3c5d);
  const scratch = new Float64Array(1);
  const words = new Int32Array(scratch.buffer);
  for (const column of table.columns) {
    if (column.type === 'numeric') {
      const values = column.values;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        // One spelling for missing and for zero (-0 === 0).
        if (Number.isNaN(v)) scratch[0] = NaN;
        else scratch[0] = v + 0;
        h1[i] = mix(mix(h1[i], words[0]), words[1]);
        h2[i] = mix(mix(h2[i], words[1]), words[0] ^ 0x5bd1e995);
      }
    } else {
      // Hash each level's text once, then per row only its code's hashes.
      const l1 = Int32Array.from(column.levels, s => stringHash(s, 0x12345678));
      const l2 = Int32Array.from(column.levels, s => stringHash(s, 0x7f4a7c15));
      const codes = column.codes;
      for (let i = 0; i < n; i++) {
        const c = codes[i];
        h1[i] = mix(h1[i], c < 0 ? -1 : l1[c]);
        h2[i] = mix(h2[i], c < 0 ? -1 : l2[c]);
      }
    }
  }
  let size = 16;
  while (size < 2 * n) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(-1);
  const key1 = new Int32Array(n);
  const key2 = new Int32Array(n);
  const groupOf = new Int32Array(n);
  let groups = 0;
  for (let i = 0; i < n; i++) {
    let s = (h1[i] ^ (h2[i] >>> 7)) & mask;
    for (;;) {
      const g = slots[s];
      if (g < 0) {
        slots[s] = groups;
        key1[groups] = h1[i];
        key2[groups] = h2[i];
        groupOf[i] = groups++;
        break;
      }
      if (key1[g] === h1[i] && key2[g] === h2[i]) {
        groupOf[i] = g;
        break;
      }
      s = (s + 1) & mask;
    }
  }
  return { groupOf, groupCount: groups, duplicateRows: n - groups };
}

export interface TableSplit {
  /** Row indices of each part. */
  train: Uint32Array;
  validation: Uint32Array;
  test: Uint32Array;
  groups: RowGroups;
  stratified: boolean;
}

/**
 * The seeded train/validation/test split (fractions from the spec, 70/15/15
 * by default), by groups of identical rows so copies never straddle parts,
 * and stratified by class for classification (unless the spec says not).
 * Within each stratum the groups are shuffled (mulberry32(seed)) and cut
 * where the running row count reaches floor(n·train) and
 * floor(n·(train+validation)); without duplicates this is exactly the
 * shuffle-and-cut split of `splitIndices`.
 */
export function splitTable(
  table: Table,
  schema: DatasetSchema,
  split: Partial<SplitSpec> = {},
): TableSplit {
  const f = { ...DEFAULT_SPLIT, ...split };
  const total = f.train + f.validation + f.test;
  if (
    [f.train, f.validation, f.test].some(
      x => !(x >= 0) || !Number.isFinite(x),
    ) ||
    !(total > 0)
  )
    throw new Error(
      `Invalid split fractions ${JSON.stringify([
        f.train,
        f.validation,
        f.test,
      ])}`,
    );
  const seed = f.seed ?? 0;
  const n = table.rowCount;
  const groups = groupRows(table);
  const { groupOf, groupCount } = groups;
  const classification = schema.task !== 'regression';
  const stratified = classification && (f.stratify ?? true);

  // Rows of each group (CSR), groups in first-appearance order.
  const groupStart = new Int32Array(groupCount + 1);
  for (let i = 0; i < n; i++) groupStart[groupOf[i] + 1]++;
  for (let g = 0; g < groupCount; g++) groupStart[g + 1] += groupStart[g];
  const fill = groupStart.slice(0, groupCount);
  const rowsByGroup = new Uint32Array(n);
  for (let i = 0; i < n; i++) rowsByGroup[fill[groupOf[i]]++] = i;

  // Stratum of each group: the class of its first row (identical rows share
  // it), in the schema's class order so the split does not depend on the
  // order a reader met the labels in; 0 holds labels outside the classes.
  let strata = 1;
  const stratumOf = new Int32Array(groupCount);
  if (stratified) {
    const target = columnOf(table, schema.target);
    if (target.type !== 'numeric') {
      const classes = schema.classes ?? [...target.levels].sort();
      const index = new Map(classes.map((c, i) => [c, i + 1]));
      const byCode = target.levels.map(l => index.get(l) ?? 0);
      strata = classes.length + 1;
      for (let g = 0; g < groupCount; g++) {
        const code = target.codes[rowsByGroup[groupStart[g]]];
        stratumOf[g] = code < 0 ? 0 : byCode[code];
      }
    }
  }
  const stratumGroups: number[][] = Array.from({ length: strata }, () => []);
  for (let g = 0; g < groupCount; g++) stratumGroups[stratumOf[g]].push(g);

  const rng = mulberry32(seed);
  // Each group's part, in shuffled order (typed arrays: millions of rows).
  const order = new Uint32Array(groupCount);
  const partOf = new Uint8Array(groupCount);
  const partRows = [0, 0, 0];
  let at = 0;
  for (const list of stratumGroups) {
    if (list.length === 0) continue;
    const stratum = order.subarray(at, at + list.length);
    stratum.set(list);
    at += list.length;
    shuffleInPlace(stratum, rng);
    let rows = 0;
    for (let i = 0; i < stratum.length; i++)
      rows += groupStart[stratum[i] + 1] - groupStart[stratum[i]];
    const trainEnd = Math.floor((rows * f.train) / total);
    const validationEnd = Math.floor((rows * (f.train + f.validation)) / total);
    let seen = 0;
    for (let i = 0; i < stratum.length; i++) {
      const g = stratum[i];
      let part = 2;
      if (seen < trainEnd) part = 0;
      else if (seen < validationEnd) part = 1;
      partOf[g] = part;
      const size = groupStart[g + 1] - groupStart[g];
      partRows[part] += size;
      seen += size;
    }
  }
  const parts = partRows.map(r => new Uint32Array(r));
  const fillAt = [0, 0, 0];
  for (let i = 0; i < groupCount; i++) {
    const g = order[i];
    const part = parts[partOf[g]];
    let k = fillAt[partOf[g]];
    for (let r = groupStart[g]; r < groupStart[g + 1]; r++)
      part[k++] = rowsByGroup[r];
    fillAt[partOf[g]] = k;
  }
  // Strata were laid out one after another: mix the classes again.
  if (strata > 1) for (const part of parts) shuffleInPlace(part, rng);
  return {
    train: parts[0],
    validation: parts[1],
    test: parts[2],
    groups,
    stratified,
  };
}
