import { InfoCard } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import CloudDoneIcon from '@material-ui/icons/CloudDone';
import ShowChartIcon from '@material-ui/icons/ShowChart';
import { useCallback, useMemo, useState, type CSSProperties } from 'react';
import {
  mlopsModelApprovePermission,
  type ApprovalEvent,
  type ListResponse,
  type ModelApprovalStatus,
  type ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import {
  useMlopsRefresh,
  withMlopsEntityData,
} from '../../hooks/MlopsEntityDataProvider';
import { useEntityRef } from '../../hooks/useEntityRef';
import {
  useModelVersions,
  useGovernance,
} from '../../hooks/useMlopsEntityData';
import { AsyncContent } from '../common/AsyncContent';
import { MlopsTable, textColumn, type TableColumn } from '../common/MlopsTable';
import { PermissionButton } from '../common/PermissionButton';
import {
  approvalLabel,
  formatMetric,
  formatTime,
  shortRef,
} from '../common/format';
import { useStickyCells, versionColumn } from '../Compare/selection';
import { metricKeysOf, metricLabel } from '../common/metrics';
import { ApprovalDialog, type ApprovalDecision } from './ApprovalDialog';
import { EvaluationPlotsDialog } from './EvaluationPlots';
import { ShadowTestDialog } from './ShadowTestDialog';
import { useFourEyes } from './useFourEyes';
import { useVersionPages } from './useVersionPages';

export const APPROVE_DENIED =
  'You are not allowed to approve or reject versions of this entity (only its owners can).';

const chipColor: Record<
  ModelApprovalStatus,
  'default' | 'primary' | 'secondary'
> = {
  PendingManualApproval: 'default',
  Approved: 'primary',
  Rejected: 'secondary',
};

export function ApprovalStatusChip(props: {
  version: number;
  status: ModelApprovalStatus;
}) {
  return (
    <Chip
      size="small"
      label={approvalLabel(props.status)}
      color={chipColor[props.status]}
      variant={
        props.status === 'PendingManualApproval' ? 'outlined' : 'default'
      }
      data-testid={`approval-status-${props.version}`}
      data-status={props.status}
      title={props.status}
    />
  );
}

const DECISION_VERB = { Approved: 'approve', Rejected: 'reject' } as const;
const DECISION_LABEL = { Approved: 'Approve', Rejected: 'Reject' } as const;

const versionColumns = (
  entityRef: string,
  onDecide: (version: ModelVersion, decision: ApprovalDecision) => void,
  onPlots?: (version: number) => void,
  onShadow?: (version: number) => void,
  approveBlocked: (version: ModelVersion) => string | undefined = () =>
    undefined,
  metricKeys: string[] = [],
  sticky: { left: CSSProperties; right: CSSProperties } = {
    left: {},
    right: {},
  },
): TableColumn<ModelVersion>[] => [
  versionColumn(sticky.left),
  {
    title: 'Status',
    render: v => (
      <ApprovalStatusChip version={v.version} status={v.approvalStatus} />
    ),
  },
  // one column per metric of the task (regression MSE/MAE/R², binary AUC/…)
  ...metricKeys.map(
    (k): TableColumn<ModelVersion> => ({
      title: metricLabel(k),
      render: v => formatMetric(v.metrics?.[k]),
    }),
  ),
  { title: 'Created', render: v => formatTime(v.createdAt) },
  { title: 'Run', render: v => v.executionId ?? '—' },
  {
    title: 'Deployed',
    render: v =>
      v.deployed ? (
        <Box
          display="flex"
          alignItems="center"
          data-testid={`deployed-${v.version}`}
        >
          <CloudDoneIcon fontSize="small" color="primary" aria-hidden />
          &nbsp;Deployed
        </Box>
      ) : (
        ''
      ),
  },
  {
    title: 'Actions',
    cellStyle: sticky.right,
    headerStyle: sticky.right,
    render: v => (
      // One line however narrow the card: the table scrolls instead.
      <Box
        display="flex"
        flexWrap="nowrap"
        alignItems="center"
        style={{ gap: 4 }}
        data-testid={`decisions-${v.version}`}
      >
        <Tooltip title={`Evaluation plots of version ${v.version}`}>
          {/* a disabled button fires no events; the span keeps the tooltip */}
          <span>
            <IconButton
              size="small"
              disabled={!onPlots}
              data-testid={`plots-version-${v.version}`}
              aria-label={`Evaluation plots of version ${v.version}`}
              onClick={() => onPlots?.(v.version)}
            >
              <ShowChartIcon fontSize="small" />
            </IconButton>
          </span>
        </Tooltip>
        {(['Approved', 'Rejected'] as const)
          // An approved version can only be rejected, a rejected one only approved.
          .filter(decision => v.approvalStatus !== decision)
          .map(decision => {
            const blocked =
              decision === 'Approved' ? approveBlocked(v) : undefined;
            return (
              <PermissionButton
                key={decision}
                permission={mlopsModelApprovePermission}
                entityRef={entityRef}
                deniedReason={APPROVE_DENIED}
                disabled={Boolean(blocked)}
                disabledReason={blocked}
                size="small"
                color={decision === 'Approved' ? 'primary' : 'default'}
                variant="outlined"
                data-testid={`${DECISION_VERB[decision]}-version-${v.version}`}
                onClick={() => onDecide(v, decision)}
              >
                {DECISION_LABEL[decision]}
              </PermissionButton>
            );
          })}
        {onShadow && !v.deployed && v.approvalStatus !== 'Rejected' && (
          <PermissionButton
            permission={mlopsModelApprovePermission}
            entityRef={entityRef}
            deniedReason={APPROVE_DENIED}
            size="small"
            variant="outlined"
            data-testid={`shadow-version-${v.version}`}
            aria-label={`Shadow test version ${v.version}`}
            onClick={() => onShadow(v.version)}
          >
            Shadow
          </PermissionButton>
        )}
      </Box>
    ),
  },
];

const versionTestId = (v: ModelVersion) => `model-version-row-${v.version}`;

export function ModelVersionsTable(props: {
  versions: ModelVersion[];
  entityRef: string;
  onDecide: (version: ModelVersion, decision: ApprovalDecision) => void;
  onPlots?: (version: number) => void;
  /** Offers "Shadow" on versions that do not serve (omitted: no shadow tests here). */
  onShadow?: (version: number) => void;
}) {
  const { entityRef, onDecide, onPlots, onShadow } = props;
  const approveBlocked = useFourEyes(entityRef);
  const sticky = useStickyCells();
  const governance = useGovernance().value;
  const keyList = metricKeysOf(
    props.versions,
    governance?.task,
    governance?.qualityGate,
  ).join(',');
  const columns = useMemo(
    () =>
      versionColumns(
        entityRef,
        onDecide,
        onPlots,
        onShadow,
        approveBlocked,
        keyList ? keyList.split(',') : [],
        sticky,
      ),
    [entityRef, onDecide, onPlots, onShadow, approveBlocked, keyList, sticky],
  );
  return (
    <MlopsTable
      label="Model versions"
      columns={columns}
      data={props.versions}
      rowTestId={versionTestId}
    />
  );
}

type HistoryRow = ApprovalEvent & { version: number };
const historyColumns: TableColumn<HistoryRow>[] = [
  { title: 'When', render: e => formatTime(e.at) },
  { title: 'Version', field: 'version' },
  { title: 'Status', render: e => approvalLabel(e.status) },
  { title: 'Who', render: e => shortRef(e.by) },
  textColumn('Why', e => e.comment),
];

/** Who decided what, when and why, across every version (newest first). */
export function ApprovalHistory(props: { versions: ModelVersion[] }) {
  const events: HistoryRow[] = useMemo(
    () =>
      props.versions
        .flatMap(v =>
          v.approvalHistory.map(e => ({ ...e, version: v.version })),
        )
        .sort((a, b) => b.at.localeCompare(a.at)),
    [props.versions],
  );
  if (events.length === 0) {
    return (
      <Typography color="textSecondary">No approval decisions yet.</Typography>
    );
  }
  return (
    <MlopsTable
      label="Approval history"
      columns={historyColumns}
      data={events}
    />
  );
}

/** The versions table over every loaded page, "Load more" for older ones. */
function PagedVersions(props: {
  entityRef: string;
  first: ListResponse<ModelVersion>;
  onDecide: (version: ModelVersion, decision: ApprovalDecision) => void;
  onShadow?: (version: number) => void;
}) {
  const pages = useVersionPages(props.entityRef, props.first);
  const [plotsOf, setPlotsOf] = useState<number>();
  return (
    <>
      <ModelVersionsTable
        versions={pages.items}
        entityRef={props.entityRef}
        onDecide={props.onDecide}
        onPlots={setPlotsOf}
        onShadow={props.onShadow}
      />
      {pages.error && (
        <Typography color="error" variant="body2">
          Could not load older versions: {pages.error.message}
        </Typography>
      )}
      {pages.hasMore && (
        <Box mt={1}>
          <Button
            variant="outlined"
            size="small"
            disabled={pages.loading}
            onClick={pages.loadMore}
            data-testid="model-versions-load-more"
          >
            {pages.loading ? 'Loading…' : 'Load more'}
          </Button>
        </Box>
      )}
      <Typography variant="h6" style={{ marginTop: 16 }}>
        Approval history
      </Typography>
      <ApprovalHistory versions={pages.items} />
      <EvaluationPlotsDialog
        version={plotsOf}
        onClose={() => setPlotsOf(undefined)}
      />
    </>
  );
}

/** Model registry versions with approve/reject and the approval audit trail. */
export const ModelVersionsCard = withMlopsEntityData(
  function ModelVersionsCardContent() {
    const api = useApi(mlopsApiRef);
    const alertApi = useApi(alertApiRef);
    const entityRef = useEntityRef();
    const refresh = useMlopsRefresh();
    const [deciding, setDeciding] = useState<{
      version: ModelVersion;
      decision: ApprovalDecision;
    }>();
    const versions = useModelVersions();
    const [shadowing, setShadowing] = useState<number>();
    const onDecide = useCallback(
      (version: ModelVersion, decision: ApprovalDecision) =>
        setDeciding({ version, decision }),
      [],
    );

    return (
      <InfoCard title="Model versions" subheader="Model registry">
        <AsyncContent
          state={versions}
          isEmpty={v => v.items.length === 0}
          empty={{
            title: 'No model versions yet',
            description:
              'A run whose test metrics pass the quality gate registers one.',
          }}
        >
          {value => (
            <PagedVersions
              entityRef={entityRef}
              first={value}
              onDecide={onDecide}
              onShadow={setShadowing}
            />
          )}
        </AsyncContent>
        <ApprovalDialog
          version={deciding?.version}
          decision={deciding?.decision ?? 'Approved'}
          onClose={() => setDeciding(undefined)}
          onSubmit={async (comment, deployment) => {
            const { version, decision } = deciding!;
            await api.setApproval(entityRef, version.version, {
              status: decision,
              comment,
              ...(deployment ? { deployment } : {}),
            });
            alertApi.post({
              message: `Version ${version.version} ${
                decision === 'Approved' ? 'approved' : 'rejected'
              }`,
              severity: 'success',
              display: 'transient',
            });
            // Approval starts the release's deploy stage.
            refresh(['versions', 'deployments', 'release']);
          }}
        />
        <ShadowTestDialog
          version={shadowing}
          onClose={() => setShadowing(undefined)}
          onSubmit={async request => {
            await api.startShadowTest(entityRef, request);
            alertApi.post({
              message: `Shadow test of version ${request.modelVersion} started`,
              severity: 'success',
              display: 'transient',
            });
            refresh(['deployments']);
          }}
        />
      </InfoCard>
    );
  },
);
