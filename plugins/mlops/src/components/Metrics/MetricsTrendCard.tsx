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
  higherIsBetter,
  type ModelTask,
  type ModelVersion,
  type QualityGate,
} from '@mlops-portal/plugin-mlops-common';
import { withMlopsEntityData } from '../../hooks/MlopsEntityDataProvider';
import {
  useModelVersions,
  useGovernance,
} from '../../hooks/useMlopsEntityData';
import { AsyncContent } from '../common/AsyncContent';
import { MlopsTable, type TableColumn } from '../common/MlopsTable';
import { approvalLabel, formatMetric } from '../common/format';
import {
  gateLabel,
  metricDelta,
  metricKeysOf,
  metricLabel,
  taskOf,
} from '../common/metrics';
import { EvaluationPlotsDialog } from '../ModelVersions/EvaluationPlots';

export function MetricsTrendChart(props: {
  versions: ModelVersion[];
  gate?: QualityGate;
  task?: ModelTask;
}) {
  const theme = useTheme();
  const keys = metricKeysOf(props.versions, props.task, props.gate);
  const data = [...props.versions]
    .sort((a, b) => a.version - b.version)
    .map(v => ({
      version: `v${v.version}`,
      ...Object.fromEntries(keys.map(k => [metricLabel(k), v.metrics?.[k]])),
    }));
  // losses on the left axis, scores (accuracy, AUC, R²) on the right
  const axis = (k: string) => (higherIsBetter(k) ? 'score' : 'loss');
  const colors = [
    theme.palette.primary.main,
    theme.palette.secondary.main,
    theme.palette.success?.main ?? '#2e7d32',
    theme.palette.warning?.main ?? '#ed6c02',
    theme.palette.info?.main ?? '#0288d1',
  ];
  const gate =
    props.gate && keys.includes(props.gate.metric) ? props.gate : undefined;
  return (
    <Box height={260} aria-label="Metric trend across versions" role="img">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart
          data={data}
          margin={{ top: 10, right: 20, bottom: 0, left: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="version" />
          <YAxis yAxisId="loss" />
          <YAxis yAxisId="score" orientation="right" />
          <Tooltip />
          <Legend />
          {gate && (
            <ReferenceLine
              yAxisId={axis(gate.metric)}
              y={gate.threshold}
              stroke={theme.palette.error.main}
              strokeDasharray="6 3"
              label={{
                value: `Quality gate ${gateLabel(gate)}`,
                position: 'insideTopRight',
              }}
            />
          )}
          {keys.map((k, i) => (
            <Line
              key={k}
              yAxisId={axis(k)}
              type="monotone"
              dataKey={metricLabel(k)}
              stroke={colors[i % colors.length]}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </Box>
  );
}

type CompareRow = { name: string; a: string; b: string; delta: string };
const compareColumns = (a: number, b: number): TableColumn<CompareRow>[] => [
  { title: '', field: 'name', cellStyle: { fontWeight: 500 } },
  { title: `Version ${a}`, field: 'a' },
  { title: `Version ${b}`, field: 'b' },
  { title: 'B − A', field: 'delta' },
];

/** Two versions side by side: metrics, status and hyperparameters. */
export function CompareVersions(props: {
  versions: ModelVersion[];
  task?: ModelTask;
}) {
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
  // the task's metrics first, then any other metric either version has
  const metricNames = Array.from(
    new Set([
      ...metricKeysOf([va, vb].filter(Boolean) as ModelVersion[], props.task),
      ...Object.keys(va?.metrics ?? {}),
      ...Object.keys(vb?.metrics ?? {}),
    ]),
  );
  const metricRows = metricNames.map(
    k =>
      [
        metricLabel(k),
        formatMetric(va?.metrics?.[k]),
        formatMetric(vb?.metrics?.[k]),
        metricDelta(k, va?.metrics?.[k], vb?.metrics?.[k]),
      ] as [string, string, string, string],
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
    ...metricRows,
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
    const governance = useGovernance().value;
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
            const gate = governance?.qualityGate;
            const task = taskOf(items[0], governance?.task);
            return (
              <>
                <Typography variant="body2" color="textSecondary">
                  Test-set metrics of each registered version
                  {gate
                    ? `; the dashed line is the quality gate (${gateLabel(
                        gate,
                      )}).`
                    : '.'}
                </Typography>
                <MetricsTrendChart versions={items} gate={gate} task={task} />
                {items.length > 1 && (
                  <>
                    <Typography variant="h6">Compare versions</Typography>
                    <CompareVersions versions={items} task={task} />
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
