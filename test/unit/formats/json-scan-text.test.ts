import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  jsonScanText,
  literalPrint,
  STRING_INTS,
} from '../../../functions/core/redaction/formats/json-scan-text.ts';
import { PlainStrings } from '../../../functions/core/redaction/formats/json-text-lexer.ts';

/** The reference: strings (quotes off), numbers, and a line break for any other character. */
function scanTextByRegex(text: string): string {
  return text.replace(
    /("(?:[^"\\\n]|\\.)*")|(-?\d[-+.eE\d]*)|[\s\S]/g,
    (_, string?: string, number?: string) =>
      string === undefined ? (number ?? '\n') : `\n${string.slice(1, -1)}\n`,
  );
}

/** The reference with keys blanked: a string that `:` follows on its line becomes line breaks, whole. */
function scanTextBlankingKeysByRegex(text: string): string {
  const isBeyondLatin1 = /[\u0100-\uffff]/.test(text);
  return text.replace(
    /("(?:[^"\\\n]|\\.)*")(?=[ \t\r]*:)|("(?:[^"\\\n]|\\.)*")|(-?\d[-+.eE\d]*)|[\s\S]/g,
    (_, key?: string, string?: string, number?: string) => {
      // Beyond Latin-1, a key beyond ASCII keeps its place in UTF-16 units only as written.
      if (key !== undefined && !(isBeyondLatin1 && /[\u0080-\uffff]/.test(key)))
        return '\n'.repeat(key.length);
      const literal = key ?? string;
      return literal === undefined ? (number ?? '\n') : `\n${literal.slice(1, -1)}\n`;
    },
  );
}

/**
 * The scan text of `text` at the positions of `text`, through the scan's map: line breaks where
 * the scan wrote a run of them as one.
 */
function scanTextAtSource(text: string, blanksKeys = false): string {
  const scan = jsonScanText(text, blanksKeys);
  const spans = Array.from({ length: scan.text.length }, (_, i) => ({ start: i, end: i + 1, detector: 0 }));
  const units = Array.from({ length: text.length }, () => '\n');
  for (const [i, { start }] of scan.toSource(spans).entries()) units[start] = scan.text[i] as string;
  return units.join('');
}

/** The start and the end (complemented when not plain) of each string's entry. */
function ends(strings: Int32Array | undefined): number[] | undefined {
  if (strings === undefined) return undefined;
  const found: number[] = [];
  for (let entry = 0; entry < strings.length; entry += STRING_INTS)
    found.push(strings[entry] as number, strings[entry + 1] as number);
  return found;
}

