import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Link from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import { useMemo, useState } from 'react';
import {
  mlopsPipelineExecutePermission,
  type PipelineExecution,
} from '@mlops-portal/plugin-mlops-common';
import { withMlopsEntityData } from '../../hooks/MlopsEntityDataProvider';
import { useEntityRef } from '../../hooks/useEntityRef';
import { useRuns, useGovernance } from '../../hooks/useMlopsEntityData';
import { AsyncContent } from '../common/AsyncContent';
import {
  MlopsTable,
  NOWRAP_CELL,
  WRAP_AT_SPACES,
  type TableColumn,
} from '../common/MlopsTable';
import { PermissionButton } from '../common/PermissionButton';
import { StatusIndicator } from '../common/StatusIndicator';
import {
  formatDuration,
  formatMetric,
  formatTime,
  shortRef,
} from '../common/format';
import { metricKeysOf, metricLabel } from '../common/metrics';
import { EXECUTE_DENIED, RunDetailDrawer } from './RunDetailDrawer';
import { TrainNowDialog } from './TrainNowDialog';
import { triggerLabel } from '../common/statusLabels';

const runColumns = (
  onOpen: (executionId: string) => void,
  metricKeys: string[],
): TableColumn<PipelineExecution>[] => [
  {
    title: 'Run',
    cellStyle: WRAP_AT_SPACES,
    render: run => (
      <Link
        component="button"
        variant="body2"
        onClick={() => onOpen(run.executionId)}
        // the accessible name includes the visible text (WCAG 2.5.3)
        aria-label={`Open run ${run.displayName ?? run.executionId}`}
        title={run.executionId}
        style={{ textAlign: 'left' }}
      >
        {run.displayName ?? run.executionId}
      </Link>
    ),
  },
  {
    title: 'Status',
    render: run => (
      <>
        <StatusIndicator status={run.status} />
        {run.currentStep && run.status === 'Executing' && (
          <Typography variant="caption" display="block">
            {run.currentStep}
          </Typography>
        )}
      </>
    ),
  },
  { title: 'Trigger', render: run => triggerLabel(run.trigger) },
  { title: 'By', render: run => shortRef(run.triggeredBy) },
  {
    title: 'Data manifest',
    cellStyle: WRAP_AT_SPACES,
    render: run =>
      run.dataManifest ? (
        // Wraps at the id's hyphens or before the row count, never inside.
        <span title={run.dataManifest.uri}>
          {run.dataManifest.manifestId}
          {run.dataManifest.rowCount !== undefined && (
            <>
              {' '}
              <span style={NOWRAP_CELL}>
                ({run.dataManifest.rowCount} rows)
              </span>
            </>
          )}
        </span>
      ) : (
        '—'
      ),
  },
  {
    title: 'Started',
    render: run => formatTime(run.startTime ?? run.createdAt),
  },
  {
    title: 'Duration',
    render: run => formatDuration(run.startTime ?? run.createdAt, run.endTime),
  },
  {
    // the task's metrics (e.g. MSE / MAE / R², AUC / Accuracy / F1 / Log loss)
    title: metricKeys.length
      ? metricKeys.map(metricLabel).join(' / ')
      : 'Metrics',
    render: run =>
      run.metrics && metricKeys.length
        ? metricKeys.map(k => formatMetric(run.metrics?.[k])).join(' / ')
        : '—',
  },
  { title: 'Version', render: run => run.modelVersion ?? '—' },
];

const runTestId = (run: PipelineExecution) => `run-row-${run.executionId}`;

export function RunsTable(props: {
  runs: PipelineExecution[];
  onOpen: (executionId: string) => void;
}) {
  const { onOpen } = props;
  const governance = useGovernance().value;
  const keys = metricKeysOf(
    props.runs,
    governance?.task,
    governance?.qualityGate,
  );
  const keyList = keys.join(',');
  const columns = useMemo(
    () => runColumns(onOpen, keyList ? keyList.split(',') : []),
    [onOpen, keyList],
  );
  return (
    <MlopsTable
      label="Pipeline runs"
      columns={columns}
      data={props.runs}
      rowTestId={runTestId}
    />
  );
}

/** Pipeline executions of the entity, "Train now" and the run detail drawer. */
export const RunsCard = withMlopsEntityData(function RunsCardContent() {
  const entityRef = useEntityRef();
  const [open, setOpen] = useState<string>();
  const [training, setTraining] = useState(false);
  const runs = useRuns();

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
      <AsyncContent
        state={runs}
        isEmpty={v => v.items.length === 0}
        empty={{
          title: 'No pipeline runs yet',
          description: 'Upload a dataset or press “Train now”.',
        }}
      >
        {value => <RunsTable runs={value.items} onOpen={setOpen} />}
      </AsyncContent>
      <TrainNowDialog open={training} onClose={() => setTraining(false)} />
      <RunDetailDrawer executionId={open} onClose={() => setOpen(undefined)} />
    </InfoCard>
  );
});
