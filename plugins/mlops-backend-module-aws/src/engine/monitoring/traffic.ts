import {
  paginateGetMetricData,
  type CloudWatchClient,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type {
  MonitoringWindow,
  TrafficPoint,
  TrafficTotals,
} from '@mlops-portal/plugin-mlops-common';

/** Bucket length per window, as the API documents (1 min, 15 min, 1 h). */
export const PERIOD_SECONDS: Record<MonitoringWindow, number> = {
  '1h': 60,
  '24h': 900,
  '7d': 3600,
};
export const WINDOW_SECONDS: Record<MonitoringWindow, number> = {
  '1h': 3600,
  '24h': 86_400,
  '7d': 604_800,
};

const COUNT_METRICS = {
  inv: 'Invocations',
  e4: 'Invocation4XXErrors',
  e5: 'Invocation5XXErrors',
} as const;
type CountKey = keyof typeof COUNT_METRICS;
const LATENCY = { p50: 'p50', p99: 'p99' } as const;
type LatencyKey = keyof typeof LATENCY;

export interface TrafficQuery {
  endpointName: string;
  variantNames: string[];
  window: MonitoringWindow;
  now: Date;
}

/** Bucket-aligned [start, end): CloudWatch rounds unaligned starts anyway, and aligned totals give one datapoint. */
export function trafficRange(window: MonitoringWindow, now: Date) {
  const periodMs = PERIOD_SECONDS[window] * 1000;
  const end = Math.ceil(now.getTime() / periodMs) * periodMs;
  return { start: new Date(end - WINDOW_SECONDS[window] * 1000), end };
}

/** One SageMaker endpoint-variant metric statistic (GetMetricData query). */
export function variantMetricQuery(
  id: string,
  endpointName: string,
  variant: string,
  metricName: string,
  stat: string,
  period: number,
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/SageMaker',
        MetricName: metricName,
        Dimensions: [
          { Name: 'EndpointName', Value: endpointName },
          { Name: 'VariantName', Value: variant },
        ],
      },
      Period: period,
      Stat: stat,
    },
    ReturnData: true,
  };
}

/**
 * One query per (variant, metric): the three counters (Sum) and ModelLatency
 * p50/p99 per bucket, plus p50/p99 over the whole window for the totals
 * (percentiles of buckets cannot be combined exactly).
 */
export function trafficQueries(q: TrafficQuery): MetricDataQuery[] {
  const period = PERIOD_SECONDS[q.window];
  const stat = (
    id: string,
    variant: string,
    metricName: string,
    statName: string,
    p: number,
  ) => variantMetricQuery(id, q.endpointName, variant, metricName, statName, p);
  return q.variantNames.flatMap((variant, v) => [
    ...(Object.keys(COUNT_METRICS) as CountKey[]).map(k =>
      stat(`v${v}_${k}`, variant, COUNT_METRICS[k], 'Sum', period),
    ),
    ...(Object.keys(LATENCY) as LatencyKey[]).flatMap(k => [
      stat(`v${v}_${k}`, variant, 'ModelLatency', LATENCY[k], period),
      stat(
        `v${v}_t${k}`,
        variant,
        'ModelLatency',
        LATENCY[k],
        WINDOW_SECONDS[q.window],
      ),
    ]),
  ]);
}

/** All results of the queries, pages merged (a result may span pages). */
export async function fetchMetricData(
  cloudwatch: CloudWatchClient,
  q: TrafficQuery,
): Promise<Map<string, Map<number, number>>> {
  const { start, end } = trafficRange(q.window, q.now);
  const byId = new Map<string, Map<number, number>>();
  const paginator = paginateGetMetricData(
    { client: cloudwatch },
    {
      MetricDataQueries: trafficQueries(q),
      StartTime: start,
      EndTime: new Date(end),
      ScanBy: 'TimestampAscending',
    },
  );
  for await (const page of paginator) {
    for (const result of page.MetricDataResults ?? []) addResult(byId, result);
  }
  return byId;
}

function addResult(
  byId: Map<string, Map<number, number>>,
  result: MetricDataResult,
) {
  if (!result.Id) return;
  const series = byId.get(result.Id) ?? new Map<number, number>();
  byId.set(result.Id, series);
  const times = result.Timestamps ?? [];
  const values = result.Values ?? [];
  times.forEach((t, i) => {
    if (Number.isFinite(values[i]))
      series.set(new Date(t).getTime(), values[i]);
  });
}

/** ModelLatency is reported in microseconds; the API speaks milliseconds. */
const toMs = (micros: number) => micros / 1000;

/**
 * Latency of several variants in one number: the invocation-weighted mean of
 * their percentiles (an approximation; exact for the usual single variant).
 */
function weightedLatency(
  parts: Array<{ latency?: number; weight: number }>,
): number | undefined {
  const known = parts.filter(p => p.latency !== undefined);
  if (known.length === 0) return undefined;
  const weight = known.reduce((s, p) => s + p.weight, 0);
  if (weight === 0) {
    return toMs(known.reduce((s, p) => s + p.latency!, 0) / known.length);
  }
  return toMs(known.reduce((s, p) => s + p.latency! * p.weight, 0) / weight);
}

/** Every bucket of the window (CloudWatch omits empty ones), oldest first. */
export function toTraffic(
  q: TrafficQuery,
  data: Map<string, Map<number, number>>,
): { traffic: TrafficPoint[]; totals: TrafficTotals } {
  const { start, end } = trafficRange(q.window, q.now);
  const periodMs = PERIOD_SECONDS[q.window] * 1000;
  const variants = q.variantNames.map((_, v) => v);
  const value = (v: number, key: string, t: number) =>
    data.get(`v${v}_${key}`)?.get(t);
  const count = (v: number, key: CountKey, t: number) => value(v, key, t) ?? 0;

  const traffic: TrafficPoint[] = [];
  for (let t = start.getTime(); t < end; t += periodMs) {
    const point: TrafficPoint = {
      time: new Date(t).toISOString(),
      invocations: variants.reduce((s, v) => s + count(v, 'inv', t), 0),
      errors4xx: variants.reduce((s, v) => s + count(v, 'e4', t), 0),
      errors5xx: variants.reduce((s, v) => s + count(v, 'e5', t), 0),
    };
    if (point.invocations > 0) {
      for (const k of Object.keys(LATENCY) as LatencyKey[]) {
        const ms = weightedLatency(
          variants.map(v => ({
            latency: value(v, k, t),
            weight: count(v, 'inv', t),
          })),
        );
        if (ms !== undefined) point[k === 'p50' ? 'p50Ms' : 'p99Ms'] = ms;
      }
    }
    traffic.push(point);
  }

  const totals: TrafficTotals = {
    invocations: traffic.reduce((s, p) => s + p.invocations, 0),
    errors4xx: traffic.reduce((s, p) => s + p.errors4xx, 0),
    errors5xx: traffic.reduce((s, p) => s + p.errors5xx, 0),
  };
  if (totals.invocations > 0) {
    for (const k of Object.keys(LATENCY) as LatencyKey[]) {
      const ms = weightedLatency(
        variants.map(v => {
          const series = data.get(`v${v}_t${k}`);
          return {
            // One aligned window-long period, so at most one datapoint.
            latency: series ? [...series.values()][0] : undefined,
            weight: traffic.reduce(
              (s, p) => s + count(v, 'inv', Date.parse(p.time)),
              0,
            ),
          };
        }),
      );
      if (ms !== undefined) totals[k === 'p50' ? 'p50Ms' : 'p99Ms'] = ms;
    }
  }
  return { traffic, totals };
}
