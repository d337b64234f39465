import { FormEvent, useRef, useState } from 'react';
import { PredictError, PredictionResult, predict } from './api';
import {
  AbaloneInstance,
  ABALONE_SCALE,
  EXAMPLE_INPUT,
  MEASUREMENT_INFO,
  Measurement,
  SEX_OPTIONS,
} from './features';
import { fieldErrorsFromServerMessage } from './serverFieldErrors';
import {
  EMPTY_FORM,
  FIELD_ORDER,
  FieldErrors,
  FieldName,
  FormValues,
  realMax,
  validateField,
  validateForm,
  validateWhileTyping,
} from './validation';

// Sizes and weights are grouped by unit, so each group's legend names it.
const MEASUREMENT_GROUPS: ReadonlyArray<{
  legend: string;
  fields: readonly Measurement[];
}> = [
  { legend: 'Size, in millimetres', fields: ['length', 'diameter', 'height'] },
  {
    legend: 'Weight, in grams',
    fields: ['wholeWeight', 'shuckedWeight', 'visceraWeight', 'shellWeight'],
  },
];

type SubmitState =
  | { status: 'idle' }
  | { status: 'submitting' }
  | { status: 'success'; result: PredictionResult; sent: AbaloneInstance }
  | { status: 'error'; error: PredictError };

const fieldId = (field: FieldName) => `field-${field}`;
const errorId = (field: FieldName) => `field-${field}-error`;
const hintId = (field: FieldName) => `field-${field}-hint`;

