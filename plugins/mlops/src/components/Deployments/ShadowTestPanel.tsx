import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import {
  mlopsModelApprovePermission,
  type ShadowComparison,
  type ShadowTest,
} from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { useMlopsRefresh } from '../../hooks/MlopsEntityDataProvider';
import { useEntityRef } from '../../hooks/useEntityRef';
import { APPROVE_DENIED } from '../ModelVersions/ModelVersionsCard';
import { PermissionButton } from '../common/PermissionButton';
import { formatMetric, formatTime, shortRef } from '../common/format';
import { ConfirmActionDialog, type PendingAction } from './ConfirmActionDialog';
import { VariantsTable } from './RolloutPanel';
import { formatShare } from './rolloutText';

/** How close the candidate's predictions are to the serving version's. */
function Agreement(props: { comparison: ShadowComparison }) {
  const c = props.comparison;
  if (c.agreement !== undefined)
    return (
      <Typography variant="body2" data-testid="shadow-agreement">
        Same class as the serving version on{' '}
        <strong>{formatShare(c.agreement)}</strong> of {c.requests} requests.
      </Typography>
    );
  if (c.meanAbsDifference !== undefined || c.maxAbsDifference !== undefined)
    return (
      <Typography variant="body2" data-testid="shadow-difference">
        |Candidate − serving| over {c.requests} requests: mean{' '}
        <strong>{formatMetric(c.meanAbsDifference)}</strong>, max{' '}
        <strong>{formatMetric(c.maxAbsDifference)}</strong>.
      </Typography>
    );
  return (
    <Typography variant="body2" color="textSecondary">
      No compared predictions yet ({c.requests} requests).
    </Typography>
  );
}

const STATUS_TEXT: Record<ShadowTest['status'], string> = {
  Running: 'running',
  Stopped: 'stopped',
  Promoted: 'promoted',
};

/**
 * A shadow test: the candidate gets a copy of live requests without
 * answering them; its latency, errors and predictions beside the serving
 * version's, with Stop and Promote (the approve dialog) for owners.
 */
export function ShadowTestPanel(props: {
  test: ShadowTest;
  /** Opens the approve dialog for the candidate. */
  onPromote: (version: number) => void;
}) {
  const { test } = props;
  const api = useApi(mlopsApiRef);
  const alertApi = useApi(alertApiRef);
  const entityRef = useEntityRef();
  const refresh = useMlopsRefresh();
  const [pending, setPending] = useState<PendingAction>();
  const [busy, setBusy] = useState(false);
  const running = test.status === 'Running';
  const inFlight = busy ? 'A request is in progress…' : undefined;

  const askStop = () =>
    setPending({
      title: `Stop the shadow test of version ${test.candidateVersion}?`,
      effect:
        'The candidate stops receiving copies of requests; its comparison stays here.',
      confirmLabel: 'Stop',
      run: async () => {
        setBusy(true);
        try {
          await api.stopShadowTest(entityRef);
          alertApi.post({
            message: `Shadow test of version ${test.candidateVersion} stopped`,
            severity: 'success',
            display: 'transient',
          });
          refresh(['deployments']);
        } finally {
          setBusy(false);
        }
      },
    });

  return (
    <Box
      role="region"
      aria-label="Shadow test"
      data-testid="shadow-test-panel"
      data-status={test.status}
      mb={2}
      p={1.5}
      border={1}
      borderColor="divider"
      borderRadius={4}
    >
      <Typography variant="subtitle1" component="h3">
        Shadow test of version {test.candidateVersion}:{' '}
        {STATUS_TEXT[test.status] ?? test.status}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {running
          ? `Version ${test.candidateVersion} gets a copy of ${test.samplePercent} % of requests; version ${test.servingVersion} still answers them.`
          : `Version ${test.candidateVersion} got a copy of ${test.samplePercent} % of requests beside version ${test.servingVersion}.`}{' '}
        Started {formatTime(test.startedAt)}
        {test.startedBy ? ` by ${shortRef(test.startedBy)}` : ''}
        {test.endedAt ? `, ended ${formatTime(test.endedAt)}` : ''}.
      </Typography>
      <Box mt={1}>
        <Agreement comparison={test.comparison} />
      </Box>
      {test.comparison.variants.length > 0 && (
        <Box mt={1}>
          <VariantsTable
            variants={test.comparison.variants}
            label="Serving and candidate on the same requests"
          />
        </Box>
      )}
      {test.status !== 'Promoted' && (
        <Box display="flex" flexWrap="wrap" mt={1} style={{ gap: 8 }}>
          {running && (
            <PermissionButton
              permission={mlopsModelApprovePermission}
              entityRef={entityRef}
              deniedReason={APPROVE_DENIED}
              disabled={busy}
              disabledReason={inFlight}
              size="small"
              variant="outlined"
              data-testid="shadow-stop"
              onClick={askStop}
            >
              Stop
            </PermissionButton>
          )}
          <PermissionButton
            permission={mlopsModelApprovePermission}
            entityRef={entityRef}
            deniedReason={APPROVE_DENIED}
            disabled={busy}
            disabledReason={inFlight}
            size="small"
            variant="contained"
            color="primary"
            data-testid="shadow-promote"
            onClick={() => props.onPromote(test.candidateVersion)}
          >
            Promote version {test.candidateVersion}
          </PermissionButton>
        </Box>
      )}
      <ConfirmActionDialog
        action={pending}
        onClose={() => setPending(undefined)}
      />
    </Box>
  );
}
