import { useEffect, useRef } from 'react';
import type {
  MonitoringWindow,
  PipelineExecutionDetail,
} from '@mlops-portal/plugin-mlops-common';
import {
  useMlopsEntityStore,
  useMlopsResource,
} from './MlopsEntityDataProvider';
import type { ResourceState } from './mlopsEntityStore';

/** The entity's latest pipeline executions (newest first). */
export const useRuns = () => useMlopsResource('runs');
export const useModelVersions = () => useMlopsResource('versions');
export const useDeployments = () => useMlopsResource('deployments');
export const useRelease = () => useMlopsResource('release');
/** The entity's quality gate, task and approval rules. */
export const useGovernance = () => useMlopsResource('governance');

/** The entity's ML system spec (error: none, not allowed or invalid). */
export const useSystemSpec = () => useMlopsResource('spec');

/** A version's signature (null: it has none); idle while undefined. */
export const useModelSignature = (version: number | undefined) =>
  useMlopsResource(version === undefined ? undefined : `signature:${version}`);

/**
 * The endpoint's traffic and drift over `window`, kept fresh while shown
 * (null: nothing deployed, or the engine has no monitoring).
 */
export function useMonitoring(window: MonitoringWindow) {
  const store = useMlopsEntityStore();
  const key = `monitoring:${window}` as const;
  useEffect(() => store.watch(key), [store, key]);
  return useMlopsResource(key);
}

/** A version's evaluation plots (null: it has none); idle while undefined. */
export const useEvaluationPlots = (version: number | undefined) =>
  useMlopsResource(
    version === undefined ? undefined : `evaluation-plots:${version}`,
  );

/** One execution with its steps; idle while `executionId` is undefined. */
export const useRun = (executionId: string | undefined) =>
  useMlopsResource(executionId ? `run:${executionId}` : undefined);

/**
 * The newest execution with its steps: `null` when the entity has no runs,
 * `undefined` while loading. When a newer run appears, the previous one
 * stays shown until the new one's steps arrive (no spinner flash).
 */
export function useLatestRun(): ResourceState<PipelineExecutionDetail | null> {
  const runs = useRuns();
  const latestId = runs.value?.items[0]?.executionId;
  const detail = useRun(latestId);
  const shown = useRef<PipelineExecutionDetail>();
  if (detail.value) shown.current = detail.value;
  if (runs.value && !latestId) {
    return { value: null, loading: runs.loading, error: runs.error };
  }
  return {
    value: detail.value ?? (detail.error ? undefined : shown.current),
    loading: runs.loading || detail.loading,
    error: runs.error ?? detail.error,
  };
}
