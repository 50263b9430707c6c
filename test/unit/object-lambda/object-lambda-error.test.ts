import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as errors from '../../../functions/core/errors.ts';
import { errorReason } from '../../../functions/core/s3-error-map.ts';
import {
  objectLambdaError,
  WRITE_GET_OBJECT_RESPONSE_STATUSES,
} from '../../../functions/object-lambda/object-lambda-error.ts';

/** Every domain error class, built with a message (each subclass takes the message first). */
const domainErrors = Object.values(errors)
  .filter((value) => value.prototype instanceof errors.MaskpointError)
  .map(
    (ErrorClass) =>
      new (ErrorClass as new (message: string) => errors.MaskpointError)('refused for a reason'),
  );

/** What WriteGetObjectResponse would be sent for `error`. */
function answer(error: unknown) {
  return errorReason(objectLambdaError(error));
}

describe('objectLambdaError', () => {
  it('finds the domain error classes', () => {
    expect(domainErrors.map((error) => error.code)).toEqual(
      expect.arrayContaining(['NotImplemented', 'InvalidRange', 'AccessDenied', 'SlowDown']),
    );
  });

  it.each(domainErrors.map((error) => [error.name, error] as const))(
    'answers %s with a status WriteGetObjectResponse accepts and an S3 error code',
    (_, error) => {
      const { status, code } = answer(error);

      expect(WRITE_GET_OBJECT_RESPONSE_STATUSES).toContain(status);
      if (status >= 400) expect(code).toMatch(/^[A-Z][a-zA-Z]+$/);
    },
  );

  it('answers any error, whatever its code, with an accepted status', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (code, message) => {
        expect(WRITE_GET_OBJECT_RESPONSE_STATUSES).toContain(
          answer(new errors.MaskpointError(code, message)).status,
        );
        expect(WRITE_GET_OBJECT_RESPONSE_STATUSES).toContain(answer(new Error(message)).status);
      }),
    );
  });

  it('answers a feature this access point does not offer with 400 InvalidArgument and the reason', () => {
    expect(answer(new errors.NotImplementedError('multiple byte ranges are not supported'))).toEqual({
      status: 400,
      code: 'InvalidArgument',
      message: 'multiple byte ranges are not supported',
    });
  });

  it('leaves an error of an accepted status as it is', () => {
    const error = new errors.InvalidRangeError();

    expect(objectLambdaError(error)).toBe(error);
  });
});
