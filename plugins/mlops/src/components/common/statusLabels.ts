/**
 * What people read for the engines' status words (SageMaker's, CodePipeline's).
 * The raw value stays in `data-status` attributes and tooltips for those who
 * look it up in AWS; this is the one place that turns it into words.
 */
const STATUS_LABELS: Record<string, string> = {
  // model approval
  PendingManualApproval: 'Pending approval',
  // executions and steps
  Executing: 'Running',
  NotStarted: 'Not started',
  // release stages
  InProgress: 'In progress',
  // endpoints
  InService: 'In service',
  OutOfService: 'Out of service',
  RollingBack: 'Rolling back',
  // rollouts
  RolledBack: 'Rolled back',
};

/** A status value as people read it; words that read well already pass through. */
export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

/** What started a run, as the runs table says it (the raw value stays in tooltips). */
const TRIGGER_LABELS: Record<string, string> = {
  upload: 'Data upload',
  manual: 'Manual',
  retry: 'Retry',
  external: 'External',
  // the closed loop's automatic runs (the spec's `retraining` section)
  schedule: 'Scheduled',
  drift: 'Drift detected',
};

/** A run's trigger as people read it; an unknown trigger passes through. */
export function triggerLabel(trigger: string): string {
  return TRIGGER_LABELS[trigger] ?? trigger;
}
