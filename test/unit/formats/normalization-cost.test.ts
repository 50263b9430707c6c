import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import {
  builtInDetectorIds,
  createBuiltInDetector,
} from '../../../functions/core/redaction/detectors/built-in-detectors.ts';
import { createDetectorGroup } from '../../../functions/core/redaction/detectors/detector-group.ts';
import { createCsvRedactor } from '../../../functions/core/redaction/formats/csv-redactor.ts';
import type { FormatRedactor } from '../../../functions/core/redaction/formats/format-redactor.ts';
import { createJsonRedactor } from '../../../functions/core/redaction/formats/json-redactor.ts';
import { createNdjsonRedactor } from '../../../functions/core/redaction/formats/ndjson-redactor.ts';
import { createTextRedactor } from '../../../functions/core/redaction/formats/text-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { shippedMembers } from '../packs/shipped-packs.ts';
import { compiledRuleSetOf } from '../support/compiled-rule-set.ts';

/*
 * The packs give the scanner a reach of 64 Ki code units and a context of about a thousand, and
 * escapes or dropped characters make the original text behind them up to 64 times longer. Work
 * that grows with those sizes per piece of input (normalizing the same text again at every
 * push) makes these inputs run for minutes; bounded work runs them in about a second. No time
 * is asserted: a regression shows as the test timeout.
 */

/** Every built-in detector and every detector of the shipped packs, each writing `[LABEL]`. */
function allDetectorsRedactor(): Redactor {
  const detectors: Detector[] = [
    ...builtInDetectorIds.map((id) => createBuiltInDetector(id) as Detector),
    createDetectorGroup(shippedMembers.map(({ entry }) => entry.createMember())),
  ];
  return new Redactor(compiledRuleSetOf(detectors));
}

type Format = 'text' | 'csv' | 'ndjson' | 'json';

const createFormat: Record<Format, (redactor: Redactor) => FormatRedactor> = {
  text: createTextRedactor,
  csv: (redactor) => createCsvRedactor(redactor),
  ndjson: createNdjsonRedactor,
  json: createJsonRedactor,
};

/**
 * Redacts `input` in pieces of `pieceLength`, letting the event loop run between pieces so that
 * the test timeout can fire, and stopping once it has (`signal`), instead of running on after it.
 */
async function run(format: Format, input: string, pieceLength: number, signal: AbortSignal): Promise<string> {
  const redactor = createFormat[format](allDetectorsRedactor());
  let out = '';
  for (let at = 0; at < input.length; at += pieceLength) {
    out += redactor.push(input.slice(at, at + pieceLength));
    await new Promise(setImmediate);
    signal.throwIfAborted();
  }
  return out + redactor.end();
}

/** Units that change in the view: escapes, entities, full-width forms, invisible characters, spaces that fold. */
const DENSE_UNITS = [
  '%40',
  '%2F',
  '%E2%80%8B',
  '&ZeroWidthSpace;',
  '&#64;',
  '&commat;',
  '&nbsp;',
  '\\u0040',
  '\\uD83D\\uDE00',
  '\\x40',
  '\\',
  '\u200b',
  '\u00a0',
  '\u00ad',
  '＠',
  '１',
  'ａ',
  '%',
  '&',
  '4',
  'a',
  ' ',
  '.',
] as const;

/** The pattern repeated to a line of about `length` code units. */
const lineOf = (pattern: string, length: number): string =>
  pattern.repeat(Math.ceil(length / pattern.length));

/** A hidden email and card inside the dense text, which must still be redacted. */
const PLANTED = ' mail jane%40example.com card 4111\u00a01111\u00a01111\u00a01111 ';
const REDACTED = ' mail [EMAIL] card [CARD] ';

describe('normalization cost with every built-in and pack detector', () => {
  it.for([
    ['runs of zero-width entities (49 code units per view character)', `${'&ZeroWidthSpace;'.repeat(3)}a`],
    ['percent-encoded bytes', '%41%42%2F'],
    ['\\u escapes and surrogate pairs', '\\u0041\\uD83D\\uDE00\\x2F'],
    ['zero-width entities between letters', '&ZeroWidthSpace;a'],
    ['full-width forms and no-break spaces', 'ａｂ１２＠\u00a0'],
  ] as const)(
    'streams a 2 MB line of %s in 1 KiB pieces, redacting what hides in it',
    async ([, pattern], { signal }) => {
      const half = lineOf(pattern, 1_000_000);
      const out = await run('text', `${half}${PLANTED}${half}`, 1024, signal);
      expect(out).toBe(`${half}${REDACTED}${half}`);
    },
  );

  it('streams long lines dense in escapes, folds and invisible characters with the output of one pass (property)', async ({
    signal,
  }) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...DENSE_UNITS), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 512, max: 16_384 }),
        async (units, pieceLength) => {
          const line = lineOf(units.join(''), 300_000);
          const input = `${line}${PLANTED}${line}\n`;
          const whole = await run('text', input, input.length, signal);
          expect(await run('text', input, pieceLength, signal)).toBe(whole);
        },
      ),
      { numRuns: 6 },
    );
  });

  it.for([
    ['csv', (cells: string[]) => `note,other\n${cells.map((cell) => `"${cell}",x`).join('\n')}\n`],
    ['ndjson', (cells: string[]) => `${cells.map((cell) => JSON.stringify({ note: cell })).join('\n')}\n`],
    ['json', (cells: string[]) => JSON.stringify(cells.map((cell) => ({ note: cell })))],
  ] as const)(
    'redacts %s records dense in escapes in small pieces as in one pass',
    async ([format, write], { signal }) => {
      const cells = DENSE_UNITS.map((unit) => `${lineOf(unit, 20_000)}${PLANTED}${lineOf(unit, 20_000)}`);
      const input = write(cells);
      const out = await run(format, input, 4096, signal);
      expect(out).toBe(await run(format, input, input.length, signal));
      expect(out).not.toContain('jane%40example.com');
      expect(out.split('[EMAIL]')).toHaveLength(cells.length + 1);
    },
  );
});
