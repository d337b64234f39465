import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import {
  fourEyesConflict,
  type ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import { useCallback } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useGovernance } from '../../hooks/useMlopsEntityData';

/**
 * Why the signed-in user may not approve a version under the entity's
 * four-eyes rule, or undefined. The backend enforces the rule; this only
 * explains a disabled Approve (so a failed look-up disables nothing).
 */
export function useFourEyes(
  entityRef: string,
): (version: ModelVersion) => string | undefined {
  const identityApi = useApi(identityApiRef);
  // the governance is the entity store's (shared with the metric columns and gate)
  const fourEyes = useGovernance().value?.approval.fourEyes;
  const { value } = useAsync(async () => {
    if (!fourEyes) return undefined;
    const identity = await identityApi.getBackstageIdentity();
    return identity.userEntityRef;
  }, [identityApi, fourEyes, entityRef]);
  return useCallback(
    (version: ModelVersion) =>
      value ? fourEyesConflict(version, value) : undefined,
    [value],
  );
}
