import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
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
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useCallback, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  formatGate,
  mlopsModelApprovePermission,
  type ModelVersion,
  type QualityGate,
} from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import {
  useMlopsRefresh,
  withMlopsEntityData,
} from '../../hooks/MlopsEntityDataProvider';
import { useDeepLink } from '../../hooks/useDeepLink';
import { useEntityRef } from '../../hooks/useEntityRef';
import { useGovernance } from '../../hooks/useGovernance';
import {
  useDeployments,
  useGovernance as useGovernanceResource,
  useModelVersions,
} from '../../hooks/useMlopsEntityData';
import {
  APPROVE_DENIED,
  ApprovalStatusChip,
} from '../ModelVersions/ModelVersionsCard';
import { EvaluationPlotsView } from '../ModelVersions/EvaluationPlots';
import {
  DeploymentStrategyField,
  type StrategyChoice,
} from '../ModelVersions/DeploymentStrategyField';
import { useFourEyes } from '../ModelVersions/useFourEyes';
import { PermissionButton } from '../common/PermissionButton';
import { formatMetric, formatTime, shortRef } from '../common/format';
import {
  decisionEffect,
  describeEffect,
  gateVerdict,
  metricDeltas,
  parameterRows,
  servingVersionNumber,
} from '../StatusStrip/glance';

/** `+0.012 better` / `−0.3 worse`: the word carries the verdict, not only the colour. */
function DeltaCell(props: { delta?: number; better?: boolean }) {
  const { delta, better } = props;
  if (delta === undefined) return <>—</>;
  let sign = '±';
  if (delta > 0) sign = '+';
  else if (delta < 0) sign = '−';
  let verdict = 'same';
  if (better !== undefined) verdict = better ? 'better' : 'worse';
  return (
    <Typography
      variant="body2"
      component="span"
      data-verdict={verdict}
      style={{ fontWeight: better === undefined ? undefined : 600 }}
      color={better === false ? 'error' : 'textPrimary'}
    >
      {sign}
      {formatMetric(Math.abs(delta))} {verdict}
    </Typography>
  );
}

