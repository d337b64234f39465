import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import InputAdornment from '@material-ui/core/InputAdornment';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import {
  ABALONE_SCALE,
  EXAMPLE_ABALONE,
  FEATURE_INFO,
  NUMERIC_FEATURES,
  mlopsEndpointInvokePermission,
  type AbaloneFeatures,
  type AbaloneSex,
  type NumericFeature,
  type PredictResponse,
} from '@mlops-portal/plugin-mlops-common';
import { mlopsApiRef } from '../../api';
import { useEntityRef } from '../../hooks/useEntityRef';
import { PermissionButton } from '../common/PermissionButton';

/** Example abalones (data set units), picked from typical rows of the UCI data. */
export const PRESETS: Array<{ label: string; features: AbaloneFeatures }> = [
  {
    label: 'young (infant)',
    features: {
      sex: 'I',
      length: 0.33,
      diameter: 0.255,
      height: 0.08,
      wholeWeight: 0.205,
      shuckedWeight: 0.0895,
      visceraWeight: 0.0395,
      shellWeight: 0.055,
    },
  },
  { label: 'typical adult', features: EXAMPLE_ABALONE },
  {
    label: 'large old female',
    features: {
      sex: 'F',
      length: 0.7,
      diameter: 0.545,
      height: 0.19,
      wholeWeight: 1.67,
      shuckedWeight: 0.6,
      visceraWeight: 0.35,
      shellWeight: 0.5,
    },
  },
];

const SEX_LABELS: Record<AbaloneSex, string> = {
  M: 'Male',
  F: 'Female',
  I: 'Infant',
};

/** Data set units (÷200) → what a person measures (mm or g). */
export function toReal(scaled: number): number {
  return Number((scaled * ABALONE_SCALE).toFixed(2));
}

type FormValues = Record<NumericFeature, string> & { sex: AbaloneSex };

function toForm(f: AbaloneFeatures): FormValues {
  const out = { sex: f.sex } as FormValues;
  for (const k of NUMERIC_FEATURES) out[k] = String(toReal(f[k]));
  return out;
}

/** Inline validation of one measurement in real units; undefined when valid. */
export function validateFeature(
  key: NumericFeature,
  raw: string,
): string | undefined {
  const info = FEATURE_INFO[key];
  if (raw.trim() === '') return `${info.label} is required`;
  const n = Number(raw);
  if (!Number.isFinite(n)) return `${info.label} must be a number`;
  const min = toReal(info.min);
  const max = toReal(info.max);
  if (n < min) return `${info.label} must be ≥ ${min} ${info.unit}`;
  if (n > max) return `${info.label} must be ≤ ${max} ${info.unit}`;
  return undefined;
}

/**
 * Ask the deployed model for an abalone's age. People measure in mm and g; the
 * model was trained on the data set's units (value ÷ 200), so the form converts.
 */
export function PredictionCard() {
  const api = useApi(mlopsApiRef);
  const entityRef = useEntityRef();
  const [values, setValues] = useState<FormValues>(() =>
    toForm(EXAMPLE_ABALONE),
  );
  const [result, setResult] = useState<PredictResponse>();
  const [error, setError] = useState<{ message: string; status?: number }>();
  const [busy, setBusy] = useState(false);

  const errors = Object.fromEntries(
    NUMERIC_FEATURES.map(k => [k, validateFeature(k, values[k])]),
  ) as Record<NumericFeature, string | undefined>;
  const invalid = NUMERIC_FEATURES.some(k => errors[k]);

  const predict = async () => {
    const instance = { sex: values.sex } as AbaloneFeatures;
    for (const k of NUMERIC_FEATURES)
      instance[k] = Number(values[k]) / ABALONE_SCALE;
    setBusy(true);
    setError(undefined);
    try {
      setResult(await api.predict(entityRef, { instances: [instance] }));
    } catch (e: any) {
      setResult(undefined);
      setError({
        message: e.message,
        status: e.response?.status ?? e.statusCode,
      });
    } finally {
      setBusy(false);
    }
  };

  const prediction = result?.predictions[0];
  return (
    <InfoCard
      title="Predict"
      subheader="Ask the deployed model for an abalone's age (left out of the endpoint's monitoring)"
    >
      <Typography variant="body2" color="textSecondary" paragraph>
        Enter measurements in millimetres and grams. The model was trained on
        the UCI Abalone data set, which stores every measurement divided by{' '}
        {ABALONE_SCALE}; the form does that conversion for you.
      </Typography>
      <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} mb={1}>
        {PRESETS.map(p => (
          <Button
            key={p.label}
            size="small"
            variant="outlined"
            onClick={() => {
              setValues(toForm(p.features));
              setResult(undefined);
            }}
          >
            Example: {p.label}
          </Button>
        ))}
      </Box>
      <Grid container spacing={1}>
        <Grid item xs={12} sm={6}>
          <TextField
            select
            fullWidth
            margin="dense"
            id="mlops-predict-sex"
            label="Sex"
            value={values.sex}
            onChange={e =>
              setValues(v => ({ ...v, sex: e.target.value as AbaloneSex }))
            }
          >
            {(Object.keys(SEX_LABELS) as AbaloneSex[]).map(s => (
              <MenuItem key={s} value={s}>
                {SEX_LABELS[s]} ({s})
              </MenuItem>
            ))}
          </TextField>
        </Grid>
        {NUMERIC_FEATURES.map(k => {
          const info = FEATURE_INFO[k];
          return (
            <Grid item xs={12} sm={6} key={k}>
              <TextField
                fullWidth
                margin="dense"
                id={`mlops-predict-${k}`}
                label={info.label}
                value={values[k]}
                onChange={e => setValues(v => ({ ...v, [k]: e.target.value }))}
                error={Boolean(errors[k])}
                helperText={
                  errors[k] ??
                  `${info.description}; data set ${toReal(
                    info.datasetMin,
                  )}–${toReal(info.datasetMax)} ${info.unit}`
                }
                InputProps={{
                  endAdornment: (
                    <InputAdornment position="end">{info.unit}</InputAdornment>
                  ),
                }}
                inputProps={{ inputMode: 'decimal' }}
              />
            </Grid>
          );
        })}
      </Grid>
      <Box mt={1}>
        <PermissionButton
          permission={mlopsEndpointInvokePermission}
          entityRef={entityRef}
          deniedReason="You are not allowed to invoke this entity's endpoint."
          disabledReason={
            invalid ? 'Fix the highlighted measurements first.' : undefined
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
        <Box mt={2} data-testid="prediction-result" aria-live="polite">
          <Typography variant="h5">
            Predicted age: {prediction.age.toFixed(1)} years
          </Typography>
          <Typography variant="body1">
            {prediction.rings.toFixed(1)} rings (age = rings + 1.5) · answered
            by model version {result.modelVersion} on {result.endpointName}
          </Typography>
        </Box>
      )}
    </InfoCard>
  );
}
