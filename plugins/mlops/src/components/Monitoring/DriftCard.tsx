import { EmptyState } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Collapse from '@material-ui/core/Collapse';
import IconButton from '@material-ui/core/IconButton';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell, { type TableCellProps } from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { Fragment, useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type {
  DistributionBucket,
  DriftSummary,
  FeatureDriftResult,
} from '@mlops-portal/plugin-mlops-common';
import { withMlopsEntityData } from '../../hooks/MlopsEntityDataProvider';
import { formatMetric, formatTime } from '../common/format';
import { NOWRAP_CELL, TableScroll } from '../common/MlopsTable';
import {
  ChartBox,
  DriftStatusChip,
  MonitoringInfoCard,
} from './MonitoringParts';

/** Baseline vs recent share of each bucket (range or category), in percent. */
export function DistributionChart(props: { result: FeatureDriftResult }) {
  return (
    <SharesChart
      label={`${props.result.feature}: baseline vs recent distribution`}
      buckets={props.result.distribution}
      empty="The engine gives no distribution for this feature."
    />
  );
}

function SharesChart(props: {
  label: string;
  buckets?: DistributionBucket[];
  empty: string;
}) {
  const theme = useTheme();
  const data = (props.buckets ?? []).map(b => ({
    label: b.label,
    baseline: Math.round(b.baseline * 1000) / 10,
    recent: Math.round(b.recent * 1000) / 10,
  }));
  if (data.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        {props.empty}
      </Typography>
    );
  }
  return (
    <ChartBox label={props.label} height={180}>
      <BarChart data={data}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="label" />
        <YAxis unit="%" />
        <Tooltip />
        <Legend />
        <Bar dataKey="baseline" name="Baseline (training)" fill="#9e9e9e" />
        <Bar
          dataKey="recent"
          name="Recent (captured)"
          fill={theme.palette.primary.main}
        />
      </BarChart>
    </ChartBox>
  );
}

// Like MlopsTable's cells: chips and numbers never break across lines.
function Cell(props: TableCellProps) {
  return <TableCell {...props} style={{ ...NOWRAP_CELL, ...props.style }} />;
}

const isCategorical = (r: FeatureDriftResult) =>
  r.type === 'categorical' || r.type === 'boolean';

/** Categories as shares, e.g. `Biscoe 48% → 30%`, for reading without the chart. */
function shareText(buckets: DistributionBucket[]): string {
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  return buckets
    .map(b => `${b.label} ${pct(b.baseline)} → ${pct(b.recent)}`)
    .join(', ');
}

function FeatureRow(props: { result: FeatureDriftResult; showLinf: boolean }) {
  const { result, showLinf } = props;
  const unseen = result.unseenCategories ?? [];
  const [open, setOpen] = useState(false);
  const toggle = open ? 'Hide' : 'Show';
  return (
    <Fragment>
      <TableRow data-testid={`drift-feature-${result.feature}`}>
        <Cell padding="checkbox">
          <IconButton
            size="small"
            aria-expanded={open}
            aria-label={`${toggle} the distribution of ${result.feature}`}
            onClick={() => setOpen(o => !o)}
          >
            {open ? <ExpandLessIcon /> : <ExpandMoreIcon />}
          </IconButton>
        </Cell>
        <Cell>
          {result.feature}
          {unseen.length > 0 && (
            <Typography
              variant="caption"
              color="error"
              display="block"
              data-testid={`drift-unseen-${result.feature}`}
            >
              unseen: {unseen.join(', ')}
            </Typography>
          )}
        </Cell>
        <Cell>
          <DriftStatusChip
            status={result.status}
            testId={`drift-status-${result.feature}`}
          />
        </Cell>
        <Cell>{formatMetric(result.psi ?? undefined)}</Cell>
        <Cell>{formatMetric(result.ks ?? undefined)}</Cell>
        {showLinf && <Cell>{formatMetric(result.linf ?? undefined)}</Cell>}
        <Cell>{result.sampleCount}</Cell>
      </TableRow>
      <TableRow>
        <TableCell
          colSpan={showLinf ? 7 : 6}
          style={{ paddingTop: 0, paddingBottom: 0 }}
        >
          <Collapse in={open} unmountOnExit>
            <Box py={1}>
              {isCategorical(result) && result.distribution?.length ? (
                <Typography
                  variant="body2"
                  data-testid={`drift-shares-${result.feature}`}
                >
                  Category shares, baseline → recent:{' '}
                  {shareText(result.distribution)}
                </Typography>
              ) : null}
              <DistributionChart result={result} />
            </Box>
          </Collapse>
        </TableCell>
      </TableRow>
    </Fragment>
  );
}

export function DriftTable(props: { drift: DriftSummary }) {
  // L∞ (category shares) only when a feature is categorical
  const showLinf = props.drift.features.some(
    f => isCategorical(f) || (f.linf !== undefined && f.linf !== null),
  );
  return (
    <TableScroll>
      <Table size="small" aria-label="Feature drift">
        <TableHead>
          <TableRow>
            <Cell padding="checkbox" />
            <Cell>Feature</Cell>
            <Cell>Status</Cell>
            <Cell>PSI</Cell>
            <Cell>KS</Cell>
            {showLinf && <Cell>L∞</Cell>}
            <Cell>Samples</Cell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.drift.features.map(f => (
            <FeatureRow key={f.feature} result={f} showLinf={showLinf} />
          ))}
        </TableBody>
      </Table>
    </TableScroll>
  );
}

export function DriftSummaryView(props: { drift: DriftSummary }) {
  const { drift } = props;
  const baseline =
    drift.baselineVersion !== undefined
      ? `training baseline of version ${drift.baselineVersion}`
      : 'training baseline';
  return (
    <>
      <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
        <Typography variant="subtitle1">Overall</Typography>
        <DriftStatusChip status={drift.status} testId="drift-overall-status" />
      </Box>
      <Typography variant="body2" color="textSecondary" gutterBottom>
        {drift.sampleCount} captured inputs compared with the {baseline}
        {drift.analyzedAt ? `, analysed ${formatTime(drift.analyzedAt)}` : ''};
        predictions tried from this portal are left out. Default thresholds: PSI
        ≥ 0.1 or KS ≥ 0.1 warns, PSI ≥ 0.25 or KS ≥ 0.2 is drift (categorical
        features: L∞ distance of the category shares); under 100 samples there
        is not enough data.
      </Typography>
      {drift.predictions && drift.predictions.length > 0 && (
        <Box mb={2} data-testid="drift-predictions">
          <Typography variant="subtitle2">Predicted classes</Typography>
          <Typography variant="body2" color="textSecondary">
            Share of each predicted class, test split at training → captured:{' '}
            {shareText(drift.predictions)}
          </Typography>
          <SharesChart
            label="Predicted class shares: baseline vs recent"
            buckets={drift.predictions}
            empty=""
          />
        </Box>
      )}
      {drift.features.length === 0 ? (
        <EmptyState missing="data" title="No features analysed yet" />
      ) : (
        <DriftTable drift={drift} />
      )}
    </>
  );
}

/** Per-feature drift of captured inputs against the training baseline. */
export const DriftCard = withMlopsEntityData(function DriftCardContent() {
  return (
    <MonitoringInfoCard
      title="Data drift"
      subheader="Captured inputs vs the training baseline (PSI, KS, L∞)"
      windowLabel="Data drift window"
    >
      {value => <DriftSummaryView drift={value.drift} />}
    </MonitoringInfoCard>
  );
});