function MetricsComparison(props: {
  candidate: ModelVersion;
  serving?: ModelVersion;
  gate?: QualityGate;
}) {
  const { candidate, serving, gate } = props;
  const rows = metricDeltas(candidate.metrics, serving?.metrics, gate);
  if (rows.length === 0)
    return (
      <Typography color="textSecondary">No test metrics recorded.</Typography>
    );
  return (
    <Table size="small" aria-label="Metrics, candidate beside serving">
      <TableHead>
        <TableRow>
          <TableCell>Metric</TableCell>
          <TableCell align="right">Version {candidate.version}</TableCell>
          {serving && (
            <>
              <TableCell align="right">
                Version {serving.version} (serving)
              </TableCell>
              <TableCell align="right">Change</TableCell>
            </>
          )}
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map(r => (
          <TableRow key={r.metric} data-testid={`review-metric-${r.metric}`}>
            <TableCell>
              {r.metric}
              {r.gate && gate && (
                <Typography
                  variant="caption"
                  color="textSecondary"
                  display="block"
                >
                  gate {formatGate(gate)}:{' '}
                  {gateVerdict(gate, candidate.metrics) ? 'passes' : 'fails'}
                </Typography>
              )}
            </TableCell>
            <TableCell align="right">{formatMetric(r.candidate)}</TableCell>
            {serving && (
              <>
                <TableCell align="right">{formatMetric(r.baseline)}</TableCell>
                <TableCell align="right">
                  <DeltaCell delta={r.delta} better={r.better} />
                </TableCell>
              </>
            )}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function DataComparison(props: { versions: ModelVersion[] }) {
  return (
    <Table size="small" aria-label="Training data">
      <TableHead>
        <TableRow>
          <TableCell>Data</TableCell>
          {props.versions.map(v => (
            <TableCell key={v.version}>Version {v.version}</TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {(
          [
            [
              'Rows',
              v => v.dataManifest?.rowCount?.toLocaleString('en-US') ?? '—',
            ],
            [
              'Files',
              v => v.dataManifest?.files.map(f => f.key).join(', ') || '—',
            ],
            ['Uploaded', v => formatTime(v.dataManifest?.createdAt)],
            ['Uploaded by', v => shortRef(v.dataManifest?.createdBy)],
            ['Run', v => v.executionId ?? '—'],
            ['Registered', v => formatTime(v.createdAt)],
          ] as Array<[string, (v: ModelVersion) => string]>
        ).map(([label, get]) => (
          <TableRow key={label}>
            <TableCell>{label}</TableCell>
            {props.versions.map(v => (
              <TableCell key={v.version} style={{ overflowWrap: 'anywhere' }}>
                {get(v)}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function ParameterDifferences(props: { versions: ModelVersion[] }) {
  const rows = parameterRows(props.versions);
  const differing = rows.filter(r => r.differs);
  if (rows.length === 0)
    return (
      <Typography color="textSecondary">
        No hyperparameters recorded.
      </Typography>
    );
  return (
    <>
      <Typography variant="body2" data-testid="review-parameter-summary">
        {differing.length === 0
          ? `Same ${rows.length} hyperparameters.`
          : `${differing.length} of ${rows.length} hyperparameters differ.`}
      </Typography>
      {differing.length > 0 && (
        <Table size="small" aria-label="Hyperparameter differences">
          <TableHead>
            <TableRow>
              <TableCell>Parameter</TableCell>
              {props.versions.map(v => (
                <TableCell key={v.version}>Version {v.version}</TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {differing.map(r => (
              <TableRow key={r.name} data-testid={`review-param-${r.name}`}>
                <TableCell>{r.name}</TableCell>
                {r.values.map((value, i) => (
                  <TableCell key={i}>{value ?? '—'}</TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}

/** The candidate beside the serving version, with Approve/Reject. */
export function ReviewContent(props: {
  candidate: ModelVersion;
  versions: ModelVersion[];
  servingNumber?: number;
  onDone: () => void;
}) {
  const { candidate, versions, servingNumber } = props;
  const api = useApi(mlopsApiRef);
  const alertApi = useApi(alertApiRef);
  const entityRef = useEntityRef();
  const refresh = useMlopsRefresh();
  const governance = useGovernance();
  const fourEyes = useFourEyes(entityRef);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [plotsOf, setPlotsOf] = useState(candidate.version);
  const [strategy, setStrategy] = useState<StrategyChoice>({ invalid: false });
  const onStrategy = useCallback((c: StrategyChoice) => setStrategy(c), []);
  const systemDefault = useGovernanceResource().value?.deployment;
  const serving =
    servingNumber !== undefined && servingNumber !== candidate.version
      ? versions.find(v => v.version === servingNumber)
      : undefined;
  const shown = serving ? [candidate, serving] : [candidate];
  const decisions = (['Approved', 'Rejected'] as const).filter(
    d => d !== candidate.approvalStatus,
  );

  const decide = async (status: 'Approved' | 'Rejected') => {
    if (!comment.trim()) {
      setError('A comment is required: say why, for the audit trail.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const deployment =
        status === 'Approved' ? strategy.deployment : undefined;
      await api.setApproval(entityRef, candidate.version, {
        status,
        comment: comment.trim(),
        ...(deployment ? { deployment } : {}),
      });
      alertApi.post({
        message: `Version ${candidate.version} ${
          status === 'Approved' ? 'approved' : 'rejected'
        }`,
        severity: 'success',
        display: 'transient',
      });
      // A decision moves the endpoint and the release's deploy stage.
      refresh(['versions', 'deployments', 'release']);
      props.onDone();
    } catch (e: any) {
      setError(e?.message ?? String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <DialogContent dividers>
        <Box mb={2} data-testid="review-effects">
          {decisions.map(d => (
            <Typography
              key={d}
              variant="body2"
              data-testid={`review-effect-${d}`}
            >
              {describeEffect(
                d,
                candidate.version,
                decisionEffect(d, candidate.version, servingNumber, versions),
              )}
            </Typography>
          ))}
          {decisions.includes('Approved') && (
            <DeploymentStrategyField
              // the form starts from the default: again once it has loaded
              key={JSON.stringify(systemDefault ?? null)}
              systemDefault={systemDefault}
              onChange={onStrategy}
            />
          )}
        </Box>
        <Grid container spacing={2}>
          <Grid item xs={12} md={6}>
            <Typography variant="h6">Metrics</Typography>
            <MetricsComparison
              candidate={candidate}
              serving={serving}
              gate={governance?.qualityGate}
            />
          </Grid>
          <Grid item xs={12} md={6}>
            <Typography variant="h6">Data</Typography>
            <DataComparison versions={shown} />
            <Box mt={2}>
              <Typography variant="h6">Parameters</Typography>
              <ParameterDifferences versions={shown} />
            </Box>
          </Grid>
          <Grid item xs={12}>
            <Box display="flex" alignItems="center" style={{ gap: 8 }}>
              <Typography variant="h6">Evaluation plots</Typography>
              {shown.map(v => (
                <Button
                  key={v.version}
                  size="small"
                  variant={plotsOf === v.version ? 'contained' : 'outlined'}
                  onClick={() => setPlotsOf(v.version)}
                  aria-pressed={plotsOf === v.version}
                >
                  Version {v.version}
                </Button>
              ))}
            </Box>
            <EvaluationPlotsView version={plotsOf} />
          </Grid>
        </Grid>
      </DialogContent>
      {/* The decision stays in view however long the comparison is (dialog actions do not scroll). */}
      <DialogActions style={{ flexWrap: 'wrap', gap: 8 }}>
        {error && (
          <Alert severity="error" role="alert" style={{ flexBasis: '100%' }}>
            {error}
          </Alert>
        )}
        <TextField
          id="mlops-review-comment"
          label="Comment (why, for the audit trail)"
          required
          size="small"
          value={comment}
          onChange={e => setComment(e.target.value)}
          style={{ flex: '1 1 240px' }}
          inputProps={{ maxLength: 1000 }}
        />
        <Button onClick={props.onDone}>Close</Button>
        {decisions.map(d => {
          const blocked = d === 'Approved' ? fourEyes(candidate) : undefined;
          return (
            <PermissionButton
              key={d}
              permission={mlopsModelApprovePermission}
              entityRef={entityRef}
              deniedReason={APPROVE_DENIED}
              disabled={
                busy ||
                Boolean(blocked) ||
                (d === 'Approved' && strategy.invalid)
              }
              disabledReason={blocked}
              variant="contained"
              color={d === 'Approved' ? 'primary' : 'secondary'}
              data-testid={`review-${d === 'Approved' ? 'approve' : 'reject'}`}
              onClick={() => decide(d)}
            >
              {d === 'Approved' ? 'Approve' : 'Reject'}
            </PermissionButton>
          );
        })}
      </DialogActions>
    </>
  );
}

/**
 * The review panel, opened by `?version=N` (the strip's Review action, a
 * notification's link, or a shared URL opened cold). A version older than
 * the loaded page is fetched on its own.
 */
export const ReviewPanel = withMlopsEntityData(function ReviewPanelDialog() {
  const link = useDeepLink();
  const api = useApi(mlopsApiRef);
  const entityRef = useEntityRef();
  const versions = useModelVersions();
  const deployments = useDeployments();
  const items = versions.value?.items ?? [];
  const wanted = link.version;
  const loaded = items.find(v => v.version === wanted);
  const fetched = useAsync(async () => {
    if (wanted === undefined || loaded || !versions.value) return undefined;
    return api.getModelVersion(entityRef, wanted);
  }, [wanted, Boolean(loaded), Boolean(versions.value), api, entityRef]);
  const candidate = loaded ?? fetched.value;
  const servingNumber = servingVersionNumber(deployments.value, items);
  const close = () => link.close('version');
  return (
    <Dialog
      open={wanted !== undefined}
      onClose={close}
      maxWidth="lg"
      fullWidth
      aria-labelledby="mlops-review-title"
      data-testid="review-panel"
    >
      <DialogTitle id="mlops-review-title">
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          Review version {wanted}
          {candidate && (
            <ApprovalStatusChip
              version={candidate.version}
              status={candidate.approvalStatus}
            />
          )}
        </Box>
      </DialogTitle>
      {candidate ? (
        <ReviewContent
          key={candidate.version}
          candidate={candidate}
          versions={loaded ? items : [candidate, ...items]}
          servingNumber={servingNumber}
          onDone={close}
        />
      ) : (
        <DialogContent>
          <Typography color={fetched.error ? 'error' : 'textSecondary'}>
            {fetched.error
              ? `Could not load version ${wanted}: ${fetched.error.message}`
              : 'Loading…'}
          </Typography>
        </DialogContent>
      )}
    </Dialog>
  );
});
