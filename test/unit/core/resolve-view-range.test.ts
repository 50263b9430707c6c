import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ByteRange, parseByteRange, sliceRange } from '../../../functions/core/byte-range.ts';
import { InvalidRangeError } from '../../../functions/core/errors.ts';
import { createRangeBufferPool } from '../../../functions/core/range-buffer-pool.ts';
import { resolveViewRange } from '../../../functions/core/views/resolve-view-range.ts';

const ranges: fc.Arbitrary<ByteRange> = fc.oneof(
  fc.record({ suffix: fc.nat(300) }),
  fc.record({ first: fc.nat(300) }),
  fc.tuple(fc.nat(300), fc.nat(300)).map(([a, b]) => ({ first: Math.min(a, b), last: Math.max(a, b) })),
);

describe('resolveViewRange', () => {
  it('selects the same bytes and Content-Range as slicing the whole redacted body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), ranges, async (bytes, range) => {
        const sliced = await sliceRange(
          (async function* () {
            yield bytes;
          })(),
          range,
          1024,
          createRangeBufferPool(1024).lease(),
        ).then(
          (slice) => ({ bytes: Buffer.concat(slice.chunks), contentRange: slice.contentRange }),
          (error: unknown) => error,
        );
        if (sliced instanceof InvalidRangeError) {
          expect(() => resolveViewRange(range, bytes.byteLength)).toThrow(InvalidRangeError);
          return;
        }
        const resolved = resolveViewRange(range, bytes.byteLength);
        expect(sliced).toEqual({
          bytes: Buffer.from(bytes.subarray(resolved.first, resolved.last + 1)),
          contentRange: resolved.contentRange,
        });
        expect(resolved.contentLength).toBe(resolved.last - resolved.first + 1);
      }),
    );
  });

  it('clamps a last position past the end and serves a long suffix whole', () => {
    expect(resolveViewRange(parseByteRange('bytes=100-999') as ByteRange, 150)).toMatchObject({
      first: 100,
      last: 149,
      contentRange: 'bytes 100-149/150',
    });
    expect(resolveViewRange({ suffix: 500 }, 150)).toMatchObject({ first: 0, last: 149 });
  });

  it('rejects a range starting at the end, an empty suffix and any range of an empty view', () => {
    expect(() => resolveViewRange({ first: 150 }, 150)).toThrow(InvalidRangeError);
    expect(() => resolveViewRange({ suffix: 0 }, 150)).toThrow(InvalidRangeError);
    expect(() => resolveViewRange({ first: 0, last: 0 }, 0)).toThrow(InvalidRangeError);
  });
});
