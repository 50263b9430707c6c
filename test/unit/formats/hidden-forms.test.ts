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
import { MAX_NESTED_JSON_TEXTS } from '../../../functions/core/redaction/formats/json-token-rewriter.ts';
import { createNdjsonRedactor } from '../../../functions/core/redaction/formats/ndjson-redactor.ts';
import { createTextRedactor } from '../../../functions/core/redaction/formats/text-redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { exampleTexts, shippedMembers } from '../packs/shipped-packs.ts';
import { compiledRuleSetOf, nameFieldRule } from '../support/compiled-rule-set.ts';
import {
  builtInRedactor,
  entityEncode,
  FILLER,
  fullWidth,
  type HiddenPlant,
  hiddenPlant,
  INVISIBLES,
  NEAR_MISSES,
  PLANTS,
  type Plant,
  percentEncode,
} from '../support/hidden-forms.ts';
import { splitAt } from '../support/split-at.ts';

const WINDOW = 64 * 1024;

type Format = 'text' | 'csv' | 'ndjson' | 'json';
const FORMATS: readonly Format[] = ['text', 'csv', 'ndjson', 'json'];

const createFormat: Record<Format, (redactor: Redactor) => FormatRedactor> = {
  text: createTextRedactor,
  csv: (redactor) => createCsvRedactor(redactor),
  ndjson: createNdjsonRedactor,
  json: createJsonRedactor,
};

function run(format: Format, chunks: readonly string[], redactor = builtInRedactor()): string {
  const formatRedactor = createFormat[format](redactor);
  return chunks.map((chunk) => formatRedactor.push(chunk)).join('') + formatRedactor.end();
}

/** A line of a document: a hidden plant (written after its keyword) or text kept as it is. */
type Line = { readonly hidden: HiddenPlant } | { readonly kept: string };

const lineOf = (line: Line): string =>
  'hidden' in line ? `${line.hidden.plant.keyword}: ${line.hidden.hidden} ok` : line.kept;
const redactedLineOf = (line: Line): string =>
  'hidden' in line ? `${line.hidden.plant.keyword}: [${line.hidden.plant.label}] ok` : line.kept;

/** The lines as a document of `format`, and the document the redactor must return for it. */
function documentOf(format: Format, lines: readonly Line[]): { input: string; expected: string } {
  const write = (texts: readonly string[]): string => {
    switch (format) {
      case 'text':
        return `${texts.join('\n')}\n`;
      case 'csv':
        return `id,note\n${texts.map((text, i) => `${i},${text}`).join('\n')}\n`;
      case 'ndjson':
        return `${texts.map((text) => JSON.stringify({ note: text })).join('\n')}\n`;
      case 'json':
        return JSON.stringify(texts.map((text) => ({ note: text })));
    }
  };
  return { input: write(lines.map(lineOf)), expected: write(lines.map(redactedLineOf)) };
}

/** A document whose `inner` string holds JSON `depth` texts deep around a password and an email. */
function nestedJsonOf(depth: number): string {
  let text = JSON.stringify({ password: 'hunter2', note: 'jane@example.com' });
  for (let level = 0; level < depth; level++) text = JSON.stringify({ inner: text });
  return text;
}

const line: fc.Arbitrary<Line> = fc.oneof(
  { weight: 3, arbitrary: hiddenPlant().map((hidden) => ({ hidden })) },
  fc.constantFrom(...NEAR_MISSES, ...FILLER).map((kept) => ({ kept })),
);

