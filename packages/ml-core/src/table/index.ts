export { parseTableCsv, readTableCsv } from './readTable';
export type { ReadTableOptions, ReadTableResult } from './readTable';
export { parseDecimal } from './decimal';
export { decodeTable, encodeTable, readTableFile } from './tableFile';
