import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RuleValidationError } from '../../../functions/core/errors.ts';
import { compileRuleSet } from '../../../functions/core/redaction/compile-rule-set.ts';
import type { CompiledPack, CompiledPackEntry } from '../../../functions/core/redaction/compiled-pack.ts';
import { compilePackFile } from '../../../functions/core/redaction/detector-pack.ts';
import { createDetectorGroup } from '../../../functions/core/redaction/detectors/detector-group.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import { resolveRuleSets } from '../../../functions/core/redaction/rule-catalog.ts';
import { parseRuleFile } from '../../../functions/core/redaction/rule-file.ts';
import { validatorNamed } from '../../../functions/core/redaction/validators/validator-registry.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';
import { expectDecidedByNeighbourhood } from '../support/detector-contract.ts';
import { splitAt } from '../support/split-at.ts';
import {
  ACME_PACK_FILE,
  acmePackText,
  after,
  before,
  compiledWith,
  escaped,
  packProblems,
  recompiledFromOrigin,
  redact,
} from './likelihood-support.ts';
import { exampleTexts, shippedMembers, shippedPacks } from './shipped-packs.ts';

type MemberEntry = Extract<CompiledPackEntry, { kind: 'member' }>;
type PatternSpec = Extract<MemberEntry['detector'], { pattern: string }>;

/** The shipped detectors that declare `withoutKeyword: possible`, with their pack and a valid value of theirs. */
const declared = shippedMembers.flatMap(({ pack, entry }) => {
  const spec = entry.detector;
  if (!('withoutKeyword' in spec) || spec.withoutKeyword !== 'possible') return [];
  const seed = spec.examples.flatMap((example) =>
    example.likelihood === 'possible' && 'input' in example ? [example.input.replace(/^ref /, '')] : [],
  )[0];
  return [{ pack, id: entry.id, entry, spec: spec as PatternSpec, seed: seed ?? '' }];
});

/** The validators of a pack's detectors that take values without a keyword at `possible`. */
const possibleValidators = (pack: string) =>
  declared.flatMap((detector) =>
    detector.pack === pack && detector.spec.validator !== undefined
      ? [validatorNamed(detector.spec.validator)]
      : [],
  );

const replaceAt = (value: string, index: number, char: string): string =>
  value.slice(0, index) + char + value.slice(index + 1);

/**
 * `value` made valid by changing one digit, or two adjacent ones (an IBAN's check digits, a
 * CPF's pair), if one is enough.
 */
