import type { Config } from '@backstage/config';
import { DEFAULT_DRIFT_THRESHOLDS } from '@mlops-portal/ml-core';
import type { DriftThresholds } from '@mlops-portal/ml-core';
import type { CaptureOptions } from './captureRecorder';

export interface MonitoringSettings {
  /** Capture served predictions (default true). */
  enabled: boolean;
  capture: CaptureOptions;
  drift: DriftThresholds;
}

function positive(
  config: Config,
  key: string,
  fallback: number,
  integer: boolean,
) {
  const v = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new Error(
      `Invalid config: ${key} must be a positive ${
        integer ? 'integer' : 'number'
      }, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/** Reads monitoring config once, at start-up; errors name the key. */
export function readMonitoringSettings(config: Config): MonitoringSettings {
  const drift = { ...DEFAULT_DRIFT_THRESHOLDS };
  for (const key of Object.keys(drift) as Array<keyof DriftThresholds>) {
    const name = `mlops.monitoring.drift.${key}`;
    const v = config.getOptionalNumber(name);
    if (v === undefined) continue;
    if (!Number.isFinite(v) || v < 0) {
      throw new Error(
        `Invalid config: ${name} must be a non-negative number, got ${v}`,
      );
    }
    drift[key] = v;
  }
  if (drift.psiWarn > drift.psiDrift) {
    throw new Error(
      'Invalid config: mlops.monitoring.drift.psiWarn must be ≤ psiDrift',
    );
  }
  if (drift.ksWarn > drift.ksDrift) {
    throw new Error(
      'Invalid config: mlops.monitoring.drift.ksWarn must be ≤ ksDrift',
    );
  }
  const p = 'mlops.local.monitoring';
  const flushIntervalMs =
    positive(config, `${p}.flushIntervalSeconds`, 2, false) * 1000;
  const samplesPerMinute = positive(
    config,
    `${p}.samplesPerMinute`,
    6000,
    true,
  );
  return {
    enabled: config.getOptionalBoolean(`${p}.enabled`) ?? true,
    capture: {
      sampleSize: positive(config, `${p}.sampleSize`, 100_000, true),
      retentionDays: positive(config, `${p}.retentionDays`, 7, false),
      flushIntervalMs,
      samplesPerFlush: Math.max(
        1,
        Math.round((samplesPerMinute * flushIntervalMs) / 60_000),
      ),
    },
    drift,
  };
}
