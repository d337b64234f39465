import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import { useEffect, useState } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import {
  DEFAULT_MSE_THRESHOLD,
  type ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import { withMlopsEntityData } from '../../hooks/MlopsEntityDataProvider';
import { useModelVersions } from '../../hooks/useMlopsEntityData';
import { AsyncContent } from '../common/AsyncContent';
import { MlopsTable, type TableColumn } from '../common/MlopsTable';
import { approvalLabel, formatMetric } from '../common/format';
import { EvaluationPlotsDialog } from '../ModelVersions/EvaluationPlots';

/** The gate a version was judged by: its run's MseThreshold, else the default. */
export function qualityGate(versions: ModelVersion[]): number {
  const latest = versions[0];
  const t = Number(latest?.hyperparameters?.MseThreshold);
  return Number.isFinite(t) && t > 0 ? t : DEFAULT_MSE_THRESHOLD;
}

export function MetricsTrendChart(props: {
  versions: ModelVersion[];
  threshold: number;
}) {
  const theme = useTheme();
  const data = [...props.versions]
    .sort((a, b) => a.version - b.version)
    .map(v => ({
      version: `v${v.version}`,
      MSE: v.metrics?.mse,
      MAE: v.metrics?.mae,
      'R²': v.metrics?.r2,
    }));
  return (
    <Box height={260} aria-label="Metric trend across versions" role="img">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart
          data={data}
          margin={{ top: 10, right: 20, bottom: 0, left: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="version" />
          <YAxis yAxisId="err" />
          <YAxis yAxisId="r2" orientation="right" domain={[0, 1]} />
          <Tooltip />
          <Legend />
          <ReferenceLine
            yAxisId="err"
            y={props.threshold}
            stroke={theme.palette.error.main}
            strokeDasharray="6 3"
            label={{
              value: `Quality gate MSE ≤ ${props.threshold}`,
              position: 'insideTopRight',
            }}
          />
          <Line
            yAxisId="err"
            type="monotone"
            dataKey="MSE"
            stroke={theme.palette.primary.main}
          />
          <Line
            yAxisId="err"
            type="monotone"
            dataKey="MAE"
            stroke={theme.palette.secondary.main}
          />
          <Line
            yAxisId="r2"
            type="monotone"
            dataKey="R²"
            stroke={theme.palette.success?.main ?? '#2e7d32'}
          />
        </LineChart>
      </ResponsiveContainer>
    </Box>
  );
}

function delta(a?: number, b?: number): string {
  if (a === undefined || b === undefined) return '—';
  const d = b - a;
  return `${d > 0 ? '+' : ''}${d.toFixed(3)}`;
}

type CompareRow = { name: string; a: string; b: string; delta: string };
const compareColumns = (a: number, b: number): TableColumn<CompareRow>[] => [
  { title: '', field: 'name', cellStyle: { fontWeight: 500 } },
  { title: `Version ${a}`, field: 'a' },
  { title: `Version ${b}`, field: 'b' },
  { title: 'B − A', field: 'delta' },
];

/** Two versions side by side: metrics, status and hyperparameters. */
export function CompareVersions(props: { versions: ModelVersion[] }) {
  const { versions } = props;
  const [a, setA] = useState<number>(
    versions[1]?.version ?? versions[0]?.version,
  );
  const [b, setB] = useState<number>(versions[0]?.version);
  const [plotsOf, setPlotsOf] = useState<number>();
  useEffect(() => {
    // Keep the selection valid when the list changes under us (new version).
    if (!versions.some(v => v.version === a))
      setA(versions[1]?.version ?? versions[0]?.version);
    if (!versions.some(v => v.version === b)) setB(versions[0]?.version);
  }, [versions, a, b]);
  const va = versions.find(v => v.version === a);
  const vb = versions.find(v => v.version === b);
  const select = (
    label: string,
    value: number,
    onChange: (v: number) => void,
  ) => (
    <TextField
      select
      id={`mlops-compare-${label.replace(/\s+/g, '-').toLowerCase()}`}
      label={label}
      value={value ?? ''}
      onChange={e => onChange(Number(e.target.value))}
      margin="dense"
      style={{ minWidth: 140 }}
    >
      {versions.map(v => (
        <MenuItem key={v.version} value={v.version}>
          Version {v.version}
        </MenuItem>
      ))}
    </TextField>
  );
  const paramNames = Array.from(
    new Set([
      ...Object.keys(va?.hyperparameters ?? {}),
      ...Object.keys(vb?.hyperparameters ?? {}),
    ]),
  );
  const rows: Array<[string, string, string, string]> = [
    [
      'Status',
      approvalLabel(va?.approvalStatus ?? '—'),
      approvalLabel(vb?.approvalStatus ?? '—'),
      '',
    ],
    [
      'MSE',
      formatMetric(va?.metrics?.mse),
      formatMetric(vb?.metrics?.mse),
      delta(va?.metrics?.mse, vb?.metrics?.mse),
    ],
    [
      'MAE',
      formatMetric(va?.metrics?.mae),
      formatMetric(vb?.metrics?.mae),
      delta(va?.metrics?.mae, vb?.metrics?.mae),
    ],
    [
      'R²',
      formatMetric(va?.metrics?.r2),
      formatMetric(vb?.metrics?.r2),
      delta(va?.metrics?.r2, vb?.metrics?.r2),
    ],
    [
      'Rows',
      String(va?.dataManifest?.rowCount ?? '—'),
      String(vb?.dataManifest?.rowCount ?? '—'),
      '',
    ],
    ...paramNames.map(
      n =>
        [
          n,
          String(va?.hyperparameters?.[n] ?? '—'),
          String(vb?.hyperparameters?.[n] ?? '—'),
          va?.hyperparameters?.[n] !== vb?.hyperparameters?.[n]
            ? 'differs'
            : '',
        ] as [string, string, string, string],
    ),
  ];
  return (
    <Box>
      <Box display="flex" alignItems="center" style={{ gap: 16 }}>
        {select('Version A', a, setA)}
        {select('Version B', b, setB)}
        {[a, b].map((v, i) => (
          <Button
            key={i}
            size="small"
            disabled={v === undefined}
            onClick={() => setPlotsOf(v)}
          >
            Plots of {i === 0 ? 'A' : 'B'}
          </Button>
        ))}
      </Box>
      <EvaluationPlotsDialog
        version={plotsOf}
        onClose={() => setPlotsOf(undefined)}
      />
      <MlopsTable
        label="Compare versions"
        columns={compareColumns(a, b)}
        data={rows.map(([name, x, y, d]) => ({ name, a: x, b: y, delta: d }))}
      />
    </Box>
  );
}

/** Metric trend across versions with the quality gate, and a side-by-side compare. */
export const MetricsTrendCard = withMlopsEntityData(
  function MetricsTrendCardContent() {
    const versions = useModelVersions();
    return (
      <InfoCard title="Metrics">
        <AsyncContent
          state={versions}
          isEmpty={v => v.items.length === 0}
          empty={{
            title: 'No metrics yet',
            description:
              'No model versions yet: metrics appear once a run registers a version.',
          }}
        >
          {({ items }) => {
            const threshold = qualityGate(items);
            return (
              <>
                <Typography variant="body2" color="textSecondary">
                  Test-set metrics of each registered version; the dashed line
                  is the quality gate (MSE ≤ {threshold}).
                </Typography>
                <MetricsTrendChart versions={items} threshold={threshold} />
                {items.length > 1 && (
                  <>
                    <Typography variant="h6">Compare versions</Typography>
                    <CompareVersions versions={items} />
                  </>
                )}
              </>
            );
          }}
        </AsyncContent>
      </InfoCard>
    );
  },
);
