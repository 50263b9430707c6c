import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FOLDABLE_CLASS,
  foldCharacter,
  LATIN1_FOLDABLE,
} from '../../functions/core/redaction/character-folds.ts';
import {
  MAX_DROPPED_RUN,
  NormalizedText,
  normalizeText,
  SYNC_LENGTH,
} from '../../functions/core/redaction/normalized-text.ts';
import { decodeEscapeAt, MAX_ESCAPE_LENGTH } from '../../functions/core/redaction/text-escapes.ts';
import { entityEncode, INVISIBLES, percentEncode, unicodeEscape } from './support/hidden-forms.ts';

/** The view, the text itself when nothing changes. */
function viewOf(text: string, from = 0): string {
  return normalizeText(text, from)?.text ?? text.slice(from);
}

/** Units of text: ASCII, escapes (whole or cut), full-width and wide characters, invisible runs. */
const unit = fc.oneof(
  fc.constantFrom('a', 'Z', '0', '9', ' ', '@', '.', '-', '\n', '%', '&', ';', '#', 'é', '😀', '中'),
  fc.constantFrom('%40', '%4', '%E2%80%8B', '%C3%A9', '%F0%9F%98%80', '%E2%80', '%ZZ'),
  fc.constantFrom('&#64;', '&#x40;', '&commat;', '&amp;', '&#6', '&nbsp;', '&#8203;', '&bogus;', 'AT&T'),
  fc.constantFrom(
    '\\u0040',
    '\\u200b',
    '\\uD83D\\uDE00',
    '\\uD83D',
    '\\uDE00',
    '\\u00',
    '\\x40',
    '\\x4',
    '\\',
    '\\\\u0040',
  ),
  fc.constantFrom('＠', '４', '\u00a0', '\u202f', '\u3000', '\u2011', 'ﬁ', '①', '𝟒', '²', '\u200b', '\u00ad'),
  fc
    .array(fc.constantFrom(...INVISIBLES), { minLength: 1, maxLength: MAX_DROPPED_RUN + 3 })
    .map((run) => run.join('')),
);
const text = fc.array(unit, { maxLength: 60 }).map((units) => units.join(''));
const longText = fc.array(unit, { minLength: 40, maxLength: 120 }).map((units) => units.join(''));

