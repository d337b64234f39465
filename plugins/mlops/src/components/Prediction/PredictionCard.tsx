import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import InputAdornment from '@material-ui/core/InputAdornment';
import LinearProgress from '@material-ui/core/LinearProgress';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import {
  mlopsEndpointInvokePermission,
  type ModelSignature,
  type Prediction,
  type PredictResponse,
  type SignatureColumn,
} from '@mlops-portal/plugin-mlops-common';
import { httpStatus, mlopsApiRef } from '../../api';
import { withMlopsEntityData } from '../../hooks/MlopsEntityDataProvider';
import { useEntityRef } from '../../hooks/useEntityRef';
import {
  useDeployments,
  useModelSignature,
} from '../../hooks/useMlopsEntityData';
import { PermissionButton } from '../common/PermissionButton';
import {
  allowsMissing,
  columnLabel,
  exampleLabel,
  numericHint,
  scaledColumns,
  toForm,
  toRecord,
  validateFeature,
  type FormValues,
} from './signatureForm';

export { toDisplay, validateFeature } from './signatureForm';

function FeatureField(props: {
  column: SignatureColumn;
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const { column: c, value, error, onChange } = props;
  const common = {
    fullWidth: true,
    margin: 'dense' as const,
    id: `mlops-predict-${c.name}`,
    label: columnLabel(c),
    value,
    error: Boolean(error),
    onChange: (e: React.ChangeEvent<HTMLInputElement>) =>
      onChange(e.target.value),
  };
  if (c.type === 'categorical' || c.type === 'boolean') {
    const options =
      c.type === 'boolean'
        ? [
            { value: 'true', label: 'true' },
            { value: 'false', label: 'false' },
          ]
        : (c.categories ?? []).map(k => ({
            value: k,
            label: c.categoryLabels?.[k] ? `${c.categoryLabels[k]} (${k})` : k,
          }));
    // a value outside the list (e.g. an example row's) stays selectable
    if (value !== '' && !options.some(o => o.value === value))
      options.push({ value, label: value });
    return (
      <TextField select {...common} helperText={error ?? c.description}>
        {allowsMissing(c) && (
          <MenuItem value="">
            <em>missing</em>
          </MenuItem>
        )}
        {options.map(o => (
          <MenuItem key={o.value} value={o.value}>
            {o.label}
          </MenuItem>
        ))}
      </TextField>
    );
  }
  return (
    <TextField
      {...common}
      helperText={error ?? (numericHint(c) || undefined)}
      placeholder={allowsMissing(c) ? 'empty = missing' : undefined}
      InputProps={
        c.unit
          ? {
              endAdornment: (
                <InputAdornment position="end">{c.unit}</InputAdornment>
              ),
            }
          : undefined
      }
      inputProps={{ inputMode: 'decimal' }}
    />
  );
}

/** The answer as people read it: the display value, or the class with every class's probability. */
export function PredictionResult(props: {
  prediction: Prediction;
  signature?: ModelSignature;
  response: Pick<PredictResponse, 'modelVersion' | 'endpointName'>;
}) {
  const { prediction: p, signature, response } = props;
  const target = signature?.outputs.target;
  const answeredBy = `answered by model version ${response.modelVersion} on ${response.endpointName}`;
  if (p.probabilities) {
    const classes = Object.entries(p.probabilities).sort((a, b) => b[1] - a[1]);
    return (
      <Box mt={2} data-testid="prediction-result" aria-live="polite">
        <Typography variant="h5">
          Predicted {target ?? 'class'}: {String(p.value)}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {answeredBy}
        </Typography>
        <Box mt={1} role="list" aria-label="Class probabilities">
          {classes.map(([label, prob]) => (
            <Box
              key={label}
              role="listitem"
              data-testid={`class-probability-${label}`}
              display="flex"
              alignItems="center"
              style={{ gap: 8 }}
            >
              <Box width={120} flexShrink={0}>
                <Typography variant="body2" noWrap title={label}>
                  {label}
                </Typography>
              </Box>
              <Box flexGrow={1}>
                <LinearProgress
                  variant="determinate"
                  value={Math.round(prob * 100)}
                  aria-label={`${label} probability`}
                />
              </Box>
              <Box width={56} textAlign="right">
                <Typography variant="body2">
                  {(prob * 100).toFixed(1)}%
                </Typography>
              </Box>
            </Box>
          ))}
        </Box>
      </Box>
    );
  }
  const value = typeof p.value === 'number' ? p.value : Number(p.value);
  const display = p.display;
  return (
    <Box mt={2} data-testid="prediction-result" aria-live="polite">
      {display ? (
        <>
          <Typography variant="h5">
            Predicted {(display.label ?? target ?? 'value').toLowerCase()}:{' '}
            {display.value.toFixed(1)}
            {display.unit ? ` ${display.unit}` : ''}
          </Typography>
          <Typography variant="body1">
            {value.toFixed(1)} {target ?? ''} · {answeredBy}
          </Typography>
        </>
      ) : (
        <>
          <Typography variant="h5">
            Predicted {target ?? 'value'}:{' '}
            {Number.isFinite(value) ? value.toFixed(3) : String(p.value)}
          </Typography>
          <Typography variant="body1">{answeredBy}</Typography>
        </>
      )}
    </Box>
  );
}

/** The form and answer for one signature (the deployed version's). */
export function PredictionForm(props: {
  signature: ModelSignature;
  modelVersion?: number;
}) {
  const { signature } = props;
  const api = useApi(mlopsApiRef);
  const entityRef = useEntityRef();
  const examples = signature.examples ?? [];
  const [values, setValues] = useState<FormValues>(() =>
    toForm(signature, examples[0]),
  );
  const [result, setResult] = useState<PredictResponse>();
  const [error, setError] = useState<{ message: string; status?: number }>();
  const [busy, setBusy] = useState(false);

  // a new deployment may bring other inputs: start from its first example
  useEffect(() => {
    setValues(toForm(signature, signature.examples?.[0]));
    setResult(undefined);
  }, [signature]);

  const errors = Object.fromEntries(
    signature.inputs.map(c => [
      c.name,
      validateFeature(c, values[c.name] ?? ''),
    ]),
  );
  const invalid = Object.values(errors).some(Boolean);

  const predict = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(
        await api.predict(entityRef, {
          instances: [toRecord(signature, values)],
        }),
      );
    } catch (e: any) {
      setResult(undefined);
      // a 400 names the field (checked against the same signature by the service)
      setError({ message: e.message, status: httpStatus(e) });
    } finally {
      setBusy(false);
    }
  };

  const scaled = scaledColumns(signature);
  const prediction = result?.predictions[0];
  return (
    <>
      {scaled.length > 0 && (
        <Typography variant="body2" color="textSecondary" paragraph>
          Enter values in the units shown. The training data stores{' '}
          {scaled
            .map(s => `${s.labels.join(', ')} divided by ${s.scale}`)
            .join('; ')}
          ; the form does that conversion for you.
        </Typography>
      )}
      {examples.length > 0 && (
        <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} mb={1}>
          {examples.map((ex, i) => (
            <Button
              key={i}
              size="small"
              variant="outlined"
              onClick={() => {
                setValues(toForm(signature, ex));
                setResult(undefined);
              }}
            >
              {exampleLabel(signature, ex, i)}
            </Button>
          ))}
        </Box>
      )}
      <Grid container spacing={1}>
        {signature.inputs.map(c => (
          <Grid item xs={12} sm={6} key={c.name}>
            <FeatureField
              column={c}
              value={values[c.name] ?? ''}
              error={errors[c.name]}
              onChange={v => setValues(old => ({ ...old, [c.name]: v }))}
            />
          </Grid>
        ))}
      </Grid>
      <Box mt={1}>
        <PermissionButton
          permission={mlopsEndpointInvokePermission}
          entityRef={entityRef}
          deniedReason="You are not allowed to invoke this entity's endpoint."
          disabledReason={
            invalid ? 'Fix the highlighted fields first.' : undefined
          }
          variant="contained"
          color="primary"
          disabled={invalid || busy}
          onClick={predict}
        >
          Predict
        </PermissionButton>
      </Box>
      {error && (
        <Box mt={1}>
          <Alert
            severity={error.status === 503 ? 'info' : 'error'}
            role="alert"
          >
            {error.status === 503
              ? `Nothing is deployed yet: approve a model version first. (${error.message})`
              : error.message}
          </Alert>
        </Box>
      )}
      {result && prediction && (
        <PredictionResult
          prediction={prediction}
          signature={signature}
          response={result}
        />
      )}
    </>
  );
}

