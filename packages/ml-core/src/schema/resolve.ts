import type {
  ColumnSchema,
  DatasetSchema,
  DatasetSpec,
  Task,
} from '../spec/types';
import {
  DEFAULT_MAX_CATEGORIES,
  DEFAULT_MISSING_VALUES,
} from '../spec/constants';
import { clip } from './cells';
import {
  type ColumnProfile,
  type InferOptions,
  type InferredSchema,
  SchemaError,
  inferSchema,
} from './infer';

export interface ResolvedSchema {
  schema: DatasetSchema;
  /** What the sample showed. */
  inferred: InferredSchema;
  /** What was inferred or decided, one line each (the CLI prints them). */
  notes: string[];
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 20).map(n => clip(n, 40));
  return `${shown.join(', ')}${names.length > 20 ? ', …' : ''}`;
}

function describeProfile(p: ColumnProfile, rows: number): string {
  const missing =
    p.missing > 0
      ? `, ${((100 * p.missing) / Math.max(rows, 1)).toFixed(1)}% missing`
      : '';
  if (p.type === 'numeric') return `numeric ${p.min} … ${p.max}${missing}`;
  const values = p.values ?? [];
  const shown = values.slice(0, 8).map(v => clip(v, 24));
  return `${p.type} (${
    p.moreValues ? `over ${p.distinct}` : p.distinct
  } values: ${shown.join(', ')}${
    values.length > shown.length || p.moreValues ? ', …' : ''
  })${missing}`;
}

/** The class labels of a classification target, checked against the spec. */
function resolveClasses(
  dataset: DatasetSpec,
  profile: ColumnProfile,
  problems: string[],
  notes: string[],
): string[] | undefined {
  const target = dataset.target;
  if (profile.moreValues) {
    problems.push(
      `target '${clip(target)}' has more than ${
        profile.distinct
      } distinct values; a classifier needs a few classes (is the task regression?)`,
    );
    return undefined;
  }
  const seen = profile.values ?? [];
  if (dataset.classes) {
    const unknown = seen.filter(v => !dataset.classes!.includes(v));
    if (unknown.length)
      problems.push(
        `target '${clip(target)}' holds ${unknown
          .slice(0, 5)
          .map(v => `'${clip(v, 24)}'`)
          .join(', ')}, not in spec.dataset.classes (${listNames(
          dataset.classes,
        )})`,
      );
    return [...dataset.classes];
  }
  if (seen.length < 2) {
    problems.push(
      seen.length === 0
        ? `target '${clip(target)}' has no values`
        : `target '${clip(target)}' has a single class ('${clip(
            seen[0],
            24,
          )}'); a classifier needs at least 2`,
    );
    return undefined;
  }
  if (dataset.task === 'binary' && seen.length !== 2) {
    problems.push(
      `target '${clip(target)}' has ${
        seen.length
      } classes; the binary task needs exactly 2 (use task multiclass)`,
    );
    return undefined;
  }
  notes.push(`classes (sorted, index order): ${listNames(seen)}`);
  return seen;
}

/**
 * The data set's schema: the spec's columns and settings over what a CSV
 * sample shows. Column types the spec leaves out are inferred; categories and
 * ranges stay as the spec gives them (they become hard checks), the sample's
 * are only reported. A feature column with no value in the sample is kept as a
 * numeric column (imputed to a constant, so it carries no information) unless
 * the spec types it, and a note says so. Throws a SchemaError listing every
 * problem: unknown target or column, a text or empty target on a regression,
 * a single-class target, values the spec does not allow.
 */
