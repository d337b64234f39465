import Box from '@material-ui/core/Box';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormLabel from '@material-ui/core/FormLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useEffect, useMemo, useState } from 'react';
import {
  ALL_AT_ONCE,
  deploymentStrategySchema,
  type DeploymentStrategy,
  type TrafficRoutingType,
} from '@mlops-portal/plugin-mlops-common';
import { describeStrategy } from '../Deployments/rolloutText';

type Mode = 'default' | TrafficRoutingType;

/** What the approval sends: an override only when the person changed it. */
export interface StrategyChoice {
  deployment?: DeploymentStrategy;
  /** Set while a field is invalid: the approval cannot be sent. */
  invalid: boolean;
}

interface Fields {
  canaryPercent: string;
  canarySeconds: string;
  linearPercent: string;
  linearSeconds: string;
}

/** The override the fields describe (numbers as typed: the schema judges them). */
function build(mode: Mode, f: Fields): DeploymentStrategy | undefined {
  if (mode === 'default') return undefined;
  if (mode === 'ALL_AT_ONCE') return ALL_AT_ONCE;
  if (mode === 'CANARY')
    return {
      trafficRouting: {
        type: 'CANARY',
        waitIntervalInSeconds: Number(f.canarySeconds),
        canarySize: {
          type: 'CAPACITY_PERCENT',
          value: Number(f.canaryPercent),
        },
      },
    };
  return {
    trafficRouting: {
      type: 'LINEAR',
      waitIntervalInSeconds: Number(f.linearSeconds),
      linearStepSize: {
        type: 'CAPACITY_PERCENT',
        value: Number(f.linearPercent),
      },
    },
  };
}

/** The schema's message for each field of the form, e.g. "must be at most 50 %". */
function fieldErrors(
  mode: Mode,
  strategy: DeploymentStrategy | undefined,
): Partial<Record<keyof Fields, string>> {
  if (!strategy) return {};
  const result = deploymentStrategySchema.safeParse(strategy);
  if (result.success) return {};
  const errors: Partial<Record<keyof Fields, string>> = {};
  for (const issue of result.error.issues) {
    const path = issue.path.join('.');
    const message = issue.message;
    if (path.startsWith('trafficRouting.waitIntervalInSeconds'))
      errors[mode === 'LINEAR' ? 'linearSeconds' : 'canarySeconds'] = message;
    else if (path.startsWith('trafficRouting.canarySize'))
      errors.canaryPercent = message;
    else if (path.startsWith('trafficRouting.linearStepSize'))
      errors.linearPercent = message;
  }
  return errors;
}

const sameRouting = (a: DeploymentStrategy, b: DeploymentStrategy) =>
  JSON.stringify(a.trafficRouting) === JSON.stringify(b.trafficRouting);

/**
 * "How to deploy": the system's default strategy in words, or an override
 * for this approval (all at once, canary, linear), checked with the same
 * schema the backend uses; an override keeps the system's alarms.
 */
export function DeploymentStrategyField(props: {
  /** The system's default (`governance.deployment`); all at once without one. */
  systemDefault?: DeploymentStrategy;
  onChange: (choice: StrategyChoice) => void;
}) {
  const { onChange } = props;
  const systemDefault = props.systemDefault ?? ALL_AT_ONCE;
  const [mode, setMode] = useState<Mode>('default');
  const defaultCanary = systemDefault.trafficRouting.canarySize?.value ?? 10;
  const defaultLinear =
    systemDefault.trafficRouting.linearStepSize?.value ?? 25;
  const defaultWait = systemDefault.trafficRouting.waitIntervalInSeconds || 60;
  const [fields, setFields] = useState<Fields>({
    canaryPercent: String(defaultCanary),
    canarySeconds: String(defaultWait),
    linearPercent: String(defaultLinear),
    linearSeconds: String(defaultWait),
  });
  const strategy = useMemo(() => build(mode, fields), [mode, fields]);
  const errors = useMemo(() => fieldErrors(mode, strategy), [mode, strategy]);
  const invalid = Object.keys(errors).length > 0;
  // Picking what the system does anyway is no override.
  const changed = strategy && !sameRouting(strategy, systemDefault);
  const deployment = changed && !invalid ? strategy : undefined;
  const key = JSON.stringify(deployment ?? null);
  useEffect(() => {
    onChange({ deployment, invalid });
    // `key` stands for `deployment`'s content
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, invalid, onChange]);

  const field = (name: keyof Fields, label: string, unit: string) => (
    <TextField
      id={`mlops-strategy-${name}`}
      label={label}
      type="number"
      size="small"
      value={fields[name]}
      onChange={e => setFields(f => ({ ...f, [name]: e.target.value }))}
      error={Boolean(errors[name])}
      helperText={errors[name] ? `${label} ${errors[name]}` : unit}
      inputProps={{ 'data-testid': `strategy-${name}` }}
      style={{ width: 200 }}
    />
  );

  return (
    <FormControl component="fieldset" margin="dense" fullWidth>
      <FormLabel component="legend">How to deploy</FormLabel>
      <RadioGroup
        aria-label="How to deploy"
        value={mode}
        onChange={e => setMode(e.target.value as Mode)}
      >
        <FormControlLabel
          value="default"
          control={<Radio size="small" />}
          label={`System default: ${describeStrategy(systemDefault)}`}
        />
        <FormControlLabel
          value="ALL_AT_ONCE"
          control={<Radio size="small" />}
          label="All at once"
        />
        <FormControlLabel
          value="CANARY"
          control={<Radio size="small" />}
          label="Canary: a share first, then all"
        />
        {mode === 'CANARY' && (
          <Box display="flex" style={{ gap: 16 }} ml={4}>
            {field('canaryPercent', 'Canary share', 'percent, 1–50')}
            {field('canarySeconds', 'Bake time', 'seconds, 0–3600')}
          </Box>
        )}
        <FormControlLabel
          value="LINEAR"
          control={<Radio size="small" />}
          label="Linear: equal steps"
        />
        {mode === 'LINEAR' && (
          <Box display="flex" style={{ gap: 16 }} ml={4}>
            {field('linearPercent', 'Step', 'percent, 10–50')}
            {field('linearSeconds', 'Interval', 'seconds, 0–3600')}
          </Box>
        )}
      </RadioGroup>
      {mode !== 'default' && systemDefault.autoRollback && (
        <Typography variant="caption" color="textSecondary">
          The system's alarms still apply.
        </Typography>
      )}
    </FormControl>
  );
}
