import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import {
  createFieldAssignmentDetector,
  MAX_TEXT_FIELD_VALUE_LENGTH,
} from '../../../functions/core/redaction/detectors/field-assignment-detector.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import type { TextFormat } from '../../../functions/core/redaction/formats/format-redactor.ts';
import { createTextRedactor } from '../../../functions/core/redaction/formats/text-redactor.ts';
import { type CompiledRuleSet, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { ruleSetSchema } from '../../../functions/core/redaction/rule-schema.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';
import {
  allMatches,
  expectDecidedByNeighbourhood,
  expectLeftmostWithinBounds,
} from '../support/detector-contract.ts';

let ruleSet: CompiledRuleSet;
beforeAll(async () => {
  ruleSet = await shippedRuleSet('default');
});

/** `text` as a text object, pushed in `pieces` (cut points) or whole. */
function redactText(text: string, cuts: readonly number[] = [], rules = ruleSet): string {
  const redactor = createTextRedactor(new Redactor(rules));
  let out = '';
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out += redactor.push(text.slice(at, cut));
    at = cut;
  }
  return out + redactor.push(text.slice(at)) + redactor.end();
}

function redactAs(format: TextFormat, text: string): string {
  const redactor = createFormatRedactor(format, new Redactor(ruleSet));
  return redactor.push(text) + redactor.end();
}

function lineCount(text: string): number {
  return text.split(/\r\n|\r|\n/).length;
}

/**
 * Names the default rule set has a field rule for that takes values in text, in several
 * spellings (field-secrets has `inText: false`: the secrets pack takes those).
 */
const ruledNames = [
  'first_name',
  'Last-Name',
  'lastName',
  'FIRST_NAME',
  'surname',
  'customer.address',
  'address',
  'billing_address',
  'dob',
  'date_of_birth',
  'ssn',
  'phone',
];

/** A planted value: starts with a marker so it cannot be part of a key, a label or a filler. */
const word = fc.string({
  unit: fc.constantFrom(...'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'),
  minLength: 5,
  maxLength: 16,
});
const plantedWord = word.map((w) => `Qv${w}`);
/** Several words, for shapes whose value runs to the end of the line or a quote. */
const plantedWords = fc.array(plantedWord, { minLength: 1, maxLength: 4 }).map((words) => words.join(' '));

type Shape = (key: string, value: string) => string;

/** Shapes of `key`/`value` lines, and whether the value may hold spaces. */
const shapes: Record<string, { line: Shape; hasSpaces: boolean }> = {
  'yaml unquoted': { line: (k, v) => `  ${k}: ${v}`, hasSpaces: true },
  'yaml comment': { line: (k, v) => `${k}: ${v}   # note`, hasSpaces: true },
  'yaml list item': { line: (k, v) => `  - ${k}: ${v}`, hasSpaces: true },
  // As deep and as wide as the detector reads: its lookbehind must cover them.
  'yaml deep': {
    line: (k, v) => `${' '.repeat(240)}- - ${k}${' '.repeat(60)}:${' '.repeat(60)}!t &a ${v}`,
    hasSpaces: true,
  },
  'yaml double quoted': { line: (k, v) => `    ${k}: "${v}"`, hasSpaces: true },
  'yaml single quoted': { line: (k, v) => `'${k}': '${v}'`, hasSpaces: true },
  'json as text': { line: (k, v) => `  "${k}": "${v}",`, hasSpaces: true },
  'logfmt unquoted': {
    line: (k, v) => `ts=2024-01-01T00:00:00Z level=info ${k}=${v} msg="ok"`,
    hasSpaces: false,
  },
  'logfmt quoted': {
    line: (k, v) => `ts=2024-01-01T00:00:00Z level=info ${k}="${v}" status=200`,
    hasSpaces: true,
  },
  'query string': { line: (k, v) => `GET /search?q=x&${k}=${v}&page=2 200`, hasSpaces: false },
  ini: { line: (k, v) => `${k} = ${v}`, hasSpaces: true },
  'ini aligned': { line: (k, v) => `${k}        =${v}`, hasSpaces: true },
  'env export': { line: (k, v) => `export ${k}=${v}`, hasSpaces: true },
  'env quoted': { line: (k, v) => `${k}="${v}"`, hasSpaces: true },
  properties: { line: (k, v) => `${k}: ${v}`, hasSpaces: true },
};

