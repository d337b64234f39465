import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import {
  Bar,
  BarChart,
  CartesianGrid,
  ReferenceLine,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { EvaluationPlots } from '@mlops-portal/plugin-mlops-common';
import { useEvaluationPlots } from '../../hooks/useMlopsEntityData';
import { AsyncContent } from '../common/AsyncContent';
import { ChartBox } from '../Monitoring/MonitoringParts';

/** Range covering every actual and predicted value: the y = x line's ends. */
export function identityRange(
  points: Array<{ actual: number; predicted: number }>,
): [number, number] {
  const values = points.flatMap(p => [p.actual, p.predicted]);
  if (values.length === 0) return [0, 1];
  return [Math.floor(Math.min(...values)), Math.ceil(Math.max(...values))];
}

function PredictedVsActual(props: { plots: EvaluationPlots }) {
  const theme = useTheme();
  const { points, total } = props.plots.predictedVsActual;
  const [lo, hi] = identityRange(points);
  return (
    <>
      <Typography variant="subtitle2">Predicted vs actual (rings)</Typography>
      <ChartBox
        label="Predicted vs actual scatter with the y = x line"
        height={260}
      >
        <ScatterChart margin={{ top: 10, right: 10, bottom: 10, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            type="number"
            dataKey="actual"
            name="actual"
            domain={[lo, hi]}
          />
          <YAxis
            type="number"
            dataKey="predicted"
            name="predicted"
            domain={[lo, hi]}
          />
          <Tooltip cursor={{ strokeDasharray: '3 3' }} />
          <ReferenceLine
            segment={[
              { x: lo, y: lo },
              { x: hi, y: hi },
            ]}
            stroke={theme.palette.error.main}
            strokeDasharray="6 3"
            ifOverflow="extendDomain"
          />
          <Scatter data={points} fill={theme.palette.primary.main} />
        </ScatterChart>
      </ChartBox>
      <Typography variant="caption" color="textSecondary">
        {points.length === total
          ? `${total} test rows`
          : `${points.length} of ${total} test rows (sampled)`}
        ; on the dashed line, predicted = actual.
      </Typography>
    </>
  );
}

function ResidualHistogram(props: { plots: EvaluationPlots }) {
  const theme = useTheme();
  const data = props.plots.residualHistogram.bins.map(b => ({
    range: `${b.lower.toFixed(1)}–${b.upper.toFixed(1)}`,
    count: b.count,
  }));
  return (
    <>
      <Typography variant="subtitle2">
        Residuals (actual − predicted)
      </Typography>
      <ChartBox label="Residual histogram" height={260}>
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="range" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Bar
            dataKey="count"
            name="rows"
            fill={theme.palette.secondary.main}
          />
        </BarChart>
      </ChartBox>
    </>
  );
}

function FeatureImportance(props: { plots: EvaluationPlots }) {
  const theme = useTheme();
  const features = [...props.plots.featureImportance.features].sort(
    (a, b) => b.gain - a.gain,
  );
  return (
    <>
      <Typography variant="subtitle2">Feature importance (gain)</Typography>
      <ChartBox
        label="Feature importance by gain"
        height={Math.max(160, 28 * features.length)}
      >
        <BarChart data={features} layout="vertical" margin={{ left: 40 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" />
          <YAxis type="category" dataKey="feature" width={110} />
          <Tooltip />
          <Bar dataKey="gain" name="gain" fill={theme.palette.primary.main} />
        </BarChart>
      </ChartBox>
      <Typography
        variant="caption"
        color="textSecondary"
        data-testid="feature-importance-order"
      >
        By gain:{' '}
        {features.map(f => `${f.feature} ${f.gain.toFixed(1)}`).join(', ')}
      </Typography>
    </>
  );
}

/** A version's test-set plots: predicted vs actual, residuals, importance. */
export function EvaluationPlotsView(props: { version: number }) {
  const plots = useEvaluationPlots(props.version);
  return (
    <AsyncContent
      state={plots}
      empty={{
        title: 'No evaluation plots for this version',
        description:
          'Versions trained before plots were recorded, or by an engine that does not record them, have none.',
      }}
    >
      {value => (
        <Grid container spacing={2}>
          <Grid item xs={12} md={6}>
            <PredictedVsActual plots={value} />
          </Grid>
          <Grid item xs={12} md={6}>
            <ResidualHistogram plots={value} />
          </Grid>
          <Grid item xs={12}>
            <FeatureImportance plots={value} />
          </Grid>
        </Grid>
      )}
    </AsyncContent>
  );
}

/** The plots of one version in a dialog; loads only while open. */
export function EvaluationPlotsDialog(props: {
  version?: number;
  onClose: () => void;
}) {
  const { version, onClose } = props;
  return (
    <Dialog
      open={version !== undefined}
      onClose={onClose}
      maxWidth="lg"
      fullWidth
      aria-labelledby="mlops-evaluation-plots-title"
    >
      <DialogTitle id="mlops-evaluation-plots-title">
        Evaluation plots, version {version}
      </DialogTitle>
      <DialogContent>
        {version !== undefined && <EvaluationPlotsView version={version} />}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
