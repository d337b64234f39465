import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import type { MlopsGovernance } from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../api';
import { useEntityRef } from './useEntityRef';

/**
 * The entity's quality gate and task. Views that only label things by it
 * render without it while it loads or when it fails (older backends).
 */
export function useGovernance(): MlopsGovernance | undefined {
  const api = useApi(mlopsApiRef);
  const entityRef = useEntityRef();
  const { value } = useAsync(() => api.getGovernance(entityRef), [api, entityRef]);
  return value;
}
