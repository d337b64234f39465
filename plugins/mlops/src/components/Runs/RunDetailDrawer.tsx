import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Drawer from '@material-ui/core/Drawer';
import IconButton from '@material-ui/core/IconButton';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CloseIcon from '@material-ui/icons/Close';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import {
  mlopsPipelineExecutePermission,
  type PipelineExecutionDetail,
  type PipelineStep,
} from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { useMlopsRefresh } from '../../hooks/MlopsEntityDataProvider';
import { useEntityRef } from '../../hooks/useEntityRef';
import { useRun } from '../../hooks/useMlopsEntityData';
import { AsyncContent } from '../common/AsyncContent';
import { MlopsTable, textColumn, type TableColumn } from '../common/MlopsTable';
import { PermissionButton } from '../common/PermissionButton';
import { StatusIndicator } from '../common/StatusIndicator';
import { formatDuration, formatTime, shortRef } from '../common/format';
import { triggerLabel } from '../common/statusLabels';
import { PipelineDag } from '../PipelineDag/PipelineDag';
import { ExecutionWarnings } from '../common/ExecutionWarnings';
import { formatMetrics, metricKeysOf } from '../common/metrics';

const useStyles = makeStyles(theme => ({
  paper: { width: 'min(760px, 100vw)', padding: theme.spacing(2) },
  logs: {
    margin: 0,
    width: '100%',
    maxHeight: 240,
    overflow: 'auto',
    fontSize: 12,
    background: theme.palette.background.default,
    padding: theme.spacing(1),
  },
}));

export const EXECUTE_DENIED =
  'You are not allowed to run pipelines of this entity (only its owners can).';

function StepDetails({ step }: { step: PipelineStep }) {
  const classes = useStyles();
  return (
    <Accordion TransitionProps={{ unmountOnExit: true }}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Typography component="div">
          {step.name} <StatusIndicator status={step.status} />{' '}
          {formatDuration(step.startTime, step.endTime)}
        </Typography>
      </AccordionSummary>
      <AccordionDetails>
        <Box width="100%">
          {step.failureReason && (
            <Alert severity="error">{step.failureReason}</Alert>
          )}
          {step.outputs && Object.keys(step.outputs).length > 0 && (
            <>
              <Typography variant="subtitle2">Outputs</Typography>
              <pre className={classes.logs}>
                {JSON.stringify(step.outputs, null, 2)}
              </pre>
            </>
          )}
          <Typography variant="subtitle2">Logs</Typography>
          {step.logs && step.logs.length > 0 ? (
            <pre className={classes.logs} aria-label={`${step.name} logs`}>
              {step.logs
                .map(l => `${l.time} ${l.level.toUpperCase()} ${l.message}`)
                .join('\n')}
            </pre>
          ) : (
            <Typography variant="body2" color="textSecondary">
              No logs.
            </Typography>
          )}
        </Box>
      </AccordionDetails>
    </Accordion>
  );
}

/** Everything about one execution: parameters, DAG, per-step logs and outputs. */
export function RunDetail(props: { executionId: string }) {
  const run = useRun(props.executionId);
  return (
    <AsyncContent state={run}>
      {value => <RunDetailBody run={value} />}
    </AsyncContent>
  );
}

type Parameter = { name: string; value: string };
const parameterColumns: TableColumn<Parameter>[] = [
  { title: 'Parameter', field: 'name' },
  // A value can be a long URI or a list; it wraps instead of widening the drawer.
  textColumn('Value', p => p.value),
];

