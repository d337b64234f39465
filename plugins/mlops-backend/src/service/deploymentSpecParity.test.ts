import { SpecError, parseSpec } from '@mlops-portal/ml-core';
import {
  DEPLOYMENT_LIMITS,
  deploymentStrategySchema,
} from '@mlops-portal/plugin-mlops-common';

/**
 * The spec's `deployment` section (ML core, which may not import plugin
 * packages) mirrors -common's `deploymentStrategySchema` (approval
 * overrides). This proves both accept and refuse the same strategies, with
 * boundary cases generated from DEPLOYMENT_LIMITS so a changed limit fails here.
 */

const canary = (value: unknown) => ({
  trafficRouting: {
    type: 'CANARY',
    waitIntervalInSeconds: 60,
    canarySize: { type: 'CAPACITY_PERCENT', value },
  },
});
const linear = (value: unknown) => ({
  trafficRouting: {
    type: 'LINEAR',
    waitIntervalInSeconds: 60,
    linearStepSize: { type: 'CAPACITY_PERCENT', value },
  },
});
const allAtOnce = (extra: Record<string, unknown> = {}) => ({
  trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
  ...extra,
});

/** min − 1, min, max, max + 1 and a fraction inside the range. */
function around(lim: { min: number; max: number }): unknown[] {
  return [lim.min - 1, lim.min, lim.max, lim.max + 1, lim.min + 0.5];
}

const cases: Array<[string, unknown]> = [
  ...around(DEPLOYMENT_LIMITS.canaryPercent).map(
    v => [`canary ${v}`, canary(v)] as [string, unknown],
  ),
  ...around(DEPLOYMENT_LIMITS.linearStepPercent).map(
    v => [`linear ${v}`, linear(v)] as [string, unknown],
  ),
  ...around(DEPLOYMENT_LIMITS.waitIntervalInSeconds).map(
    v =>
      [
        `wait ${v}`,
        { trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: v } },
      ] as [string, unknown],
  ),
  ...around(DEPLOYMENT_LIMITS.terminationWaitInSeconds).map(
    v =>
      [`termination ${v}`, allAtOnce({ terminationWaitInSeconds: v })] as [
        string,
        unknown,
      ],
  ),
  ...around(DEPLOYMENT_LIMITS.maximumExecutionTimeoutInSeconds).map(
    v =>
      [`timeout ${v}`, allAtOnce({ maximumExecutionTimeoutInSeconds: v })] as [
        string,
        unknown,
      ],
  ),
  ...[-0.1, 0, 1, 1.1].map(
    v =>
      [`errorRate ${v}`, allAtOnce({ autoRollback: { errorRate: v } })] as [
        string,
        unknown,
      ],
  ),
  ...[0, 1, 600_000, 600_001].map(
    v =>
      [`p99 ${v}`, allAtOnce({ autoRollback: { p99LatencyMs: v } })] as [
        string,
        unknown,
      ],
  ),
  ...[0, 0.01, 100, 101].map(
    v =>
      [`drift ${v}`, allAtOnce({ autoRollback: { predictionDrift: v } })] as [
        string,
        unknown,
      ],
  ),
  ...[0, 1, 1.5, 1_000_000, 1_000_001].map(
    v =>
      [
        `minInvocations ${v}`,
        allAtOnce({ autoRollback: { minInvocations: v } }),
      ] as [string, unknown],
  ),
  [
    'canary without a size',
    { trafficRouting: { type: 'CANARY', waitIntervalInSeconds: 60 } },
  ],
  [
    'linear without a size',
    { trafficRouting: { type: 'LINEAR', waitIntervalInSeconds: 60 } },
  ],
  [
    'canary with a linear size',
    {
      trafficRouting: {
        ...canary(10).trafficRouting,
        linearStepSize: { type: 'CAPACITY_PERCENT', value: 20 },
      },
    },
  ],
  [
    'all at once with a canary size',
    {
      trafficRouting: {
        type: 'ALL_AT_ONCE',
        waitIntervalInSeconds: 0,
        canarySize: { type: 'CAPACITY_PERCENT', value: 10 },
      },
    },
  ],
  [
    'instance count instead of percent',
    {
      trafficRouting: {
        type: 'CANARY',
        waitIntervalInSeconds: 60,
        canarySize: { type: 'INSTANCE_COUNT', value: 1 },
      },
    },
  ],
  [
    'unknown routing type',
    { trafficRouting: { type: 'SHADOW', waitIntervalInSeconds: 0 } },
  ],
  ['missing wait interval', { trafficRouting: { type: 'ALL_AT_ONCE' } }],
  ['missing traffic routing', {}],
  ['unknown top-level field', allAtOnce({ bakeTime: 3 })],
  ['unknown alarm', allAtOnce({ autoRollback: { cpu: 0.9 } })],
  ['a string number', allAtOnce({ terminationWaitInSeconds: '60' })],
  [
    'the penguins demo strategy',
    {
      ...canary(20),
      autoRollback: {
        errorRate: 0.05,
        p99LatencyMs: 500,
        predictionDrift: 0.5,
        minInvocations: 20,
      },
    },
  ],
];

function specAccepts(deployment: unknown): boolean {
  const spec = {
    apiVersion: 'mlops.io/v1alpha1',
    kind: 'MLSystem',
    metadata: { name: 'parity' },
    spec: {
      dataset: { header: true, target: 'y', task: 'regression' },
      gate: { metric: 'mse', comparison: 'LessThanOrEqualTo', threshold: 1 },
      deployment,
    },
  };
  try {
    // JSON is YAML: no YAML writer needed here.
    parseSpec(JSON.stringify(spec));
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    // Every refusal is about the deployment section, never elsewhere.
    for (const p of (e as SpecError).problems)
      expect(p.path).toMatch(/^spec\.deployment/);
    return false;
  }
}

describe('spec deployment section ⇔ deploymentStrategySchema', () => {
  it.each(cases)('%s: both accept or both refuse', (_name, deployment) => {
    const common = deploymentStrategySchema.safeParse(deployment).success;
    expect(specAccepts(deployment)).toBe(common);
  });

  it('covers both outcomes', () => {
    const outcomes = cases.map(
      ([, d]) => deploymentStrategySchema.safeParse(d).success,
    );
    expect(outcomes.filter(Boolean).length).toBeGreaterThan(10);
    expect(outcomes.filter(o => !o).length).toBeGreaterThan(10);
  });
});
