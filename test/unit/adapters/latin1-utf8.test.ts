import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeUtf8,
  encodeUtf8,
  encodeUtf8Pieces,
  OUTPUT_PART_BYTES,
} from '../../../functions/adapters/latin1-utf8.ts';

/** Characters of one class each: the kernel copies ASCII in blocks of 16 and transcodes the rest. */
const ascii = fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code));
const latin1 = fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code));
const beyond = fc
  .oneof(fc.integer({ min: 0x100, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff }))
  .map((code) => String.fromCodePoint(code));
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** Text of `characters`, ASCII mostly, with runs long enough to fill blocks. */
function textOf(characters: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof({ arbitrary: fc.string({ unit: ascii, maxLength: 40 }), weight: 3 }, characters), {
      maxLength: 30,
    })
    .map((parts) => parts.join(''));
}

const latin1Text = textOf(latin1);
const anyText = textOf(fc.oneof(latin1, beyond));

describe('decodeUtf8', () => {
  it('decodes ASCII and Latin-1 text as Buffer#toString does', () => {
    fc.assert(
      fc.property(latin1Text, (text) => {
        expect(decodeUtf8(Buffer.from(text, 'utf8'))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes text with characters above U+00FF as Buffer#toString does', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(decodeUtf8(Buffer.from(text, 'utf8'))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes a view into a larger buffer, not the bytes around it', () => {
    const bytes = Buffer.from('xxcrème brûlée, garçon!xx', 'utf8');

    expect(decodeUtf8(bytes.subarray(2, bytes.byteLength - 2))).toBe('crème brûlée, garçon!');
  });

  it('decodes text as long as the kernel takes at once, and longer', () => {
    for (const bytes of [512 * 1024, 512 * 1024 + 1]) {
      const text = 'é'.repeat(100_000) + 'a'.repeat(bytes - 200_000);

      expect(decodeUtf8(Buffer.from(text, 'utf8'))).toBe(text);
    }
  });
});

describe('encodeUtf8', () => {
  it('encodes ASCII and Latin-1 text as Buffer.from does', () => {
    fc.assert(
      fc.property(latin1Text, (text) => {
        expect(encodeUtf8(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('encodes text with characters above U+00FF, lone surrogates among them, as Buffer.from does', () => {
    fc.assert(
      fc.property(textOf(fc.oneof(latin1, beyond, loneSurrogate)), (text) => {
        expect(encodeUtf8(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('returns bytes of their own, which the next call does not overwrite', () => {
    const first = encodeUtf8('crème');
    encodeUtf8('über alles');

    expect(first?.toString('utf8')).toBe('crème');
  });

  it('encodes text as long as the kernel takes at once, and longer', () => {
    for (const length of [512 * 1024, 512 * 1024 + 1]) {
      const text = `${'ü'.repeat(length - 1)}a`;

      expect(encodeUtf8(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
    }
  });
});

describe('encodeUtf8Pieces', () => {
  it('encodes pieces as Buffer.from does each, joined, whatever characters each holds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(latin1Text, textOf(fc.oneof(latin1, beyond, loneSurrogate)))),
        (pieces) => {
          expect(
            Buffer.concat(encodeUtf8Pieces(pieces)).equals(
              Buffer.concat(pieces.map((piece) => Buffer.from(piece, 'utf8'))),
            ),
          ).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('encodes pieces that together pass what the kernel holds at once, one of them longer alone', () => {
    const pieces = [`${'ü'.repeat(300_000)}a`, 'é'.repeat(300_000), 'x'.repeat(512 * 1024 + 1), 'ça'];

    expect(Buffer.concat(encodeUtf8Pieces(pieces)).equals(Buffer.from(pieces.join(''), 'utf8'))).toBe(true);
  });

  it('gives the bytes of Latin-1 pieces in parts of at most OUTPUT_PART_BYTES, none empty', () => {
    const pieces = [`${'ü'.repeat(100_000)}a`, '', 'é'.repeat(40_000), 'x'.repeat(200_000), 'ça'];
    const parts = encodeUtf8Pieces(pieces);

    expect(Buffer.concat(parts).equals(Buffer.from(pieces.join(''), 'utf8'))).toBe(true);
    expect(parts.filter((part) => part.byteLength === 0 || part.byteLength > OUTPUT_PART_BYTES)).toEqual([]);
  });

  it('gives no parts for empty pieces', () => {
    expect(encodeUtf8Pieces(['', ''])).toEqual([]);
  });

  it('returns bytes of their own, which the next call does not overwrite', () => {
    const [first] = encodeUtf8Pieces(['crè', 'me']);
    encodeUtf8Pieces(['über', ' alles']);

    expect(first?.toString('utf8')).toBe('crème');
  });
});
