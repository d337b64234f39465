import type { MlopsGovernance } from '@mlops-portal/plugin-mlops-common';
import { useGovernance as useGovernanceResource } from './useMlopsEntityData';

/**
 * The entity's quality gate and approval rules, from the entity's shared
 * store (fetched once for every card). Undefined while loading or when the
 * backend cannot say; views then show metrics without a verdict.
 */
export function useGovernance(): MlopsGovernance | undefined {
  const { value } = useGovernanceResource();
  // Older backends answered another shape: no gate metric, no verdict.
  if (!value?.qualityGate?.metric) return undefined;
  return value;
}
