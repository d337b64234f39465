import { InputError, NotFoundError } from '@backstage/errors';
import {
  DatasetValidationError,
  MAX_REPORTED_ROW_ERRORS,
  toClientError,
} from './errors';

describe('toClientError', () => {
  it('passes known errors through unchanged', () => {
    const e = new NotFoundError('version 9 not found');
    expect(toClientError(e)).toBe(e);
  });

  it("passes a model's own failure (ModelInvocationError, 424) through", () => {
    const e = Object.assign(new Error('model said: bad feature count'), {
      name: 'ModelInvocationError',
      statusCode: 424,
    });
    const mapped = toClientError(e);
    expect(mapped).toBe(e);
    expect((mapped as any).statusCode).toBe(424);
  });

  it('drops the cause chain of a known error, which may carry internals', () => {
    const e = new NotFoundError(
      'execution x not found',
      new Error('ResourceNotFound: arn:aws:iam::123:role/secret'),
    );
    const mapped = toClientError(e);
    expect(mapped.name).toBe('NotFoundError');
    expect(mapped.message).toBe('execution x not found');
    expect((mapped as any).cause).toBeUndefined();
  });

  it('moves row errors an engine put on the cause onto rowErrors', () => {
    const rows = [
      { row: 4, column: 'sex', value: 'Q', reason: 'must be M, F or I' },
    ];
    const cause = Object.assign(new Error('validation failed'), {
      errors: rows,
    });
    const mapped = toClientError(new InputError('bad.csv: 1 row error', cause));
    expect(mapped.message).toBe('bad.csv: 1 row error');
    expect(mapped).toBeInstanceOf(DatasetValidationError);
    expect((mapped as DatasetValidationError).rowErrors).toEqual(rows);
  });

  it('caps the row errors sent back', () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({
      row: i + 1,
      column: 'length',
      reason: 'not a number',
    }));
    expect(new DatasetValidationError('x', rows).rowErrors).toHaveLength(
      MAX_REPORTED_ROW_ERRORS,
    );
  });

  it('replaces unknown errors with a safe internal error', () => {
    const mapped = toClientError(
      new TypeError(
        "Cannot read properties of undefined (reading 'Body') at /app/x.js",
      ),
    );
    expect(mapped.name).toBe('InternalServerError');
    expect(mapped.message).not.toContain('/app/x.js');
    expect(toClientError('a string').name).toBe('InternalServerError');
  });

  it('turns body-parser 4xx errors into input errors', () => {
    const parse = Object.assign(
      new SyntaxError('Unexpected token } in JSON at position 3'),
      {
        status: 400,
        type: 'entity.parse.failed',
      },
    );
    expect(toClientError(parse)).toMatchObject({
      name: 'InputError',
      message: 'Request body is not valid JSON',
    });
  });
});