function RunDetailBody(props: { run: PipelineExecutionDetail }) {
  const { run } = props;
  const api = useApi(mlopsApiRef);
  const alertApi = useApi(alertApiRef);
  const entityRef = useEntityRef();
  const refresh = useMlopsRefresh();
  const [busy, setBusy] = useState(false);

  const act = async (what: 'retry' | 'stop') => {
    setBusy(true);
    try {
      const res =
        what === 'retry'
          ? await api.retryRun(entityRef, run.executionId)
          : await api.stopRun(entityRef, run.executionId);
      alertApi.post({
        message:
          what === 'retry'
            ? `Retry started as ${res.executionId}`
            : `Stopping ${res.executionId}`,
        severity: 'success',
        display: 'transient',
      });
      refresh(['runs', `run:${run.executionId}`, 'release']);
    } catch (e: any) {
      alertApi.post({
        message: `Could not ${what} the run: ${e.message}`,
        severity: 'error',
      });
    } finally {
      setBusy(false);
    }
  };
  const canRetry = run.status === 'Failed' || run.status === 'Stopped';
  const canStop = run.status === 'Executing';

  return (
    <Box>
      <Typography variant="h5" gutterBottom>
        Run {run.displayName ?? run.executionId}
      </Typography>
      <Typography variant="body2" component="div" gutterBottom>
        <StatusIndicator status={run.status} /> · trigger {triggerLabel(run.trigger)}
        {run.retryOf ? ` (retry of ${run.retryOf})` : ''} · by{' '}
        {shortRef(run.triggeredBy)} · started{' '}
        {formatTime(run.startTime ?? run.createdAt)} · took{' '}
        {formatDuration(run.startTime ?? run.createdAt, run.endTime)}
      </Typography>
      {run.failureReason && (
        <Alert severity="error" data-testid="run-failure-reason">
          {run.failureReason}
        </Alert>
      )}
      <Box display="flex" style={{ gap: 8 }} my={1}>
        <PermissionButton
          permission={mlopsPipelineExecutePermission}
          entityRef={entityRef}
          deniedReason={EXECUTE_DENIED}
          disabledReason="Only failed or stopped runs can be retried."
          variant="outlined"
          color="primary"
          disabled={!canRetry || busy}
          onClick={() => act('retry')}
        >
          Retry
        </PermissionButton>
        <PermissionButton
          permission={mlopsPipelineExecutePermission}
          entityRef={entityRef}
          deniedReason={EXECUTE_DENIED}
          disabledReason="Only an executing run can be stopped."
          variant="outlined"
          disabled={!canStop || busy}
          onClick={() => act('stop')}
        >
          Stop
        </PermissionButton>
      </Box>
      <ExecutionWarnings run={run} />
      <PipelineDag steps={run.steps} />
      <Typography variant="h6">Parameters</Typography>
      <MlopsTable
        label="Run parameters"
        columns={parameterColumns}
        data={Object.entries(run.parameters).map(([name, v]) => ({
          name,
          value: String(v),
        }))}
      />
      {run.metrics && (
        <Typography variant="body2" style={{ marginTop: 8 }}>
          Test metrics:{' '}
          {formatMetrics(
            run.metrics,
            [...metricKeysOf([run]), ...Object.keys(run.metrics)].filter(
              (k, i, all) => all.indexOf(k) === i,
            ),
          )}
          {run.modelVersion !== undefined
            ? ` · registered version ${run.modelVersion}`
            : ''}
        </Typography>
      )}
      {run.dataManifest && (
        <Typography variant="body2">
          Data manifest {run.dataManifest.manifestId}:{' '}
          {run.dataManifest.files.map(f => f.key).join(', ')}
          {run.dataManifest.rowCount !== undefined
            ? ` (${run.dataManifest.rowCount} rows)`
            : ''}
        </Typography>
      )}
      <Typography variant="h6" style={{ marginTop: 16 }}>
        Steps
      </Typography>
      {run.steps.map(s => (
        <StepDetails key={s.name} step={s} />
      ))}
    </Box>
  );
}

export function RunDetailDrawer(props: {
  executionId?: string;
  onClose: () => void;
}) {
  const classes = useStyles();
  return (
    <Drawer
      anchor="right"
      open={Boolean(props.executionId)}
      onClose={props.onClose}
      classes={{ paper: classes.paper }}
    >
      <Box display="flex" justifyContent="flex-end">
        <IconButton aria-label="Close run details" onClick={props.onClose}>
          <CloseIcon />
        </IconButton>
      </Box>
      {props.executionId && <RunDetail executionId={props.executionId} />}
    </Drawer>
  );
}