function repaired(value: string, positions: readonly number[], isValid: (value: string) => boolean) {
  if (isValid(value)) return value;
  for (const position of [...positions].reverse()) {
    for (const digit of '0123456789') {
      const candidate = replaceAt(value, position, digit);
      if (isValid(candidate)) return candidate;
    }
  }
  for (let i = 0; i + 1 < positions.length; i++) {
    for (let pair = 0; pair < 100; pair++) {
      const candidate = replaceAt(
        replaceAt(value, positions[i] as number, String(pair % 10)),
        positions[i + 1] as number,
        String(Math.floor(pair / 10)),
      );
      if (isValid(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Valid values of a detector's shape: its seed's digits shuffled (a German tax id keeps its one
 * repeated digit), one of them sometimes changed, then repaired to pass the check.
 */
function validValues({ seed, spec }: (typeof declared)[number]): fc.Arbitrary<string> {
  const positions = [...seed].flatMap((char, index) => (/[0-9]/.test(char) ? [index] : []));
  const whole = new RegExp(`^(?:${spec.pattern})$`, spec.flags);
  const isValid = (value: string) =>
    whole.test(value) && validatorNamed(spec.validator as NonNullable<PatternSpec['validator']>)(value);
  return fc
    .tuple(
      fc.shuffledSubarray(positions, { minLength: positions.length, maxLength: positions.length }),
      fc.option(fc.tuple(fc.constantFrom(...positions), fc.integer({ min: 0, max: 9 }))),
    )
    .map(([order, change]) => {
      let value = seed;
      order.forEach((from, i) => {
        value = replaceAt(value, positions[i] as number, seed.charAt(from));
      });
      if (change !== null) value = replaceAt(value, change[0], String(change[1]));
      return repaired(value, positions, isValid);
    })
    .filter((value): value is string => value !== undefined && !/^([0-9])(?:[^0-9]*\1)*[^0-9]*$/.test(value));
}

/** Text around a value that names no identifier: no keyword of any pack. */
const label = /\[[A-Z0-9_]+\]/.source;

describe('pack likelihood', () => {
  it('is declared on detectors that each give a valid value without a keyword', () => {
    expect(declared.map(({ id }) => id).sort()).toEqual(
      [
        'aba-routing-number',
        'au-medicare',
        'au-tfn',
        'br-cnpj-compact',
        'br-cpf-compact',
        'ca-sin',
        'de-id-card',
        'de-tax-id',
        'iban-loose',
        'imei',
        'in-aadhaar',
        'nl-bsn',
        'pl-pesel',
        'uatp-card',
        'uk-nhs-number',
        'us-dea-number',
        'us-npi',
        'vin',
      ].sort(),
    );
    for (const { id, seed } of declared) expect(seed, id).not.toBe('');
  });

  describe.each(declared)('$id ($pack)', (detector) => {
    const likely = compiledWith([detector.pack]);
    const possible = compiledWith([{ pack: detector.pack, likelihood: 'possible' }]);
    const values = validValues(detector);
    const member = createDetectorGroup([detector.entry.createMember('possible')]);

    it('at possible redacts a valid value without a keyword in text, whatever the chunking (property)', () => {
      fc.assert(
        fc.property(
          values,
          before,
          after,
          fc.array(fc.nat(), { maxLength: 4 }),
          (value, head, tail, points) => {
            const input = `${head}${value}${tail}`;
            const output = redact(possible, 'text', [input]);
            expect(output).toMatch(new RegExp(`^${escaped(head)}${label}${escaped(tail)}$`));
            expect(redact(possible, 'text', splitAt(input, points))).toBe(output);
          },
        ),
        { numRuns: 40 },
      );
    });

    it('at possible redacts a valid value in a CSV cell and a JSON value (property)', () => {
      fc.assert(
        fc.property(values, fc.array(fc.nat(), { maxLength: 3 }), (value, points) => {
          const csv = `ref,note\r\n${value},shipped\r\n`;
          expect(redact(possible, 'csv', splitAt(csv, points))).toMatch(
            new RegExp(`^ref,note\\r\\n${label},shipped\\r\\n$`),
          );
          const json = JSON.stringify({ ref: value, note: 'shipped' });
          const parsed = JSON.parse(redact(possible, 'json', splitAt(json, points)));
          expect(parsed.ref).toMatch(new RegExp(`^${label}$`));
          expect(parsed.note).toBe('shipped');
        }),
        { numRuns: 30 },
      );
    });

    it('at the default likelihood leaves the same values alone in text, CSV and JSON (property)', () => {
      fc.assert(
        fc.property(values, before, after, (value, head, tail) => {
          const text = `${head}${value}${tail}`;
          expect(redact(likely, 'text', [text])).toBe(text);
          const csv = `ref,note\r\n${value},shipped\r\n`;
          expect(redact(likely, 'csv', [csv])).toBe(csv);
          const json = JSON.stringify({ ref: value, note: 'shipped' });
          expect(redact(likely, 'json', [json])).toBe(json);
        }),
        { numRuns: 30 },
      );
    });

    it('at possible leaves a value whose check fails, or that is part of a longer token or digit group (property)', () => {
      const packChecks = possibleValidators(detector.pack);
      fc.assert(
        fc.property(values, fc.nat(), before, after, (value, seed, head, tail) => {
          const positions = [...value].flatMap((char, index) => (/[0-9]/.test(char) ? [index] : []));
          const misses: string[] = [];
          // One digit changed so that no detector of the pack takes it.
          for (let step = 0; step < positions.length * 10; step++) {
            const position = positions[(seed + step) % positions.length] as number;
            const broken = replaceAt(value, position, String((seed + step) % 10));
            if (packChecks.every((isValid) => !isValid(broken))) {
              misses.push(`${head}${broken}${tail}`);
              break;
            }
          }
          misses.push(
            `${head}Q${value}${tail}`,
            `${head}${value}Q${tail}`,
            // A part of a longer token: a UUID's last group, a file name.
            `${head}a378-${value}${tail}`,
            `${head}${value}.pdf${tail}`,
          );
          if (/[^A-Za-z0-9]/.test(value))
            misses.push(`${head}12 ${value}${tail}`, `${head}${value} 12${tail}`);
          for (const miss of misses) {
            expect(redact(possible, 'text', [miss])).toBe(miss);
            // What decides a miss lies within the neighbourhood the member declares.
            expectDecidedByNeighbourhood(member, miss);
          }
        }),
        { numRuns: 40 },
      );
    });

    it('at possible still redacts the value after its keyword, as at the default', () => {
      for (const example of detector.spec.examples) {
        const text = 'survives' in example ? example.survives : example.input;
        const atLikely = redact(likely, 'text', [text]);
        if (atLikely !== text) expect(redact(possible, 'text', [text])).toBe(atLikely);
      }
    });
  });

  it('redacts the same whatever the chunking with every pack at possible (property)', () => {
    const everyPack = compiledWith(shippedPacks.map((pack) => ({ pack: pack.name, likelihood: 'possible' })));
    const samples = [
      ...shippedMembers.flatMap(({ entry }) => exampleTexts(entry)),
      ...declared.map(({ seed }) => seed),
    ];
    const filler = 'ts=2024-01-01T00:00:00Z level=info n=1234 ';
    const padding = filler.repeat(Math.ceil((64 * 1024) / filler.length));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...samples), fc.constantFrom(' ', '\n', '\r\n', '=', ':', '"')), {
          maxLength: 30,
        }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (parts, isPadded, points) => {
          const text = parts.join('');
          const input = isPadded ? `${padding}${text}${padding}${text}` : text;
          expect(redact(everyPack, 'text', splitAt(input, points))).toBe(
            new Redactor(everyPack).redactText(input),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps the label of the detector whose keyword is there when other packs take the value bare', () => {
    const everyPack = compiledWith(shippedPacks.map((pack) => ({ pack: pack.name, likelihood: 'possible' })));
    for (const { spec } of declared) {
      for (const example of spec.examples) {
        if (!('output' in example) || example.field !== undefined || example.likelihood !== undefined)
          continue;
        expect(new Redactor(everyPack).redactText(example.input), example.input).toBe(example.output);
      }
    }
  });

  it('survives the trip to a worker thread (compiled again from its origin)', () => {
    const compiled = compiledWith([{ pack: 'pii-uk', likelihood: 'possible' }, 'pii-us']);
    const again = recompiledFromOrigin(compiled);
    const text = 'ref 4501771534, order 187074802, SIN 187 074 802';
    expect(new Redactor(again).redactText(text)).toBe('ref [UK_NHS_NUMBER], order 187074802, SIN [CA_SIN]');
    expect(new Redactor(compiled).redactText(text)).toBe(new Redactor(again).redactText(text));
  });

  it('is inherited through extends with its pack entry, and a child entry of the pack replaces it', () => {
    const files = [
      parseRuleFile(
        'name: parent\npacks:\n  - pack: pii-uk\n    likelihood: possible\n',
        'rules/parent.yaml',
      ),
      parseRuleFile('name: child\nextends: parent\n', 'rules/child.yaml'),
      parseRuleFile('name: strict\nextends: parent\npacks: [pii-uk]\n', 'rules/strict.yaml'),
    ];
    const resolved = resolveRuleSets(files, shippedPacks);
    const redactWith = (name: string) => {
      const set = resolved.get(name);
      if (set === undefined) throw new Error(`no rule set ${name}`);
      const compiled = compileRuleSet(set.ruleSet, testTokenKeys('k1'), set.positionOf, set.packs);
      return new Redactor(compiled).redactText('ref 4501771534');
    };
    expect(redactWith('child')).toBe('ref [UK_NHS_NUMBER]');
    expect(redactWith('strict')).toBe('ref 4501771534');
  });

  it('rejects a likelihood a rule set cannot take, naming file, line and the allowed values', () => {
    const parse = () =>
      parseRuleFile('name: odd\npacks:\n  - pack: pii-uk\n    likelihood: maybe\n', 'rules/odd.yaml');
    expect(parse).toThrow(RuleValidationError);
    expect(parse).toThrow(
      /^rules\/odd\.yaml:4:17: packs\[0\]\.likelihood: got "maybe"; allowed: "likely", "possible", "unlikely"$/,
    );
  });
});

describe('withoutKeyword in a pack file', () => {
  const packText = (detector: string[]) => acmePackText('(?<![0-9])[0-9]{8}(?![0-9])', 8, detector);

  it('compiles on a detector with keywords and a check-digit validator', () => {
    const pack: CompiledPack = compilePackFile(
      packText(['    validator: luhn', "    keywords: ['acme']", '    withoutKeyword: possible']),
      ACME_PACK_FILE,
    );
    expect(pack.entries.map((entry) => entry.id)).toEqual(['acme-number']);
  });

  it('rejects it on a detector without keywords, naming file, line and column', () => {
    expect(packProblems(packText(['    validator: luhn', '    withoutKeyword: possible']))).toBe(
      `${ACME_PACK_FILE}:10:21: detectors[0] "acme-number": withoutKeyword: the detector has no keywords to do without`,
    );
  });

  it('rejects it on a detector whose validator has no check digit, or that has none', () => {
    expect(
      packProblems(
        packText(['    validator: us-itin', "    keywords: ['acme']", '    withoutKeyword: possible']),
      ),
    ).toMatch(
      /^redaction-rules\/packs\/acme\.yaml:11:21: .*possible needs a validator with a check digit .*; got us-itin$/,
    );
    expect(packProblems(packText(["    keywords: ['acme']", '    withoutKeyword: possible']))).toMatch(
      /^redaction-rules\/packs\/acme\.yaml:10:21: .*; got none$/,
    );
  });

  it('rejects a value other than possible or unlikely, naming file and line', () => {
    expect(
      packProblems(packText(['    validator: luhn', "    keywords: ['acme']", '    withoutKeyword: yes'])),
    ).toMatch(
      /^redaction-rules\/packs\/acme\.yaml:11:21: detectors\[0\]\.withoutKeyword: got "yes"; allowed: "possible", "unlikely"$/,
    );
  });
});
