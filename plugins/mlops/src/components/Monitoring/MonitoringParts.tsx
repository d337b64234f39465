import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { InfoCard } from '@backstage/core-components';
import { useState, type ReactElement, type ReactNode } from 'react';
import { ResponsiveContainer } from 'recharts';
import {
  MONITORING_WINDOWS,
  type DriftStatus,
  type MonitoringResponse,
  type MonitoringWindow,
} from '@mlops-portal/plugin-mlops-common';
import { useMonitoring } from '../../hooks/useMlopsEntityData';
import { AsyncContent } from '../common/AsyncContent';

/** 1h / 24h / 7d, the windows the monitoring API accepts. */
export function WindowSelector(props: {
  value: MonitoringWindow;
  onChange: (window: MonitoringWindow) => void;
  label: string;
}) {
  return (
    <ToggleButtonGroup
      size="small"
      exclusive
      value={props.value}
      aria-label={props.label}
      // A click on the selected button would deselect it; keep one selected.
      onChange={(_e, v: MonitoringWindow | null) => v && props.onChange(v)}
    >
      {MONITORING_WINDOWS.map(w => (
        <ToggleButton key={w} value={w} aria-label={`Last ${w}`}>
          {w}
        </ToggleButton>
      ))}
    </ToggleButtonGroup>
  );
}

const DRIFT_LABEL: Record<DriftStatus, string> = {
  ok: 'OK',
  warn: 'Warning',
  drift: 'Drift',
  insufficient_data: 'Not enough data',
};

// Each with white text (or as text on white) at WCAG AA contrast (≥ 4.5:1);
// MUI's orange #ed6c02 gave 3.1:1 on the overview page's health chips.
const DRIFT_COLOR: Record<DriftStatus, string> = {
  ok: '#2e7d32',
  warn: '#b45309',
  drift: '#d32f2f',
  // ≥ 4.5:1 on the tables' grey rows (#f5f5f5), not only on white
  insufficient_data: '#616161',
};

/** One drift status, the same words and colours everywhere. */
export function DriftStatusChip(props: {
  status: DriftStatus;
  testId?: string;
}) {
  const color = DRIFT_COLOR[props.status];
  return (
    <Chip
      size="small"
      variant={props.status === 'insufficient_data' ? 'outlined' : 'default'}
      label={DRIFT_LABEL[props.status]}
      style={
        props.status === 'insufficient_data'
          ? { borderColor: color, color }
          : { backgroundColor: color, color: '#fff' }
      }
      data-testid={props.testId}
      data-status={props.status}
    />
  );
}

/** A labelled chart of fixed height that takes the card's width. */
export function ChartBox(props: {
  label: string;
  height?: number;
  children: ReactElement;
}) {
  return (
    <Box height={props.height ?? 200} role="img" aria-label={props.label}>
      <ResponsiveContainer width="100%" height="100%">
        {props.children}
      </ResponsiveContainer>
    </Box>
  );
}

/** A headline number with its caption. */
export function Stat(props: { label: string; value: string; testId: string }) {
  return (
    <Box minWidth={110}>
      <Typography variant="caption" color="textSecondary">
        {props.label}
      </Typography>
      <Typography variant="h6" data-testid={props.testId}>
        {props.value}
      </Typography>
    </Box>
  );
}

export const NOTHING_TO_MONITOR = {
  title: 'Nothing to monitor',
  description:
    'No endpoint is deployed yet, or this engine does not report monitoring.',
};

/**
 * A monitoring card: its own window selector (default 1h) over the entity's
 * shared monitoring data, with the loading/empty/error ladder.
 */
export function MonitoringInfoCard(props: {
  title: string;
  subheader: string;
  windowLabel: string;
  children: (value: MonitoringResponse) => ReactNode;
}) {
  const [window, setWindow] = useState<MonitoringWindow>('1h');
  const monitoring = useMonitoring(window);
  return (
    <InfoCard
      title={props.title}
      subheader={props.subheader}
      action={
        <WindowSelector
          value={window}
          onChange={setWindow}
          label={props.windowLabel}
        />
      }
    >
      <AsyncContent state={monitoring} empty={NOTHING_TO_MONITOR}>
        {props.children}
      </AsyncContent>
    </InfoCard>
  );
}
