import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import {
  HYPERPARAMETERS,
  type ParameterInfo,
  type StartExecutionRequest,
} from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { useMlopsRefresh } from '../../hooks/MlopsEntityDataProvider';
import { useEntityRef } from '../../hooks/useEntityRef';

/**
 * Validates one parameter field as typed; returns the message to show under
 * it, or undefined when valid. Empty means "use the pipeline default".
 */
export function validateParameter(
  p: ParameterInfo,
  raw: string,
): string | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  if (p.type === 'String') {
    return p.allowed && !p.allowed.includes(text)
      ? `Must be one of ${p.allowed.join(', ')}`
      : undefined;
  }
  const n = Number(text);
  if (!Number.isFinite(n)) return 'Must be a number';
  if (p.type === 'Integer' && !Number.isInteger(n))
    return 'Must be a whole number';
  if (p.min !== undefined && n < p.min) return `Must be ≥ ${p.min}`;
  if (p.max !== undefined && n > p.max) return `Must be ≤ ${p.max}`;
  return undefined;
}

function initialValues(): Record<string, string> {
  return Object.fromEntries(
    HYPERPARAMETERS.map(p => [p.name, String(p.default)]),
  );
}

function ParameterField(props: {
  info: ParameterInfo;
  value: string;
  onChange: (v: string) => void;
}) {
  const { info, value } = props;
  const error = validateParameter(info, value);
  const range =
    info.min !== undefined || info.max !== undefined
      ? ` (${info.min ?? '−∞'} – ${info.max ?? '∞'})`
      : '';
  const help = error ?? `${info.description}${range}; default ${info.default}`;
  if (info.type === 'String') {
    return (
      <TextField
        select
        fullWidth
        id={`mlops-param-${info.name}`}
        label={info.name}
        value={value}
        onChange={e => props.onChange(e.target.value)}
        helperText={help}
        margin="dense"
      >
        {(info.allowed ?? []).map(a => (
          <MenuItem key={a} value={a}>
            {a}
          </MenuItem>
        ))}
      </TextField>
    );
  }
  return (
    <TextField
      fullWidth
      id={`mlops-param-${info.name}`}
      label={info.name}
      value={value}
      onChange={e => props.onChange(e.target.value)}
      error={Boolean(error)}
      helperText={help}
      margin="dense"
      inputProps={{ inputMode: 'decimal' }}
    />
  );
}

/**
 * "Train now": start an execution with hyperparameter overrides. The quality
 * gate and pre-approval are not offered: they are the owners' configuration,
 * not something whoever trains may change.
 */
export function TrainNowDialog(props: { open: boolean; onClose: () => void }) {
  const api = useApi(mlopsApiRef);
  const alertApi = useApi(alertApiRef);
  const entityRef = useEntityRef();
  const refresh = useMlopsRefresh();
  const [values, setValues] = useState(initialValues);
  const [displayName, setDisplayName] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string>();

  const invalid = HYPERPARAMETERS.some(p =>
    validateParameter(p, values[p.name]),
  );

  const submit = async () => {
    const parameters: Record<string, string | number> = {};
    for (const p of HYPERPARAMETERS) {
      const text = values[p.name].trim();
      // Only overrides travel; the pipeline keeps its own defaults otherwise.
      if (text === '' || text === String(p.default)) continue;
      parameters[p.name] = p.type === 'String' ? text : Number(text);
    }
    const request: StartExecutionRequest = {
      parameters: parameters as StartExecutionRequest['parameters'],
      ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
    };
    setSubmitting(true);
    setSubmitError(undefined);
    try {
      const run = await api.startRun(entityRef, request);
      alertApi.post({
        message: `Started run ${run.executionId}`,
        severity: 'success',
        display: 'transient',
      });
      refresh(['runs', 'release']);
      props.onClose();
      setValues(initialValues());
      setDisplayName('');
    } catch (e: any) {
      setSubmitError(e.message);
    } finally {
      setSubmitting(false);
    }
  };

  const set = (name: string) => (v: string) =>
    setValues(s => ({ ...s, [name]: v }));

  return (
    <Dialog
      open={props.open}
      onClose={props.onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby="mlops-train-now-title"
    >
      <DialogTitle id="mlops-train-now-title">Train now</DialogTitle>
      <DialogContent>
        {submitError && (
          <Alert severity="error" role="alert">
            {submitError}
          </Alert>
        )}
        <TextField
          fullWidth
          margin="dense"
          id="mlops-run-name"
          label="Run name (optional)"
          value={displayName}
          inputProps={{ maxLength: 82 }}
          onChange={e => setDisplayName(e.target.value)}
        />
        <Typography variant="subtitle1" style={{ marginTop: 12 }}>
          Hyperparameters
        </Typography>
        <Typography variant="body2" color="textSecondary">
          The quality gate the new version must pass is set by the system's
          owners, not per run; a version that passes waits for approval.
        </Typography>
        <Grid container spacing={2}>
          {HYPERPARAMETERS.map(p => (
            <Grid item xs={12} sm={6} key={p.name}>
              <ParameterField
                info={p}
                value={values[p.name]}
                onChange={set(p.name)}
              />
            </Grid>
          ))}
        </Grid>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={invalid || submitting}
          onClick={submit}
        >
          Start run
        </Button>
      </DialogActions>
    </Dialog>
  );
}
