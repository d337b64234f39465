import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import CloudDoneIcon from '@material-ui/icons/CloudDone';
import { useState } from 'react';
import {
  mlopsModelApprovePermission,
  type ApprovalEvent,
  type ModelApprovalStatus,
  type ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { useMlopsData } from '../../hooks/useMlopsData';
import { useEntityRef, useMlopsLive } from '../../hooks/useMlopsLive';
import { PermissionButton } from '../common/PermissionButton';
import {
  approvalLabel,
  formatMetric,
  formatTime,
  shortRef,
} from '../common/format';
import { ApprovalDialog, type ApprovalDecision } from './ApprovalDialog';

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

export function ModelVersionsTable(props: {
  versions: ModelVersion[];
  entityRef: string;
  onDecide: (version: ModelVersion, decision: ApprovalDecision) => void;
}) {
  return (
    <Table size="small" aria-label="Model versions">
      <TableHead style={{ whiteSpace: 'nowrap' }}>
        <TableRow>
          <TableCell>Version</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>MSE</TableCell>
          <TableCell>MAE</TableCell>
          <TableCell>R²</TableCell>
          <TableCell>Created</TableCell>
          <TableCell>Run</TableCell>
          <TableCell>Deployed</TableCell>
          <TableCell>Decision</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.versions.map(v => (
          <TableRow
            key={v.version}
            data-testid={`model-version-row-${v.version}`}
          >
            <TableCell>{v.version}</TableCell>
            <TableCell>
              <ApprovalStatusChip
                version={v.version}
                status={v.approvalStatus}
              />
            </TableCell>
            <TableCell>{formatMetric(v.metrics?.mse)}</TableCell>
            <TableCell>{formatMetric(v.metrics?.mae)}</TableCell>
            <TableCell>{formatMetric(v.metrics?.r2)}</TableCell>
            <TableCell>{formatTime(v.createdAt)}</TableCell>
            <TableCell>{v.executionId ?? '—'}</TableCell>
            <TableCell>
              {v.deployed ? (
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
              )}
            </TableCell>
            <TableCell>
              <Box display="flex" style={{ gap: 4 }}>
                {v.approvalStatus !== 'Approved' && (
                  <PermissionButton
                    permission={mlopsModelApprovePermission}
                    entityRef={props.entityRef}
                    deniedReason={APPROVE_DENIED}
                    size="small"
                    color="primary"
                    variant="outlined"
                    data-testid={`approve-version-${v.version}`}
                    onClick={() => props.onDecide(v, 'Approved')}
                  >
                    Approve
                  </PermissionButton>
                )}
                {v.approvalStatus !== 'Rejected' && (
                  <PermissionButton
                    permission={mlopsModelApprovePermission}
                    entityRef={props.entityRef}
                    deniedReason={APPROVE_DENIED}
                    size="small"
                    variant="outlined"
                    data-testid={`reject-version-${v.version}`}
                    onClick={() => props.onDecide(v, 'Rejected')}
                  >
                    Reject
                  </PermissionButton>
                )}
              </Box>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** Who decided what, when and why, across every version (newest first). */
export function ApprovalHistory(props: { versions: ModelVersion[] }) {
  const events: Array<ApprovalEvent & { version: number }> = props.versions
    .flatMap(v => v.approvalHistory.map(e => ({ ...e, version: v.version })))
    .sort((a, b) => b.at.localeCompare(a.at));
  if (events.length === 0) {
    return (
      <Typography color="textSecondary">No approval decisions yet.</Typography>
    );
  }
  return (
    <Table size="small" aria-label="Approval history">
      <TableHead>
        <TableRow>
          <TableCell>When</TableCell>
          <TableCell>Version</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Who</TableCell>
          <TableCell>Why</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {events.map((e, i) => (
          <TableRow key={`${e.version}-${e.at}-${i}`}>
            <TableCell>{formatTime(e.at)}</TableCell>
            <TableCell>{e.version}</TableCell>
            <TableCell>{approvalLabel(e.status)}</TableCell>
            <TableCell>{shortRef(e.by)}</TableCell>
            <TableCell>{e.comment ?? '—'}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** Model registry versions with approve/reject and the approval audit trail. */
export function ModelVersionsCard() {
  const api = useApi(mlopsApiRef);
  const alertApi = useApi(alertApiRef);
  const entityRef = useEntityRef();
  const { refresh } = useMlopsLive();
  const [deciding, setDeciding] = useState<{
    version: ModelVersion;
    decision: ApprovalDecision;
  }>();
  const { value, loading, error } = useMlopsData((a, ref) =>
    a.listModelVersions(ref),
  );

  let content;
  if (error) content = <ResponseErrorPanel error={error} />;
  else if (loading && !value) content = <Progress />;
  else if (!value || value.items.length === 0) {
    content = (
      <Typography color="textSecondary">
        No model versions yet. A run whose test MSE passes the quality gate
        registers one.
      </Typography>
    );
  } else {
    content = (
      <>
        <ModelVersionsTable
          versions={value.items}
          entityRef={entityRef}
          onDecide={(version, decision) => setDeciding({ version, decision })}
        />
        <Typography variant="h6" style={{ marginTop: 16 }}>
          Approval history
        </Typography>
        <ApprovalHistory versions={value.items} />
      </>
    );
  }

  return (
    <InfoCard title="Model versions" subheader="Model registry">
      {content}
      <ApprovalDialog
        version={deciding?.version}
        decision={deciding?.decision ?? 'Approved'}
        onClose={() => setDeciding(undefined)}
        onSubmit={async comment => {
          const { version, decision } = deciding!;
          await api.setApproval(entityRef, version.version, {
            status: decision,
            comment,
          });
          alertApi.post({
            message: `Version ${version.version} ${
              decision === 'Approved' ? 'approved' : 'rejected'
            }`,
            severity: 'success',
            display: 'transient',
          });
          refresh();
        }}
      />
    </InfoCard>
  );
}
