import {
  DEFAULT_MAX_CATEGORIES,
  DEFAULT_MISSING_VALUES,
  SchemaError,
  resolveSchema,
  splitCsvLine,
  type ColumnSchema,
  type DatasetSchema,
  type DatasetSpec,
} from '@mlops-portal/ml-core';
import type { ModelSignature } from '@mlops-portal/plugin-mlops-common';

/**
 * What an upload is checked against (plain JSON: it crosses to the validator
 * worker): the ML system spec's data set (`resources.system.spec`), or else
 * the newest version's signature.
 */
export type UploadSchema =
  | { source: 'spec'; dataset: DatasetSpec }
  | { source: 'signature'; signature: ModelSignature };

/** A schema the reader can use, and whether a header-less file may start with one. */
export interface ResolvedUploadSchema {
  schema: DatasetSchema;
  detectHeader: boolean;
}

/** Thrown when the schema cannot be settled from the file's first lines (an upload error, row 1). */
export class UploadSchemaError extends Error {}

/** The first line's cells, or none when it is not valid CSV (then it is no header). */
function headerCellsOf(line: string): string[] {
  try {
    return splitCsvLine(line);
  } catch {
    return [];
  }
}

/**
 * The data set schema a signature implies: its inputs and the target, with
 * the categories that are hard checks (fixed ones; classes of a classifier).
 * A file whose first line names every column is read by header; otherwise
 * by position, inputs in signature order then the target (how the training
 * data is laid out), with a stray header line skipped.
 */
export function schemaFromSignature(
  signature: ModelSignature,
  firstLine: string,
): ResolvedUploadSchema {
  const { outputs } = signature;
  const columns: ColumnSchema[] = signature.inputs.map(i => ({
    name: i.name,
    type: i.type,
    ...(i.min !== undefined ? { min: i.min } : {}),
    ...(i.max !== undefined ? { max: i.max } : {}),
    ...(i.fixedCategories && i.categories ? { categories: i.categories } : {}),
  }));
  columns.push({
    name: outputs.target,
    type: outputs.task === 'regression' ? 'numeric' : 'categorical',
    ...(outputs.classes ? { categories: outputs.classes } : {}),
  });
  const names = new Set(headerCellsOf(firstLine).map(c => c.toLowerCase()));
  const header = columns.every(c => names.has(c.name.toLowerCase()));
  return {
    schema: {
      header,
      columns,
      target: outputs.target,
      task: outputs.task,
      ...(outputs.classes ? { classes: outputs.classes } : {}),
      missingValues: [...DEFAULT_MISSING_VALUES],
      maxCategories: DEFAULT_MAX_CATEGORIES,
    },
    detectHeader: !header,
  };
}

/**
 * Settles the schema from the file's first lines: a spec's column types it
 * leaves out are inferred from them (ml-core's resolveSchema, as training
 * does); a signature's layout is read off the first line.
 */
export function resolveUploadSchema(
  source: UploadSchema,
  sample: string,
  truncated: boolean,
): ResolvedUploadSchema {
  if (source.source === 'signature') {
    const nl = sample.indexOf('\n');
    return schemaFromSignature(
      source.signature,
      nl < 0 ? sample : sample.slice(0, nl),
    );
  }
  const dataset = source.dataset;
  const direct = schemaFromSpecAlone(dataset);
  if (direct) return { schema: direct, detectHeader: true };
  const attempt = (d: DatasetSpec, text: string) =>
    resolveSchema(d, text, { truncated });
  // The lines the schema is settled from may hold the very rows the upload
  // is refused for; those must come out as row errors with their numbers,
  // so a second try settles only names and types from the lines, then puts
  // the spec's columns (types, ranges, categories) back as hard checks.
  const relaxed: DatasetSpec = {
    ...dataset,
    columns: dataset.columns?.map(c => ({ name: c.name })),
  };
  const firstLine = sample.indexOf('\n');
  const withoutFirst = firstLine >= 0 ? sample.slice(firstLine + 1) : '';
  const tries: Array<[DatasetSpec, string, boolean]> = [
    [dataset, sample, false],
    [relaxed, sample, false],
  ];
  // A header-less data set exported with a header line: the reader skips
  // that line (detectHeader), so the schema is settled without it too.
  if (!dataset.header && firstLine >= 0)
    tries.push([dataset, withoutFirst, true], [relaxed, withoutFirst, true]);
  let first: unknown;
  for (const [d, text, skippedLine] of tries) {
    try {
      const schema = attempt(d, text);
      return {
        schema: d === dataset ? schema : withSpecColumns(schema, dataset),
        detectHeader: !schema.header || skippedLine,
      };
    } catch (e) {
      if (!(e instanceof SchemaError)) throw e;
      first ??= e;
    }
  }
  throw new UploadSchemaError((first as Error).message);
}

/**
 * A header-less spec that types every column (and names a classifier's
 * classes) is the whole schema: nothing is inferred, so no row of the file
 * decides it and every bad row is reported as one.
 */
function schemaFromSpecAlone(dataset: DatasetSpec): DatasetSchema | undefined {
  const columns = dataset.columns ?? [];
  if (dataset.header || columns.length === 0) return undefined;
  if (columns.some(c => !c.type)) return undefined;
  if (dataset.task !== 'regression' && !dataset.classes) return undefined;
  if (!columns.some(c => c.name === dataset.target)) return undefined;
  return {
    header: false,
    columns: columns.map(c =>
      c.name !== dataset.target || dataset.task === 'regression'
        ? { ...c, type: c.type! }
        : { ...c, type: 'categorical', categories: [...dataset.classes!] },
    ),
    target: dataset.target,
    task: dataset.task,
    ...(dataset.classes ? { classes: [...dataset.classes] } : {}),
    missingValues: [...(dataset.missingValues ?? DEFAULT_MISSING_VALUES)],
    maxCategories: dataset.maxCategories ?? DEFAULT_MAX_CATEGORIES,
  };
}

/** The spec's own column settings over a schema settled from the relaxed spec. */
function withSpecColumns(
  schema: DatasetSchema,
  dataset: DatasetSpec,
): DatasetSchema {
  const specOf = new Map((dataset.columns ?? []).map(c => [c.name, c]));
  return {
    ...schema,
    columns: schema.columns.map(col => {
      const spec = specOf.get(col.name);
      if (col.name === schema.target)
        return schema.task === 'regression'
          ? { ...spec, ...col, type: 'numeric' }
          : { ...spec, ...col, type: 'categorical' };
      return spec ? { ...col, ...spec, type: spec.type ?? col.type } : col;
    }),
  };
}
