import { isTransient, retryTransient } from './retryTransient';

const s3Error = (name: string, status: number, fault = 'client') =>
  Object.assign(new Error(name), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
  });

describe('retryTransient', () => {
  it.each([
    ['SlowDown 503', s3Error('SlowDown', 503, 'server'), true],
    ['InternalError 500', s3Error('InternalError', 500, 'server'), true],
    ['RequestTimeout 400', s3Error('RequestTimeout', 400), true],
    [
      'a reset connection',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      true,
    ],
    ['BadDigest 400', s3Error('BadDigest', 400), false],
    ['AccessDenied 403', s3Error('AccessDenied', 403), false],
    ['a plain error', new Error('boom'), false],
    ['a non-error', 'boom', false],
  ])('%s is transient: %s', (_label, error, expected) => {
    expect(isTransient(error)).toBe(expected);
  });

  it('retries transient failures up to maxAttempts, then throws the last one', async () => {
    const slowDown = s3Error('SlowDown', 503, 'server');
    const attempt = jest.fn(async () => {
      throw slowDown;
    });
    const onRetry = jest.fn();
    await expect(
      retryTransient(attempt, { maxAttempts: 3, onRetry }),
    ).rejects.toBe(slowDown);
    expect(attempt).toHaveBeenCalledTimes(3);
    expect(onRetry.mock.calls.map(c => c[1])).toEqual([2, 3]);
  });

  it('returns the first success and never retries a permanent failure', async () => {
    const attempt = jest
      .fn<Promise<string>, []>()
      .mockRejectedValueOnce(s3Error('InternalError', 500, 'server'))
      .mockResolvedValueOnce('stored');
    await expect(retryTransient(attempt, { maxAttempts: 5 })).resolves.toBe(
      'stored',
    );
    expect(attempt).toHaveBeenCalledTimes(2);

    const denied = jest.fn(async () => {
      throw s3Error('AccessDenied', 403);
    });
    await expect(retryTransient(denied, { maxAttempts: 5 })).rejects.toThrow(
      'AccessDenied',
    );
    expect(denied).toHaveBeenCalledTimes(1);
  });
});
