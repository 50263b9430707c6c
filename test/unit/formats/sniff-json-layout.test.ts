import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sniffJsonLayout } from '../../../functions/core/redaction/formats/sniff-json-layout.ts';

const utf8 = (value: string) => new TextEncoder().encode(value);
const sniff = (value: string) => sniffJsonLayout(utf8(value));
const container = fc.oneof(
  fc.array(fc.jsonValue({ maxDepth: 3 })),
  fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
);

describe('sniffJsonLayout', () => {
  it('tells one multi-line document from newline-separated values', () => {
    expect(sniff('{\n  "a": [1, 2]\n}\n')).toBe('document');
    expect(sniff(' \r\n[\r\n1]')).toBe('document');
    expect(sniff('{"a":1}\n{"a":2}\n')).toBe('lines');
    expect(sniff('[1]\r\n\r\n"x"')).toBe('lines');
    expect(sniff('{"a":1}')).toBe('undecided');
    expect(sniff('{"a":"cut off')).toBe('undecided');
  });

  it('rejects text that only starts like JSON', () => {
    for (const text of [
      '[2026-01-02 10:00:00] INFO boot',
      '[INFO] boot',
      '{a} b',
      '{"a":1} trailing words',
      '{"a":1}{"a":2}',
      '{\n"a":1\n}\n{"a":2}',
      '{"a" 1}',
      '[1,]',
      '["tab\there"]',
      '[tru]',
      '\uFEFF{"a":1}',
      '"just a string"',
      'name,email',
    ]) {
      expect(sniff(text), text).toBeUndefined();
    }
  });

  it('accepts every prefix of a JSON object or array, compact or pretty (generated)', () => {
    fc.assert(
      fc.property(container, fc.boolean(), fc.nat(), (value, isPretty, cut) => {
        const text = JSON.stringify(value, null, isPretty ? 2 : undefined);
        const bytes = utf8(text);
        const head = bytes.subarray(0, 1 + (cut % bytes.length));
        const layout = sniffJsonLayout(head);

        expect(layout).toBe(
          isPretty && new TextDecoder().decode(head).includes('\n') ? 'document' : 'undecided',
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('reads values on separate lines as lines, however the head cuts them (generated)', () => {
    fc.assert(
      fc.property(
        fc.array(container, { minLength: 2, maxLength: 4 }),
        fc.constantFrom('\n', '\r\n'),
        fc.nat(),
        (values, newline, cut) => {
          const text = values.map((value) => JSON.stringify(value)).join(newline);
          const firstLine = utf8(JSON.stringify(values[0]) + newline).length;
          const bytes = utf8(text);
          const length = firstLine + 1 + (cut % (bytes.length - firstLine));

          expect(sniffJsonLayout(bytes.subarray(0, length))).toBe('lines');
        },
      ),
      { numRuns: 500 },
    );
  });
});
