import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { responseDeadlineMs } from '../../../functions/gateway/graceful-drain.ts';

describe('responseDeadlineMs', () => {
  it('gives responses the stop deadline less a shutdown reserve of 20 %, at most 2 s', () => {
    expect(responseDeadlineMs(25_000)).toBe(23_000);
    expect(responseDeadlineMs(5_000)).toBe(4_000);
    expect(responseDeadlineMs(0)).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_600_000 }), (stop) => {
        const responses = responseDeadlineMs(stop);
        expect(responses).toBeGreaterThanOrEqual(0);
        expect(responses).toBeLessThanOrEqual(stop);
        expect(stop - responses).toBeLessThanOrEqual(Math.min(2_000, stop * 0.2) + 1e-9);
      }),
    );
  });
});
