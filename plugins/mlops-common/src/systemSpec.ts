/**
 * The catalog annotation naming an entity's ML system spec: a path relative
 * to the entity's catalog file, e.g. `./ml-system.yaml`.
 * @public
 */
export const ANNOTATION_SPEC = 'mlops.io/spec';

/**
 * One thing wrong with a spec: where (`spec.gate.comparison`) and what.
 * @public
 */
export interface SpecProblem {
  /** Where, e.g. `spec.gate.comparison`; `line 3` for YAML syntax; empty for the file. */
  path: string;
  /** What is wrong there. */
  message: string;
}

/**
 * `GET …/spec`: the entity's validated spec and the sha256 of the file it
 * was read from. The spec is the ML core's `MlSystemSpec` (the YAML as
 * validated); typed here by its envelope so the browser bundle does not
 * depend on the ML core.
 * @public
 */
export interface SystemSpecResponse {
  /** The annotation's value, as written. */
  source: string;
  /** sha256 (hex) of the spec file's bytes. */
  hash: string;
  /** The spec as validated. */
  spec: {
    apiVersion: string;
    kind: string;
    metadata: { name: string; title?: string; description?: string };
    spec: { [key: string]: unknown };
  };
}

/**
 * The body of a 422 from `GET …/spec` (`error` as Backstage serialises it).
 * @public
 */
export interface SpecValidationErrorBody {
  name: 'SpecValidationError';
  /** One line naming the annotation and the number of problems. */
  message: string;
  /** Every problem found (at most 50). */
  problems: SpecProblem[];
  /** sha256 (hex) of the invalid file. */
  hash: string;
}
