import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import {
  fourEyesConflict,
  type ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import { useCallback } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { mlopsApiRef } from '../../api';

/**
 * Why the signed-in user may not approve a version under the entity's
 * four-eyes rule, or undefined. The backend enforces the rule; this only
 * explains a disabled Approve (so a failed look-up disables nothing).
 */
export function useFourEyes(
  entityRef: string,
): (version: ModelVersion) => string | undefined {
  const api = useApi(mlopsApiRef);
  const identityApi = useApi(identityApiRef);
  const { value } = useAsync(async () => {
    const [governance, identity] = await Promise.all([
      api.getGovernance(entityRef),
      identityApi.getBackstageIdentity(),
    ]);
    return governance.approval.fourEyes ? identity.userEntityRef : undefined;
  }, [api, identityApi, entityRef]);
  return useCallback(
    (version: ModelVersion) =>
      value ? fourEyesConflict(version, value) : undefined,
    [value],
  );
}
