import { InputError } from '@backstage/errors';
import type {
  ApprovalEvent,
  FeatureRecord,
  ModelSignature,
  SignatureColumn,
  ExecutionTrigger,
  ModelApprovalStatus,
  ModelMetrics,
  ModelTask,
  PipelineExecutionStatus,
  ReleaseStageStatus,
  StepStatus,
} from '@mlops-portal/plugin-mlops-common';

/** Dates from the SDK become ISO strings (the common types' format). */
export function iso(date: Date | string | undefined): string | undefined {
  if (date === undefined) return undefined;
  const d = date instanceof Date ? date : new Date(date);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const EXECUTION_STATUSES: PipelineExecutionStatus[] = [
  'Executing',
  'Stopping',
  'Stopped',
  'Failed',
  'Succeeded',
];
const STEP_STATUSES: StepStatus[] = [
  'Starting',
  'Executing',
  'Stopping',
  'Stopped',
  'Failed',
  'Succeeded',
];

/** The common types use SageMaker's words, so this is 1:1 (unknown → Executing). */
export function executionStatus(
  status: string | undefined,
): PipelineExecutionStatus {
  return EXECUTION_STATUSES.find(s => s === status) ?? 'Executing';
}

export function stepStatus(status: string | undefined): StepStatus {
  return STEP_STATUSES.find(s => s === status) ?? 'NotStarted';
}

export function approvalStatus(
  status: string | undefined,
): ModelApprovalStatus {
  return status === 'Approved' || status === 'Rejected'
    ? status
    : 'PendingManualApproval';
}

/** CodePipeline stage/action status → the release vocabulary. */
export function releaseStatus(status: string | undefined): ReleaseStageStatus {
  switch (status) {
    case 'InProgress':
    case 'Stopping':
      return 'InProgress';
    case 'Succeeded':
    case 'Failed':
    case 'Stopped':
    case 'Cancelled':
      return status;
    case 'Abandoned':
      return 'Cancelled';
    default:
      return 'NotStarted';
  }
}

// --- Pipeline definition → DAG ------------------------------------------------

export interface DefinitionStep {
  name: string;
  type: string;
  dependsOn: string[];
}

/**
 * The parameter names a SageMaker pipeline definition declares (its
 * top-level `Parameters`); throws when the definition is not JSON.
 */
export function pipelineParameterNames(
  definition: string | undefined,
): string[] {
  if (!definition) return [];
  let doc: any;
  try {
    doc = JSON.parse(definition);
  } catch (e) {
    throw new Error(`the pipeline definition is not valid JSON (${e})`);
  }
  const params = Array.isArray(doc?.Parameters) ? doc.Parameters : [];
  return params
    .map((p: any) => p?.Name)
    .filter((n: unknown): n is string => typeof n === 'string');
}

/**
 * Reads the steps and their edges from a SageMaker pipeline definition
 * (schema 2020-12-01); throws when it is not JSON. Edges come from three places: explicit `DependsOn`,
 * data references (`{"Get": "Steps.Train...."}`) in a step's arguments, and a
 * Condition step's If/Else branches (those steps run after the condition).
 */
export function parsePipelineDefinition(
  definition: string | undefined,
): DefinitionStep[] {
  if (!definition) return [];
  let doc: any;
  try {
    doc = JSON.parse(definition);
  } catch (e) {
    // the caller says so on the run (warnings) and in the log
    throw new Error(`the pipeline definition is not valid JSON (${e})`);
  }
  const steps: DefinitionStep[] = [];
  const visit = (raw: any, parent?: string) => {
    if (!raw || typeof raw.Name !== 'string') return;
    const deps = new Set<string>(
      Array.isArray(raw.DependsOn) ? raw.DependsOn : [],
    );
    if (parent) deps.add(parent);
    collectStepRefs(raw.Arguments, deps);
    if (raw.Type === 'Condition') {
      // Condition operands reference the steps it reads; branches are children.
      const { IfSteps, ElseSteps, ...rest } = raw.Arguments ?? {};
      deps.clear();
      for (const d of Array.isArray(raw.DependsOn) ? raw.DependsOn : [])
        deps.add(d);
      if (parent) deps.add(parent);
      collectStepRefs(rest, deps);
      deps.delete(raw.Name);
      steps.push({ name: raw.Name, type: raw.Type, dependsOn: [...deps] });
      for (const child of [...(IfSteps ?? []), ...(ElseSteps ?? [])])
        visit(child, raw.Name);
      return;
    }
    deps.delete(raw.Name);
    steps.push({
      name: raw.Name,
      type: String(raw.Type ?? 'Unknown'),
      dependsOn: [...deps],
    });
  };
  for (const step of Array.isArray(doc?.Steps) ? doc.Steps : []) visit(step);
  const names = new Set(steps.map(s => s.name));
  // Only keep edges to steps of this definition (e.g. not to Parameters).
  return steps.map(s => ({
    ...s,
    dependsOn: s.dependsOn.filter(d => names.has(d)),
  }));
}

function collectStepRefs(value: unknown, into: Set<string>) {
  if (Array.isArray(value)) {
    value.forEach(v => collectStepRefs(v, into));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Get' && typeof v === 'string') {
        const m = /^Steps\.([^.[\]]+)/.exec(v);
        if (m) into.add(m[1]);
      } else {
        collectStepRefs(v, into);
      }
    }
  }
}

