import { InfoCard } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import Typography from '@material-ui/core/Typography';
import { useEffect, useRef, useState } from 'react';
import type {
  Deployment,
  DeploymentsResponse,
  ModelVersion,
  Rollout,
} from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import {
  useMlopsRefresh,
  withMlopsEntityData,
} from '../../hooks/MlopsEntityDataProvider';
import { useEntityRef } from '../../hooks/useEntityRef';
import {
  useDeployments,
  useModelVersions,
} from '../../hooks/useMlopsEntityData';
import { ApprovalDialog } from '../ModelVersions/ApprovalDialog';
import { AsyncContent } from '../common/AsyncContent';
import { MlopsTable, textColumn, type TableColumn } from '../common/MlopsTable';
import { StatusIndicator } from '../common/StatusIndicator';
import { formatTime, shortRef } from '../common/format';
import { RolloutOutcome, RolloutPanel } from './RolloutPanel';
import { ShadowTestPanel } from './ShadowTestPanel';
import { isRolloutActive, rolloutHeadline, routingName } from './rolloutText';

const deploymentColumns = (
  rollout: Rollout | undefined,
): TableColumn<Deployment>[] => [
  { title: 'When', render: d => formatTime(d.deployedAt) },
  {
    title: 'Version',
    render: d => `${d.modelVersion}${d.current ? ' (current)' : ''}`,
  },
  {
    title: 'Status',
    render: d =>
      d.rollbackReason ? (
        <span data-testid={`rolled-back-${d.deploymentId}`}>
          <StatusIndicator status="RolledBack" />
        </span>
      ) : (
        <StatusIndicator status={d.status} />
      ),
  },
  { title: 'Who', render: d => shortRef(d.deployedBy) },
  textColumn('Why', d =>
    d.rollbackReason
      ? `${d.reason ? `${d.reason}. ` : ''}Rolled back: ${d.rollbackReason}`
      : d.reason,
  ),
  {
    title: 'Rollout',
    render: d => {
      if (!d.rolloutId) return '—';
      // The response carries the strategy of its latest rollout only.
      const strategy =
        rollout?.rolloutId === d.rolloutId
          ? ` (${routingName(rollout.strategy)})`
          : '';
      return `${d.rolloutId}${strategy}`;
    },
  },
];

/**
 * Tells once, in an alert, when a rollout watched on this page ends (the
 * card keeps its outcome until dismissed).
 */
function useRolloutEndAlert(rollout: Rollout | undefined) {
  const alertApi = useApi(alertApiRef);
  const seenActive = useRef<string>();
  useEffect(() => {
    if (!rollout) return;
    if (isRolloutActive(rollout)) {
      seenActive.current = rollout.rolloutId;
    } else if (seenActive.current === rollout.rolloutId) {
      seenActive.current = undefined;
      alertApi.post({
        message: rolloutHeadline(rollout),
        severity: rollout.status === 'Completed' ? 'success' : 'warning',
        display: 'transient',
      });
    }
  }, [rollout, alertApi]);
}

function DeploymentsView(props: {
  value: DeploymentsResponse;
  onPromote: (version: number) => void;
}) {
  const { endpoint, deployments: history, rollout, shadowTest } = props.value;
  const [dismissed, setDismissed] = useState<string>();
  useRolloutEndAlert(rollout);
  const finished =
    rollout && !isRolloutActive(rollout) && rollout.rolloutId !== dismissed
      ? rollout
      : undefined;
  return (
    <>
      {rollout && isRolloutActive(rollout) && (
        <RolloutPanel rollout={rollout} />
      )}
      {finished && (
        <RolloutOutcome
          rollout={finished}
          onClose={() => setDismissed(finished.rolloutId)}
        />
      )}
      {shadowTest && (
        <ShadowTestPanel test={shadowTest} onPromote={props.onPromote} />
      )}
      {endpoint ? (
        <Typography
          variant="body2"
          component="div"
          data-testid="endpoint-summary"
        >
          Endpoint <strong>{endpoint.endpointName}</strong>:{' '}
          <StatusIndicator status={endpoint.status} />
          {endpoint.modelVersion !== undefined
            ? ` serving version ${endpoint.modelVersion}`
            : ''}
          {endpoint.failureReason ? ` — ${endpoint.failureReason}` : ''}
        </Typography>
      ) : (
        <Typography color="textSecondary">No endpoint right now.</Typography>
      )}
      {history.length > 0 && (
        <MlopsTable
          label="Deployment history"
          columns={deploymentColumns(rollout)}
          data={history}
        />
      )}
    </>
  );
}

/**
 * The endpoint, a rollout or shadow test in progress, and the deployment
 * history (who deployed which version, when, why, what rolled back). The
 * data layer polls while the endpoint changes or a rollout moves.
 */
export const DeploymentsCard = withMlopsEntityData(
  function DeploymentsCardContent() {
    const deployments = useDeployments();
    const versions = useModelVersions();
    const api = useApi(mlopsApiRef);
    const alertApi = useApi(alertApiRef);
    const entityRef = useEntityRef();
    const refresh = useMlopsRefresh();
    const [promoting, setPromoting] = useState<ModelVersion>();
    const [promoteError, setPromoteError] = useState<string>();

    const onPromote = async (version: number) => {
      setPromoteError(undefined);
      try {
        const known = versions.value?.items.find(v => v.version === version);
        setPromoting(known ?? (await api.getModelVersion(entityRef, version)));
      } catch (e: any) {
        setPromoteError(
          `Could not load version ${version}: ${e?.message ?? e}`,
        );
      }
    };

    return (
      <InfoCard title="Deployments">
        <AsyncContent
          state={deployments}
          isEmpty={v =>
            !v.endpoint &&
            v.deployments.length === 0 &&
            !v.rollout &&
            !v.shadowTest
          }
          empty={{
            title: 'Nothing deployed yet',
            description: 'Approve a model version to deploy it.',
          }}
        >
          {value => <DeploymentsView value={value} onPromote={onPromote} />}
        </AsyncContent>
        {promoteError && (
          <Typography color="error" role="alert" variant="body2">
            {promoteError}
          </Typography>
        )}
        <ApprovalDialog
          version={promoting}
          decision="Approved"
          onClose={() => setPromoting(undefined)}
          onSubmit={async (comment, deployment) => {
            const version = promoting!.version;
            await api.setApproval(entityRef, version, {
              status: 'Approved',
              comment,
              ...(deployment ? { deployment } : {}),
            });
            alertApi.post({
              message: `Version ${version} approved`,
              severity: 'success',
              display: 'transient',
            });
            refresh(['versions', 'deployments', 'release']);
          }}
        />
      </InfoCard>
    );
  },
);
