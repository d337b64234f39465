import type { RequestHandler } from 'express';

/** Longest failure text a client gets (the full text is in the backend log). */
const MAX_REASON_CHARS = 500;

// An absolute file path (POSIX or Windows) inside a message.
const ABSOLUTE_PATH =
  /(?:[A-Za-z]:\\|\/)(?:[^\s'"`:,;()]+[\\/])+[^\s'"`:,;()]*/g;

/**
 * A local file URI as clients see it: relative to the engine's data
 * directory (`local://model-packages/G/1/model.json`), never the host's
 * absolute path. Anything with a scheme (s3://, https://) is left alone.
 */
export function clientUri(uri: string): string {
  if (!/^(?:\/|[A-Za-z]:\\)/.test(uri)) return uri;
  const parts = uri.split(/[\\/]/).filter(Boolean);
  const anchor = parts.findIndex(p =>
    ['bucket', 'manifests', 'runs', 'model-packages'].includes(p),
  );
  return `local://${(anchor >= 0 ? parts.slice(anchor) : parts.slice(-1)).join(
    '/',
  )}`;
}

/** A failure text without host paths, bounded. */
export function clientReason(text: string): string {
  const scrubbed = text.replace(ABSOLUTE_PATH, m => {
    const name = m.split(/[\\/]/).filter(Boolean).pop();
    return `…/${name ?? ''}`;
  });
  return scrubbed.length > MAX_REASON_CHARS
    ? `${scrubbed.slice(0, MAX_REASON_CHARS)}…`
    : scrubbed;
}

const REASON_KEYS = new Set(['failureReason', 'summary']);

/** Deep copy of a response body with `uri` and failure texts made client-safe. */
export function clientSafeBody(value: unknown, key?: string): unknown {
  if (typeof value === 'string') {
    if (key === 'uri') return clientUri(value);
    if (key && REASON_KEYS.has(key)) return clientReason(value);
    return value;
  }
  if (Array.isArray(value)) return value.map(v => clientSafeBody(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = clientSafeBody(v, k);
    return out;
  }
  return value;
}

/**
 * Engines record where files are and what went wrong in their own terms
 * (absolute paths, raw exception text); this keeps both from API clients.
 */
export function clientSafeResponses(): RequestHandler {
  return (_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => json(clientSafeBody(body));
    next();
  };
}
