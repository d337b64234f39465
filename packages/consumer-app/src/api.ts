import type { AbaloneInstance } from './features';
import { ageFromRings } from './units';

/** What the app shows after a successful prediction. */
export interface PredictionResult {
  rings: number;
  /** Years: rings + 1.5. */
  age: number;
  /** The registered model version that answered, when the API says. */
  modelVersion?: number;
  endpointName?: string;
}

/**
 * Why a prediction failed, so the UI can tell the user what to do next.
 * - network: the service could not be reached (down, offline, CORS, timeout)
 * - rejected: the service refused the input (400/422); fix the values
 * - unavailable: nothing is deployed or the service is overloaded (503/429)
 * - misconfigured: the app points at the wrong address or is not allowed (401/403/404)
 * - server: the service failed (other 5xx) or answered something unreadable
 */
export type PredictErrorKind =
  | 'network'
  | 'rejected'
  | 'unavailable'
  | 'misconfigured'
  | 'server';

export class PredictError extends Error {
  constructor(
    readonly kind: PredictErrorKind,
    /** A sentence for the end user, including what to do. */
    readonly userMessage: string,
    readonly status?: number,
    /** The server's own explanation, shown as-is. */
    readonly serverMessage?: string,
  ) {
    super(serverMessage ? `${userMessage} (${serverMessage})` : userMessage);
    this.name = 'PredictError';
  }
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Pulls the human-readable message out of an error body. Backstage answers
 * `{"error":{"name":"InputError","message":"..."}}`, API Gateway and Lambda
 * answer `{"message":"..."}`; anything else short and non-HTML is shown as text.
 */
export function extractServerMessage(bodyText: string): string | undefined {
  const text = bodyText.trim();
  if (!text) {
    return undefined;
  }
  try {
    const body = JSON.parse(text) as unknown;
    if (body && typeof body === 'object') {
      const { error, message } = body as {
        error?: { message?: unknown } | string;
        message?: unknown;
      };
      if (
        error &&
        typeof error === 'object' &&
        typeof error.message === 'string'
      ) {
        return error.message;
      }
      if (typeof error === 'string') {
        return error;
      }
      if (typeof message === 'string') {
        return message;
      }
    }
    return undefined;
  } catch {
    if (text.startsWith('<') || text.length > 300) {
      return undefined;
    }
    return text;
  }
}

/** Maps a non-2xx response to a PredictError the user can act on. */
export function errorFromResponse(
  status: number,
  bodyText: string,
): PredictError {
  const serverMessage = extractServerMessage(bodyText);
  if (status === 400 || status === 422) {
    return new PredictError(
      'rejected',
      'The prediction service did not accept these measurements. Check the values named below and submit again.',
      status,
      serverMessage,
    );
  }
  if (status === 503) {
    return new PredictError(
      'unavailable',
      'No model is being served right now, for example because none has been approved and deployed yet. Please try again later.',
      status,
      serverMessage,
    );
  }
  if (status === 429) {
    return new PredictError(
      'unavailable',
      'The prediction service is busy. Wait a few seconds and submit again.',
      status,
      serverMessage,
    );
  }
  if (status === 401 || status === 403 || status === 404) {
    return new PredictError(
      'misconfigured',
      `The prediction service refused the request (HTTP ${status}). This app may be pointed at the wrong address; please tell the site's owner.`,
      status,
      serverMessage,
    );
  }
  return new PredictError(
    'server',
    `The prediction service had a problem (HTTP ${status}). Please try again in a minute.`,
    status,
    serverMessage,
  );
}

function parsePrediction(body: unknown): PredictionResult {
  const { predictions, modelVersion, endpointName } = (body ?? {}) as {
    predictions?: unknown;
    modelVersion?: unknown;
    endpointName?: unknown;
  };
  const first = Array.isArray(predictions)
    ? (predictions[0] as { rings?: unknown; age?: unknown } | undefined)
    : undefined;
  if (
    !first ||
    typeof first.rings !== 'number' ||
    !Number.isFinite(first.rings)
  ) {
    throw new PredictError(
      'server',
      'The prediction service answered without a prediction. Please try again in a minute.',
      200,
    );
  }
  return {
    rings: first.rings,
    // The contract sends age, but derive it if a back end leaves it out.
    age:
      typeof first.age === 'number' && Number.isFinite(first.age)
        ? first.age
        : ageFromRings(first.rings),
    modelVersion: typeof modelVersion === 'number' ? modelVersion : undefined,
    endpointName: typeof endpointName === 'string' ? endpointName : undefined,
  };
}

export interface PredictOptions {
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}

/** The predict URL for a configured API base URL (which may end in "/"). */
export function predictUrl(apiBaseUrl: string): string {
  return `${apiBaseUrl.replace(/\/+$/, '')}/predict`;
}

/**
 * POSTs one abalone to `${apiBaseUrl}/predict`. The contract is the same for
 * the local portal backend and API Gateway on AWS.
 */
export async function predict(
  apiBaseUrl: string,
  instance: AbaloneInstance,
  options: PredictOptions = {},
): Promise<PredictionResult> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response: Response;
  let bodyText: string;
  try {
    response = await fetchImpl(predictUrl(apiBaseUrl), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
      },
      body: JSON.stringify({ instances: [instance] }),
      signal: controller.signal,
    });
    bodyText = await response.text();
  } catch (error) {
    const timedOut = controller.signal.aborted;
    const seconds = Math.ceil(timeoutMs / 1000);
    throw new PredictError(
      'network',
      timedOut
        ? `The prediction service did not answer within ${seconds} second${
            seconds === 1 ? '' : 's'
          }. Check your connection and try again; if it keeps happening, the service may be down.`
        : 'The prediction service could not be reached. Check your internet connection and try again; if it keeps failing, the service may be down.',
      undefined,
      timedOut ? undefined : String((error as Error)?.message ?? error),
    );
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    throw errorFromResponse(response.status, bodyText);
  }
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    throw new PredictError(
      'server',
      'The prediction service answered with something that is not JSON. Please try again in a minute.',
      response.status,
    );
  }
  return parsePrediction(body);
}