// --- Execution description (who started it, why) ------------------------------

const DESCRIPTION_PATTERN =
  /^Started from Backstage by (\S+) \((upload|manual|retry|schedule|drift|external)\)/;

/** SageMaker keeps a free-text description; the portal writes who and why into it. */
export function executionDescription(
  actorRef: string,
  trigger: ExecutionTrigger,
): string {
  return `Started from Backstage by ${actorRef} (${trigger})`;
}

export function parseExecutionDescription(description: string | undefined): {
  trigger: ExecutionTrigger;
  triggeredBy?: string;
} {
  const m = description ? DESCRIPTION_PATTERN.exec(description) : null;
  if (!m) return { trigger: 'external' };
  return { trigger: m[2] as ExecutionTrigger, triggeredBy: m[1] };
}

// --- Approval description -------------------------------------------------------

/** ApprovalDescription is at most 1024 characters in SageMaker. */
const MAX_APPROVAL_DESCRIPTION = 1024;
const APPROVAL_PATTERN =
  /^(Approved|Rejected) by (\S+) via Backstage: ([\s\S]*)$/;

export function approvalDescription(
  status: 'Approved' | 'Rejected',
  actorRef: string,
  comment: string,
): string {
  const text = `${status} by ${actorRef} via Backstage: ${comment}`;
  return text.length <= MAX_APPROVAL_DESCRIPTION
    ? text
    : `${text.slice(0, MAX_APPROVAL_DESCRIPTION - 1)}…`;
}

export function parseApprovalDescription(
  description: string | undefined,
): { by: string; comment: string } | undefined {
  const m = description ? APPROVAL_PATTERN.exec(description) : null;
  return m ? { by: m[2], comment: m[3] } : undefined;
}

/**
 * SageMaker keeps only the current decision (no history API), so the history
 * is what can be reconstructed: the registration and, if the status changed
 * since, the last decision with its description and who made it.
 */
export function approvalHistory(pkg: {
  ModelApprovalStatus?: string;
  ApprovalDescription?: string;
  CreationTime?: Date;
  LastModifiedTime?: Date;
  CreatedBy?: { UserProfileName?: string; IamIdentity?: { Arn?: string } };
  LastModifiedBy?: { UserProfileName?: string; IamIdentity?: { Arn?: string } };
  MetadataProperties?: { GeneratedBy?: string };
}): ApprovalEvent[] {
  const status = approvalStatus(pkg.ModelApprovalStatus);
  const createdAt = iso(pkg.CreationTime) ?? new Date(0).toISOString();
  const parsed = parseApprovalDescription(pkg.ApprovalDescription);
  const registeredBy = pkg.MetadataProperties?.GeneratedBy
    ? 'pipeline'
    : principal(pkg.CreatedBy) ?? 'pipeline';
  const history: ApprovalEvent[] = [
    { status: 'PendingManualApproval', by: registeredBy, at: createdAt },
  ];
  if (status !== 'PendingManualApproval') {
    history.push({
      status,
      by: parsed?.by ?? principal(pkg.LastModifiedBy) ?? registeredBy,
      at: iso(pkg.LastModifiedTime) ?? createdAt,
      comment: parsed?.comment ?? pkg.ApprovalDescription,
    });
  }
  return history;
}

