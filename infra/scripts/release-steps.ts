/**
 * What the release pipeline's ML and Deploy CodeBuild stages run (through
 * run-ml-pipeline.ts / deploy-model.ts). Kept as functions taking an SDK
 * client so tests drive them with aws-sdk-client-mock.
 */
import {
  DescribeModelPackageCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  PipelineExecutionStep,
  SageMakerClient,
  StartPipelineExecutionCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import {
  deploymentOverrideContextKey,
  parseDeploymentOverride,
} from '../lib/rollout';
// The override's metadata words: one codec, the portal's (the aws engine writes with it).
import {
  DEPLOYMENT_METADATA_KEY,
  decodeDeploymentMetadata,
} from '../../plugins/mlops-common/src/rollout';

export { DEPLOYMENT_METADATA_KEY, decodeDeploymentMetadata };

export interface RunPipelineOptions {
  pipelineName: string;
  /** Pipeline parameters to override (InputDataUrl from the data manifest, …). */
  parameters?: Record<string, string>;
  pollSeconds?: number;
  timeoutMinutes?: number;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
}

export interface PipelineRunResult {
  executionArn: string;
  status: string;
  modelPackageArn: string;
  mse?: string;
}

export class GateError extends Error {}

const defaultSleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));
const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped']);

/** Reads InputDataUrl from a data manifest written by the manifest writer. */
export function inputDataUrlFromManifest(
  text: string,
  file = 'manifest.json',
): string {
  let manifest: { inputDataUrl?: unknown; files?: unknown };
  try {
    manifest = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const url = manifest.inputDataUrl;
  if (typeof url !== 'string' || !/^s3:\/\/[a-z0-9.-]{3,63}\/.*/.test(url)) {
    throw new Error(
      `${file}: inputDataUrl must be an s3:// URL, got ${JSON.stringify(url)}`,
    );
  }
  if (!Array.isArray(manifest.files) || manifest.files.length === 0) {
    throw new Error(
      `${file}: files is empty; the data bucket holds no data under ${url}`,
    );
  }
  return url;
}

async function listSteps(
  sm: SageMakerClient,
  executionArn: string,
): Promise<PipelineExecutionStep[]> {
  const steps: PipelineExecutionStep[] = [];
  let token: string | undefined;
  do {
    const page = await sm.send(
      new ListPipelineExecutionStepsCommand({
        PipelineExecutionArn: executionArn,
        NextToken: token,
      }),
    );
    steps.push(...(page.PipelineExecutionSteps ?? []));
    token = page.NextToken;
  } while (token);
  return steps;
}

/**
 * Starts the SageMaker pipeline, waits for it, and fails unless the quality
 * gate (the Condition step, Check<metric>) passed and a model package was
 * registered.
 */
export async function runPipeline(
  sm: SageMakerClient,
  options: RunPipelineOptions,
): Promise<PipelineRunResult> {
  const sleep = options.sleep ?? defaultSleep;
  const log = options.log ?? (line => console.log(line));
  const pollMs = (options.pollSeconds ?? 30) * 1000;
  const deadline = Date.now() + (options.timeoutMinutes ?? 120) * 60_000;

  const started = await sm.send(
    new StartPipelineExecutionCommand({
      PipelineName: options.pipelineName,
      PipelineParameters: Object.entries(options.parameters ?? {}).map(
        ([Name, Value]) => ({ Name, Value }),
      ),
      PipelineExecutionDescription: 'Started by the release pipeline',
    }),
  );
  const executionArn = started.PipelineExecutionArn;
  if (!executionArn)
    throw new Error('StartPipelineExecution returned no PipelineExecutionArn');
  log(`started ${executionArn}`);

  let status = 'Executing';
  let failureReason: string | undefined;
  for (;;) {
    const d = await sm.send(
      new DescribePipelineExecutionCommand({
        PipelineExecutionArn: executionArn,
      }),
    );
    status = d.PipelineExecutionStatus ?? 'Executing';
    failureReason = d.FailureReason;
    if (TERMINAL.has(status)) break;
    if (Date.now() > deadline)
      throw new Error(
        `pipeline execution ${executionArn} still ${status} after ${
          options.timeoutMinutes ?? 120
        } minutes`,
      );
    log(`status ${status}`);
    await sleep(pollMs);
  }

  const steps = await listSteps(sm, executionArn);
  for (const s of steps)
    log(
      `step ${s.StepName}: ${s.StepStatus}${
        s.FailureReason ? ` (${s.FailureReason})` : ''
      }`,
    );
  const check = steps.find(s => s.Metadata?.Condition !== undefined);
  const outcome = check?.Metadata?.Condition?.Outcome;
  const register = steps.find(s => s.StepName === 'Register');
  const modelPackageArn = register?.Metadata?.RegisterModel?.Arn;

  if (outcome === 'False') {
    throw new GateError(
      `quality gate failed: ${
        check!.StepName
      } evaluated false (the spec's threshold was not met); no model registered. ${
        failureReason ?? ''
      }`.trim(),
    );
  }
  if (status !== 'Succeeded') {
    const failed = steps
      .filter(s => s.StepStatus === 'Failed')
      .map(s => s.StepName);
    throw new Error(
      `pipeline execution ${status}: ${failureReason ?? 'no reason given'}${
        failed.length ? ` (failed steps: ${failed.join(', ')})` : ''
      }`,
    );
  }
  if (!modelPackageArn)
    throw new GateError('pipeline succeeded but registered no model package');
  log(`registered ${modelPackageArn}`);
  return { executionArn, status, modelPackageArn };
}

export interface ApproveOptions {
  modelPackageArn: string;
  /** Who/what approved, recorded as the package's ApprovalDescription. */
  approvedBy: string;
  log?: (line: string) => void;
}

/**
 * Makes sure the version the release approved is Approved in the registry:
 * a pending version is approved (the manual approval stage was the human
 * decision); a rejected one stops the deploy.
 */
export async function ensureApproved(
  sm: SageMakerClient,
  options: ApproveOptions,
): Promise<'Approved' | 'ApprovedNow'> {
  const log = options.log ?? (line => console.log(line));
  const d = await sm.send(
    new DescribeModelPackageCommand({
      ModelPackageName: options.modelPackageArn,
    }),
  );
  switch (d.ModelApprovalStatus) {
    case 'Approved':
      log(`${options.modelPackageArn} already Approved`);
      return 'Approved';
    case 'PendingManualApproval':
      await sm.send(
        new UpdateModelPackageCommand({
          ModelPackageArn: options.modelPackageArn,
          ModelApprovalStatus: 'Approved',
          ApprovalDescription: options.approvedBy,
        }),
      );
      log(`${options.modelPackageArn} approved (${options.approvedBy})`);
      return 'ApprovedNow';
    default:
      throw new Error(
        `${options.modelPackageArn} is ${
          d.ModelApprovalStatus ?? 'in an unknown state'
        }; refusing to deploy it`,
      );
  }
}

/**
 * The rollout override an owner chose when approving this version (the
 * package's CustomerMetadataProperties['mlops:deployment'] in the aws
 * engine's words, see decodeDeploymentMetadata), checked with the
 * portal's schema; an invalid one stops the deploy naming the field.
 * Undefined when there is none (the spec's default applies). Returns the JSON
 * the serving stack reads from context.
 */
export async function readDeploymentOverride(
  sm: SageMakerClient,
  modelPackageArn: string,
  log: (line: string) => void = line => console.log(line),
): Promise<string | undefined> {
  const d = await sm.send(
    new DescribeModelPackageCommand({ ModelPackageName: modelPackageArn }),
  );
  const strategy = parseDeploymentOverride(
    decodeDeploymentMetadata(
      d.CustomerMetadataProperties?.[DEPLOYMENT_METADATA_KEY],
    ),
    DEPLOYMENT_METADATA_KEY,
  );
  if (!strategy) {
    log(
      `${modelPackageArn}: no ${DEPLOYMENT_METADATA_KEY}; the spec's strategy applies`,
    );
    return undefined;
  }
  log(
    `${modelPackageArn}: approved with a ${strategy.trafficRouting.type} override (${DEPLOYMENT_METADATA_KEY})`,
  );
  return JSON.stringify(strategy);
}

export interface CdkDeployOptions {
  servingStack: string;
  /** Stacks deployed with it (e.g. hosting). */
  extraStacks?: string[];
  modelPackageArn: string;
  /** The checked override's JSON (readDeploymentOverride); absent: the spec's strategy. */
  deploymentOverride?: string;
}

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * The `cdk deploy` arguments of the Deploy stage: the serving stack with the
 * approved package, and the override in the context key that stack reads.
 */
export function cdkDeployArgs(o: CdkDeployOptions): string[] {
  const extra = o.extraStacks ?? [];
  for (const name of [o.servingStack, ...extra])
    if (!STACK_NAME.test(name))
      throw new Error(
        `SERVING_STACK / DEPLOY_STACKS: ${JSON.stringify(
          name.slice(0, 64),
        )} is not a stack name`,
      );
  return [
    'cdk',
    'deploy',
    o.servingStack,
    ...extra,
    '--exclusively',
    '--require-approval',
    'never',
    '--parameters',
    `${o.servingStack}:ModelPackageArn=${o.modelPackageArn}`,
    '--outputs-file',
    'cdk-outputs.json',
    ...(o.deploymentOverride
      ? [
          '--context',
          `${deploymentOverrideContextKey(o.servingStack)}=${
            o.deploymentOverride
          }`,
        ]
      : []),
  ];
}
