import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
} from '@backstage/core-components';
import type { ReactNode } from 'react';
import { statusLabel } from './statusLabels';

/**
 * One status vocabulary for executions, steps and release stages, so the same
 * word always gets the same colour.
 */
export function StatusIndicator(props: {
  status: string;
  children?: ReactNode;
}) {
  const label = props.children ?? statusLabel(props.status);
  switch (props.status) {
    case 'Succeeded':
    case 'InService':
    case 'Approved':
      return <StatusOK>{label}</StatusOK>;
    case 'Failed':
    case 'Rejected':
    case 'RolledBack':
      return <StatusError>{label}</StatusError>;
    case 'Executing':
    case 'Starting':
    case 'InProgress':
    case 'Stopping':
    case 'Creating':
    case 'Updating':
      return <StatusRunning>{label}</StatusRunning>;
    case 'Stopped':
    case 'Cancelled':
    case 'Superseded':
      return <StatusAborted>{label}</StatusAborted>;
    default:
      return <StatusPending>{label}</StatusPending>;
  }
}
