import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type {
  BinaryEvaluationPlots,
  ConfusionMatrixPlot,
  EvaluationPlots,
  FeatureImportancePlot,
  MulticlassEvaluationPlots,
  RegressionEvaluationPlots,
} from '@mlops-portal/plugin-mlops-common';
import { useEvaluationPlots } from '../../hooks/useMlopsEntityData';
import { AsyncContent } from '../common/AsyncContent';
import { formatMetric } from '../common/format';
import { ChartBox } from '../Monitoring/MonitoringParts';

/** Range covering every actual and predicted value: the y = x line's ends. */
export function identityRange(
  points: Array<{ actual: number; predicted: number }>,
): [number, number] {
  const values = points.flatMap(p => [p.actual, p.predicted]);
  if (values.length === 0) return [0, 1];
  return [Math.floor(Math.min(...values)), Math.ceil(Math.max(...values))];
}

function PredictedVsActual(props: { plots: RegressionEvaluationPlots }) {
  const theme = useTheme();
  const { points, total } = props.plots.predictedVsActual;
  const [lo, hi] = identityRange(points);
  return (
    <>
      <Typography variant="subtitle2">Predicted vs actual</Typography>
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

function ResidualHistogram(props: { plots: RegressionEvaluationPlots }) {
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

function FeatureImportance(props: {
  plots: { featureImportance: FeatureImportancePlot };
}) {
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

/** Rows = actual class, columns = predicted; the diagonal is right. */
export function ConfusionMatrix(props: {
  matrix: ConfusionMatrixPlot;
  caption?: string;
}) {
  const theme = useTheme();
  const { labels, counts } = props.matrix;
  const max = Math.max(1, ...counts.flat());
  return (
    <>
      <Typography variant="subtitle2">Confusion matrix</Typography>
      <Table size="small" aria-label="Confusion matrix">
        <TableHead>
          <TableRow>
            <TableCell>actual \ predicted</TableCell>
            {labels.map(l => (
              <TableCell key={l} align="right">
                {l}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {labels.map((actual, i) => (
            <TableRow key={actual}>
              <TableCell component="th" scope="row">
                {actual}
              </TableCell>
              {labels.map((predicted, j) => {
                const n = counts[i]?.[j] ?? 0;
                return (
                  <TableCell
                    key={predicted}
                    align="right"
                    data-testid={`confusion-${actual}-${predicted}`}
                    style={{
                      // shade by count: right answers in the primary colour, mistakes in the error colour
                      background: n
                        ? `${
                            i === j
                              ? theme.palette.primary.main
                              : theme.palette.error.main
                          }${Math.round((0.15 + (0.5 * n) / max) * 255)
                            .toString(16)
                            .padStart(2, '0')}`
                        : undefined,
                    }}
                  >
                    {n}
                  </TableCell>
                );
              })}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {props.caption && (
        <Typography variant="caption" color="textSecondary">
          {props.caption}
        </Typography>
      )}
    </>
  );
}

/**
 * A curve on the unit square (both axes 0–1), the way ROC, precision–recall
 * and calibration plots are drawn; `diagonal` adds the dashed y = x line
 * (chance for ROC, perfect calibration for calibration).
 */
function UnitSquareCurve<T extends object>(props: {
  label: string;
  data: T[];
  x: { key: keyof T & string; name: string };
  y: { key: keyof T & string; name: string };
  diagonal?: boolean;
  dots?: boolean;
  color: string;
}) {
  const theme = useTheme();
  return (
    <ChartBox label={props.label} height={260}>
      <LineChart
        data={props.data}
        margin={{ top: 10, right: 10, bottom: 10, left: 0 }}
      >
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis
          type="number"
          dataKey={props.x.key}
          name={props.x.name}
          domain={[0, 1]}
        />
        <YAxis type="number" domain={[0, 1]} />
        <Tooltip />
        {props.diagonal && (
          <ReferenceLine
            segment={[
              { x: 0, y: 0 },
              { x: 1, y: 1 },
            ]}
            stroke={theme.palette.text.disabled}
            strokeDasharray="6 3"
          />
        )}
        <Line
          type="linear"
          dataKey={props.y.key}
          name={props.y.name}
          {...(props.dots ? {} : { dot: false })}
          stroke={props.color}
        />
      </LineChart>
    </ChartBox>
  );
}

function RocCurve(props: { plots: BinaryEvaluationPlots }) {
  const theme = useTheme();
  const { auc, points } = props.plots.rocCurve;
  return (
    <>
      <Typography variant="subtitle2" data-testid="roc-auc">
        ROC curve (AUC {auc.toFixed(3)})
      </Typography>
      <UnitSquareCurve
        label="ROC curve with the chance line"
        data={points}
        x={{ key: 'falsePositiveRate', name: 'false positive rate' }}
        y={{ key: 'truePositiveRate', name: 'true positive rate' }}
        diagonal
        color={theme.palette.primary.main}
      />
    </>
  );
}

function PrecisionRecallCurve(props: { plots: BinaryEvaluationPlots }) {
  const theme = useTheme();
  const { averagePrecision, points } = props.plots.precisionRecallCurve;
  return (
    <>
      <Typography variant="subtitle2">
        Precision–recall (average precision {averagePrecision.toFixed(3)})
      </Typography>
      <UnitSquareCurve
        label="Precision-recall curve"
        data={points}
        x={{ key: 'recall', name: 'recall' }}
        y={{ key: 'precision', name: 'precision' }}
        color={theme.palette.secondary.main}
      />
    </>
  );
}

function Calibration(props: { plots: BinaryEvaluationPlots }) {
  const theme = useTheme();
  const data = props.plots.calibration.bins
    .filter(b => b.count > 0)
    .map(b => ({
      meanPredicted: b.meanPredicted,
      fractionPositive: b.fractionPositive,
      rows: b.count,
    }));
  return (
    <>
      <Typography variant="subtitle2">Calibration</Typography>
      <UnitSquareCurve
        label="Calibration: predicted probability vs observed positive share"
        data={data}
        x={{ key: 'meanPredicted', name: 'mean predicted' }}
        y={{ key: 'fractionPositive', name: 'observed positive share' }}
        diagonal
        dots
        color={theme.palette.primary.main}
      />
      <Typography variant="caption" color="textSecondary">
        On the dashed line the predicted probability matches how often the
        positive class occurred.
      </Typography>
    </>
  );
}

function PerClassTable(props: { plots: MulticlassEvaluationPlots }) {
  return (
    <>
      <Typography variant="subtitle2">Per class</Typography>
      <Table size="small" aria-label="Per-class metrics">
        <TableHead>
          <TableRow>
            {['Class', 'Precision', 'Recall', 'F1', 'Support'].map(h => (
              <TableCell key={h} align={h === 'Class' ? 'left' : 'right'}>
                {h}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {props.plots.perClass.map(c => (
            <TableRow key={c.label} data-testid={`per-class-${c.label}`}>
              <TableCell>{c.label}</TableCell>
              <TableCell align="right">{formatMetric(c.precision)}</TableCell>
              <TableCell align="right">{formatMetric(c.recall)}</TableCell>
              <TableCell align="right">{formatMetric(c.f1)}</TableCell>
              <TableCell align="right">{c.support}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}

/** The plots of a version's task, laid out in a grid. */
export function PlotsByTask(props: { plots: EvaluationPlots }) {
  const { plots } = props;
  if (plots.task === 'binary')
    return (
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <RocCurve plots={plots} />
        </Grid>
        <Grid item xs={12} md={6}>
          <PrecisionRecallCurve plots={plots} />
        </Grid>
        <Grid item xs={12} md={6}>
          <ConfusionMatrix
            matrix={plots.confusionMatrix}
            caption={`${plots.total} test rows, positive class at probability ≥ ${plots.confusionMatrix.threshold}`}
          />
        </Grid>
        <Grid item xs={12} md={6}>
          <Calibration plots={plots} />
        </Grid>
        <Grid item xs={12}>
          <FeatureImportance plots={plots} />
        </Grid>
      </Grid>
    );
  if (plots.task === 'multiclass')
    return (
      <Grid container spacing={2}>
        <Grid item xs={12} md={6}>
          <ConfusionMatrix
            matrix={plots.confusionMatrix}
            caption={`${plots.total} test rows`}
          />
        </Grid>
        <Grid item xs={12} md={6}>
          <PerClassTable plots={plots} />
        </Grid>
        <Grid item xs={12}>
          <FeatureImportance plots={plots} />
        </Grid>
      </Grid>
    );
  return (
    <Grid container spacing={2}>
      <Grid item xs={12} md={6}>
        <PredictedVsActual plots={plots} />
      </Grid>
      <Grid item xs={12} md={6}>
        <ResidualHistogram plots={plots} />
      </Grid>
      <Grid item xs={12}>
        <FeatureImportance plots={plots} />
      </Grid>
    </Grid>
  );
}

/** A version's test-set plots, by its task: regression scatter and residuals; ROC, PR, confusion and calibration; confusion and per class. */
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
      {value => <PlotsByTask plots={value} />}
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
