import { EmptyState } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type {
  MonitoringResponse,
  MonitoringWindow,
  TrafficPoint,
  TrafficTotals,
} from '@mlops-portal/plugin-mlops-common';
import { withMlopsEntityData } from '../../hooks/MlopsEntityDataProvider';
import { formatMetric } from '../common/format';
import { ChartBox, MonitoringInfoCard, Stat } from './MonitoringParts';

/** Bucket size of each window, as the monitoring API defines it. */
export const BUCKET_MINUTES: Record<MonitoringWindow, number> = {
  '1h': 1,
  '24h': 15,
  '7d': 60,
};

export interface TrafficRow {
  time: string;
  rpm: number;
  p50?: number;
  p99?: number;
  /** Percent of the bucket's invocations that failed; absent without any. */
  errorRate?: number;
}

const errors = (t: { errors4xx: number; errors5xx: number }) =>
  t.errors4xx + t.errors5xx;

/** The API's buckets as chart rows: requests per minute, latency, error %. */
export function trafficRows(
  points: TrafficPoint[],
  window: MonitoringWindow,
): TrafficRow[] {
  const minutes = BUCKET_MINUTES[window];
  return points.map(p => ({
    time: axisTime(p.time, window),
    rpm: p.invocations / minutes,
    p50: p.p50Ms,
    p99: p.p99Ms,
    errorRate:
      p.invocations > 0 ? (100 * errors(p)) / p.invocations : undefined,
  }));
}

function axisTime(iso: string, window: MonitoringWindow): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hm = d.toISOString().slice(11, 16);
  return window === '7d' ? `${d.toISOString().slice(5, 10)} ${hm}` : hm;
}

export function errorRate(totals: TrafficTotals): string {
  if (totals.invocations === 0) return '—';
  return `${((100 * errors(totals)) / totals.invocations).toFixed(1)} %`;
}

const ms = (v?: number) => (v === undefined ? '—' : `${formatMetric(v, 1)} ms`);

function Totals(props: { totals: TrafficTotals }) {
  const { totals } = props;
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 24 }} mb={2}>
      <Stat
        label="Invocations"
        value={String(totals.invocations)}
        testId="endpoint-total-invocations"
      />
      <Stat
        label="Error rate (4xx + 5xx)"
        value={errorRate(totals)}
        testId="endpoint-total-error-rate"
      />
      <Stat
        label="Latency p50"
        value={ms(totals.p50Ms)}
        testId="endpoint-total-p50"
      />
      <Stat
        label="Latency p99"
        value={ms(totals.p99Ms)}
        testId="endpoint-total-p99"
      />
    </Box>
  );
}

type PaletteKey = 'primary' | 'secondary' | 'error';

/** The three traffic charts: what each plots from a {@link TrafficRow}. */
const TRAFFIC_CHARTS: Array<{
  title: string;
  label: string;
  lines: Array<{ key: keyof TrafficRow; name: string; color: PaletteKey }>;
}> = [
  {
    title: 'Requests per minute',
    label: 'Requests per minute over time',
    lines: [{ key: 'rpm', name: 'req/min', color: 'primary' }],
  },
  {
    title: 'Model latency (ms)',
    label: 'Latency p50 and p99 over time',
    lines: [
      { key: 'p50', name: 'p50', color: 'primary' },
      { key: 'p99', name: 'p99', color: 'secondary' },
    ],
  },
  {
    title: 'Error rate (%)',
    label: 'Error rate over time',
    lines: [{ key: 'errorRate', name: 'errors %', color: 'error' }],
  },
];

function TrafficCharts(props: { rows: TrafficRow[] }) {
  const theme = useTheme();
  return (
    <Grid container spacing={2}>
      {TRAFFIC_CHARTS.map(chart => (
        <Grid item xs={12} md={4} key={chart.label}>
          <Typography variant="subtitle2">{chart.title}</Typography>
          <ChartBox label={chart.label}>
            <LineChart data={props.rows}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="time" minTickGap={24} />
              <YAxis domain={[0, 'auto']} />
              <Tooltip />
              {chart.lines.length > 1 && <Legend />}
              {chart.lines.map(line => (
                <Line
                  key={line.key}
                  type="monotone"
                  dataKey={line.key}
                  name={line.name}
                  stroke={theme.palette[line.color].main}
                  dot={false}
                  // Buckets without traffic have no latency: bridge them.
                  connectNulls
                  // Redrawn on every refresh: an animation each 5 s distracts.
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ChartBox>
        </Grid>
      ))}
    </Grid>
  );
}

export function EndpointTraffic(props: { monitoring: MonitoringResponse }) {
  const { monitoring } = props;
  const served =
    monitoring.modelVersion !== undefined
      ? ` serving version ${monitoring.modelVersion}`
      : '';
  return (
    <>
      <Typography variant="body2" color="textSecondary" gutterBottom>
        {monitoring.endpointName}
        {served}, last {monitoring.window}
      </Typography>
      <Totals totals={monitoring.totals} />
      {monitoring.totals.invocations === 0 ? (
        <EmptyState
          missing="data"
          title={`No traffic in the last ${monitoring.window}`}
          description="Predictions sent to the endpoint show up here within seconds."
        />
      ) : (
        <TrafficCharts
          rows={trafficRows(monitoring.traffic, monitoring.window)}
        />
      )}
    </>
  );
}

export { NOTHING_TO_MONITOR } from './MonitoringParts';

/** Requests per minute, latency p50/p99 and error rate of the endpoint. */
export const EndpointMonitoringCard = withMlopsEntityData(
  function EndpointMonitoringCardContent() {
    return (
      <MonitoringInfoCard
        title="Endpoint monitoring"
        subheader="Invocations, latency and errors"
        windowLabel="Endpoint monitoring window"
      >
        {value => <EndpointTraffic monitoring={value} />}
      </MonitoringInfoCard>
    );
  },
);
