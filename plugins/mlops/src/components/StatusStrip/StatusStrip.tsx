import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { ReactNode } from 'react';
import {
  formatGate,
  type ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import { withMlopsEntityData } from '../../hooks/MlopsEntityDataProvider';
import {
  useDeployments,
  useModelVersions,
  useMonitoring,
  useRuns,
} from '../../hooks/useMlopsEntityData';
import {
  CARD_ANCHORS,
  useDeepLink,
  type DeepLink,
} from '../../hooks/useDeepLink';
import { useGovernance } from '../../hooks/useGovernance';
import { useEntityRef } from '../../hooks/useEntityRef';
import { useFourEyes } from '../ModelVersions/useFourEyes';
import { formatMetric, formatTime } from '../common/format';
import { statusLabel } from '../common/statusLabels';
import { rolloutHeadline } from '../Deployments/rolloutText';
import {
  errorRate,
  gateVerdict,
  pendingVersions,
  servingVersionNumber,
} from './glance';

const useStyles = makeStyles(theme => ({
  strip: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    padding: theme.spacing(1),
  },
  chip: {
    flex: '1 1 160px',
    display: 'block',
    textAlign: 'left',
    textTransform: 'none',
    padding: theme.spacing(0.75, 1.25),
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    minWidth: 0,
  },
  label: {
    // text.secondary on paper meets WCAG AA (4.5:1) in both themes
    color: theme.palette.text.secondary,
    fontSize: theme.typography.caption.fontSize,
    display: 'block',
  },
  value: { display: 'block', fontWeight: 500, overflowWrap: 'anywhere' },
  waiting: {
    flex: '1 1 220px',
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    padding: theme.spacing(0.75, 1.25),
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
  },
}));

/** What a chip says when there is nothing: "Loading…" until the answer came. */
const notYet = (loading: boolean, none: string) =>
  loading ? 'Loading…' : none;

/** One chip: a label, what it says now, and where it leads. */
function GlanceChip(props: {
  name: string;
  label: string;
  to: DeepLink;
  status?: string;
  children: ReactNode;
}) {
  const classes = useStyles();
  const link = useDeepLink();
  return (
    <Button
      className={classes.chip}
      href={link.href(props.to)}
      onClick={e => {
        // In the tab a chip scrolls to its card (or opens its run) without a reload.
        if (link.inTab) {
          e.preventDefault();
          link.open(props.to);
        }
      }}
      data-testid={`glance-${props.name}`}
      data-status={props.status}
    >
      <span className={classes.label}>{props.label}</span>
      <span className={classes.value}>{props.children}</span>
    </Button>
  );
}

function ServingChip(props: {
  serving?: ModelVersion;
  servingNumber?: number;
  loaded: boolean;
}) {
  const governance = useGovernance();
  const gate = governance?.qualityGate;
  const { serving, servingNumber } = props;
  if (servingNumber === undefined) {
    // "Nothing deployed" only once the endpoint has answered
    return (
      <GlanceChip
        name="serving"
        label="Serving"
        to={{ card: CARD_ANCHORS.deployments }}
        status={props.loaded ? 'none' : 'loading'}
      >
        {props.loaded ? 'Nothing deployed' : 'Loading…'}
      </GlanceChip>
    );
  }
  const verdict = gateVerdict(gate, serving?.metrics);
  const value = gate ? serving?.metrics?.[gate.metric] : undefined;
  return (
    <GlanceChip
      name="serving"
      label="Serving"
      to={{ card: CARD_ANCHORS.deployments }}
      status={String(servingNumber)}
    >
      Version {servingNumber}
      {gate && value !== undefined && (
        <>
          {' · '}
          {gate.metric} {formatMetric(value)} (gate {formatGate(gate)}:{' '}
          {verdict ? 'passes' : 'fails'})
        </>
      )}
    </GlanceChip>
  );
}

function WaitingChip(props: { pending: ModelVersion[] }) {
  const classes = useStyles();
  const link = useDeepLink();
  const entityRef = useEntityRef();
  const blocked = useFourEyes(entityRef);
  const [first] = props.pending;
  if (!first) {
    return (
      <Box
        className={classes.waiting}
        data-testid="glance-waiting"
        data-status="none"
      >
        <span>
          <span className={classes.label}>Waits for you</span>
          <span className={classes.value}>Nothing to decide</span>
        </span>
      </Box>
    );
  }
  const why = blocked(first);
  const more = props.pending.length - 1;
  return (
    <Box
      className={classes.waiting}
      data-testid="glance-waiting"
      data-status={String(first.version)}
    >
      <span style={{ flex: 1 }}>
        <span className={classes.label}>Waits for you</span>
        <span className={classes.value}>
          Version {first.version} awaits approval
          {more > 0 ? ` (+${more} more)` : ''}
        </span>
        {why && (
          <Typography variant="caption" color="textSecondary" display="block">
            {why}
          </Typography>
        )}
      </span>
      <Button
        variant="contained"
        color="primary"
        size="small"
        href={link.href({ version: first.version })}
        onClick={e => {
          if (link.inTab) {
            e.preventDefault();
            link.open({ version: first.version });
          }
        }}
        data-testid="glance-review"
      >
        Review
      </Button>
    </Box>
  );
}