describe('normalizeText', () => {
  it('decodes escapes, folds compatibility forms and drops invisible characters', () => {
    expect(viewOf('jane%40example.com')).toBe('jane@example.com');
    expect(viewOf('jane&#64;ex&#x61;mple&period;com')).toBe('jane@example.com');
    expect(viewOf('ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('jane@example.com');
    expect(viewOf('4111\u00a01111\u202f1111\u20091111')).toBe('4111 1111 1111 1111');
    expect(viewOf('ja\u200bn\u200c\u200de\u2060@x\ufeff.io\u00ad')).toBe('jane@x.io');
    expect(viewOf('123\u201145\u22126789 𝟒①ﬁ')).toBe('123-45-6789 41fi');
    expect(viewOf('%E2%80%8B&#8203;x')).toBe('x');
    expect(viewOf('jane\\u0040example\\x2Ecom \\uD83D\\uDE00 \\uff21')).toBe('jane@example.com 😀 A');
  });

  it('leaves lone signs, unknown or unterminated references and malformed UTF-8 as written', () => {
    for (const kept of [
      '100% done',
      'AT&T Q&A',
      '&amp',
      '&bogus; &#; &#x; &#xZZ;',
      '&#0; &#xD800; &#128; &#1114112;',
      '%G0 %4',
      '%C0%80 %ED%A0%80 %F4%90%80%80 %80 %E2%80',
      'm² x³ 1ª',
      'C:\\Users\\new\\x \\u00zz \\u0000 \\x7f \\x1b[0m',
      '\\uD83D alone, \\uDE00 alone, \\uD83D\\uD83D',
    ]) {
      expect(normalizeText(kept), kept).toBeUndefined();
    }
  });

  it('keeps the invisible characters of a run past the first few, so that a long run breaks a value', () => {
    const run = '\u200b'.repeat(MAX_DROPPED_RUN + 2);
    expect(viewOf(`a${run}b`)).toBe(`a${'\u200b'.repeat(2)}b`);
  });

  it('maps a view span back to the whole units it comes from (property)', () => {
    fc.assert(
      fc.property(text, fc.nat(), fc.nat(), (input, a, b) => {
        const view = normalizeText(input);
        if (view === undefined) return;
        const start = a % (view.text.length + 1);
        const end = start + (b % (view.text.length - start + 1));
        const originalStart = view.toOriginalStart(start);
        const originalEnd = end === start ? originalStart : view.toOriginalEnd(end);

        expect(originalStart).toBeLessThanOrEqual(originalEnd);
        expect(view.toView(originalStart)).toBeLessThanOrEqual(start);
        // A span of whole units that does not start inside a run of invisible characters
        // normalizes, alone, to the same characters.
        const isWhole = view.toView(originalStart) === start && view.toView(originalEnd) === end;
        if (end > start && isWhole && !INVISIBLES.includes(view.text[start] as string)) {
          const alone = input.slice(originalStart, originalEnd);
          expect(viewOf(alone)).toBe(view.text.slice(start, end));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('gives a window the view of the whole text, away from the window edges (property)', () => {
    fc.assert(
      fc.property(text, longText, text, (before, middle, after) => {
        const whole = `${before}${middle}${after}`;
        const from = before.length;
        const to = whole.length - after.length;
        const wholeView = normalizeText(whole) ?? identity(whole);
        const windowView = normalizeText(whole.slice(0, to), from) ?? identity(whole.slice(0, to), from);
        const inner = (view: NormalizedText) =>
          view.text.slice(view.toView(from + SYNC_LENGTH), view.toView(to - MAX_ESCAPE_LENGTH + 1));

        expect(inner(windowView)).toBe(inner(wholeView));
      }),
      { numRuns: 2000 },
    );
  });
});

/** The view of text that needs no normalization. */
function identity(text: string, from = 0): NormalizedText {
  return new NormalizedText(text.slice(from), from, {
    viewStarts: [],
    viewEnds: [],
    originalStarts: [],
    originalEnds: [],
  });
}

describe('decodeEscapeAt', () => {
  it('decodes the percent-encoded UTF-8 and the character references of any character (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
        fc.boolean(),
        (grapheme, isLower) => {
          const character = String.fromCodePoint(grapheme.codePointAt(0) as number);
          const encoded = percentEncode(character, isLower);
          expect(decodeEscapeAt(`${encoded}%41`, 0)).toEqual({ text: character, length: encoded.length });
          const code = character.codePointAt(0) as number;
          if (code === 0 || (code >= 0x80 && code <= 0x9f)) return;
          for (const style of ['decimal', 'hex'] as const) {
            const reference = entityEncode(character, style);
            expect(decodeEscapeAt(`${reference};`, 0)).toEqual({ text: character, length: reference.length });
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('decodes percent-encoded bytes only when they are one well-formed UTF-8 character (property)', () => {
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 5 }), (bytes) => {
        const text = [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
        const decoded = decodeEscapeAt(text, 0);
        if (decoded !== undefined) {
          expect(Buffer.from(decoded.text, 'utf8')).toEqual(Buffer.from(bytes.slice(0, decoded.length / 3)));
          expect([...decoded.text]).toHaveLength(1);
          return;
        }
        for (let length = 1; length <= Math.min(4, bytes.length); length++) {
          let character: string;
          try {
            character = utf8.decode(bytes.slice(0, length));
          } catch {
            continue;
          }
          expect([...character].length === 1 && Buffer.byteLength(character) === length).toBe(false);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes the \\u escapes of any character, surrogate pairs as one, and \\x of printable ASCII (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
        fc.boolean(),
        fc.boolean(),
        (grapheme, isHex, isLower) => {
          const character = String.fromCodePoint(grapheme.codePointAt(0) as number);
          const escaped = unicodeEscape(character, isHex, isLower);
          const expected = character === '\0' ? undefined : { text: character, length: escaped.length };
          expect(decodeEscapeAt(`${escaped}\\u0041`, 0)).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads no further than MAX_ESCAPE_LENGTH code units', () => {
    expect(decodeEscapeAt('&ZeroWidthSpace;', 0)).toEqual({ text: '\u200b', length: MAX_ESCAPE_LENGTH });
    expect(decodeEscapeAt('&#00000064;', 0)).toBeUndefined();
    expect(decodeEscapeAt('&#0000064;', 0)).toEqual({ text: '@', length: 10 });
  });
});

describe('foldCharacter', () => {
  it('folds full-width forms, spaces and dashes, drops invisible characters, keeps superscripts', () => {
    expect(
      ['＠', '４', 'Ａ', '\u3000', '\u00a0', '\u2009', '\u2011', '\u2212', '①', '𝟒'].map(foldCharacter),
    ).toEqual(['@', '4', 'A', ' ', ' ', ' ', '-', '-', '1', '4']);
    expect(INVISIBLES.map(foldCharacter)).toEqual(INVISIBLES.map(() => ''));
    expect(['²', '⁴', '₄', 'é', '中', '😀', 'a'].map(foldCharacter)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('reads text stored one byte per character as the same text stored two bytes per character (property)', () => {
    // A wide character at the end makes V8 store the text two bytes per character, read by the trigger regex.
    const latin1Unit = fc.constantFrom(
      ...['a', 'u', 'x', ' ', '\\', '\\\\', '\\u0040', '\\x40', '\\u00', '\\xZ', '\\U0040', '\\X40'],
      ...['%40', '%', '&amp;', '&', '\u00a0', '\u00ad', 'é', '\u00ff'],
    );
    fc.assert(
      fc.property(fc.array(latin1Unit, { maxLength: 30 }), fc.nat(), (units, seed) => {
        const input = units.join('');
        const from = seed % (input.length + 1);
        expect(viewOf(input, from)).toBe(viewOf(`${input}中`, from).slice(0, -1));
      }),
    );
  });

  it('changes only characters that the trigger class finds, in Latin-1 only those listed', () => {
    const foldable = new RegExp(`^[${FOLDABLE_CLASS}]`);
    for (let code = 0; code <= 0x1ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const character = String.fromCodePoint(code);
      if (foldCharacter(character) === undefined) continue;
      expect(foldable.test(character), code.toString(16)).toBe(true);
      if (code <= 0xff) expect(LATIN1_FOLDABLE as readonly string[]).toContain(character);
    }
  });
});
