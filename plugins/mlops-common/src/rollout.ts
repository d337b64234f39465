import { z } from 'zod/v3';

/**
 * Safe rollouts and shadow tests, in SageMaker's vocabulary
 * (`DeploymentConfig.BlueGreenUpdatePolicy`, `TrafficRoutingConfiguration`,
 * `AutoRollbackConfiguration`, `ShadowProductionVariants`), so a spec means
 * the same on the local engine and on SageMaker.
 */

/** SageMaker `TrafficRoutingConfigType`. */
export type TrafficRoutingType = 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR';

/** SageMaker `CapacitySize`; the portal shifts traffic by share (`CAPACITY_PERCENT`). */
export interface CapacitySize {
  type: 'CAPACITY_PERCENT';
  /** 1–100 (canary ≤ 50, linear step 10–50, as SageMaker allows). */
  value: number;
}

/** SageMaker `TrafficRoutingConfig`. */
export interface TrafficRoutingConfiguration {
  type: TrafficRoutingType;
  /** Bake time after each shift (CANARY: after the canary; LINEAR: after each step). 0–3600. */
  waitIntervalInSeconds: number;
  /** CANARY only. */
  canarySize?: CapacitySize;
  /** LINEAR only. */
  linearStepSize?: CapacitySize;
}

/**
 * Thresholds of the alarms that roll a rollout back, judged on the new
 * version's own live traffic over the bake window. Left out: not watched.
 */
export interface RolloutAlarmThresholds {
  /** Share (0–1) of the new version's invocations that failed (5xx). */
  errorRate?: number;
  /** p99 model latency of the new version, milliseconds. */
  p99LatencyMs?: number;
  /**
   * Population stability index of the new version's live predictions
   * against its baseline (the predictions on its own test split).
   */
  predictionDrift?: number;
  /** Invocations the new version must have served before the alarms judge it (default 10). */
  minInvocations?: number;
}

/** A deployment strategy: an ML system's default (spec `deployment`) or an approval's override. */
export interface DeploymentStrategy {
  trafficRouting: TrafficRoutingConfiguration;
  /** Seconds the old version stays ready after all traffic moved (SageMaker `TerminationWaitInSeconds`). 0–3600. */
  terminationWaitInSeconds?: number;
  /** Whole-rollout limit; past it the rollout rolls back. 600–28800 (SageMaker's limits). */
  maximumExecutionTimeoutInSeconds?: number;
  /** Alarms that roll back automatically (SageMaker `AutoRollbackConfiguration`). */
  autoRollback?: RolloutAlarmThresholds;
}

/** Today's behaviour: all traffic at once, nothing watched. */
export const ALL_AT_ONCE: DeploymentStrategy = {
  trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
};

/** SageMaker's limits, one place for both engines, the spec parser and the router. */
export const DEPLOYMENT_LIMITS = {
  waitIntervalInSeconds: { min: 0, max: 3600 },
  terminationWaitInSeconds: { min: 0, max: 3600 },
  maximumExecutionTimeoutInSeconds: { min: 600, max: 28800 },
  canaryPercent: { min: 1, max: 50 },
  linearStepPercent: { min: 10, max: 50 },
} as const;

const capacity = (min: number, max: number) =>
  z
    .object({
      type: z.literal('CAPACITY_PERCENT'),
      value: z
        .number()
        .int('must be a whole percent')
        .min(min, `must be at least ${min} %`)
        .max(max, `must be at most ${max} %`),
    })
    .strict();

const seconds = (lim: { min: number; max: number }) =>
  z
    .number()
    .int('must be whole seconds')
    .min(lim.min, `must be at least ${lim.min} s`)
    .max(lim.max, `must be at most ${lim.max} s`);

/**
 * A strategy as a spec's `deployment` section or an approval body's
 * `deployment` field states it (strict: unknown fields are named errors).
 */
