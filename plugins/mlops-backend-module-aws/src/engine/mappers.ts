import type {
  AbaloneFeatures,
  ApprovalEvent,
  ExecutionTrigger,
  ModelApprovalStatus,
  PipelineExecutionStatus,
  RegressionMetrics,
  ReleaseStageStatus,
  StepStatus,
} from '@mlops-portal/plugin-mlops-common';
import { NUMERIC_FEATURES } from '@mlops-portal/plugin-mlops-common';

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
  /^Started from Backstage by (\S+) \((upload|manual|retry|external)\)/;

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

/** SageMaker's evaluation.json: {"regression_metrics": {"mse": {"value", "standard_deviation"}, ...}}. */
export function parseEvaluationJson(
  text: string,
): RegressionMetrics | undefined {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  const m = doc?.regression_metrics;
  const value = (k: string): number | undefined => {
    const v = m?.[k]?.value ?? m?.[k];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const mse = value('mse');
  if (mse === undefined) return undefined;
  const std = m?.mse?.standard_deviation;
  const metrics: RegressionMetrics = { mse };
  const rmse = value('rmse');
  const mae = value('mae');
  const r2 = value('r2');
  if (rmse !== undefined) metrics.rmse = rmse;
  if (mae !== undefined) metrics.mae = mae;
  if (r2 !== undefined) metrics.r2 = r2;
  if (typeof std === 'number' && Number.isFinite(std))
    metrics.residualStd = std;
  return metrics;
}

export function parseS3Uri(
  uri: string,
): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri.trim());
  return m ? { bucket: m[1], key: m[2] } : undefined;
}

// --- Predict ---------------------------------------------------------------------

/** One CSV line per instance: the 8 raw features in data-set order, sex first. */
export function toInvokeCsv(instances: AbaloneFeatures[]): string {
  return instances
    .map(i => [i.sex, ...NUMERIC_FEATURES.map(k => String(i[k]))].join(','))
    .join('\n');
}

/**
 * Reads the predicted rings from an endpoint response: CSV (one value per
 * line, or comma-separated on one line) or JSON (an array, or
 * `{"predictions": [...]}` with numbers or `{score}` objects).
 */
export function parseInvokeResponse(body: string): number[] {
  const text = body.trim();
  if (text.startsWith('[') || text.startsWith('{')) {
    const doc = JSON.parse(text);
    const list: unknown[] = Array.isArray(doc)
      ? doc
      : doc?.predictions ?? doc?.outputs ?? [];
    return list.map(v => {
      if (typeof v === 'number') return v;
      if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
      const o = v as any;
      const n = o?.score ?? o?.predicted_label ?? o?.prediction;
      return typeof n === 'number' ? n : Number(n);
    });
  }
  return text
    .split(/[\n,]/)
    .map(s => s.trim())
    .filter(s => s !== '')
    .map(Number);
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
