import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { Fragment, useState } from 'react';
import {
  formatGate,
  higherIsBetter,
  type ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import { withMlopsEntityData } from '../../hooks/MlopsEntityDataProvider';
import { useGovernance } from '../../hooks/useGovernance';
import { useModelVersions } from '../../hooks/useMlopsEntityData';
import { approvalLabel, formatMetric, formatTime } from '../common/format';
import { bestIndex, parameterRows } from '../StatusStrip/glance';
import { useVersionSelection } from './selection';

/** N versions side by side: metrics (best marked), data, differing parameters. */
export function CompareTable(props: { versions: ModelVersion[] }) {
  const { versions } = props;
  const gate = useGovernance()?.qualityGate;
  const metrics = [
    ...new Set(versions.flatMap(v => Object.keys(v.metrics ?? {}))),
  ].sort((a, b) => {
    // the gate's metric first, the rest as recorded
    if (a === gate?.metric) return -1;
    return b === gate?.metric ? 1 : 0;
  });
  const params = parameterRows(versions).filter(r => r.differs);
  const head = (label: string) => (
    <TableRow>
      <TableCell component="th" colSpan={versions.length + 1}>
        <Typography variant="subtitle2">{label}</Typography>
      </TableCell>
    </TableRow>
  );
  return (
    <Table size="small" aria-label="Compared versions">
      <TableHead>
        <TableRow>
          <TableCell />
          {versions.map(v => (
            <TableCell key={v.version} align="right">
              Version {v.version}
              <Typography
                variant="caption"
                display="block"
                color="textSecondary"
              >
                {approvalLabel(v.approvalStatus)}
                {v.deployed ? ' · serving' : ''}
              </Typography>
            </TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {head('Metrics (test set)')}
        {metrics.map(m => {
          const values = versions.map(v => v.metrics?.[m]);
          const best = bestIndex(values, m);
          return (
            <TableRow key={m} data-testid={`compare-metric-${m}`}>
              <TableCell>
                {m} ({higherIsBetter(m) ? 'higher' : 'lower'} is better)
                {gate?.metric === m && (
                  <Typography
                    variant="caption"
                    display="block"
                    color="textSecondary"
                  >
                    gate {formatGate(gate)}
                  </Typography>
                )}
              </TableCell>
              {values.map((value, i) => (
                <TableCell
                  key={i}
                  align="right"
                  data-best={i === best ? 'true' : undefined}
                  style={i === best ? { fontWeight: 700 } : undefined}
                >
                  {formatMetric(value)}
                  {i === best && versions.length > 1 ? ' (best)' : ''}
                </TableCell>
              ))}
            </TableRow>
          );
        })}
        {head('Data')}
        <TableRow>
          <TableCell>Rows</TableCell>
          {versions.map(v => (
            <TableCell key={v.version} align="right">
              {v.dataManifest?.rowCount?.toLocaleString('en-US') ?? '—'}
            </TableCell>
          ))}
        </TableRow>
        <TableRow>
          <TableCell>Registered</TableCell>
          {versions.map(v => (
            <TableCell key={v.version} align="right">
              {formatTime(v.createdAt)}
            </TableCell>
          ))}
        </TableRow>
        {head(
          params.length
            ? 'Hyperparameters that differ'
            : 'Hyperparameters: all the same',
        )}
        {params.map(r => (
          <TableRow key={r.name} data-testid={`compare-param-${r.name}`}>
            <TableCell>{r.name}</TableCell>
            {r.values.map((value, i) => (
              <TableCell key={i} align="right">
                {value ?? '—'}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * A bar that appears once versions are picked in the versions table, and the
 * comparison it opens (2 or more versions, newest first).
 */
export const CompareBar = withMlopsEntityData(function CompareBarContent() {
  const selection = useVersionSelection();
  const versions = useModelVersions();
  const [open, setOpen] = useState(false);
  if (!selection || selection.selected.length === 0) return null;
  const picked = (versions.value?.items ?? [])
    .filter(v => selection.selected.includes(v.version))
    .sort((a, b) => b.version - a.version);
  const n = selection.selected.length;
  return (
    <Fragment>
      <Paper
        elevation={6}
        role="region"
        aria-label="Version comparison"
        style={{
          position: 'sticky',
          bottom: 16,
          zIndex: 10,
          marginTop: 16,
          padding: '8px 16px',
        }}
      >
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          <Typography style={{ flex: 1 }} data-testid="compare-count">
            {n} version{n === 1 ? '' : 's'} picked:{' '}
            {[...selection.selected].sort((a, b) => b - a).join(', ')}
            {n < 2 ? ' — pick one more to compare' : ''}
          </Typography>
          <Button onClick={selection.clear}>Clear</Button>
          <Button
            variant="contained"
            color="primary"
            disabled={n < 2}
            onClick={() => setOpen(true)}
            data-testid="compare-open"
          >
            Compare {n}
          </Button>
        </Box>
      </Paper>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        maxWidth="lg"
        fullWidth
        aria-labelledby="mlops-compare-title"
      >
        <DialogTitle id="mlops-compare-title">
          Compare versions {picked.map(v => v.version).join(', ')}
        </DialogTitle>
        <DialogContent dividers style={{ overflowX: 'auto' }}>
          <CompareTable versions={picked} />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Close</Button>
        </DialogActions>
      </Dialog>
    </Fragment>
  );
});
