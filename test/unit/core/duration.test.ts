import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../functions/core/duration.ts';
import { InvalidArgumentError } from '../../../functions/core/errors.ts';

describe('parseDuration', () => {
  it.each([
    ['900', 900],
    ['900s', 900],
    ['15m', 900],
    ['12h', 43_200],
    ['3d', 259_200],
    ['7d', 604_800],
    [' 2h ', 7_200],
  ])('reads %j as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '3 d', '1w', '-5m', '1.5h', 'h', '3d12h', '1234567890'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(InvalidArgumentError);
  });

  it('rejects a malformed duration with a message naming it and the allowed forms', () => {
    expect(() => parseDuration('1w')).toThrow(/"1w".*s, m, h or d/);
  });
});