function principal(
  who: { UserProfileName?: string; IamIdentity?: { Arn?: string } } | undefined,
): string | undefined {
  return who?.UserProfileName ?? who?.IamIdentity?.Arn;
}

// --- Metrics ---------------------------------------------------------------------

/** The Model Quality report's section of each task (SageMaker's evaluation.json). */
const REPORT_SECTIONS: Array<[string, ModelTask]> = [
  ['regression_metrics', 'regression'],
  ['binary_classification_metrics', 'binary'],
  ['multiclass_classification_metrics', 'multiclass'],
];

/** The flat ModelMetrics keys each task keeps (-common signature.ts), in report order. */
const TASK_METRIC_KEYS: Record<ModelTask, string[]> = {
  regression: ['mse', 'rmse', 'mae', 'r2'],
  binary: ['accuracy', 'precision', 'recall', 'f1', 'auc', 'pr_auc', 'logloss'],
  multiclass: [
    'accuracy',
    'weighted_f1',
    'macro_f1',
    'weighted_precision',
    'weighted_recall',
    'logloss',
  ],
};

/** What a model quality report says: its task and the flat metrics. */
export interface EvaluationReport {
  task: ModelTask;
  metrics: ModelMetrics;
}

/**
 * SageMaker's evaluation.json, any task: `{"<task section>": {"<metric>":
 * {"value", "standard_deviation"}, ...}}` → the task and flat ModelMetrics
 * (regression also keeps MSE's standard deviation as `residualStd`).
 * Undefined when the text is not a report of a known task or has none of its
 * metrics.
 */
export function parseEvaluationJson(
  text: string,
): EvaluationReport | undefined {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  const found = REPORT_SECTIONS.find(
    ([section]) => doc?.[section] && typeof doc[section] === 'object',
  );
  if (!found) return undefined;
  const [section, task] = found;
  const m = doc[section];
  const num = (v: unknown): number | undefined =>
    typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  const metrics: ModelMetrics = {};
  for (const key of TASK_METRIC_KEYS[task]) {
    const v = num(m[key]?.value ?? m[key]);
    if (v !== undefined) metrics[key] = v;
  }
  if (Object.keys(metrics).length === 0) return undefined;
  if (task === 'regression') {
    const std = num(m.mse?.standard_deviation);
    if (std !== undefined) metrics.residualStd = std;
  }
  return { task, metrics };
}

export function parseS3Uri(
  uri: string,
): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri.trim());
  return m ? { bucket: m[1], key: m[2] } : undefined;
}

// --- Predict ---------------------------------------------------------------------

