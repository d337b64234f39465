import type { AuditorService } from '@backstage/backend-plugin-api';

/** One audit event as a test sees it: what was opened and how it ended. */
export interface RecordedAuditEvent {
  eventId: string;
  severityLevel?: string;
  meta?: Record<string, unknown>;
  outcome?: 'success' | 'fail';
  outcomeMeta?: Record<string, unknown>;
  error?: Error;
}

/** An AuditorService that keeps every event with its outcome (test-only). */
export function recordingAuditor(): {
  auditor: AuditorService;
  events: RecordedAuditEvent[];
} {
  const events: RecordedAuditEvent[] = [];
  const auditor: AuditorService = {
    createEvent: async options => {
      const entry: RecordedAuditEvent = {
        eventId: options.eventId,
        severityLevel: options.severityLevel,
        meta: options.meta as Record<string, unknown>,
      };
      events.push(entry);
      return {
        success: async o => {
          entry.outcome = 'success';
          entry.outcomeMeta = o?.meta as Record<string, unknown>;
        },
        fail: async o => {
          entry.outcome = 'fail';
          entry.error = o.error;
        },
      };
    },
  };
  return { auditor, events };
}