describe('jsonScanText', () => {
  it('writes each run of line breaks as one in Latin-1 text, with a map of positions', () => {
    const scan = jsonScanText('[{"k": "v"}, 12, "w"]', true);
    expect(scan.text).toBe('\nv\n12\nw\n');
    expect(
      scan.toSource([
        { start: 1, end: 2, detector: 0 },
        { start: 3, end: 5, detector: 1 },
      ]),
    ).toEqual([
      { start: 8, end: 9, detector: 0 },
      { start: 13, end: 15, detector: 1 },
    ]);
  });

  it('keeps string contents and numbers in place and turns everything else into line breaks', () => {
    expect(scanTextAtSource('["a", -1.5e+3, true]')).toBe('\n\na\n\n\n-1.5e+3\n\n\n\n\n\n\n');
    expect(scanTextAtSource('{"k":"x\\"y"}\r\n[1]')).toBe('\n\nk\n\n\nx\\"y\n\n\n\n\n1\n');
  });

  it('keeps characters beyond Latin-1 and surrogate pairs at their UTF-16 positions', () => {
    expect(scanTextAtSource('["é", "Ā😀1", 2]')).toBe('\n\né\n\n\n\nĀ😀1\n\n\n2\n');
  });

  it('says where each string starts and ends, the end complemented for one not plain, in Latin-1 text', () => {
    const strings = (text: string, blanksKeys = false) => ends(jsonScanText(text, blanksKeys).strings);
    expect(strings('{"a":"b é"}\r\n[1, "c\\u0009"]', true)).toEqual([1, 3, 5, 9, 17, ~25]);
    // A raw control character, an escaped quote, a string cut by a line feed or by the end.
    expect(strings('["a\tb"]')).toEqual([1, ~5]);
    expect(strings('["x\\"y"]')).toEqual([1, ~6]);
    expect(strings('["a\n[1]')).toEqual([1, ~3]);
    expect(strings('["ab')).toEqual([1, ~4]);
    // Beyond Latin-1 they are not looked for.
    expect(strings('["Ā"]')).toBeUndefined();
  });

  it('says where strings start and end as the regex reference finds them, on lines of JSON', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 4 }), fc.boolean(), (values, blanksKeys) => {
        const text = values.map((value) => JSON.stringify(value)).join('\n');
        const expected: number[] = [];
        for (const match of text.matchAll(/"(?:[^"\\]|\\.)*"/g)) {
          const close = match.index + match[0].length - 1;
          // biome-ignore lint/suspicious/noControlCharactersInRegex: raw controls make a string not plain.
          expected.push(match.index, /[\\\x00-\x1f]/.test(match[0]) ? ~close : close);
        }
        const found = jsonScanText(text, blanksKeys).strings;
        if (found === undefined) expect(text).toMatch(/[\u0100-\uffff]/);
        else expect(ends(found)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('reads a head and a text as their concatenation, Latin-1 or beyond', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        fc.nat(),
        fc.boolean(),
        (values, at, blanksKeys) => {
          const whole = values.map((value) => JSON.stringify(value)).join('\n');
          const cut = at % (whole.length + 1);
          const scan = jsonScanText(whole.slice(cut), blanksKeys, whole.slice(0, cut));
          const expected = jsonScanText(whole, blanksKeys);
          expect(scan.source).toBe(whole);
          expect(scan.text).toBe(expected.text);
          expect(ends(scan.strings)).toEqual(ends(expected.strings));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("writes a key's first sixteen characters in its entry as literalPrint gives them", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)) }),
        ),
        fc.boolean(),
        (keys, blanksKeys) => {
          const plain = keys.filter((key) => !/["\\]/.test(key));
          const text = `{${plain.map((key) => `${JSON.stringify(key)}:1`).join(',')}}`;
          const strings = jsonScanText(text, blanksKeys).strings as Int32Array;
          plain.forEach((value, index) => {
            const print = literalPrint(value);
            const entry = [...strings.subarray(STRING_INTS * index + 2, STRING_INTS * (index + 1))];
            if (print === undefined) expect(value.length).toBeGreaterThan(16);
            else expect(entry).toEqual([...print]);
          });
        },
      ),
      { numRuns: 500 },
    );
    expect(literalPrint('a'.repeat(17))).toBeUndefined();
    expect(literalPrint('Ā')).toBeUndefined();
  });

  it('restarts outside a string at each line feed, so an unterminated string stays on its line', () => {
    expect(scanTextAtSource('["a\n[1]')).toBe('\n\na\n\n1\n');
  });

  it('equals the regex reference on lines of JSON', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 4 }), fc.boolean(), (values, isSpaced) => {
        const text = values
          .map((value) => JSON.stringify(value, null, isSpaced ? ' ' : '').replaceAll('\n', ' '))
          .join('\n');
        expect(scanTextAtSource(text)).toBe(scanTextByRegex(text));
      }),
      { numRuns: 500 },
    );
  });

  it('maps spans of any length as it maps their first and last characters, keys blanked or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 12 }),
        (values, blanksKeys, cuts) => {
          const text = values.map((value) => JSON.stringify(value)).join('\n');
          const scan = jsonScanText(text, blanksKeys);
          const length = scan.text.length;
          // Ascending, non-overlapping spans (some empty) from the sorted cuts.
          const ends = [...new Set(cuts.map((cut) => cut % (length + 1)))].sort((a, b) => a - b);
          const spans = [];
          for (let i = 0; i + 1 < ends.length; i += 2)
            spans.push({ start: ends[i] as number, end: ends[i + 1] as number, detector: i });
          const units = Array.from({ length }, (_, i) => ({ start: i, end: i + 1, detector: 0 }));
          const each = scan.toSource(units).map((unit) => unit.start);
          const expected = spans.map(({ start, end, detector }) => {
            if (start === length) return { start: text.length, end: text.length, detector };
            const from = each[start] as number;
            return { start: from, end: end > start ? (each[end - 1] as number) + 1 : from, detector };
          });
          expect(scan.toSource(spans)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('fails to map matches once a later scan overwrote the map it read in place', () => {
    const first = jsonScanText('{"a": "bc"}');
    jsonScanText('{"d": "ef"}');
    expect(() => first.toSource([{ start: 1, end: 2, detector: 0 }])).toThrow(/later scan/);
  });

  it('blanks keys, whole, when asked', () => {
    const breaks = (count: number) => '\n'.repeat(count);
    expect(scanTextAtSource('{"k":"v","ab" :1,"é":[2]}', true)).toBe(
      `${breaks(6)}v${breaks(8)}1${breaks(6)}2${breaks(2)}`,
    );
    // Beyond Latin-1 the copy is UTF-8: a key beyond ASCII stays, at its length in UTF-16 units.
    expect(scanTextAtSource('{"Ā😀":"x","a":"Ā"}', true)).toBe(
      `${breaks(2)}Ā😀${breaks(3)}x${breaks(7)}Ā${breaks(2)}`,
    );
    // A string that `:` follows only on the next line is left as it is (the line is malformed).
    expect(scanTextAtSource('["v"\n:1', true)).toBe('\n\nv\n\n\n1');
  });

  it('equals the regex reference with keys blanked, on lines of JSON with blanks around colons', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        fc.constantFrom('', ' ', '\t', ' \r '),
        (values, blank) => {
          const text = values.map((value) => JSON.stringify(value).replaceAll('":', `"${blank}:`)).join('\n');
          expect(scanTextAtSource(text, true)).toBe(scanTextBlankingKeysByRegex(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads Latin-1 text as it reads text beyond it, on any text, malformed included', () => {
    // Latin-1 text finds a string's end by a native search; a character beyond Latin-1 at the
    // end sends the same text through the byte loop, where it stays as it is.
    const beyond = '\u0100';
    const piece = fc.constantFrom(
      '"',
      '\\',
      '\n',
      '\r',
      ':',
      ' ',
      '{',
      '}',
      ',',
      '1',
      '-',
      'e',
      'a',
      'xyz',
      't',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(piece, fc.constantFrom('é', '"k":', '"v\\"w"', '"\\\\"')), { maxLength: 40 }),
        (pieces) => {
          const text = pieces.join('');
          expect(scanTextAtSource(text)).toBe(scanTextAtSource(text + beyond).slice(0, -1));
        },
      ),
      { numRuns: 2000 },
    );
    // Keys beyond ASCII are blanked in Latin-1 text only: ASCII here.
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.constant('"k":')), { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        expect(scanTextAtSource(text, true)).toBe(scanTextAtSource(text + beyond, true).slice(0, -1));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads long runs in strings as it reads text beyond Latin-1, sixteen characters at a time and the rest', () => {
    // Latin-1 text is rewritten in WebAssembly, which skips the plain run of a string by blocks
    // of sixteen: runs of every length around a block, ended by each character that ends one.
    const beyond = '\u0100';
    const run = fc
      .tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom('a', 'é', ' '))
      .map(([n, c]) => c.repeat(n));
    const piece = fc.constantFrom(
      '"',
      '\\',
      '\n',
      '\r',
      ':',
      ' ',
      ',',
      '1',
      '-',
      'e',
      '+',
      '.',
      '{',
      '[',
      'é',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(run, piece), { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        expect(scanTextAtSource(text)).toBe(scanTextAtSource(text + beyond).slice(0, -1));
      }),
      { numRuns: 2000 },
    );
    // Keys beyond ASCII are blanked in Latin-1 text only: ASCII here.
    const asciiRun = fc.integer({ min: 0, max: 40 }).map((n) => 'k'.repeat(n));
    const asciiPiece = fc.constantFrom('"', '\\', '\n', '\r', ':', ' ', '\t', ',', '1', 'e');
    fc.assert(
      fc.property(fc.array(fc.oneof(asciiRun, asciiPiece), { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        expect(scanTextAtSource(text, true)).toBe(scanTextAtSource(text + beyond, true).slice(0, -1));
      }),
      { numRuns: 2000 },
    );
  });

  it('equals the regex reference on Latin-1 text of any length, a megabyte and more included', () => {
    const line = `${JSON.stringify({ id: 12, note: 'crème at 10.0.0.1', tags: ['a', 'b\\"c'], ok: true })}\n`;
    // Whole lines, as many as fit in a megabyte, then one more.
    const lines = Math.floor((1024 * 1024) / line.length);
    for (const count of [lines, lines + 1]) {
      const text = line.repeat(count);
      expect(scanTextAtSource(text)).toBe(scanTextByRegex(text));
    }
  });

  it("answers where plain strings close from the kernel's entries as from the text itself, asked in order with steps back", () => {
    fc.assert(
      fc.property(
        fc.array(fc.json({ maxDepth: 3 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.boolean()),
        (lines, stepsBack) => {
          const text = lines.join('\n');
          const opens = Array.from(text.matchAll(/"(?:[^"\\\n]|\\.)*"/g), (match) => match.index);
          const asks = opens.flatMap((open, index) => {
            const before = opens[index - 1];
            return stepsBack[index] === true && before !== undefined ? [before, open] : [open];
          });
          const fromEntries = new PlainStrings(text, jsonScanText(text).strings);
          const fromText = new PlainStrings(text);
          for (const open of asks) expect(fromEntries.closeOf(open)).toBe(fromText.closeOf(open));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('answers for a text whose strings a later scan overwrote from the text itself', () => {
    const text = '{"name":"a\\"b","id":"x"}';
    const plain = new PlainStrings(text, jsonScanText(text).strings);
    expect(plain.closeOf(1)).toBe(6);
    jsonScanText('{"other":"value","ids":"y"}');
    expect(plain.closeOf(8)).toBe(-1);
    expect(plain.isLiteralOf(15, 'id', literalPrint('id'))).toBe(true);
    expect(plain.closeOf(20)).toBe(22);
  });
});
