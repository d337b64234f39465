import { InputError } from '@backstage/errors';
import {
  MONITORING_WINDOWS,
  formatZodError,
  type MonitoringWindow,
} from '@mlops-portal/plugin-mlops-common';
import { z } from 'zod/v3';

// Model package versions are positive 32-bit integers, as in SageMaker.
const MAX_VERSION = 2147483647;

export function parseVersion(raw: string | undefined): number {
  if (!raw || !/^[0-9]+$/.test(raw)) {
    throw new InputError(`version: '${raw ?? ''}' must be an integer ≥ 1`);
  }
  const version = Number(raw);
  if (!Number.isSafeInteger(version) || version < 1 || version > MAX_VERSION) {
    throw new InputError(
      `version: '${raw}' must be an integer between 1 and ${MAX_VERSION}`,
    );
  }
  return version;
}

// An execution ARN is at most 2048 characters (SageMaker's limit).
export function parseExecutionId(raw: string | undefined): string {
  const id = (raw ?? '').trim();
  if (!id) throw new InputError('executionId must not be empty');
  if (id.length > 2048)
    throw new InputError('executionId must be at most 2048 characters');
  return id;
}

/** `limit` (1..bounds.max, default bounds.default) and `nextToken` of a list route. */
export function parseListQuery(
  query: Record<string, unknown>,
  bounds: { default: number; max: number },
): {
  limit: number;
  nextToken?: string;
} {
  let limit = bounds.default;
  if (query.limit !== undefined) {
    const raw = query.limit;
    if (
      typeof raw !== 'string' ||
      !/^[0-9]+$/.test(raw) ||
      Number(raw) < 1 ||
      Number(raw) > bounds.max
    ) {
      throw new InputError(
        `limit: must be an integer between 1 and ${bounds.max}`,
      );
    }
    limit = Number(raw);
  }
  let nextToken: string | undefined;
  if (query.nextToken !== undefined) {
    if (
      typeof query.nextToken !== 'string' ||
      query.nextToken === '' ||
      query.nextToken.length > 4096
    ) {
      throw new InputError(
        'nextToken: must be a non-empty string of at most 4096 characters',
      );
    }
    nextToken = query.nextToken;
  }
  return { limit, nextToken };
}

// A plain file name: no directories, no leading dot, so nothing can escape the bucket.
const FILE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function parseFileName(raw: unknown): string {
  if (raw === undefined) {
    return `upload-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`;
  }
  if (
    typeof raw !== 'string' ||
    !FILE_NAME_PATTERN.test(raw) ||
    raw.includes('..')
  ) {
    throw new InputError(
      'fileName: must be a plain file name of letters, digits, ".", "_" or "-" (at most 128 characters)',
    );
  }
  return raw;
}

// SageMaker endpoint naming rule.
const ENDPOINT_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

export function parseEndpointName(raw: string | undefined): string {
  if (!raw || !ENDPOINT_NAME_PATTERN.test(raw)) {
    throw new InputError(
      `endpointName: '${raw ?? ''}' is not a valid endpoint name`,
    );
  }
  return raw;
}

const monitoringQuerySchema = z.object({
  window: z
    .enum(MONITORING_WINDOWS, {
      errorMap: () => ({
        message: `must be one of ${MONITORING_WINDOWS.join(', ')}`,
      }),
    })
    .default('1h'),
});

/** `?window=1h|24h|7d` (default 1h); a bad value names the field. */
export function parseMonitoringWindow(
  query: Record<string, unknown>,
): MonitoringWindow {
  const parsed = monitoringQuerySchema.safeParse({ window: query.window });
  if (!parsed.success) throw new InputError(formatZodError(parsed.error));
  return parsed.data.window;
}
