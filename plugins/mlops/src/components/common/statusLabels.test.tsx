import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { formatDuration } from './format';
import { StatusIndicator } from './StatusIndicator';
import { statusLabel, triggerLabel } from './statusLabels';

describe('statusLabel', () => {
  it('turns the engines’ status words into readable labels', () => {
    expect(statusLabel('PendingManualApproval')).toBe('Pending approval');
    expect(statusLabel('InProgress')).toBe('In progress');
    expect(statusLabel('Executing')).toBe('Running');
    expect(statusLabel('NotStarted')).toBe('Not started');
    expect(statusLabel('InService')).toBe('In service');
    expect(statusLabel('Succeeded')).toBe('Succeeded');
  });

  it('is what StatusIndicator shows', async () => {
    await renderInTestApp(
      <>
        <StatusIndicator status="InProgress" />
        <StatusIndicator status="PendingManualApproval" />
      </>,
    );
    expect(screen.getByText('In progress')).toBeInTheDocument();
    expect(screen.getByText('Pending approval')).toBeInTheDocument();
    expect(screen.queryByText('InProgress')).toBeNull();
  });
});

describe('formatDuration', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  it('shows sub-second durations instead of "0s"', () => {
    expect(formatDuration(at(0), at(400))).toBe('0.4s');
    expect(formatDuration(at(0), at(30))).toBe('< 0.1s');
    expect(formatDuration(at(0), at(0))).toBe('< 0.1s');
    expect(formatDuration(at(0), at(960))).toBe('1s');
    expect(formatDuration(at(0), at(15_000))).toBe('15s');
    expect(formatDuration(at(0), at(75_000))).toBe('1m 15s');
  });
});

describe('triggerLabel', () => {
  it('names the automatic runs of the closed loop and the others', () => {
    expect(triggerLabel('schedule')).toBe('Scheduled');
    expect(triggerLabel('drift')).toBe('Drift detected');
    expect(triggerLabel('upload')).toBe('Data upload');
    expect(triggerLabel('something-new')).toBe('something-new');
  });
});
