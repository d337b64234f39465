import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Link from '@material-ui/core/Link';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useEffect, useState } from 'react';
import {
  mlopsPipelineExecutePermission,
  type PipelineExecution,
} from '@mlops-portal/plugin-mlops-common';
import { useMlopsData } from '../../hooks/useMlopsData';
import { useEntityRef, useMlopsLive } from '../../hooks/useMlopsLive';
import { isActive } from '../PipelineDag/PipelineDagCard';
import { PermissionButton } from '../common/PermissionButton';
import { StatusIndicator } from '../common/StatusIndicator';
import {
  formatDuration,
  formatMetric,
  formatTime,
  shortRef,
} from '../common/format';
import { EXECUTE_DENIED, RunDetailDrawer } from './RunDetailDrawer';
import { TrainNowDialog } from './TrainNowDialog';

export function RunsTable(props: {
  runs: PipelineExecution[];
  onOpen: (executionId: string) => void;
}) {
  return (
    <Table size="small" aria-label="Pipeline runs">
      <TableHead style={{ whiteSpace: 'nowrap' }}>
        <TableRow>
          <TableCell>Run</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Trigger</TableCell>
          <TableCell>By</TableCell>
          <TableCell>Data manifest</TableCell>
          <TableCell>Started</TableCell>
          <TableCell>Duration</TableCell>
          <TableCell>MSE / MAE / R²</TableCell>
          <TableCell>Version</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.runs.map(run => (
          <TableRow
            key={run.executionId}
            hover
            data-testid={`run-row-${run.executionId}`}
          >
            <TableCell>
              <Link
                component="button"
                variant="body2"
                onClick={() => props.onOpen(run.executionId)}
                aria-label={`Open run ${run.executionId}`}
              >
                {run.displayName ?? run.executionId}
              </Link>
            </TableCell>
            <TableCell style={{ whiteSpace: 'nowrap' }}>
              <StatusIndicator status={run.status} />
              {run.currentStep && run.status === 'Executing' && (
                <Typography variant="caption" display="block">
                  {run.currentStep}
                </Typography>
              )}
            </TableCell>
            <TableCell style={{ whiteSpace: 'nowrap' }}>
              {run.trigger}
            </TableCell>
            <TableCell>{shortRef(run.triggeredBy)}</TableCell>
            <TableCell>
              {run.dataManifest ? (
                <span title={run.dataManifest.uri}>
                  {run.dataManifest.manifestId}
                  {run.dataManifest.rowCount !== undefined
                    ? ` (${run.dataManifest.rowCount} rows)`
                    : ''}
                </span>
              ) : (
                '—'
              )}
            </TableCell>
            <TableCell>{formatTime(run.startTime ?? run.createdAt)}</TableCell>
            <TableCell>
              {formatDuration(run.startTime ?? run.createdAt, run.endTime)}
            </TableCell>
            <TableCell>
              {run.metrics
                ? `${formatMetric(run.metrics.mse)} / ${formatMetric(
                    run.metrics.mae,
                  )} / ${formatMetric(run.metrics.r2)}`
                : '—'}
            </TableCell>
            <TableCell>{run.modelVersion ?? '—'}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** Pipeline executions of the entity, "Train now" and the run detail drawer. */
export function RunsCard() {
  const entityRef = useEntityRef();
  const [open, setOpen] = useState<string>();
  const [training, setTraining] = useState(false);
  const { setExecuting } = useMlopsLive();
  const { value, loading, error } = useMlopsData((api, ref) =>
    api.listRuns(ref, { limit: 50 }),
  );
  const anyActive = Boolean(value?.items.some(r => isActive(r.status)));
  // On its own (legacy card) the runs table still needs to poll while a run executes.
  useEffect(() => setExecuting('runs', anyActive), [anyActive, setExecuting]);

  let content;
  if (error) content = <ResponseErrorPanel error={error} />;
  else if (loading && !value) content = <Progress />;
  else if (!value || value.items.length === 0) {
    content = (
      <Typography color="textSecondary">
        No pipeline runs yet. Upload a dataset or press “Train now”.
      </Typography>
    );
  } else {
    // Many columns: scroll sideways on narrow screens rather than squeeze.
    content = (
      <Box overflow="auto">
        <RunsTable runs={value.items} onOpen={setOpen} />
      </Box>
    );
  }

  return (
    <InfoCard title="Pipeline runs">
      <Box display="flex" justifyContent="flex-end" mb={1}>
        <PermissionButton
          permission={mlopsPipelineExecutePermission}
          entityRef={entityRef}
          deniedReason={EXECUTE_DENIED}
          variant="contained"
          color="primary"
          onClick={() => setTraining(true)}
        >
          Train now
        </PermissionButton>
      </Box>
      {content}
      <TrainNowDialog open={training} onClose={() => setTraining(false)} />
      <RunDetailDrawer executionId={open} onClose={() => setOpen(undefined)} />
    </InfoCard>
  );
}