function TrafficChips() {
  const monitoring = useMonitoring('1h');
  const m = monitoring.value;
  if (!m) {
    const text =
      monitoring.loading && m === undefined ? 'Loading…' : 'No monitoring';
    return (
      <>
        <GlanceChip
          name="traffic"
          label="Traffic (1 h)"
          to={{ card: CARD_ANCHORS.endpointMonitoring }}
        >
          {text}
        </GlanceChip>
        <GlanceChip
          name="drift"
          label="Drift"
          to={{ card: CARD_ANCHORS.drift }}
        >
          {text}
        </GlanceChip>
      </>
    );
  }
  const rate = errorRate(m.totals);
  const drifting = m.drift.features.filter(
    f => f.status === 'drift' || f.status === 'warn',
  ).length;
  let driftText = `${
    m.drift.status === 'drift' ? 'Drift' : 'Warning'
  }: ${drifting} of ${m.drift.features.length} features`;
  if (m.drift.status === 'insufficient_data')
    driftText = `Too few samples (${m.drift.sampleCount})`;
  else if (m.drift.status === 'ok')
    driftText = `No drift (${m.drift.features.length} features)`;
  return (
    <>
      <GlanceChip
        name="traffic"
        label="Traffic (1 h)"
        to={{ card: CARD_ANCHORS.endpointMonitoring }}
        status={String(m.totals.invocations)}
      >
        {m.totals.invocations} requests ·{' '}
        {rate === undefined
          ? 'no errors'
          : `${(rate * 100).toFixed(1)}% errors`}
      </GlanceChip>
      <GlanceChip
        name="drift"
        label="Drift"
        to={{ card: CARD_ANCHORS.drift }}
        status={m.drift.status}
      >
        {driftText}
      </GlanceChip>
    </>
  );
}

/**
 * The daily questions on one line: what serves (and how it scores against
 * the gate), is it healthy, is anything waiting for me, what ran last. Each
 * chip leads to the card that tells more; in the tab it scrolls there.
 */
export function StatusStripContent() {
  const classes = useStyles();
  const versions = useModelVersions();
  const deployments = useDeployments();
  const runs = useRuns();
  const items = versions.value?.items;
  const servingNumber = servingVersionNumber(deployments.value, items);
  const serving = items?.find(v => v.version === servingNumber);
  const endpoint = deployments.value?.endpoint;
  const rollout = deployments.value?.rollout;
  const lastRun = runs.value?.items[0];
  return (
    <Box className={classes.strip} role="region" aria-label="MLOps status">
      <ServingChip
        serving={serving}
        servingNumber={servingNumber}
        loaded={Boolean(deployments.value && versions.value)}
      />
      <GlanceChip
        name="endpoint"
        label="Endpoint"
        to={{ card: CARD_ANCHORS.deployments }}
        status={endpoint?.status ?? 'none'}
      >
        {endpoint
          ? `${statusLabel(endpoint.status)}${
              endpoint.failureReason ? ` — ${endpoint.failureReason}` : ''
            }`
          : notYet(deployments.loading, 'No endpoint')}
      </GlanceChip>
      {rollout && rollout.status !== 'Completed' && (
        // In progress, held, or the last one rolled back: worth a glance.
        <GlanceChip
          name="rollout"
          label="Rollout"
          to={{ card: CARD_ANCHORS.deployments }}
          status={rollout.status}
        >
          {rolloutHeadline(rollout)}
        </GlanceChip>
      )}
      <TrafficChips />
      <WaitingChip pending={pendingVersions(items)} />
      <GlanceChip
        name="last-run"
        label="Last run"
        to={
          lastRun ? { run: lastRun.executionId } : { card: CARD_ANCHORS.runs }
        }
        status={lastRun?.status ?? 'none'}
      >
        {lastRun
          ? `${statusLabel(lastRun.status)} · ${formatTime(
              lastRun.endTime ?? lastRun.startTime ?? lastRun.createdAt,
            )}${
              lastRun.modelVersion !== undefined
                ? ` · v${lastRun.modelVersion}`
                : ''
            }`
          : notYet(runs.loading, 'No runs yet')}
      </GlanceChip>
    </Box>
  );
}

/** The strip on top of the MLOps tab. */
export const StatusStrip = withMlopsEntityData(function StatusStripBar() {
  return (
    <Paper variant="outlined" id={CARD_ANCHORS.status}>
      <StatusStripContent />
    </Paper>
  );
});

/** The strip as a card for the entity's Overview tab; chips lead to the MLOps tab. */
export const StatusCard = withMlopsEntityData(function StatusCardContent() {
  return (
    <InfoCard title="MLOps status" noPadding>
      <StatusStripContent />
    </InfoCard>
  );
});
