import type { ByteRange } from '../byte-range.ts';
import { InvalidRangeError } from '../errors.ts';
import type { ViewRange } from '../ports/view-store.ts';

/** A range inside a view of known size, with the `Content-Range` and `Content-Length` it is served with. */
export interface ResolvedViewRange extends ViewRange {
  readonly contentRange: string;
  readonly contentLength: number;
}

/**
 * Places a parsed `Range` header inside a view of `totalBytes` (RFC 9110 §14.1.2, as S3 answers):
 * a last position past the end is clamped, a suffix longer than the view selects all of it.
 *
 * @throws InvalidRangeError (416) when the range starts at or past the end, is an empty
 *   suffix, or the view is empty.
 * @example
 * resolveViewRange({ first: 100 }, 150); // { first: 100, last: 149, contentRange: 'bytes 100-149/150', contentLength: 50 }
 */
export function resolveViewRange(range: ByteRange, totalBytes: number): ResolvedViewRange {
  if (totalBytes === 0) throw new InvalidRangeError();
  let first: number;
  let last: number;
  if ('suffix' in range) {
    if (range.suffix === 0) throw new InvalidRangeError();
    first = Math.max(0, totalBytes - range.suffix);
    last = totalBytes - 1;
  } else {
    if (range.first >= totalBytes) throw new InvalidRangeError();
    first = range.first;
    last = Math.min(range.last ?? totalBytes - 1, totalBytes - 1);
  }
  return {
    first,
    last,
    contentRange: `bytes ${first}-${last}/${totalBytes}`,
    contentLength: last - first + 1,
  };
}