function formatNumber(value: number, digits = 1): string {
  return value.toLocaleString('en', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function MeasurementField(props: {
  field: Measurement;
  value: string;
  error?: string;
  onChange: (field: Measurement, value: string) => void;
}) {
  const { field, value, error, onChange } = props;
  const info = MEASUREMENT_INFO[field];
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={fieldId(field)}>
        {info.label} <span className="unit">({info.unit})</span>
      </label>
      <div className="input-with-unit">
        <input
          id={fieldId(field)}
          name={field}
          type="text"
          // Text + decimal keypad: type=number would silently drop what the
          // user typed when it is not a number, so we could not explain why.
          inputMode="decimal"
          autoComplete="off"
          value={value}
          aria-invalid={error ? true : undefined}
          aria-describedby={
            error ? `${errorId(field)} ${hintId(field)}` : hintId(field)
          }
          onChange={e => onChange(field, e.target.value)}
        />
        <span className="unit-suffix" aria-hidden="true">
          {info.unit}
        </span>
      </div>
      <p id={hintId(field)} className="hint">
        {info.description}; up to {realMax(field)} {info.unit}.
      </p>
      {error && (
        <p id={errorId(field)} className="error-text">
          {error}
        </p>
      )}
    </div>
  );
}

function ResultPanel(props: {
  result: PredictionResult;
  sent: AbaloneInstance;
}) {
  const { result, sent } = props;
  return (
    <section className="result" aria-labelledby="result-heading">
      <h2 id="result-heading">Predicted age</h2>
      <p className="result-age">
        <span data-testid="predicted-age">{formatNumber(result.age)}</span>{' '}
        years
      </p>
      <p className="result-rings">
        about{' '}
        <span data-testid="predicted-rings">{formatNumber(result.rings)}</span>{' '}
        growth rings
      </p>
      <p>
        Abalone are normally aged by cutting the shell, staining it and counting
        its rings under a microscope; age in years is the ring count plus 1.5.
        The model estimates the ring count from the measurements you entered
        instead, so treat the answer as an estimate: it is usually within two or
        three rings.
      </p>
      <p className="muted" data-testid="model-version">
        {result.modelVersion !== undefined
          ? `Answered by model version ${result.modelVersion}`
          : 'The service did not say which model version answered'}
        {result.endpointName ? ` (endpoint ${result.endpointName})` : ''}.
      </p>
      <details>
        <summary>What was sent to the model</summary>
        <p className="muted">
          Your measurements divided by {ABALONE_SCALE}, the units of the
          training data:
        </p>
        <pre>{JSON.stringify({ instances: [sent] }, null, 2)}</pre>
      </details>
    </section>
  );
}

function ErrorPanel(props: { error: PredictError }) {
  const { error } = props;
  const titles: Record<PredictError['kind'], string> = {
    network: 'Could not reach the prediction service',
    rejected: 'The measurements were not accepted',
    unavailable: 'No prediction available right now',
    misconfigured: 'The prediction service refused the request',
    server: 'The prediction service had a problem',
  };
  return (
    <div className="notice notice-error" data-testid="predict-error">
      <h2>{titles[error.kind]}</h2>
      <p>{error.userMessage}</p>
      {error.serverMessage && (
        <p>
          The service said:{' '}
          <q data-testid="server-message">{error.serverMessage}</q>
        </p>
      )}
    </div>
  );
}

export function PredictForm(props: { apiBaseUrl: string }) {
  const { apiBaseUrl } = props;
  const [values, setValues] = useState<FormValues>(EMPTY_FORM);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [submit, setSubmit] = useState<SubmitState>({ status: 'idle' });
  const [summary, setSummary] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const busy = submit.status === 'submitting';

  const setFieldError = (field: FieldName, message: string | undefined) =>
    setErrors(prev => {
      const next = { ...prev };
      if (message) {
        next[field] = message;
      } else {
        delete next[field];
      }
      return next;
    });

  const handleChange = (field: FieldName, value: string) => {
    setValues(prev => ({ ...prev, [field]: value }));
    // A field already showing an error is re-checked fully so the message
    // goes away as soon as it is fixed; others only get the checks that
    // cannot be a half-typed number.
    setFieldError(
      field,
      errors[field] !== undefined
        ? validateField(field, value)
        : validateWhileTyping(field, value),
    );
  };

  const focusField = (field: FieldName) => {
    const selector =
      field === 'sex' ? 'input[name="sex"]' : `#${fieldId(field)}`;
    formRef.current?.querySelector<HTMLInputElement>(selector)?.focus();
  };

  const handleSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    const validation = validateForm(values);
    if (!validation.ok) {
      setErrors(validation.errors);
      const count = Object.keys(validation.errors).length;
      setSummary(
        `Please fix ${count} field${count === 1 ? '' : 's'} before predicting.`,
      );
      const first = FIELD_ORDER.find(f => validation.errors[f]);
      if (first) {
        focusField(first);
      }
      return;
    }
    setErrors({});
    setSummary('');
    setSubmit({ status: 'submitting' });
    try {
      const result = await predict(apiBaseUrl, validation.instance);
      setSubmit({ status: 'success', result, sent: validation.instance });
    } catch (error) {
      const predictError =
        error instanceof PredictError
          ? error
          : new PredictError(
              'server',
              'Something went wrong while predicting. Please try again.',
              undefined,
              String(error),
            );
      if (predictError.kind === 'rejected') {
        setErrors(fieldErrorsFromServerMessage(predictError.serverMessage));
      }
      setSubmit({ status: 'error', error: predictError });
    }
  };

  const fillExample = () => {
    setValues({ ...EXAMPLE_INPUT });
    setErrors({});
    setSummary('');
  };

  const clear = () => {
    setValues(EMPTY_FORM);
    setErrors({});
    setSummary('');
    setSubmit({ status: 'idle' });
    focusField('sex');
  };

  return (
    <div className="layout">
      <form
        ref={formRef}
        className="card"
        noValidate
        onSubmit={handleSubmit}
        aria-labelledby="form-heading"
        aria-describedby="units-hint"
      >
        <h2 id="form-heading">Measurements</h2>
        <p id="units-hint" className="hint units-hint">
          Enter the measurements as you took them, in millimetres and grams. The
          training data stores them divided by {ABALONE_SCALE}; the app converts
          them for you.
        </p>

        <fieldset
          className={`fieldset sex${errors.sex ? ' field-invalid' : ''}`}
          role="radiogroup"
          aria-invalid={errors.sex ? true : undefined}
          aria-describedby={errors.sex ? errorId('sex') : undefined}
        >
          <legend>Sex</legend>
          <div className="radios">
            {SEX_OPTIONS.map(option => (
              <label key={option.value} className="radio">
                <input
                  type="radio"
                  name="sex"
                  value={option.value}
                  checked={values.sex === option.value}
                  onChange={() => handleChange('sex', option.value)}
                />
                {option.label}
              </label>
            ))}
          </div>
          {errors.sex && (
            <p id={errorId('sex')} className="error-text">
              {errors.sex}
            </p>
          )}
        </fieldset>

        {MEASUREMENT_GROUPS.map(group => (
          <fieldset className="fieldset" key={group.legend}>
            <legend>{group.legend}</legend>
            <div className="grid">
              {group.fields.map(field => (
                <MeasurementField
                  key={field}
                  field={field}
                  value={values[field]}
                  error={errors[field]}
                  onChange={handleChange}
                />
              ))}
            </div>
          </fieldset>
        ))}

        <p className="error-summary" role="alert">
          {summary}
        </p>

        <div className="actions">
          {/* aria-disabled rather than disabled: keeps keyboard focus on the
              button while the request runs. */}
          <button type="submit" className="primary" aria-disabled={busy}>
            {busy ? 'Predicting…' : 'Predict age'}
          </button>
          <button type="button" onClick={fillExample} disabled={busy}>
            Fill in an example
          </button>
          <button type="button" onClick={clear} disabled={busy}>
            Clear
          </button>
        </div>
      </form>

      <div className="card result-card" aria-live="polite" aria-busy={busy}>
        {submit.status === 'idle' && (
          <p className="muted">
            The predicted age will appear here after you submit the
            measurements.
          </p>
        )}
        {submit.status === 'submitting' && <p>Asking the model…</p>}
        {submit.status === 'success' && (
          <ResultPanel result={submit.result} sent={submit.sent} />
        )}
        {submit.status === 'error' && <ErrorPanel error={submit.error} />}
      </div>
    </div>
  );
}
