import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
  isError,
} from '@backstage/errors';
import type { LoggerService } from '@backstage/backend-plugin-api';

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'NotAuthorized',
]);

const NOT_FOUND = new Set([
  'ResourceNotFound',
  'ResourceNotFoundException',
  'NoSuchKey',
  'NoSuchBucket',
  'NotFound',
  'PipelineNotFoundException',
  'PipelineExecutionNotFoundException',
  'StageNotFoundException',
  'ActionNotFoundException',
]);

const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'SlowDown',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  // SageMaker Runtime (429): the endpoint exists but its model is not loaded yet.
  'ModelNotReadyException',
]);

const CONFLICT = new Set([
  'ConflictException',
  'ResourceInUse',
  'InvalidApprovalTokenException',
  'ApprovalAlreadyCompletedException',
  'ConcurrentModificationException',
  'ResourceLimitExceeded',
]);

// SageMaker reports most missing resources as a ValidationException.
const NOT_FOUND_MESSAGE =
  /does not exist|could not find|not found|cannot find/i;

/**
 * The model itself failed on the request (SageMaker Runtime's ModelError,
 * 424): its message is the container's own answer about the input, which the
 * caller needs to fix the request, so it is passed on (424, client-safe by
 * name in the backend's toClientError).
 */
export class ModelInvocationError extends Error {
  readonly statusCode = 424;
  name = 'ModelInvocationError';
}

/** True when the value is an error the AWS SDK raised (it has a service error name). */
function awsErrorName(error: unknown): string | undefined {
  if (!isError(error)) return undefined;
  const meta = (error as any).$metadata;
  if (meta === undefined && !(error as any).$fault) return undefined;
  return error.name;
}

/**
 * Turns an AWS SDK error into a Backstage error a client may see. The AWS
 * message can name accounts, roles and ARNs, so only the error name and the
 * operation go back; the full error is logged for operators.
 */
export function toEngineError(
  error: unknown,
  operation: string,
  logger?: LoggerService,
): Error {
  if (isError(error) && error.name === 'CredentialsProviderError') {
    // The backend has no usable AWS credentials: an operator problem, not the caller's.
    logger?.error(`AWS ${operation}: no credentials: ${error.message}`);
    return new ServiceUnavailableError(
      `AWS ${operation}: the backend has no usable AWS credentials (see the aws config and docs/aws.md)`,
    );
  }
  const name = awsErrorName(error);
  if (name === undefined) {
    // Already a Backstage error (or our own); pass it on unchanged.
    return isError(error) ? error : new Error(String(error));
  }
  const message = (error as Error).message ?? '';
  logger?.warn(`AWS ${operation} failed: ${name}: ${message}`);
  const status = (error as any).$metadata?.httpStatusCode;
  if (ACCESS_DENIED.has(name) || status === 403) {
    return new NotAllowedError(
      `AWS refused ${operation} (${name}); check the IAM policy of the Backstage backend`,
    );
  }
  if (
    NOT_FOUND.has(name) ||
    status === 404 ||
    (name === 'ValidationException' && NOT_FOUND_MESSAGE.test(message))
  ) {
    return new NotFoundError(
      `AWS ${operation}: the resource does not exist (${name})`,
    );
  }
  if (name === 'ModelError') {
    const original = (error as any).OriginalMessage ?? message;
    return new ModelInvocationError(
      `The model behind ${operation} rejected the request: ${original}`,
    );
  }
  if (name === 'ValidationError') {
    // SageMaker Runtime's 400: an unknown endpoint or a malformed request.
    return NOT_FOUND_MESSAGE.test(message)
      ? new NotFoundError(
          `AWS ${operation}: the endpoint does not exist (${name})`,
        )
      : new InputError(`AWS ${operation} rejected the request (${name})`);
  }
  if (THROTTLED.has(name) || status === 429 || status === 503) {
    return new ServiceUnavailableError(
      `AWS ${operation} is throttled or unavailable (${name}); try again shortly`,
    );
  }
  if (CONFLICT.has(name)) {
    return new ConflictError(
      `AWS ${operation} conflicts with the resource's state (${name})`,
    );
  }
  const safe = new Error(`AWS ${operation} failed (${name})`);
  safe.name = 'AwsEngineError';
  return safe;
}
