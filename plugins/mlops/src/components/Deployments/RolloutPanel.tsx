import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import {
  mlopsModelApprovePermission,
  type Rollout,
  type RolloutAction,
  type VariantTraffic,
} from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { useMlopsRefresh } from '../../hooks/MlopsEntityDataProvider';
import { useEntityRef } from '../../hooks/useEntityRef';
import { APPROVE_DENIED } from '../ModelVersions/ModelVersionsCard';
import { PermissionButton } from '../common/PermissionButton';
import { formatTime, shortRef } from '../common/format';
import { statusLabel } from '../common/statusLabels';
import { ConfirmActionDialog, type PendingAction } from './ConfirmActionDialog';
import {
  alarmName,
  alarmReading,
  alarmStateLabel,
  countdown,
  describeStrategy,
  routingName,
} from './rolloutText';

const useStyles = makeStyles(theme => ({
  panel: {
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(1.5),
    marginBottom: theme.spacing(2),
  },
  bar: { height: 12, borderRadius: 6, margin: theme.spacing(0.5, 0) },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1),
  },
}));

/** Seconds to the next shift, ticking once a second while one is due. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

// Six numeric columns in a half-width card: no wrapping inside a word.
const useVariantStyles = makeStyles({
  table: {
    '& th, & td': { whiteSpace: 'nowrap', paddingLeft: 6, paddingRight: 6 },
  },
});

/** Invocations, errors and latency of each side, as a small table. */
export function VariantsTable(props: {
  variants: VariantTraffic[];
  label: string;
  showShare?: boolean;
}) {
  const classes = useVariantStyles();
  return (
    <Table size="small" aria-label={props.label} className={classes.table}>
      <TableHead>
        <TableRow>
          <TableCell>Version</TableCell>
          {props.showShare && <TableCell align="right">Traffic</TableCell>}
          <TableCell align="right">Requests</TableCell>
          <TableCell align="right">Errors</TableCell>
          <TableCell align="right">p50</TableCell>
          <TableCell align="right">p99</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.variants.map(v => (
          <TableRow
            key={`${v.role}-${v.modelVersion}`}
            data-testid={`variant-${v.modelVersion}`}
          >
            <TableCell>
              v{v.modelVersion} ({v.role === 'current' ? 'serving' : 'new'})
            </TableCell>
            {props.showShare && (
              <TableCell align="right">{v.weight} %</TableCell>
            )}
            <TableCell align="right">{v.invocations}</TableCell>
            <TableCell align="right">{v.errors}</TableCell>
            <TableCell align="right">
              {v.p50LatencyMs === undefined ? '—' : `${v.p50LatencyMs} ms`}
            </TableCell>
            <TableCell align="right">
              {v.p99LatencyMs === undefined ? '—' : `${v.p99LatencyMs} ms`}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

const ACTIONS: Record<
  RolloutAction,
  {
    label: string;
    title: (r: Rollout) => string;
    effect: (r: Rollout) => string;
    done: string;
  }
> = {
  pause: {
    label: 'Pause',
    title: r => `Pause the rollout of version ${r.toVersion}?`,
    effect: r =>
      `Traffic stays at ${r.trafficPercent} % to version ${r.toVersion} until someone resumes, rolls back or promotes it.`,
    done: 'Rollout paused',
  },
  resume: {
    label: 'Resume',
    title: r => `Resume the rollout of version ${r.toVersion}?`,
    effect: () =>
      'The rollout continues with its next step; the alarms keep watching.',
    done: 'Rollout resumed',
  },
  rollback: {
    label: 'Roll back',
    title: r => `Roll back version ${r.toVersion}?`,
    effect: r =>
      r.fromVersion === undefined
        ? `All traffic leaves version ${r.toVersion}.`
        : `All traffic goes back to version ${r.fromVersion}; version ${r.toVersion} stops serving.`,
    done: 'Rolling back',
  },
  promote: {
    label: 'Promote now',
    title: r => `Promote version ${r.toVersion} now?`,
    effect: r =>
      `All traffic moves to version ${r.toVersion} now, skipping the remaining steps and bake time.`,
    done: 'Promoted',
  },
};

function actionsFor(rollout: Rollout): RolloutAction[] {
  if (rollout.status === 'InProgress') return ['pause', 'rollback', 'promote'];
  if (rollout.status === 'Paused') return ['resume', 'rollback', 'promote'];
  return [];
}

/**
 * A rollout in progress: both versions and the split (bar and words), the
 * step and the time to the next shift, each alarm's reading, the variants'
 * traffic, and the owners' Pause / Resume / Roll back / Promote now.
 */
export function RolloutPanel(props: { rollout: Rollout }) {
  const { rollout } = props;
  const classes = useStyles();
  const api = useApi(mlopsApiRef);
  const alertApi = useApi(alertApiRef);
  const entityRef = useEntityRef();
  const refresh = useMlopsRefresh();
  const [pending, setPending] = useState<PendingAction>();
  const [busy, setBusy] = useState(false);
  const now = useNow(Boolean(rollout.nextStepAt));
  const to = rollout.toVersion;
  const from = rollout.fromVersion;
  const newShare = rollout.trafficPercent;

  const ask = (action: RolloutAction) => {
    const text = ACTIONS[action];
    setPending({
      title: text.title(rollout),
      effect: text.effect(rollout),
      confirmLabel: text.label,
      run: async comment => {
        setBusy(true);
        try {
          await api.controlRollout(entityRef, action, comment);
          alertApi.post({
            message: `${text.done}: version ${to}`,
            severity: 'success',
            display: 'transient',
          });
          refresh(['deployments', 'versions', 'release']);
        } finally {
          setBusy(false);
        }
      },
    });
  };

  return (
    <Box
      className={classes.panel}
      role="region"
      aria-label="Rollout in progress"
      data-testid="rollout-panel"
      data-status={rollout.status}
    >
      <Typography variant="subtitle1" component="h3">
        {routingName(rollout.strategy)} rollout of version {to}:{' '}
        {statusLabel(rollout.status)}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {describeStrategy(rollout.strategy)} · started{' '}
        {formatTime(rollout.startedAt)}
        {rollout.startedBy ? ` by ${shortRef(rollout.startedBy)}` : ''}
      </Typography>
      <Box display="flex" justifyContent="space-between" mt={1}>
        <Typography variant="body2" data-testid="rollout-split">
          {from !== undefined ? `Version ${from}: ${100 - newShare} % · ` : ''}
          Version {to}: {newShare} %
        </Typography>
        <Typography variant="body2" data-testid="rollout-step">
          Step {rollout.step} of {rollout.totalSteps}
        </Typography>
      </Box>
      <LinearProgress
        className={classes.bar}
        variant="determinate"
        value={newShare}
        aria-label={`Traffic to version ${to}`}
        aria-valuetext={`${newShare} % to version ${to}`}
      />
      <Typography variant="body2" data-testid="rollout-next-step">
        {rollout.status === 'Paused' && 'Paused: no shift until resumed.'}
        {rollout.status === 'RollingBack' &&
          'Rolling back: traffic returns to the previous version.'}
        {rollout.status === 'InProgress' &&
          (rollout.nextStepAt
            ? `${
                rollout.step < rollout.totalSteps ? 'Next step' : 'Completes'
              } in ${countdown(rollout.nextStepAt, now)}`
            : 'Shifting traffic…')}
      </Typography>
      {rollout.alarms.length > 0 && (
        <Box mt={1}>
          <Typography variant="subtitle2" component="h4">
            Alarms
          </Typography>
          <ul
            aria-label="Rollout alarms"
            style={{ margin: 0, paddingLeft: 20 }}
          >
            {rollout.alarms.map(a => (
              <li
                key={a.name}
                data-testid={`alarm-${a.name}`}
                data-state={a.state}
              >
                <Typography
                  variant="body2"
                  component="span"
                  color={a.state === 'ALARM' ? 'error' : 'textPrimary'}
                >
                  {alarmName(a.name)}: {alarmReading(a)} —{' '}
                  <strong>{alarmStateLabel(a.state)}</strong>
                </Typography>
              </li>
            ))}
          </ul>
        </Box>
      )}
      {rollout.variants && rollout.variants.length > 0 && (
        <Box mt={1}>
          <VariantsTable
            variants={rollout.variants}
            label="Traffic by version during the rollout"
            showShare
          />
        </Box>
      )}
      {actionsFor(rollout).length > 0 && (
        <Box className={classes.actions}>
          {actionsFor(rollout).map(action => (
            <PermissionButton
              key={action}
              permission={mlopsModelApprovePermission}
              entityRef={entityRef}
              deniedReason={APPROVE_DENIED}
              disabled={busy}
              disabledReason={busy ? 'A request is in progress…' : undefined}
              size="small"
              variant={action === 'rollback' ? 'contained' : 'outlined'}
              color={action === 'rollback' ? 'secondary' : 'primary'}
              data-testid={`rollout-${action}`}
              onClick={() => ask(action)}
            >
              {ACTIONS[action].label}
            </PermissionButton>
          ))}
        </Box>
      )}
      <ConfirmActionDialog
        action={pending}
        onClose={() => setPending(undefined)}
      />
    </Box>
  );
}

/** A finished rollout's outcome, until dismissed. */
export function RolloutOutcome(props: {
  rollout: Rollout;
  onClose: () => void;
}) {
  const { rollout } = props;
  let severity: 'success' | 'warning' | 'error' = 'success';
  let text = `Version ${rollout.toVersion} rolled out: it serves all traffic.`;
  if (rollout.status === 'RolledBack') {
    severity = 'warning';
    text = `Rolled back version ${rollout.toVersion}${
      rollout.fromVersion !== undefined
        ? `; version ${rollout.fromVersion} serves`
        : ''
    }. Reason: ${rollout.reason ?? 'not given'}`;
  } else if (rollout.status === 'Failed') {
    severity = 'error';
    text = `The rollout of version ${rollout.toVersion} failed: ${
      rollout.reason ?? 'no reason given'
    }`;
  }
  return (
    <Alert
      severity={severity}
      onClose={props.onClose}
      data-testid="rollout-outcome"
      data-status={rollout.status}
      style={{ marginBottom: 16 }}
    >
      {text}
      {rollout.endedAt ? ` (${formatTime(rollout.endedAt)})` : ''}
    </Alert>
  );
}