export function resolveSchemaDetailed(
  dataset: DatasetSpec,
  sample: string | InferredSchema,
  options: Pick<InferOptions, 'maxRows' | 'truncated'> = {},
): ResolvedSchema {
  const missingValues = [...(dataset.missingValues ?? DEFAULT_MISSING_VALUES)];
  const specColumns = dataset.columns ?? [];
  const inferred =
    typeof sample === 'string'
      ? inferSchema(sample, {
          ...options,
          header: dataset.header,
          names: dataset.header ? undefined : specColumns.map(c => c.name),
          missingValues,
        })
      : sample;
  const problems: string[] = [];
  const notes: string[] = [];
  const byName = new Map(inferred.columns.map(p => [p.name, p]));
  if (!dataset.header && specColumns.length !== inferred.names.length)
    problems.push(
      `the spec lists ${specColumns.length} columns, the file has ${inferred.names.length}`,
    );
  for (const c of specColumns)
    if (!byName.has(c.name))
      problems.push(
        `column '${clip(
          c.name,
        )}' of the spec is not in the file (its columns: ${listNames(
          inferred.names,
        )})`,
      );
  if (!byName.has(dataset.target)) {
    problems.push(
      `target '${clip(
        dataset.target,
      )}' is not a column of the file (its columns: ${listNames(
        inferred.names,
      )})`,
    );
    throw new SchemaError(problems);
  }
  if (inferred.names.length < 2)
    problems.push(
      'the file needs at least one feature column besides the target',
    );
  const specOf = new Map(specColumns.map(c => [c.name, c]));
  const task: Task = dataset.task;
  let classes: string[] | undefined;
  const columns: ColumnSchema[] = inferred.columns.map(profile => {
    const spec = specOf.get(profile.name);
    const isTarget = profile.name === dataset.target;
    const name = clip(profile.name);
    let type = spec?.type ?? profile.type;
    if (isTarget) {
      if (profile.present === 0)
        problems.push(`target '${name}' has no values (every cell is missing)`);
      else if (task === 'regression') {
        if (profile.type !== 'numeric') {
          const at = profile.firstText;
          problems.push(
            `target '${name}' holds text${
              at ? ` ('${at.value}' in row ${at.row})` : ''
            } but the task is regression: use task binary or multiclass, or fix the column`,
          );
        }
      } else {
        classes = resolveClasses(dataset, profile, problems, notes);
        // Labels are read as text whatever they look like ('0', 'yes').
        type = 'categorical';
      }
    } else if (profile.present === 0) {
      notes.push(
        `column '${name}' has no values in the sample: kept as ${type}, imputed to a constant (no information)`,
      );
    } else if (spec?.type === 'numeric' && profile.type !== 'numeric') {
      const at = profile.firstText;
      problems.push(
        `column '${name}' is numeric in the spec but holds text${
          at ? ` ('${at.value}' in row ${at.row})` : ''
        }`,
      );
    } else if (spec?.type === 'boolean' && profile.type !== 'boolean') {
      problems.push(
        `column '${name}' is boolean in the spec but holds values other than true/false`,
      );
    } else if (spec?.categories && profile.values && !profile.moreValues) {
      const unknown = profile.values.filter(v => !spec.categories!.includes(v));
      if (unknown.length)
        problems.push(
          `column '${name}' holds ${unknown
            .slice(0, 5)
            .map(v => `'${clip(v, 24)}'`)
            .join(', ')}, not among its categories in the spec (${listNames(
            spec.categories,
          )})`,
        );
    }
    if (!spec?.type && profile.present > 0 && !isTarget)
      notes.push(
        `column '${name}': ${describeProfile(profile, inferred.rows)}`,
      );
    const column: ColumnSchema = { ...(spec ?? {}), name: profile.name, type };
    if (isTarget && classes) column.categories = [...classes];
    return column;
  });
  if (problems.length) throw new SchemaError(problems);
  return {
    schema: {
      header: dataset.header,
      columns,
      target: dataset.target,
      task,
      ...(classes ? { classes } : {}),
      missingValues,
      maxCategories: dataset.maxCategories ?? DEFAULT_MAX_CATEGORIES,
    },
    inferred,
    notes,
  };
}

/** resolveSchemaDetailed's schema alone. */
export function resolveSchema(
  dataset: DatasetSpec,
  sample: string | InferredSchema,
  options: Pick<InferOptions, 'maxRows' | 'truncated'> = {},
): DatasetSchema {
  return resolveSchemaDetailed(dataset, sample, options).schema;
}

/**
 * The task a target column suggests when none is given: text, boolean or
 * two values → classification (binary with 2 classes); a numeric column with
 * fractions or many values → regression; a few integers → multiclass.
 */
export function guessTask(inferred: InferredSchema, target: string): Task {
  const p = inferred.columns.find(c => c.name === target);
  if (!p) {
    throw new SchemaError([
      `target '${clip(
        target,
      )}' is not a column of the file (its columns: ${listNames(
        inferred.names,
      )})`,
    ]);
  }
  if (p.type === 'numeric' && (!p.integer || p.moreValues || p.distinct > 20))
    return 'regression';
  return p.distinct === 2 ? 'binary' : 'multiclass';
}
