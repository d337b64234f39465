import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  NotImplementedError,
  NotModifiedError,
  ServiceUnavailableError,
  isError,
} from '@backstage/errors';
import {
  DatasetValidationError,
  extractRowErrors,
} from '@mlops-portal/plugin-mlops-node';

// Engines throw these; they are part of the engine contract in -node.
export {
  DatasetValidationError,
  extractRowErrors,
  MAX_REPORTED_ROW_ERRORS,
} from '@mlops-portal/plugin-mlops-node';

/** The request body is over the route's limit (→ 413). */
export class PayloadTooLargeError extends Error {
  readonly statusCode = 413;
  name = 'PayloadTooLargeError';
}

/** The request body is not of the route's media type (→ 415). */
export class UnsupportedMediaTypeError extends Error {
  readonly statusCode = 415;
  name = 'UnsupportedMediaTypeError';
}

/** Errors whose name and message are safe to hand to a client as they are. */
const CLIENT_SAFE_ERROR_NAMES = new Set<string>([
  InputError.name,
  AuthenticationError.name,
  NotAllowedError.name,
  NotFoundError.name,
  ConflictError.name,
  NotModifiedError.name,
  NotImplementedError.name,
  ServiceUnavailableError.name,
  'PayloadTooLargeError',
  // The model's own answer about the input (aws engine, SageMaker ModelError → 424).
  'ModelInvocationError',
  'UnsupportedMediaTypeError',
  // An entity's ML system spec does not validate (→ 422, field problems listed).
  'SpecValidationError',
]);

/** CustomErrorBase appends "; caused by <cause>" to the message. */
function withoutCause(message: string): string {
  return message.replace(/; caused by .*$/s, '');
}

/**
 * Maps whatever an engine threw to an error that is safe to serialise:
 * known Backstage errors pass (row errors normalised onto `rowErrors`),
 * anything else becomes a generic 500/502 without internals, so AWS SDK
 * messages, file paths or stacks never reach a client. Returns the original
 * too, so the caller can log it.
 */
export function toClientError(error: unknown): Error {
  if (isError(error) && CLIENT_SAFE_ERROR_NAMES.has(error.name)) {
    if (
      error.name === InputError.name &&
      !(error instanceof DatasetValidationError)
    ) {
      const rowErrors = extractRowErrors(error);
      if (rowErrors)
        return new DatasetValidationError(
          withoutCause(error.message),
          rowErrors,
        );
    }
    // An engine's message may carry a `cause` chain with internals; drop it.
    if (
      (error as any).cause !== undefined &&
      !(error instanceof DatasetValidationError)
    ) {
      const copy = new Error(withoutCause(error.message));
      copy.name = error.name;
      return copy;
    }
    return error;
  }
  // body-parser errors carry their own HTTP status (e.g. 400 invalid JSON).
  const status = isError(error)
    ? (error as any).statusCode ?? (error as any).status
    : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const copy = new InputError(
      (error as any).type === 'entity.parse.failed'
        ? 'Request body is not valid JSON'
        : (error as Error).message,
    );
    return copy;
  }
  const generic = new Error(
    'The MLOps engine failed to complete the request; see the backend logs for details',
  );
  generic.name = 'InternalServerError';
  return generic;
}
