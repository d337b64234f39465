import { WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { ANNOTATION_SPEC } from '@mlops-portal/plugin-mlops-common';
import useAsync from 'react-use/esm/useAsync';
import { getSpecProblems, mlopsApiRef } from '../../api/MlopsApi';
import { useEntityRef } from '../../hooks/useEntityRef';

/** Problems listed on the page; the rest are counted. */
const MAX_SHOWN = 20;

/**
 * A compact warning when the entity's ML system spec (`mlops.io/spec`) is
 * invalid (its field problems) or cannot be read. Renders nothing while it
 * loads, when the spec is valid, or when the entity names no spec, so the
 * cards below are never held up by it.
 */
export function SpecStatus() {
  const { entity } = useEntity();
  const entityRef = useEntityRef();
  const api = useApi(mlopsApiRef);
  const source = entity.metadata.annotations?.[ANNOTATION_SPEC]?.trim();
  const state = useAsync(
    async () => (source ? api.getSpec(entityRef) : undefined),
    [api, entityRef, source],
  );
  if (!source || !state.error) return null;
  const problems = getSpecProblems(state.error);
  const message =
    (state.error as { body?: { error?: { message?: string } } }).body?.error
      ?.message ?? state.error.message;
  if (problems) {
    return (
      <Box mb={3}>
        <WarningPanel
          severity="error"
          defaultExpanded
          title={`ML system spec ${source} is invalid`}
          message={
            <>
              <Typography variant="body2">
                Fix these fields in the spec file:
              </Typography>
              <ul aria-label="Spec problems">
                {problems.slice(0, MAX_SHOWN).map((p, i) => (
                  <li key={i}>
                    <code>{p.path || '(file)'}</code>: {p.message}
                  </li>
                ))}
              </ul>
              {problems.length > MAX_SHOWN && (
                <Typography variant="body2">
                  … and {problems.length - MAX_SHOWN} more
                </Typography>
              )}
            </>
          }
        />
      </Box>
    );
  }
  return (
    <Box mb={3}>
      <WarningPanel
        severity="error"
        defaultExpanded
        title={`ML system spec ${source} cannot be read`}
        message={message}
      />
    </Box>
  );
}