/**
 * Ask the deployed model for a prediction. The form is built from the
 * deployed version's signature: its inputs, units, ranges, categories and
 * example rows; classifiers answer with every class's probability.
 */
export const PredictionCard = withMlopsEntityData(
  function PredictionCardContent() {
    const deployments = useDeployments();
    const version = deployments.value?.endpoint?.modelVersion;
    const signature = useModelSignature(version);
    let body: JSX.Element;
    if (deployments.value === undefined && !deployments.error)
      body = <Progress />;
    else if (version === undefined)
      body = (
        <Alert severity="info">
          Nothing is deployed yet: approve a model version first; the form is
          built from the deployed version's inputs.
        </Alert>
      );
    else if (signature.value)
      body = (
        <PredictionForm signature={signature.value} modelVersion={version} />
      );
    else if (signature.value === null)
      body = (
        <Alert severity="info">
          Model version {version} has no signature (it was trained before
          signatures were recorded); train a new version to predict here.
        </Alert>
      );
    else if (signature.error && httpStatus(signature.error) === 501)
      body = (
        <Alert severity="info">
          This entity's engine does not describe its models' inputs, so there is
          no form to predict with here.
        </Alert>
      );
    else if (signature.error)
      body = (
        <Alert severity="error" role="alert">
          Could not load the inputs of model version {version}:{' '}
          {signature.error.message}
        </Alert>
      );
    else body = <Progress />;
    return (
      <InfoCard
        title="Predict"
        subheader="Ask the deployed model for a prediction (left out of the endpoint's monitoring)"
      >
        {body}
      </InfoCard>
    );
  },
);
