import { splitTable, groupRows } from '../src/dataset/split';
import { fitTablePreprocessor, transformTable, encodeLabels } from '../src/dataset/preprocessor';
import { loadDemo } from '../src/dataset/testing';
const { schema, table: base } = loadDemo('abalone', 'abalone.data');
const times = 1000; const n = base.rowCount;
let state = 12345;
const jitter = () => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return 1 + (state / 2 ** 32 - 0.5) * 0.01; };
const table: any = { rowCount: n * times, names: base.names, columns: base.columns.map((c: any, j) => {
  if (c.type === 'numeric') { const v = new Float64Array(n * times); for (let t = 0; t < times; t++) for (let i = 0; i < n; i++) v[t*n+i] = Math.round(c.values[i]*jitter()*1e4)/1e4; return { type: 'numeric', values: v }; }
  const codes = new Int32Array(n * times); for (let t = 0; t < times; t++) codes.set(c.codes, t*n); return { ...c, codes }; }) };
const t = (name: string, f: () => any) => { const t0 = performance.now(); const r = f(); console.log(name, ((performance.now()-t0)/1e3).toFixed(2)); return r; };
t('groupRows', () => groupRows(table));
const parts = t('split', () => splitTable(table, schema, {}));
const pre = t('fit', () => fitTablePreprocessor(table, schema, parts.train));
t('transform train', () => transformTable(pre, table, parts.train));
t('labels train', () => encodeLabels(pre, table, parts.train));
t('transform val', () => transformTable(pre, table, parts.validation));
import { buildSignature } from '../src/schema/signature';
import { tableBaselineStatistics } from '../src';
import { preprocessTable } from '../src/dataset/prepare';
const { spec } = loadDemo('abalone', 'abalone.data');
const out = t('preprocessTable', () => preprocessTable(table, schema, { seed: 1 }));
t('baseline', () => tableBaselineStatistics(table, schema, out.split.train));
t('signature', () => buildSignature(table, schema, out.preprocessor, spec, out.split.train));
