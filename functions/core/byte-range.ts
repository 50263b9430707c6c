import { InvalidRangeError, NotImplementedError } from './errors.ts';
import type { RangeBufferLease } from './range-buffer-pool.ts';

/** A parsed `Range: bytes=…` header: first-last (last optional), or the last `suffix` bytes. */
export type ByteRange = { readonly first: number; readonly last?: number } | { readonly suffix: number };

/** A range answer: exactly the bytes asked for, in pieces, with the `Content-Range` they form. */
export interface RangeSlice {
  readonly chunks: readonly Uint8Array[];
  readonly byteLength: number;
  readonly contentRange: string;
}

/**
 * Parses a single `bytes=` range. Multiple ranges are not supported (S3 does not support them
 * either); a header that is not a byte range is ignored, as S3 and RFC 9110 do.
 */
export function parseByteRange(header: string | undefined): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) {
    if (/^bytes=.*,/.test(header.trim()))
      throw new NotImplementedError('multiple byte ranges are not supported');
    return undefined;
  }
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') return { suffix: Number(last) };
  const range = { first: Number(first), ...(last === '' ? {} : { last: Number(last) }) };
  if (range.last !== undefined && range.last < range.first) return undefined;
  return range;
}

/**
 * Applies a range to the redacted body. The redacted length is known only at the end, so the
 * selected bytes are collected (at most `maxBytes`, each held in `lease`) and the whole body is
 * read: `Content-Range` then carries the true total. A range beyond the end is refused with 416
 * InvalidRange. Stopping early (the client left) is the body's job: it throws.
 */
export async function sliceRange(
  body: AsyncIterable<Uint8Array>,
  range: ByteRange,
  maxBytes: number,
  lease: RangeBufferLease,
): Promise<RangeSlice> {
  const tooLarge = () =>
    new NotImplementedError(`ranges of more than ${maxBytes} bytes of the redacted object are not supported`);
  if ('suffix' in range && range.suffix > maxBytes) throw tooLarge();
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let total = 0;
  for await (const chunk of body) {
    const chunkStart = total;
    total += chunk.byteLength;
    if ('suffix' in range) {
      kept.push(chunk);
      keptBytes += chunk.byteLength;
      // Drop whole chunks that can no longer be inside the last `suffix` bytes.
      while (kept.length > 1 && keptBytes - (kept[0]?.byteLength ?? 0) >= range.suffix) {
        keptBytes -= kept.shift()?.byteLength ?? 0;
      }
      lease.hold(keptBytes);
      continue;
    }
    const from = Math.max(range.first, chunkStart);
    const to = Math.min(range.last === undefined ? total : range.last + 1, total);
    if (to > from) {
      if (keptBytes + to - from > maxBytes) throw tooLarge();
      lease.hold(keptBytes + to - from);
      // A part of a chunk is copied: a view would hold the whole chunk, more than the lease says.
      kept.push(
        to - from === chunk.byteLength
          ? chunk
          : new Uint8Array(chunk.subarray(from - chunkStart, to - chunkStart)),
      );
      keptBytes += to - from;
    }
  }
  if ('suffix' in range) {
    if (range.suffix === 0 || total === 0) throw new InvalidRangeError();
    const excess = Math.max(0, keptBytes - range.suffix);
    const [head, ...rest] = kept;
    const chunks = head === undefined || excess === 0 ? kept : [head.subarray(excess), ...rest];
    const byteLength = keptBytes - excess;
    return { chunks, byteLength, contentRange: `bytes ${total - byteLength}-${total - 1}/${total}` };
  }
  if (range.first >= total) throw new InvalidRangeError();
  return {
    chunks: kept,
    byteLength: keptBytes,
    contentRange: `bytes ${range.first}-${range.first + keptBytes - 1}/${total}`,
  };
}
