export { parseTableCsv, readTableCsv } from './readTable';
export { splitCsvLine } from './csvLine';
export type { ReadTableOptions, ReadTableResult } from './readTable';
export { parseDecimal } from './decimal';
export { decodeTable, encodeTable, readTableFile } from './tableFile';
