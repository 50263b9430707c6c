import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import type { FormatRedactor } from '../../../functions/core/redaction/formats/format-redactor.ts';
import { createTextRedactor } from '../../../functions/core/redaction/formats/text-redactor.ts';
import { MAX_EXPANSION } from '../../../functions/core/redaction/normalized-text.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { Scanner } from '../../../functions/core/redaction/scanner.ts';
import { compiledRuleSetOf, sampleDetectors } from '../support/compiled-rule-set.ts';
import { splitAt } from '../support/split-at.ts';

const WINDOW = 64 * 1024;

function sampleRedactor(): Redactor {
  return new Redactor(compiledRuleSetOf(sampleDetectors()));
}

/** Every output of feeding `chunks` in order, `end()` last. */
function outputsOf(redactor: FormatRedactor, chunks: readonly string[]): string[] {
  return [...chunks.map((chunk) => redactor.push(chunk)), redactor.end()];
}

function isWellFormed(text: string): boolean {
  // String.prototype.isWellFormed is in Node 20 but not in the ES2023 lib typings.
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Text with planted values, separators and emoji, optionally padded past the scan window. */
const plantedText = (minLength: number) =>
  fc
    .tuple(
      fc.array(
        fc.oneof(
          fc.constantFrom(
            'alice@example.com',
            'x.y+z@mail.example.org',
            '123-45-6789',
            '4111 1111 1111 1111',
            // Hidden forms, and pieces of escapes that a split may cut.
            'alice%40example.com',
            'alice&#x40;example&period;com',
            'ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ',
            '1\u200b2\u200c3-45-6\u2060789',
            '4111\u00a01111\u202f1111\u20091111',
            '%E2%80%8B',
            '&#8203;',
            '\u200b\u200b\u200b\u200b\u200b',
          ),
          fc.constantFrom(
            ' ',
            '\n',
            '\r\n',
            '-',
            '@',
            '.',
            '😀',
            'é',
            '1',
            '12',
            '%',
            '%4',
            '&',
            '&#',
            '&#6',
            ';',
          ),
          fc.string({
            unit: fc.constantFrom(
              'a',
              'b',
              '0',
              '9',
              ' ',
              '-',
              '@',
              '.',
              '😀',
              '%40',
              '＠',
              '\u200b',
              '\u00a0',
            ),
            maxLength: 12,
          }),
        ),
        { maxLength: 40 },
      ),
      fc.constantFrom('lorem ipsum dolor sit amet, ', 'data 00 11 22 😀 '),
    )
    .map(([parts, filler]) => {
      const text = parts.join('');
      if (minLength === 0) return text;
      const padding = filler.repeat(Math.ceil(minLength / filler.length));
      const middle = Math.floor(padding.length / 2);
      return `${padding.slice(0, middle)}${text}${padding.slice(middle)}${text}`;
    });

describe('createTextRedactor', () => {
  it('redacts an SSN split across two chunks', () => {
    const text = createTextRedactor(sampleRedactor());

    expect(outputsOf(text, ['ssn 123-4', '5-6789 on file']).join('')).toBe('ssn [US_SSN] on file');
  });

  it('flushes a match at the end of the input on end()', () => {
    const text = createTextRedactor(sampleRedactor());

    expect(text.push('contact: alice@example.com')).toBe('');
    expect(text.end()).toBe('contact: [EMAIL]');
  });

  it('leaves text without sensitive values unchanged', () => {
    const input = 'GET /index.html 200 1234 ms\nuser=bob id=42\n';

    expect(outputsOf(createTextRedactor(sampleRedactor()), [input]).join('')).toBe(input);
  });

  it('streams a 10 MB line without newlines, returning output from every push past the window', () => {
    const redactor = sampleRedactor();
    const text = createTextRedactor(redactor);
    const piece = 'lorem ipsum dolor 42 sit amet '.repeat(Math.ceil(WINDOW / 30)).slice(0, WINDOW);
    const reach = redactor.scanner.maxLength + redactor.scanner.lookahead;
    let pushed = 0;
    let emitted = 0;
    while (pushed < 10 * 1024 * 1024) {
      const out = text.push(piece);
      pushed += piece.length;
      emitted += out.length;
      if (pushed >= WINDOW + reach) expect(out.length).toBeGreaterThan(0);
      expect(pushed - emitted).toBeLessThanOrEqual(WINDOW + reach);
    }
    emitted += text.end().length;

    expect(emitted).toBe(pushed);
  });

  it('gives the scanner each code unit of a long text about once, however wide the context and reach it keeps around each scan', () => {
    // A detector that finds nothing but reads as far as the packs' widest (a PGP key block's
    // 64 Ki code units) and looks far behind: each scan is given that context and reach again.
    const wide: Detector = {
      id: 'wide',
      label: 'WIDE',
      minLength: 1,
      maxLength: 65_536,
      lookbehind: 2_000,
      lookahead: 0,
      findFrom: () => undefined,
    };
    const redactor = new Redactor(compiledRuleSetOf([...sampleDetectors(), wide]));
    const { contextLength, reachLength } = redactor.scanner;
    // Nothing to redact, so that what it emits counts what it read.
    const line = 'user bob at example from 10.0.0 ssn 123-45 ok\n'.repeat(200_000);
    const scan = vi.spyOn(Scanner.prototype, 'scan');
    try {
      const text = createTextRedactor(redactor);
      let pushed = 0;
      let out = '';
      for (let at = 0; at < line.length; at += WINDOW) {
        const piece = line.slice(at, at + WINDOW);
        out += text.push(piece);
        pushed += piece.length;
        // What it holds: the text it waits for, the reach after the last cut and a piece.
        expect(pushed - out.length).toBeLessThanOrEqual(5 * (contextLength + reachLength) + WINDOW);
      }
      out += text.end();

      expect(out).toBe(line);
      const given = scan.mock.calls.reduce((sum, [scanned]) => sum + scanned.length, 0);
      expect(given / line.length).toBeLessThan(1.3);
    } finally {
      scan.mockRestore();
    }
  });

  it('redacts values planted on both sides of the scan window', () => {
    const line = `${'a'.repeat(WINDOW - 5)} 123-45-6789 ${'b'.repeat(WINDOW)} bob@example.com`;
    const chunks = splitAt(line, [1000, WINDOW - 3, WINDOW + 100, 2 * WINDOW]);

    expect(outputsOf(createTextRedactor(sampleRedactor()), chunks).join('')).toBe(
      `${'a'.repeat(WINDOW - 5)} [US_SSN] ${'b'.repeat(WINDOW)} [EMAIL]`,
    );
  });

  it('redacts values that straddle or start the large pieces of a stream', () => {
    const piece = 'lorem ipsum dolor sit amet '.repeat(Math.ceil((2 * WINDOW) / 27));
    const input = [piece, '123-45-6789 ', piece, ' bob@example.com', piece].join('');
    const whole = sampleRedactor().redactText(input);
    for (const shift of [-15, -6, 0, 1, 12, 40]) {
      const points = [piece.length + shift, 2 * piece.length + 12 + shift, 2 * piece.length + 28 + shift];
      const chunked = outputsOf(createTextRedactor(sampleRedactor()), splitAt(input, points)).join('');

      expect(chunked).toBe(whole);
    }
    expect(whole).toContain('[US_SSN]');
    expect(whole).toContain('[EMAIL]');
  });

  it('streams text dense with escapes in bounded memory, with the output of one pass, for any split', () => {
    const redactor = sampleRedactor();
    const { reachLength, contextLength } = redactor.scanner;
    const escaped = [...'bob@example.com'].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    const line = `${'%41'.repeat(3000)} ${escaped} ${'&#65;\u200b'.repeat(1500)}\n`;
    const input = line.repeat(12);
    const whole = sampleRedactor().redactText(input);
    expect(whole.split('[EMAIL]')).toHaveLength(13);
    for (const size of [997, 8192, 65536, 200_000]) {
      const text = createTextRedactor(sampleRedactor());
      let pushed = 0;
      let out = '';
      for (let from = 0; from < input.length; from += size) {
        const piece = input.slice(from, from + size);
        out += text.push(piece);
        pushed += piece.length;
        expect(pushed - out.length).toBeLessThanOrEqual(
          Math.max(size, WINDOW) + MAX_EXPANSION * reachLength + contextLength,
        );
      }
      expect(out + text.end(), `pieces of ${size}`).toBe(whole);
    }
  });

  it('holds back a high surrogate that ends a chunk, even with no detectors', () => {
    const text = createTextRedactor(new Redactor(compiledRuleSetOf([])));
    const outputs = outputsOf(text, [`${'a'.repeat(WINDOW)}\uD83D`, '\uDE00 done']);

    expect(outputs.map(isWellFormed)).toEqual([true, true, true]);
    expect(outputs.join('')).toBe(`${'a'.repeat(WINDOW)}😀 done`);
  });

  it('never splits a surrogate pair between two outputs', () => {
    fc.assert(
      fc.property(
        plantedText(WINDOW),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.boolean(),
        (input, points, hasDetectors) => {
          const redactor = new Redactor(compiledRuleSetOf(hasDetectors ? sampleDetectors() : []));
          const outputs = outputsOf(createTextRedactor(redactor), splitAt(input, points));

          expect(outputs.filter((out) => !isWellFormed(out))).toEqual([]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('gives in pieces what it returns, each well-formed (property)', () => {
    fc.assert(
      fc.property(plantedText(WINDOW), fc.array(fc.nat(), { maxLength: 8 }), (input, points) => {
        const chunks = splitAt(input, points);
        const joined = outputsOf(createTextRedactor(sampleRedactor()), chunks);
        const inPieces = createTextRedactor(sampleRedactor());
        const pieces = [
          ...chunks.map((chunk) => inPieces.pushPieces?.(chunk) ?? []),
          inPieces.endPieces?.() ?? [],
        ];

        expect(pieces.map((outs) => outs.join(''))).toEqual(joined);
        expect(pieces.flat().filter((piece) => !isWellFormed(piece))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('gives the same output for any split of the input (property)', () => {
    const property = (input: string, points: number[]) => {
      const whole = outputsOf(createTextRedactor(sampleRedactor()), [input]).join('');
      const chunked = outputsOf(createTextRedactor(sampleRedactor()), splitAt(input, points)).join('');

      expect(chunked).toBe(whole);
      expect(whole).toBe(sampleRedactor().redactText(input));
    };
    fc.assert(fc.property(plantedText(0), fc.array(fc.nat(), { maxLength: 12 }), property), {
      numRuns: 1000,
    });
    fc.assert(
      fc.property(
        plantedText(WINDOW + 500),
        fc.array(fc.integer({ min: WINDOW - 400, max: WINDOW + 800 }), { maxLength: 6 }),
        property,
      ),
      { numRuns: 60 },
    );
  });
});
