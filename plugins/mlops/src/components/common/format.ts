import { statusLabel } from './statusLabels';

/** Human duration between two ISO times (end defaults to now for running items). */
export function formatDuration(
  start?: string,
  end?: string,
  now = Date.now(),
): string {
  if (!start) return '—';
  const ms = (end ? Date.parse(end) : now) - Date.parse(start);
  if (!Number.isFinite(ms) || ms < 0) return '—';
  // Local steps often take a fraction of a second: "0s" would read as "did nothing".
  if (ms < 100) return '< 0.1s';
  if (ms < 950) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function formatTime(iso?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

export function formatMetric(value?: number, digits = 3): string {
  return value === undefined || value === null || !Number.isFinite(value)
    ? '—'
    : value.toFixed(digits);
}

/** `user:default/guest` → `guest`; anything else is shown as is. */
export function shortRef(ref?: string): string {
  if (!ref) return '—';
  const m = /^[^:]+:[^/]+\/(.+)$/.exec(ref);
  return m ? m[1] : ref;
}

/** An approval status as people read it (see statusLabels). */
export function approvalLabel(status: string): string {
  return statusLabel(status);
}
