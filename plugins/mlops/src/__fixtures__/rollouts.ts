import type {
  DeploymentStrategy,
  DeploymentsResponse,
  Rollout,
  ShadowTest,
} from '@mlops-portal/plugin-mlops-common';

const endpointName = 'abalone-endpoint';

export const canaryStrategy: DeploymentStrategy = {
  trafficRouting: {
    type: 'CANARY',
    waitIntervalInSeconds: 60,
    canarySize: { type: 'CAPACITY_PERCENT', value: 20 },
  },
  autoRollback: { errorRate: 0.05, p99LatencyMs: 500, minInvocations: 10 },
};

/** Version 3 at 20 % beside version 2, baking; the next shift in 45 s of `now`. */
export function canaryInProgress(now = Date.now()): Rollout {
  return {
    rolloutId: 'rollout-7',
    endpointName,
    strategy: canaryStrategy,
    fromVersion: 2,
    toVersion: 3,
    status: 'InProgress',
    trafficPercent: 20,
    step: 1,
    totalSteps: 2,
    nextStepAt: new Date(now + 45_000).toISOString(),
    startedAt: new Date(now - 15_000).toISOString(),
    startedBy: 'user:default/guest',
    updatedAt: new Date(now).toISOString(),
    alarms: [
      { name: 'errorRate', threshold: 0.05, value: 0.02, state: 'OK' },
      {
        name: 'p99LatencyMs',
        threshold: 500,
        value: 620,
        state: 'ALARM',
      },
    ],
    variants: [
      {
        modelVersion: 2,
        role: 'current',
        weight: 80,
        invocations: 160,
        errors: 1,
        p50LatencyMs: 4,
        p99LatencyMs: 12,
      },
      {
        modelVersion: 3,
        role: 'candidate',
        weight: 20,
        invocations: 40,
        errors: 1,
        p50LatencyMs: 5,
        p99LatencyMs: 620,
      },
    ],
  };
}

export const rolledBack: Rollout = {
  ...canaryInProgress(Date.parse('2026-11-27T10:00:00.000Z')),
  status: 'RolledBack',
  trafficPercent: 0,
  nextStepAt: undefined,
  endedAt: '2026-11-27T10:00:30.000Z',
  reason: 'errorRate 0.35 > 0.05 over 24 invocations',
};

export const completed: Rollout = {
  ...canaryInProgress(Date.parse('2026-11-27T10:00:00.000Z')),
  status: 'Completed',
  trafficPercent: 100,
  step: 2,
  nextStepAt: undefined,
  endedAt: '2026-11-27T10:01:05.000Z',
};

export function shadowTest(
  comparison: Partial<ShadowTest['comparison']> = {},
): ShadowTest {
  return {
    shadowTestId: 'shadow-1',
    endpointName,
    servingVersion: 2,
    candidateVersion: 3,
    status: 'Running',
    samplePercent: 50,
    startedAt: '2026-11-27T09:00:00.000Z',
    startedBy: 'user:default/guest',
    comparison: {
      requests: 120,
      variants: [
        {
          modelVersion: 2,
          role: 'current',
          weight: 100,
          invocations: 120,
          errors: 0,
          p50LatencyMs: 3,
          p99LatencyMs: 9,
        },
        {
          modelVersion: 3,
          role: 'candidate',
          weight: 0,
          invocations: 120,
          errors: 2,
          p50LatencyMs: 4,
          p99LatencyMs: 14,
        },
      ],
      ...comparison,
    },
  };
}

/** GET deployments while version 3 canaries beside version 2. */
export function deploymentsWithRollout(
  rollout: Rollout,
  extra: Partial<DeploymentsResponse> = {},
): DeploymentsResponse {
  return {
    endpoint: {
      endpointName,
      status: rollout.status === 'InProgress' ? 'Updating' : 'InService',
      modelVersion: rollout.status === 'Completed' ? 3 : 2,
    },
    deployments: [
      ...(rollout.status === 'RolledBack'
        ? [
            {
              deploymentId: 'dep-3',
              endpointName,
              modelVersion: 3,
              modelPackageArn: 'arn:pkg/3',
              status: 'Superseded' as const,
              deployedAt: rollout.startedAt,
              deployedBy: 'user:default/guest',
              reason: 'Approved: try the new features',
              current: false,
              rolloutId: rollout.rolloutId,
              rollbackReason: rollout.reason,
            },
          ]
        : []),
      {
        deploymentId: 'dep-2',
        endpointName,
        modelVersion: 2,
        modelPackageArn: 'arn:pkg/2',
        status: 'InService',
        deployedAt: '2026-11-24T12:00:40.000Z',
        deployedBy: 'user:default/guest',
        reason: 'Approved: MSE below gate, residuals look fine',
        current: true,
      },
    ],
    rollout,
    ...extra,
  };
}