const fillers = [
  'customer:',
  '[section]',
  '# a comment',
  'status: active',
  'level=INFO component=api',
  'Note: call back tomorrow',
  '',
  '2024-05-01 12:30:45 INFO request served in 12 ms',
];

const plantedDocument = fc
  .array(
    fc.tuple(
      fc.constantFrom(...Object.keys(shapes)),
      fc.constantFrom(...ruledNames),
      plantedWord,
      plantedWords,
      fc.constantFrom(...fillers),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((entries) => {
    const planted: string[] = [];
    const lines: string[] = [];
    for (const [shapeName, key, oneWord, words, filler] of entries) {
      const shape = shapes[shapeName] as { line: Shape; hasSpaces: boolean };
      const value = shape.hasSpaces ? words : oneWord;
      planted.push(...value.split(' '));
      lines.push(filler, shape.line(key, value));
    }
    return { text: `${lines.join('\n')}\n`, planted };
  });

describe('field rules in text', () => {
  it('redacts the values of YAML, logfmt and ini keys that the JSON field rules name', () => {
    const input = [
      'customer:',
      '  first_name: Jane',
      '  last_name: Doe',
      '  address: 12 Main Street, Springfield',
      '2024-01-01 INFO login name="Jane Doe" dob=1985-03-12 address="12 Main Street"',
      '',
    ].join('\n');

    expect(redactText(input)).toBe(
      [
        'customer:',
        '  first_name: [NAME]',
        '  last_name: [NAME]',
        '  address: [ADDRESS]',
        '2024-01-01 INFO login name="[NAME]" dob=[DATE_OF_BIRTH] address="[ADDRESS]"',
        '',
      ].join('\n'),
    );
  });

  it('never lets a value planted under a ruled name through, and keeps the line count', () => {
    fc.assert(
      fc.property(plantedDocument, ({ text, planted }) => {
        const out = redactText(text);
        for (const value of planted) expect(out).not.toContain(value);
        expect(lineCount(out)).toBe(lineCount(text));
      }),
      { numRuns: 200 },
    );
  });

  it('redacts alike whatever pieces the text arrives in', () => {
    // Field rules alone keep the scan window small (about 160 Ki code units), so that documents
    // padded past it are scanned in several windows, cut anywhere.
    const rules = compileRuleSet(
      ruleSetSchema.parse({
        name: 'fields',
        fields: [
          { id: 'field-secrets', label: 'SECRET', words: ['password', 'api key'] },
          { id: 'field-person-name', label: 'NAME', words: ['first name', 'last name', 'surname'] },
          { id: 'field-address', label: 'ADDRESS', words: ['address'] },
          { id: 'field-date-of-birth', label: 'DATE_OF_BIRTH', names: ['dob', 'date_of_birth'] },
          { id: 'field-ssn', label: 'SSN', names: ['ssn'] },
          { id: 'field-phone', label: 'PHONE', names: ['phone'] },
        ],
      }),
      testTokenKeys('k1'),
    );
    const padding = 'level=info msg="served" status=200\n'.repeat(6_000);
    fc.assert(
      fc.property(
        plantedDocument,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.nat({ max: 400 }),
        ({ text: planted }, seeds, shift) => {
          const text = `${padding}${planted}${padding.slice(shift)}${planted}${padding}${planted}`;
          const cuts = seeds.map((seed) => seed % (text.length + 1));
          const whole = redactText(text, [], rules);
          expect(redactText(text, cuts, rules)).toBe(whole);
          expect(whole).toContain('[');
        },
      ),
      { numRuns: 30 },
    );
  });

  it('redacts alike whatever pieces the text arrives in, with the default rules', () => {
    fc.assert(
      fc.property(plantedDocument, fc.array(fc.nat(), { maxLength: 12 }), ({ text }, seeds) => {
        const cuts = seeds.map((seed) => seed % (text.length + 1));
        expect(redactText(text, cuts)).toBe(redactText(text));
      }),
      { numRuns: 100 },
    );
  });

  it("counts each value under its field rule, with the rule's action", () => {
    const redactor = new Redactor(ruleSet);
    const text = createTextRedactor(redactor);
    const out = text.push('first_name: Jane\ncard_number=4111-1111-1111-1111\n') + text.end();

    expect(out).toBe('first_name: [NAME]\ncard_number=****-****-****-1111\n');
    expect(redactor.counts.get('field-person-name')).toBe(1);
    expect(redactor.counts.get('field-payment')).toBe(1);
  });

  it('gives a value to its field rule whatever the detectors find in it, as JSON does', () => {
    const text = [
      'email: jane@example.com',
      'ssn = 123-45-6789',
      'contact:',
      '  phone: +1 415 555 0132',
      '',
    ].join('\n');
    const json = JSON.parse(
      redactAs(
        'json',
        JSON.stringify({
          email: 'jane@example.com',
          ssn: '123-45-6789',
          contact: { phone: '+1 415 555 0132' },
        }),
      ),
    );

    expect(redactText(text)).toBe(
      [`email: ${json.email}`, `ssn = ${json.ssn}`, 'contact:', `  phone: ${json.contact.phone}`, ''].join(
        '\n',
      ),
    );
  });

  it('reads an ini or .env value to the end of its line, a logfmt or query value to a space or separator', () => {
    expect(redactText('address = 12 Main Street, Springfield ; not a comment\n')).toBe(
      'address = [ADDRESS]\n',
    );
    expect(redactText('export LAST_NAME=O Brien # note\n')).toBe('export LAST_NAME=[NAME] # note\n');
    expect(redactText('first_name=Jane level=info\n')).toBe('first_name=[NAME] level=info\n');
    expect(redactText('GET /x?first_name=Jane&last_name=Doe;x=1 200\n')).toBe(
      'GET /x?first_name=[NAME]&last_name=[NAME];x=1 200\n',
    );
    expect(redactText('Person(first_name=Jane, surname=Doe)\n')).toBe(
      'Person(first_name=[NAME], surname=[NAME])\n',
    );
  });

  it('passes over YAML tags and anchors before a value', () => {
    expect(redactText('name: &owner Jane\nsurname: !!str Doe\n')).toBe(
      'name: &owner [NAME]\nsurname: !!str [NAME]\n',
    );
  });

  it('takes a value that only starts like a stand-in, and other attributes of markup', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a variable reference is the near miss
    expect(redactText('address=$treet1\naddress: ${A}x\n<person first_name="Jane" name="Doe">\n')).toBe(
      'address=[ADDRESS]\naddress: [ADDRESS]\n<person first_name="[NAME]" name="Doe">\n',
    );
  });

  it('leaves names without field rules, keep rules and prose unchanged', () => {
    const text = [
      'status: active',
      'level=INFO msg="served" latency_ms=12',
      'Note: call back tomorrow',
      'version: 1.2.3',
      'the name: is not a key here',
      'x first_name: Jane',
      'a == b; first_name != x; card_number=>1; first_name:=x',
      // Stand-ins for a value: references and masks.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a variable reference is the near miss
      'address: ${HOME_ADDRESS}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a variable reference is the near miss
      'mycli --first-name=${FIRST_NAME} --verbose',
      'FIRST_NAME=$FIRST_NAME',
      'address = "{{ .Values.address }}"',
      'surname: ********',
      // HTML's name of a control or meta field.
      '<input type="text" name="username" value="x"><meta name="viewport" content="width=device-width">',
      '',
    ].join('\n');

    expect(redactText(text)).toBe(text);
  });

  it('leaves empty values, nested mappings, block scalars, flow collections and aliases to the other rules', () => {
    const text = [
      'first_name:',
      'customer:',
      '  address:   # below',
      '    street: x',
      'first_name: |',
      '  text',
      'last_name: >-',
      '  text',
      'address: {city: x}',
      'address: [a, b]',
      'address=[1]',
      'name: *owner',
      'first_name=',
      'first_name=""',
      '',
    ].join('\n');

    expect(redactText(text)).toBe(text.replace('    street: x', '    street: [ADDRESS]'));
  });

  it('binds nothing under a keep rule that names the key first', () => {
    const rules = compileRuleSet(
      ruleSetSchema.parse({
        name: 'keep',
        fields: [
          { id: 'field-public-name', names: ['name'], action: { type: 'keep' } },
          { id: 'field-person-name', names: ['name', 'first_name'], action: { type: 'redact' } },
        ],
      }),
      testTokenKeys('k1'),
    );

    expect(redactText('name: Jane\nfirst_name=Jane\n', [], rules)).toBe(
      'name: Jane\nfirst_name=[FIELD_PERSON_NAME]\n',
    );
  });

  it('leaves text to the detectors under a rule with inText: false, as field-secrets in the default rules', () => {
    const rules = compileRuleSet(
      ruleSetSchema.parse({
        name: 'not-in-text',
        fields: [
          { id: 'field-secrets', words: ['token'], inText: false },
          { id: 'field-person-name', names: ['first_name'] },
        ],
      }),
      testTokenKeys('k1'),
    );

    expect(redactText('api_token: abc\nfirst_name=Jane\n', [], rules)).toBe(
      'api_token: abc\nfirst_name=[FIELD_PERSON_NAME]\n',
    );
    expect(ruleSet.fieldRules.find((rule) => rule.id === 'field-secrets')?.isInText).toBe(false);
  });

  it('takes a long value up to its bound, and streams a long line in bounded pieces', () => {
    const value = 'x'.repeat(MAX_TEXT_FIELD_VALUE_LENGTH + 10);
    expect(redactText(`name: ${value}\n`)).toBe(`name: [NAME]${'x'.repeat(10)}\n`);
    const line = `${'first_name=Jane '.repeat(20_000)}\n`;
    const pieces = Array.from({ length: 40 }, (_, i) => Math.floor((i * line.length) / 40));
    expect(redactText(line, pieces)).toBe(`${'first_name=[NAME] '.repeat(20_000)}\n`);
  });

  it('leaves JSON and CSV to their own field rules: a JSON string or CSV cell holding key: value is scanned by the detectors only', () => {
    expect(redactAs('json', '{"note":"first_name: Jane","name":"Jane"}')).toBe(
      '{"note":"first_name: Jane","name":"[NAME]"}',
    );
    expect(redactAs('csv', 'note,name\n"first_name=Jane",Jane\n')).toBe(
      'note,name\n"first_name=Jane",[NAME]\n',
    );
  });
});

describe('createFieldAssignmentDetector', () => {
  let detector: Detector;
  beforeAll(() => {
    detector = createFieldAssignmentDetector(ruleSet.fieldRules) as Detector;
  });

  const fragments = [
    'first_name',
    'Last-Name',
    '"dob"',
    "'ssn'",
    'cn',
    'status',
    'export ',
    ': ',
    ':',
    '=',
    ' = ',
    '  ',
    '- ',
    '\n',
    '\r\n',
    '"',
    "'",
    ' #',
    '&',
    ',',
    '|',
    '{',
    '!!str ',
    '&a ',
    'Jane',
    'Doe Smith',
    '\\"',
    'x',
  ];
  const textArbitrary = fc
    .array(fc.constantFrom(...fragments), { maxLength: 16 })
    .map((pieces) => pieces.join(''));

  it('returns undefined when every field rule keeps', () => {
    expect(
      createFieldAssignmentDetector(ruleSet.fieldRules.map((rule) => ({ ...rule, isKeep: true }))),
    ).toBeUndefined();
  });

  it('decides a match at each start from its declared neighbourhood only', () => {
    fc.assert(
      fc.property(textArbitrary, (text) => {
        expectDecidedByNeighbourhood(detector, text);
      }),
      { numRuns: 300 },
    );
  });

  it('returns the leftmost match from any start, within its bounds', () => {
    fc.assert(
      fc.property(textArbitrary, fc.nat(), (text, seed) => {
        const from = text.length === 0 ? 0 : seed % text.length;
        const match = expectLeftmostWithinBounds(detector, text, from);
        if (match === undefined) return;
        expect(match.kind).toBeLessThan(detector.kinds ?? 1);
        for (let start = from; start <= match.start; start++)
          expect(detector.findFrom(text, start)).toEqual(match);
      }),
      { numRuns: 300 },
    );
  });

  it('reads each key alike whatever keys it read before (keys cached by their last characters)', () => {
    // `xfirst_name` after `first_name` (and back), `dob` after `"dob"`: the same last characters;
    // `cn` (shorter than the three compared at once) after different characters.
    const shared = createFieldAssignmentDetector(ruleSet.fieldRules) as Detector;
    fc.assert(
      fc.property(textArbitrary, (text) => {
        const fresh = createFieldAssignmentDetector(ruleSet.fieldRules) as Detector;
        expect(allMatches(shared, text)).toEqual(allMatches(fresh, text));
      }),
      { numRuns: 500 },
    );
    const text = 'first_name=Jane xfirst_name=Jane\nxfirst_name: Jane\nfirst_name: Jane\n';
    expect(allMatches(shared, text).map(({ start, end }) => text.slice(start, end))).toEqual([
      'Jane',
      'Jane',
    ]);
  });

  it('binds each of many keys to the field rule its name matches (keys sharing the cache of last characters)', () => {
    // Rule names in the spellings the matcher folds alike, short names, and random keys from
    // their letters, with characters before and after: enough keys per text that many share a
    // set of the cache, so one is often compared with another of the same last characters.
    const spellings = [
      'first_name',
      'First-Name',
      'firstName',
      'FIRST_NAME',
      'first.name',
      'cn',
      'CN',
      'dob',
      'ssn',
    ];
    const key = fc.oneof(
      fc.constantFrom(...spellings, ...ruledNames),
      fc.string({ unit: fc.constantFrom(...'acdfimnorstCFN_-.'), minLength: 1, maxLength: 6 }),
      fc
        .tuple(fc.string({ unit: fc.constantFrom(...'axN_-'), maxLength: 2 }), fc.constantFrom(...spellings))
        .map(([before, name]) => before + name),
    );
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 3000 }), (keys) => {
        const text = keys.map((name) => `${name}=Jane\n`).join('');
        const found = allMatches(detector, text);
        const expected = [];
        let lineStart = 0;
        for (const name of keys) {
          const rule = ruleSet.fieldRules.findIndex((candidate) => candidate.matches([name]));
          const binding = ruleSet.fieldRules[rule];
          if (binding !== undefined && !binding.isKeep && binding.isInText !== false) {
            const start = lineStart + name.length + 1;
            expected.push({ start, end: start + 'Jane'.length, kind: rule });
          }
          lineStart += name.length + '=Jane\n'.length;
        }
        expect(found).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('searches a line dense in matches in linear time, though it lacks one anchor', () => {
    const text = 'first_name=Jane '.repeat(20_000);
    const indexOf = vi.spyOn(String.prototype, 'indexOf');
    try {
      const found = allMatches(detector, text).length;
      let searched = 0;
      indexOf.mock.calls.forEach(([, from], i) => {
        const within = (indexOf.mock.contexts[i] as unknown as string).length;
        const result = indexOf.mock.results[i]?.value as number;
        searched += (result < 0 ? within : result) - Number(from ?? 0);
      });

      expect(found).toBe(20_000);
      // A few hundred code units per match (the reach behind it, and as far again ahead), not
      // the rest of the line: searching to the end on every call was 10,000 times the line here.
      expect(searched / text.length).toBeLessThan(100);
    } finally {
      indexOf.mockRestore();
    }
  });

  it('decides from its neighbourhood behind deep indentation and long keys', () => {
    const text = `x\n${' '.repeat(250)}- ${'a'.repeat(100)}_first_name:${' '.repeat(60)}!t &a "Jane"\n`;
    expectDecidedByNeighbourhood(detector, text);
    expect(detector.findFrom(text, 0)).toBeDefined();
  });
});