/** A CSV cell that holds `,`, a quote, a line break or edge spaces is quoted (RFC 4180). */
function csvCell(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One CSV line per record, the columns in the signature's input order (the
 * order the endpoint's preprocessor reads): numbers as they are, categories
 * as strings (quoted when they must be), booleans as `true`/`false`, missing
 * cells empty. Records were checked against the signature by the service; a
 * number that is not finite is still refused here, never sent as `NaN`.
 */
export function toInvokeCsv(
  inputs: ReadonlyArray<Pick<SignatureColumn, 'name' | 'type'>>,
  records: FeatureRecord[],
): string {
  return records
    .map((record, row) => {
      if (!record || typeof record !== 'object' || Array.isArray(record))
        throw new InputError(
          `instances[${row}] must be a record of column values`,
        );
      return inputs
        .map(({ name, type }) => {
          const v = record[name];
          if (v === null || v === undefined) return '';
          if (typeof v === 'number') {
            if (!Number.isFinite(v))
              throw new InputError(
                `instances[${row}].${name}: ${v} is not a finite number`,
              );
            return String(v);
          }
          if (typeof v === 'boolean') return v ? 'true' : 'false';
          if (type !== 'numeric') return csvCell(v);
          // A numeric column given as text is sent as the number it is, or refused.
          const n = Number(v);
          if (v.trim() === '' || !Number.isFinite(n))
            throw new InputError(
              `instances[${row}].${name}: '${v.slice(0, 40)}' is not a number`,
            );
          return String(n);
        })
        .join(',');
    })
    .join('\n');
}

/** How many numbers the endpoint answers per row: one, or one per class (multiclass). */
export function scoresPerRow(outputs: ModelSignature['outputs']): number {
  return outputs.task === 'multiclass' ? outputs.classes?.length ?? 0 : 1;
}

/**
 * Reads the model's raw scores from an endpoint response, by task: regression
 * one predicted value per row, binary the positive class's probability per
 * row, multiclass one probability per class per row. Accepted forms: CSV (one
 * row per line; a single line of values when each row has one), or JSON (an
 * array, or `{"predictions": [...]}`, of numbers, arrays or `{score}` /
 * `{probabilities}` objects). Throws an Error saying what does not fit.
 */
export function parseInvokeScores(
  body: string,
  outputs: ModelSignature['outputs'],
  rows: number,
): number[][] {
  const width = scoresPerRow(outputs);
  const text = body.trim();
  let scores: number[][];
  if (text.startsWith('[') || text.startsWith('{')) {
    const doc = JSON.parse(text);
    const list: unknown[] = Array.isArray(doc)
      ? doc
      : doc?.predictions ?? doc?.outputs ?? [];
    scores = list.map(v => {
      if (typeof v === 'number') return [v];
      if (Array.isArray(v)) return v.map(Number);
      const o = v as any;
      const p = o?.probabilities ?? o?.predicted_probabilities;
      if (Array.isArray(p)) return p.map(Number);
      const n = o?.score ?? o?.prediction;
      return [typeof n === 'number' ? n : Number(n)];
    });
  } else {
    const lines = text.split(/\r?\n/).filter(l => l.trim() !== '');
    scores = lines.map(l => l.split(',').map(c => Number(c.trim())));
    // A one-value-per-row model may answer all rows on one line.
    if (width === 1 && scores.length === 1 && scores[0].length === rows)
      scores = scores[0].map(v => [v]);
  }
  if (scores.length !== rows) {
    throw new Error(`${scores.length} prediction(s) for ${rows} row(s)`);
  }
  const probability = outputs.task !== 'regression';
  scores.forEach((row, i) => {
    if (row.length !== width)
      throw new Error(
        `row ${i + 1} has ${row.length} value(s), expected ${width}`,
      );
    if (row.some(v => !Number.isFinite(v) || (probability && (v < 0 || v > 1))))
      throw new Error(
        `row ${i + 1} is not ${
          probability ? 'a probability' : 'a number'
        }: ${row.join(',')}`,
      );
  });
  return scores;
}

// --- Resource scoping ----------------------------------------------------------

/**
 * An execution ARN belongs to the entity's pipeline only if it reads
 * `...:pipeline/<pipelineName>/execution/<id>`. SageMaker lower-cases the
 * pipeline name inside ARNs, so the comparison ignores case.
 */
export function executionBelongsTo(
  executionArn: string,
  pipelineName: string,
  region?: string,
): boolean {
  const m =
    /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):(\d{12}):pipeline\/([^/]+)\/execution\/([A-Za-z0-9-]+)$/.exec(
      executionArn,
    );
  if (!m) return false;
  if (region && m[1] !== region) return false;
  return m[3].toLowerCase() === pipelineName.toLowerCase();
}
