import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Utf8StreamDecoder } from '../../../functions/adapters/utf8-stream-decoder.ts';
import { MalformedObjectError } from '../../../functions/core/errors.ts';

function decodeInPieces(bytes: Uint8Array, cuts: number[]): string {
  const decoder = new Utf8StreamDecoder();
  const points = [...new Set(cuts.map((cut) => cut % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  let out = '';
  let from = 0;
  for (const point of [...points, bytes.byteLength]) {
    out += decoder.decode(bytes.subarray(from, point));
    from = point;
  }
  decoder.end();
  return out;
}

describe('Utf8StreamDecoder', () => {
  it('decodes any text the same however its bytes are split', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }).filter((text) => !text.includes('\0')),
        fc.array(fc.nat(), { maxLength: 8 }),
        (text, cuts) => {
          expect(decodeInPieces(Buffer.from(text, 'utf8'), cuts)).toBe(text);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('keeps a byte order mark', () => {
    expect(decodeInPieces(Buffer.from('\uFEFFa,b\n'), [1, 2])).toBe('\uFEFFa,b\n');
  });

  it('rejects invalid bytes with the offset of the chunk they are in', () => {
    const decoder = new Utf8StreamDecoder();
    expect(decoder.decode(Buffer.from('fine text '))).toBe('fine text ');
    expect(() => decoder.decode(Buffer.from([0x61, 0xff, 0x62]))).toThrow(/invalid UTF-8 near byte 10/);
  });

  it('rejects surrogates encoded as UTF-8 and overlong forms', () => {
    expect(() => new Utf8StreamDecoder().decode(Buffer.from([0xed, 0xa0, 0x80]))).toThrow(
      MalformedObjectError,
    );
    expect(() => new Utf8StreamDecoder().decode(Buffer.from([0xc0, 0xaf]))).toThrow(MalformedObjectError);
  });

  it('rejects a NUL byte in any chunk, not only the first, with its offset', () => {
    const decoder = new Utf8StreamDecoder();
    expect(decoder.decode(Buffer.from('a'.repeat(600)))).toBe('a'.repeat(600));
    expect(() => decoder.decode(Buffer.from('1\u00002\u00003', 'latin1'))).toThrow(/NUL byte at byte 601\b/);
  });

  it('rejects a character cut off at the end of the input', () => {
    const decoder = new Utf8StreamDecoder();
    expect(decoder.decode(Buffer.from([0x61, 0xe2, 0x82]))).toBe('a');
    expect(() => decoder.end()).toThrow(/truncated character/);
  });
});
