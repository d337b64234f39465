import { setTimeout as sleep } from 'timers/promises';

/** Not status-coded but worth another attempt: timeouts and dropped connections. */
const TRANSIENT_NAMES = new Set(['RequestTimeout', 'TimeoutError']);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 5000;

/** S3's 5xx (InternalError, SlowDown), throttles, timeouts, reset connections. */
export function isTransient(error: unknown): boolean {
  const e = error as {
    name?: string;
    code?: string;
    $fault?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (!e || typeof e !== 'object') return false;
  const status = e.$metadata?.httpStatusCode;
  return (
    Boolean(e.$retryable) ||
    e.$fault === 'server' ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    TRANSIENT_NAMES.has(e.name ?? '') ||
    TRANSIENT_CODES.has(e.code ?? '')
  );
}

/**
 * Runs `attempt` until it succeeds, fails for good, or `maxAttempts` is
 * used up, with capped exponential backoff and full jitter. For requests
 * whose body is a stream, which the SDK's own retry strategy does not
 * retry (it cannot rewind a stream): each attempt must open a new one.
 */
export async function retryTransient<T>(
  attempt: () => Promise<T>,
  options: {
    maxAttempts: number;
    onRetry?: (error: unknown, nextAttempt: number) => void;
  },
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (n >= options.maxAttempts || !isTransient(e)) throw e;
      options.onRetry?.(e, n + 1);
      const cap = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** n);
      await sleep(Math.random() * cap);
    }
  }
}
