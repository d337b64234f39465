import {
  ModelError,
  ModelNotReadyException,
  ValidationError,
} from '@aws-sdk/client-sagemaker-runtime';
import { ModelInvocationError, toEngineError } from './awsErrors';

const meta = (httpStatusCode: number) => ({
  httpStatusCode,
  requestId: '4c1b7e0a-2f3d-4e5a-9b6c-7d8e9f0a1b2c',
  attempts: 1,
  totalRetryDelay: 0,
});

describe('toEngineError for SageMaker Runtime', () => {
  it('maps ValidationError for an unknown endpoint to NotFoundError', () => {
    const e = new ValidationError({
      message: 'Endpoint abalone-endpoint of account 123456789012 not found.',
      $metadata: meta(400),
    });
    const mapped = toEngineError(e, 'sagemaker:InvokeEndpoint');
    expect(mapped.name).toBe('NotFoundError');
    // The AWS message names the account; it stays in the logs.
    expect(mapped.message).not.toContain('123456789012');
  });

  it('maps any other ValidationError to InputError (400)', () => {
    const e = new ValidationError({
      message: '1 validation error detected: Value at body failed',
      $metadata: meta(400),
    });
    expect(toEngineError(e, 'sagemaker:InvokeEndpoint').name).toBe(
      'InputError',
    );
  });

  it('maps ModelNotReadyException (429) to ServiceUnavailableError, not NotFound', () => {
    const e = new ModelNotReadyException({
      message: 'Model is not ready yet',
      $metadata: meta(429),
    });
    const mapped = toEngineError(e, 'sagemaker:InvokeEndpoint');
    expect(mapped.name).toBe('ServiceUnavailableError');
  });

  it("maps ModelError (424) to a 424 carrying the model's own message", () => {
    const e = new ModelError({
      message: 'Received client error (400) from primary with message ...',
      OriginalStatusCode: 400,
      OriginalMessage: 'Feature shape mismatch, expected: 10, got 9',
      $metadata: meta(424),
    });
    const mapped = toEngineError(e, 'sagemaker:InvokeEndpoint');
    expect(mapped).toBeInstanceOf(ModelInvocationError);
    expect((mapped as ModelInvocationError).statusCode).toBe(424);
    expect(mapped.message).toContain(
      'Feature shape mismatch, expected: 10, got 9',
    );
  });
});
