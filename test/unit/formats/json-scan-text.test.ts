import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonScanText } from '../../../functions/core/redaction/formats/json-scan-text.ts';

/** The reference: strings (quotes off), numbers, and a line break for any other character. */
function scanTextByRegex(text: string): string {
  return text.replace(
    /("(?:[^"\\\n]|\\.)*")|(-?\d[-+.eE\d]*)|[\s\S]/g,
    (_, string?: string, number?: string) =>
      string === undefined ? (number ?? '\n') : `\n${string.slice(1, -1)}\n`,
  );
}

describe('jsonScanText', () => {
  it('keeps string contents and numbers in place and turns everything else into line breaks', () => {
    expect(jsonScanText('["a", -1.5e+3, true]')).toBe('\n\na\n\n\n-1.5e+3\n\n\n\n\n\n\n');
    expect(jsonScanText('{"k":"x\\"y"}\r\n[1]')).toBe('\n\nk\n\n\nx\\"y\n\n\n\n\n1\n');
  });

  it('keeps characters beyond Latin-1 and surrogate pairs at their UTF-16 positions', () => {
    expect(jsonScanText('["é", "Ā😀1", 2]')).toBe('\n\né\n\n\n\nĀ😀1\n\n\n2\n');
  });

  it('restarts outside a string at each line feed, so an unterminated string stays on its line', () => {
    expect(jsonScanText('["a\n[1]')).toBe('\n\na\n\n1\n');
  });

  it('equals the regex reference on lines of JSON', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 4 }), fc.boolean(), (values, isSpaced) => {
        const text = values
          .map((value) => JSON.stringify(value, null, isSpaced ? ' ' : '').replaceAll('\n', ' '))
          .join('\n');
        expect(jsonScanText(text)).toBe(scanTextByRegex(text));
      }),
      { numRuns: 500 },
    );
  });
});
