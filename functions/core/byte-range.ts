import { InvalidRangeError, NotImplementedError } from './errors.ts';

/** A parsed `Range: bytes=…` header: first-last (last optional), or the last `suffix` bytes. */
export type ByteRange = { readonly first: number; readonly last?: number } | { readonly suffix: number };

/** A range answer: exactly the bytes asked for, with the `Content-Range` they form. */
export interface RangeSlice {
  readonly bytes: Uint8Array;
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
 * selected bytes are collected (at most `maxBytes`) and the whole body is read: `Content-Range`
 * then carries the true total. A range beyond the end is refused with 416 InvalidRange.
 */
export async function sliceRange(
  body: AsyncIterable<Uint8Array>,
  range: ByteRange,
  maxBytes: number,
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
      continue;
    }
    const from = Math.max(range.first, chunkStart);
    const to = Math.min(range.last === undefined ? total : range.last + 1, total);
    if (to > from) {
      kept.push(chunk.subarray(from - chunkStart, to - chunkStart));
      keptBytes += to - from;
      if (keptBytes > maxBytes) throw tooLarge();
    }
  }
  const all = Buffer.concat(kept);
  if ('suffix' in range) {
    if (range.suffix === 0 || total === 0) throw new InvalidRangeError();
    const bytes = all.subarray(Math.max(0, all.byteLength - range.suffix));
    return { bytes, contentRange: `bytes ${total - bytes.byteLength}-${total - 1}/${total}` };
  }
  if (range.first >= total) throw new InvalidRangeError();
  return { bytes: all, contentRange: `bytes ${range.first}-${range.first + all.byteLength - 1}/${total}` };
}
