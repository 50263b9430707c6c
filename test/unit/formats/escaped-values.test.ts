import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EscapedValues } from '../../../functions/core/redaction/formats/escaped-values.ts';
import { jsonScanText, STRING_INTS } from '../../../functions/core/redaction/formats/json-scan-text.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { compiledRuleSetOf, regexDetector } from '../support/compiled-rule-set.ts';

const scanner = new Redactor(compiledRuleSetOf([regexDetector('digits', /\d{3}/, 3)])).scanner;

/**
 * The reference: every entry of the scan's strings read in turn, a value taken when it is not
 * plain, closes with a quote, is no key, decodes, holds no surrogate and is no JSON text.
 */
function escapedOpensByEntries(source: string, strings: Int32Array): number[] {
  const opens: number[] = [];
  for (let entry = 0; entry < strings.length; entry += STRING_INTS) {
    const end = strings[entry + 1] as number;
    if (end >= 0) continue;
    const close = ~end;
    if (source.charCodeAt(close) !== 0x22 || /^[ \t\r]*:/.test(source.slice(close + 1))) continue;
    const open = strings[entry] as number;
    let value: string;
    try {
      value = JSON.parse(source.slice(open, close + 1)) as string;
    } catch {
      continue;
    }
    if (/[\ud800-\udfff]/.test(value) || /^\s*[[{]/.test(value)) continue;
    opens.push(open);
  }
  return opens;
}

// Lines of JSON with escapes, mangled by characters that cut, end or open strings anywhere.
const escapable = fc.string({ unit: fc.constantFrom('"', '\\', 'a', '1', '\n', '\t', 'é', '{') });
const line = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.dictionary(escapable, fc.oneof(escapable, fc.array(escapable))).map((value) => JSON.stringify(value)),
  fc
    .array(fc.constantFrom('"', '\\', '\\"', '\\n', 'a1', '234', ':', ' ', '\t', '{', '}', ',', 'é'), {
      maxLength: 30,
    })
    .map((pieces) => pieces.join('')),
);

describe('EscapedValues', () => {
  it('scans the values with escapes that reading every string entry finds, malformed lines included', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
        const scan = jsonScanText(lines.join('\n'));
        const strings = scan.strings;
        if (strings === undefined) return;
        const expected = escapedOpensByEntries(scan.source, strings);
        const escaped = EscapedValues.scan(scan.source, strings, scanner);
        const found: number[] = [];
        for (let entry = 0; entry < strings.length; entry += STRING_INTS) {
          const open = strings[entry] as number;
          if (escaped?.foundAt(open) !== undefined) found.push(open);
        }
        expect(found).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
