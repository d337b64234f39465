import type { ModelVersion } from '@mlops-portal/plugin-mlops-common';
import { deployments, modelVersions } from '../../__fixtures__';
import {
  bestIndex,
  decisionEffect,
  describeEffect,
  errorRate,
  gateVerdict,
  metricDeltas,
  parameterRows,
  pendingVersions,
  servingVersionNumber,
} from './glance';

const classifier = (
  version: number,
  approvalStatus: ModelVersion['approvalStatus'],
  accuracy: number,
  logloss: number,
): ModelVersion => ({
  modelPackageGroupName: 'penguins',
  version,
  modelPackageArn: `local:penguins/${version}`,
  approvalStatus,
  createdAt: '2026-12-07T10:00:00Z',
  task: 'multiclass',
  metrics: { accuracy, logloss },
  hyperparameters: { max_depth: version, eta: 0.3 },
  approvalHistory: [],
  deployed: false,
});

describe('servingVersionNumber', () => {
  it('trusts the endpoint over the registry marker', () => {
    const stale = modelVersions.map(v => ({ ...v, deployed: v.version === 1 }));
    expect(servingVersionNumber(deployments, stale)).toBe(2);
  });
  it('falls back to the current deployment, then the registry', () => {
    expect(
      servingVersionNumber({ ...deployments, endpoint: undefined }, []),
    ).toBe(2);
    expect(servingVersionNumber(undefined, modelVersions)).toBe(2);
    expect(servingVersionNumber({ deployments: [] }, [])).toBeUndefined();
  });
});

describe('decisionEffect', () => {
  const versions = [
    classifier(4, 'PendingManualApproval', 0.97, 0.1),
    classifier(3, 'Approved', 0.95, 0.2),
    classifier(2, 'Approved', 0.93, 0.25),
  ];
  it('names the version an approval replaces (approve-while-another-waits)', () => {
    expect(decisionEffect('Approved', 4, 3, versions)).toEqual({
      kind: 'replaces',
      version: 3,
    });
    expect(decisionEffect('Approved', 4, undefined, versions)).toEqual({
      kind: 'first',
    });
  });
  it('names the version a rejection of the serving one restores', () => {
    const effect = decisionEffect('Rejected', 3, 3, versions);
    expect(effect).toEqual({ kind: 'restores', version: 2 });
    expect(describeEffect('Rejected', 3, effect)).toBe(
      'Rejecting version 3 takes it off the endpoint and restores version 2.',
    );
    expect(decisionEffect('Rejected', 4, 3, versions)).toEqual({
      kind: 'none',
    });
    expect(
      decisionEffect('Rejected', 2, 2, [versions[0], versions[2]]),
    ).toEqual({
      kind: 'clears',
    });
  });
});

describe('metricDeltas', () => {
  it('judges each delta by whether higher is better, gate metric first', () => {
    const rows = metricDeltas(
      { logloss: 0.1, accuracy: 0.97 },
      { logloss: 0.2, accuracy: 0.95 },
      { metric: 'accuracy' },
    );
    expect(rows.map(r => r.metric)).toEqual(['accuracy', 'logloss']);
    expect(rows[0]).toMatchObject({ gate: true, better: true });
    expect(rows[0].delta).toBeCloseTo(0.02);
    // lower logloss is better
    expect(rows[1]).toMatchObject({ better: true });
    expect(metricDeltas({ mse: 5 }, { mse: 4 })[0].better).toBe(false);
    expect(metricDeltas({ mse: 5 }, undefined)[0]).toMatchObject({
      baseline: undefined,
      delta: undefined,
      better: undefined,
    });
  });
});

describe('bestIndex, parameterRows, gateVerdict, errorRate, pendingVersions', () => {
  it('compares by the metric direction', () => {
    expect(bestIndex([0.9, 0.95, undefined], 'accuracy')).toBe(1);
    expect(bestIndex([4.8, 4.6, 5.4], 'mse')).toBe(1);
    expect(bestIndex([undefined], 'mse')).toBeUndefined();
  });
  it('lists differing hyperparameters first', () => {
    const rows = parameterRows([
      classifier(4, 'Approved', 1, 0),
      classifier(3, 'Approved', 1, 0),
    ]);
    expect(rows).toEqual([
      { name: 'max_depth', values: [4, 3], differs: true },
      { name: 'eta', values: [0.3, 0.3], differs: false },
    ]);
  });
  it('gives the gate verdict of any metric', () => {
    const gate = {
      metric: 'accuracy',
      comparison: 'GreaterThanOrEqualTo' as const,
      threshold: 0.9,
    };
    expect(gateVerdict(gate, { accuracy: 0.95 })).toBe(true);
    expect(gateVerdict(gate, { accuracy: 0.8 })).toBe(false);
    expect(gateVerdict(gate, { mse: 1 })).toBeUndefined();
    expect(gateVerdict(undefined, { accuracy: 1 })).toBeUndefined();
  });
  it('computes the error share and the waiting versions', () => {
    expect(
      errorRate({ invocations: 200, errors4xx: 1, errors5xx: 1 }),
    ).toBeCloseTo(0.01);
    expect(
      errorRate({ invocations: 0, errors4xx: 0, errors5xx: 1 }),
    ).toBeUndefined();
    expect(pendingVersions(modelVersions).map(v => v.version)).toEqual([3]);
  });
});