describe('hidden forms of sensitive values', () => {
  it.each([
    [
      'a percent-encoded email in an access log',
      'GET /u?mail=jane%40example.com&x=1 200',
      'GET /u?mail=[EMAIL]&x=1 200',
    ],
    [
      'an email with an HTML entity',
      'to: jane&#64;example.com, jane&commat;example&period;com',
      'to: [EMAIL], [EMAIL]',
    ],
    ['a full-width email', 'ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ 様', '[EMAIL] 様'],
    ['full-width card digits', 'card ４１１１１１１１１１１１１１１１.', 'card [CARD].'],
    ['an email with zero-width characters inside', 'mail ja\u200bne@exam\u200dple.com', 'mail [EMAIL]'],
    ['card digits grouped by dots', 'pan 4111.1111.1111.1111', 'pan [CARD]'],
    ['card digits grouped by no-break spaces', 'pan 4111\u00a01111\u202f1111\u20091111', 'pan [CARD]'],
    ['an SSN without dashes after its keyword', 'SSN: 219099999', 'SSN: [SSN]'],
    ['a lower-case IBAN after its keyword', 'IBAN gb82west12345698765432', 'IBAN [IBAN]'],
  ])('redacts %s, leaving the text around it byte for byte', (_, input, expected) => {
    expect(run('text', [input])).toBe(expected);
  });

  it('redacts a card number written as a JSON number with an exponent', () => {
    expect(run('json', ['{"pan":4.111111111111111e15,"n":1.5e3,"m":41.11111111111111E+14}'])).toBe(
      '{"pan":"[CARD]","n":1.5e3,"m":"[CARD]"}',
    );
  });

  it('applies field rules and detectors to JSON held in a JSON string, and leaves one without a match as written', () => {
    const withRules = () =>
      new Redactor(
        compiledRuleSetOf(
          builtInDetectorIds.map((id) => createBuiltInDetector(id) as Detector),
          [nameFieldRule('password', ['password'])],
        ),
      );
    const inner = JSON.stringify({ user: { email: 'jane@example.com', password: 'hunter2', id: 7 } });
    const clean = '{ "user": { "id": 7 } }';
    const input = `${JSON.stringify({ payload: inner, other: clean })}\n`;
    for (const format of ['ndjson', 'json'] as const) {
      expect(run(format, [input], withRules()).trimEnd()).toBe(
        JSON.stringify({
          payload: JSON.stringify({ user: { email: '[EMAIL]', password: '[PASSWORD]', id: 7 } }),
          other: clean,
        }),
      );
    }
  });

  it('reads JSON held in a string without escapes, even where the batch scan finds nothing in it', () => {
    // A card written with an exponent is seen only when the string is read as JSON.
    const input = '{"ids":"[4.111111111111111e15, 7]","card":"[4111111111111111]","empty":"[]"}';
    const expected = '{"ids":"[\\"[CARD]\\",7]","card":"[\\"[CARD]\\"]","empty":"[]"}';
    expect(run('json', [input])).toBe(expected);
    expect(run('ndjson', [`${input}\n`])).toBe(`${expected}\n`);
  });

  it('reads JSON held in strings MAX_NESTED_JSON_TEXTS texts deep, and deeper text as a string', () => {
    const withRules = () =>
      new Redactor(
        compiledRuleSetOf(
          builtInDetectorIds.map((id) => createBuiltInDetector(id) as Detector),
          [nameFieldRule('password', ['password'])],
        ),
      );
    const innermost = (depth: number): string => {
      let output = JSON.parse(run('json', [nestedJsonOf(depth)], withRules()));
      for (let level = 0; level < depth; level++) output = JSON.parse(output.inner);
      return JSON.stringify(output);
    };
    expect(innermost(MAX_NESTED_JSON_TEXTS)).toBe('{"password":"[PASSWORD]","note":"[EMAIL]"}');
    // One text deeper the field rule no longer reaches, but the detectors still do.
    expect(innermost(MAX_NESTED_JSON_TEXTS + 1)).toBe('{"password":"hunter2","note":"[EMAIL]"}');
  });

  it('redacts a base64 value whose decoded text holds a match, in a field named as encoded or sensitive', () => {
    const encoded = Buffer.from('jane@example.com').toString('base64');
    const harmless = Buffer.from('hello world, all fine').toString('base64');
    expect(run('json', [JSON.stringify({ email_b64: encoded, note_b64: harmless, note: encoded })])).toBe(
      JSON.stringify({ email_b64: '[EMAIL]', note_b64: harmless, note: encoded }),
    );
    expect(run('csv', [`id,payloadBase64\n1,${encoded}\n2,${harmless}\n`])).toBe(
      `id,payloadBase64\n1,[EMAIL]\n2,${harmless}\n`,
    );
  });

  it('leaves near-misses byte for byte in every format', () => {
    for (const format of FORMATS) {
      const { input, expected } = documentOf(
        format,
        NEAR_MISSES.map((kept) => ({ kept })),
      );
      expect(expected).toBe(input);
      expect(run(format, [input]), format).toBe(input);
    }
  });

  it('redacts every planted value in every hidden form, format and chunking, and nothing else (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FORMATS),
        fc.array(line, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (format, lines, points) => {
          const { input, expected } = documentOf(format, lines);

          expect(run(format, splitAt(input, points))).toBe(expected);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('redacts hidden forms planted across the text scan window, for any split near it (property)', () => {
    const padding = FILLER.join(' ').repeat(Math.ceil(WINDOW / FILLER.join(' ').length));
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 4 }),
        fc.nat({ max: 400 }),
        fc.array(fc.integer({ min: WINDOW - 600, max: WINDOW + 600 }), { maxLength: 6 }),
        (lines, shift, points) => {
          const { input, expected } = documentOf('text', lines);
          const pad = padding.slice(0, WINDOW - 200 + shift);

          expect(run('text', splitAt(`${pad}\n${input}${pad}`, points))).toBe(`${pad}\n${expected}${pad}`);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('redacts card numbers written as JSON numbers with any exponent, split anywhere (property)', () => {
    const exponentForms = (digits: string) =>
      fc.integer({ min: -3, max: digits.length - 1 }).map((point) => {
        // `d.ddd…e+N`, `0.000ddd…e+N` or `ddd…0e-N`: the same value, the point moved.
        const shifted =
          point >= 0
            ? `${digits.slice(0, point + 1)}.${digits.slice(point + 1)}0`
            : `0.${'0'.repeat(-point - 1)}${digits}`;
        return `${shifted}e${digits.length - 1 - point >= 0 ? '+' : ''}${digits.length - 1 - point}`;
      });
    const card = fc.constantFrom('4111111111111111', '5555555555554444', '378282246310005');
    fc.assert(
      fc.property(
        card.chain((digits) => exponentForms(digits)),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.constantFrom<Format>('json', 'ndjson'),
        (number, points, format) => {
          const input = format === 'json' ? `[${number},1.5e3]` : `{"n":${number}}\n`;
          const expected = format === 'json' ? '["[CARD]",1.5e3]' : '{"n":"[CARD]"}\n';

          expect(Number(number)).toBeGreaterThan(1e14);
          expect(run(format, splitAt(input, points))).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('redacts hidden forms inside JSON held in a JSON string, and base64 in an encoded field (property)', () => {
    const plant = fc.constantFrom(...PLANTS);
    fc.assert(
      fc.property(
        hiddenPlant(),
        plant,
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 4 }),
        (hidden, encodedPlant: Plant, isUrlSafe, points) => {
          const note = `${hidden.plant.keyword}: ${hidden.hidden} ok`;
          const redactedNote = `${hidden.plant.keyword}: [${hidden.plant.label}] ok`;
          const encoded = Buffer.from(`${encodedPlant.keyword} ${encodedPlant.value}`).toString(
            isUrlSafe ? 'base64url' : 'base64',
          );
          const input = `${JSON.stringify({ payload: JSON.stringify({ note }), data_b64: encoded })}\n`;
          const expected = `${JSON.stringify({
            payload: JSON.stringify({ note: redactedNote }),
            data_b64: `[${encodedPlant.label}]`,
          })}\n`;

          expect(run('ndjson', splitAt(input, points))).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('redacts every pack example hidden whole by escapes, full-width forms or invisible characters as its plain form (property)', () => {
    const detectors = [
      ...builtInDetectorIds.map((id) => createBuiltInDetector(id) as Detector),
      createDetectorGroup(shippedMembers.map(({ entry }) => entry.createMember())),
    ];
    const allDetectors = (): Redactor => new Redactor(compiledRuleSetOf(detectors));
    const countsOf = (text: string): Map<string, number> => {
      const redactor = allDetectors();
      const formatRedactor = createTextRedactor(redactor);
      formatRedactor.push(text);
      formatRedactor.end();
      return redactor.counts;
    };
    // Each form gives the same view as the plain text, so the same matches.
    const forms: Record<string, (character: string, i: number) => string> = {
      percent: (c) => percentEncode(c),
      decimalEntity: (c) => entityEncode(c, 'decimal'),
      hexEntity: (c) => entityEncode(c, 'hex'),
      fullWidth: (c) => (c === ' ' ? c : fullWidth(c)),
      invisible: (c, i) => `${c}${INVISIBLES[i % INVISIBLES.length]}`,
    };
    const examples = [...new Set(shippedMembers.flatMap(({ entry }) => exampleTexts(entry)))];
    fc.assert(
      fc.property(fc.constantFrom(...examples), fc.constantFrom(...Object.keys(forms)), (example, form) => {
        const hidden = [...example].map(forms[form] as (character: string, i: number) => string).join('');
        const plain = countsOf(example);
        const output = run('text', [hidden], allDetectors());

        expect(countsOf(hidden)).toEqual(plain);
        if (plain.size > 0) expect(output).not.toBe(hidden);
      }),
      { numRuns: 400 },
    );
  });
});
