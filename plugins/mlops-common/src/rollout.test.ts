import {
  ALL_AT_ONCE,
  decodeDeploymentMetadata,
  encodeDeploymentMetadata,
  rolloutAlarmNames,
  deploymentStrategySchema,
  resolveDeploymentStrategy,
  trafficSteps,
} from './rollout';
import { approvalRequestSchema } from './schemas';

describe('deployment strategies', () => {
  const canary = {
    trafficRouting: {
      type: 'CANARY' as const,
      waitIntervalInSeconds: 60,
      canarySize: { type: 'CAPACITY_PERCENT' as const, value: 10 },
    },
    autoRollback: { errorRate: 0.05, p99LatencyMs: 200 },
  };

  it('walks the traffic steps of each routing type', () => {
    expect(trafficSteps(ALL_AT_ONCE)).toEqual([100]);
    expect(trafficSteps(canary)).toEqual([10, 100]);
    expect(
      trafficSteps({
        trafficRouting: {
          type: 'LINEAR',
          waitIntervalInSeconds: 5,
          linearStepSize: { type: 'CAPACITY_PERCENT', value: 30 },
        },
      }),
    ).toEqual([30, 60, 90, 100]);
  });

  it('lets an override replace the routing but keep the spec alarms', () => {
    expect(resolveDeploymentStrategy(undefined, undefined)).toEqual(
      ALL_AT_ONCE,
    );
    expect(resolveDeploymentStrategy(canary, undefined)).toBe(canary);
    const now = resolveDeploymentStrategy(canary, ALL_AT_ONCE);
    expect(now.trafficRouting.type).toBe('ALL_AT_ONCE');
    expect(now.autoRollback).toEqual({ errorRate: 0.05, p99LatencyMs: 200 });
  });

  it("refuses SageMaker's out-of-range values, naming the field", () => {
    expect(deploymentStrategySchema.safeParse(canary).success).toBe(true);
    const big = deploymentStrategySchema.safeParse({
      trafficRouting: {
        ...canary.trafficRouting,
        canarySize: { type: 'CAPACITY_PERCENT', value: 60 },
      },
    });
    expect(big.success).toBe(false);
    expect(JSON.stringify(!big.success && big.error.issues)).toContain(
      'canarySize',
    );
    const missing = deploymentStrategySchema.safeParse({
      trafficRouting: { type: 'LINEAR', waitIntervalInSeconds: 5 },
    });
    expect(!missing.success && missing.error.issues[0].path).toEqual([
      'trafficRouting',
      'linearStepSize',
    ]);
    const wait = deploymentStrategySchema.safeParse({
      trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 3601 },
    });
    expect(wait.success).toBe(false);
  });

  it('accepts an override on an approval body', () => {
    const body = approvalRequestSchema.parse({
      status: 'Approved',
      comment: 'canary it',
      deployment: canary,
    });
    expect(body.deployment?.trafficRouting.canarySize?.value).toBe(10);
    expect(
      approvalRequestSchema.safeParse({
        status: 'Approved',
        comment: 'x',
        deployment: { nope: 1 },
      }).success,
    ).toBe(false);
  });
});

describe('the strategy as model package metadata', () => {
  it('round-trips in SageMaker-safe words and refuses what it did not write', () => {
    const canary = {
      trafficRouting: {
        type: 'CANARY' as const,
        waitIntervalInSeconds: 600,
        canarySize: { type: 'CAPACITY_PERCENT' as const, value: 10 },
      },
      terminationWaitInSeconds: 300,
      autoRollback: { errorRate: 0.05, p99LatencyMs: 800 },
    };
    const words = encodeDeploymentMetadata(canary);
    expect(words).toBe(
      'type=CANARY wait=600 canary=10 termination=300 errorRate=0.05 p99LatencyMs=800',
    );
    expect(decodeDeploymentMetadata(words)).toEqual(canary);
    expect(decodeDeploymentMetadata(JSON.stringify(canary))).toEqual(canary);
    expect(decodeDeploymentMetadata(' ')).toBeUndefined();
    expect(() => decodeDeploymentMetadata('type=CANARY wait=soon')).toThrow(
      'wait=soon is not a number',
    );
    expect(() => decodeDeploymentMetadata('__proto__=1')).toThrow(
      /is not one of/,
    );
  });

  it('names the four alarms infra creates', () => {
    expect(rolloutAlarmNames('fraud-endpoint')).toEqual({
      errorRate: 'fraud-endpoint-rollout-errors',
      p99LatencyMs: 'fraud-endpoint-rollout-p99-latency',
      predictionDrift: 'fraud-endpoint-rollout-prediction-drift',
      manual: 'fraud-endpoint-rollout-manual',
    });
  });
});