export const deploymentStrategySchema = z
  .object({
    trafficRouting: z
      .object({
        type: z.enum(['ALL_AT_ONCE', 'CANARY', 'LINEAR']),
        waitIntervalInSeconds: seconds(DEPLOYMENT_LIMITS.waitIntervalInSeconds),
        canarySize: capacity(
          DEPLOYMENT_LIMITS.canaryPercent.min,
          DEPLOYMENT_LIMITS.canaryPercent.max,
        ).optional(),
        linearStepSize: capacity(
          DEPLOYMENT_LIMITS.linearStepPercent.min,
          DEPLOYMENT_LIMITS.linearStepPercent.max,
        ).optional(),
      })
      .strict()
      .superRefine((t, ctx) => {
        const need = (field: 'canarySize' | 'linearStepSize', when: string) => {
          if (t.type === when && !t[field])
            ctx.addIssue({
              code: 'custom',
              path: [field],
              message: `is required for ${when}`,
            });
          if (t.type !== when && t[field])
            ctx.addIssue({
              code: 'custom',
              path: [field],
              message: `applies to ${when} only`,
            });
        };
        need('canarySize', 'CANARY');
        need('linearStepSize', 'LINEAR');
      }),
    terminationWaitInSeconds: seconds(
      DEPLOYMENT_LIMITS.terminationWaitInSeconds,
    ).optional(),
    maximumExecutionTimeoutInSeconds: seconds(
      DEPLOYMENT_LIMITS.maximumExecutionTimeoutInSeconds,
    ).optional(),
    autoRollback: z
      .object({
        errorRate: z.number().min(0).max(1).optional(),
        p99LatencyMs: z.number().positive().max(600_000).optional(),
        predictionDrift: z.number().positive().max(100).optional(),
        minInvocations: z.number().int().min(1).max(1_000_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * The strategy a deployment uses: the approval's override, else the
 * system's spec default, else all at once. An override replaces the whole
 * traffic routing but keeps the spec's alarms unless it names its own, so a
 * one-off "canary this time" still rolls back on the team's thresholds.
 */
export function resolveDeploymentStrategy(
  specDefault: DeploymentStrategy | undefined,
  override: DeploymentStrategy | undefined,
): DeploymentStrategy {
  if (!override) return specDefault ?? ALL_AT_ONCE;
  return {
    ...specDefault,
    ...override,
    autoRollback: override.autoRollback ?? specDefault?.autoRollback,
  };
}

/**
 * The traffic shares (percent to the new version, in order) a strategy
 * moves through; the last is always 100. CANARY 10 → [10, 100];
 * LINEAR 30 → [30, 60, 90, 100]; ALL_AT_ONCE → [100].
 */
export function trafficSteps(strategy: DeploymentStrategy): number[] {
  const t = strategy.trafficRouting;
  if (t.type === 'CANARY' && t.canarySize) return [t.canarySize.value, 100];
  if (t.type === 'LINEAR' && t.linearStepSize) {
    const steps: number[] = [];
    for (let p = t.linearStepSize.value; p < 100; p += t.linearStepSize.value)
      steps.push(p);
    return [...steps, 100];
  }
  return [100];
}

/** One alarm of a rollout, as last evaluated (CloudWatch's alarm states). */
export interface RolloutAlarm {
  name: 'errorRate' | 'p99LatencyMs' | 'predictionDrift' | 'manual';
  threshold?: number;
  /** The value last measured on the new version's traffic. */
  value?: number;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
}

/** Live numbers of one side of a rollout or shadow test over its window. */
export interface VariantTraffic {
  modelVersion: number;
  role: 'current' | 'candidate';
  /** Share of traffic (percent) it is given now; a shadow candidate answers nobody (0). */
  weight: number;
  invocations: number;
  errors: number;
  p50LatencyMs?: number;
  p99LatencyMs?: number;
}

/**
 * SageMaker-style statuses. `InProgress`: shifting or baking; `Paused`: an
 * owner held it (local engine only); `Completed`: the new version serves all
 * traffic; `RolledBack`: an alarm, the time limit or an owner sent all traffic
 * back; `Failed`: it could not finish nor roll back cleanly (see reason).
 */
export type RolloutStatus =
  | 'InProgress'
  | 'Paused'
  | 'Completed'
  | 'RollingBack'
  | 'RolledBack'
  | 'Failed';

/** A blue/green rollout of a new version on an entity's endpoint. */
export interface Rollout {
  rolloutId: string;
  endpointName: string;
  strategy: DeploymentStrategy;
  /** The version serving before (blue); undefined when the endpoint served nothing. */
  fromVersion?: number;
  /** The version being rolled out (green). */
  toVersion: number;
  status: RolloutStatus;
  /** Percent of traffic the new version receives now. */
  trafficPercent: number;
  /** 1-based index into `trafficSteps(strategy)`. */
  step: number;
  totalSteps: number;
  /** When the next shift (or completion) is due; absent when paused or ended. */
  nextStepAt?: string;
  startedAt: string;
  startedBy?: string;
  updatedAt: string;
  endedAt?: string;
  alarms: RolloutAlarm[];
  /** Why it rolled back or failed, e.g. `errorRate 0.35 > 0.05 over 24 invocations`. */
  reason?: string;
  /** The two versions' traffic since the rollout started. */
  variants?: VariantTraffic[];
}

/** Owner actions on a rollout. Engines that cannot do one answer 409/501 naming it. */
export type RolloutAction = 'pause' | 'resume' | 'rollback' | 'promote';

export const rolloutActionBodySchema = z
  .object({ comment: z.string().max(1000).optional() })
  .strict();

/** A candidate version receiving a copy of live requests without answering them. */
export interface ShadowTest {
  shadowTestId: string;
  endpointName: string;
  /** The version that answers. */
  servingVersion: number;
  /** The version that gets the copies. */
  candidateVersion: number;
  status: 'Running' | 'Stopped' | 'Promoted';
  /** Share (1–100) of live requests copied to the candidate. */
  samplePercent: number;
  startedAt: string;
  startedBy?: string;
  endedAt?: string;
  /** Why it ended when the engine ended it (e.g. the candidate could not be loaded after a restart). */
  reason?: string;
  comparison: ShadowComparison;
}

/** Serving vs candidate on the same requests. */
export interface ShadowComparison {
  /** Requests both answered (or the candidate failed). */
  requests: number;
  variants: VariantTraffic[];
  /** Classification: share of rows where both predicted the same class. */
  agreement?: number;
  /** Regression: mean and max |candidate − serving| of the predicted value. */
  meanAbsDifference?: number;
  maxAbsDifference?: number;
}

export const startShadowTestBodySchema = z
  .object({
    modelVersion: z.number().int().positive(),
    samplePercent: z.number().int().min(1).max(100).default(100),
    comment: z.string().max(1000).optional(),
  })
  .strict();

/**
 * The CloudWatch alarms infra creates per endpoint and lists in its
 * `AutoRollbackConfiguration` (the aws engine reads and sets them by name).
 * `manual` watches a metric nothing publishes: setting it to ALARM is how a
 * person rolls a SageMaker blue/green update back.
 */
export const ROLLOUT_ALARM_SUFFIXES: Record<RolloutAlarm['name'], string> = {
  errorRate: '-rollout-errors',
  p99LatencyMs: '-rollout-p99-latency',
  predictionDrift: '-rollout-prediction-drift',
  manual: '-rollout-manual',
};

export function rolloutAlarmNames(
  endpointName: string,
): Record<RolloutAlarm['name'], string> {
  const names = {} as Record<RolloutAlarm['name'], string>;
  for (const [name, suffix] of Object.entries(ROLLOUT_ALARM_SUFFIXES))
    names[name as RolloutAlarm['name']] = `${endpointName}${suffix}`;
  return names;
}

/** Model package metadata key holding an approval's strategy override (the Deploy stage reads it). */
export const DEPLOYMENT_METADATA_KEY = 'mlops:deployment';
/** SageMaker's CustomerMetadataValue limit. */
const METADATA_VALUE_MAX = 256;

/**
 * The words of a strategy as model package metadata. SageMaker's
 * CustomerMetadataValue allows only letters, digits, spaces and `_.:/=+-@`
 * (no JSON braces or quotes) and 256 characters, so the strategy is written as
 * space-separated pairs: `type=CANARY wait=600 canary=10 termination=300
 * timeout=3600 errorRate=0.05 p99LatencyMs=800 predictionDrift=0.2
 * minInvocations=10`.
 */
const METADATA_WORDS: Record<
  string,
  {
    get(s: DeploymentStrategy): number | string | undefined;
    set(s: DeploymentStrategy, v: string): void;
  }
> = {
  type: {
    get: s => s.trafficRouting.type,
    set: (s, v) => (s.trafficRouting.type = v as TrafficRoutingType),
  },
  wait: {
    get: s => s.trafficRouting.waitIntervalInSeconds,
    set: (s, v) => (s.trafficRouting.waitIntervalInSeconds = Number(v)),
  },
  canary: {
    get: s => s.trafficRouting.canarySize?.value,
    set: (s, v) =>
      (s.trafficRouting.canarySize = {
        type: 'CAPACITY_PERCENT',
        value: Number(v),
      }),
  },
  linear: {
    get: s => s.trafficRouting.linearStepSize?.value,
    set: (s, v) =>
      (s.trafficRouting.linearStepSize = {
        type: 'CAPACITY_PERCENT',
        value: Number(v),
      }),
  },
  termination: {
    get: s => s.terminationWaitInSeconds,
    set: (s, v) => (s.terminationWaitInSeconds = Number(v)),
  },
  timeout: {
    get: s => s.maximumExecutionTimeoutInSeconds,
    set: (s, v) => (s.maximumExecutionTimeoutInSeconds = Number(v)),
  },
  ...Object.fromEntries(
    (
      [
        'errorRate',
        'p99LatencyMs',
        'predictionDrift',
        'minInvocations',
      ] as const
    ).map(k => [
      k,
      {
        get: (s: DeploymentStrategy) => s.autoRollback?.[k],
        set: (s: DeploymentStrategy, v: string) =>
          ((s.autoRollback ??= {})[k] = Number(v)),
      },
    ]),
  ),
};

/** A strategy as model package metadata; throws when SageMaker could not store it. */
export function encodeDeploymentMetadata(s: DeploymentStrategy): string {
  const text = Object.entries(METADATA_WORDS)
    .map(([word, w]) => [word, w.get(s)] as const)
    .filter(([, v]) => v !== undefined)
    .map(([word, v]) => `${word}=${v}`)
    .join(' ');
  if (text.length > METADATA_VALUE_MAX) {
    throw new Error(
      `deployment: the strategy takes ${text.length} characters as model package metadata ${DEPLOYMENT_METADATA_KEY}; SageMaker allows ${METADATA_VALUE_MAX} (shorten the numbers)`,
    );
  }
  if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(text)) {
    throw new Error(
      `deployment: the strategy cannot be written as model package metadata ${DEPLOYMENT_METADATA_KEY}`,
    );
  }
  return text;
}

/**
 * The strategy object a metadata value states, not yet checked (validate it
 * with `deploymentStrategySchema`); plain JSON is read too. Undefined for no
 * value. Throws naming a word it does not know or a value that is not a
 * number, so a mistyped override never deploys as the spec's default.
 */
export function decodeDeploymentMetadata(
  value: string | undefined,
): unknown | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${DEPLOYMENT_METADATA_KEY}: not valid JSON`);
    }
  }
  const strategy = { trafficRouting: {} } as DeploymentStrategy;
  for (const pair of text.split(/\s+/)) {
    const i = pair.indexOf('=');
    const word = i > 0 ? pair.slice(0, i) : pair;
    const w = Object.prototype.hasOwnProperty.call(METADATA_WORDS, word)
      ? METADATA_WORDS[word]
      : undefined;
    if (i <= 0 || !w)
      throw new Error(
        `${DEPLOYMENT_METADATA_KEY}: ${JSON.stringify(
          pair.slice(0, 40),
        )} is not one of ${Object.keys(METADATA_WORDS)
          .map(k => `${k}=…`)
          .join(', ')}`,
      );
    const v = pair.slice(i + 1);
    if (word !== 'type' && (v === '' || !Number.isFinite(Number(v))))
      throw new Error(
        `${DEPLOYMENT_METADATA_KEY}: ${word}=${v.slice(0, 20)} is not a number`,
      );
    w.set(strategy, v);
  }
  return strategy;
}
