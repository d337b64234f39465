import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import type { MlopsGovernance } from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../api';
import { useEntityRef } from './useEntityRef';

/**
 * The entity's quality gate and approval rules. Undefined while loading or
 * when the backend cannot say; views then show metrics without a verdict.
 */
export function useGovernance(): MlopsGovernance | undefined {
  const api = useApi(mlopsApiRef);
  const entityRef = useEntityRef();
  const { value } = useAsync(
    () => api.getGovernance(entityRef),
    [api, entityRef],
  );
  // Older backends answered another shape: no gate metric, no verdict.
  if (!value?.qualityGate?.metric) return undefined;
  return value;
}
