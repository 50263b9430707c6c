import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CompiledPack } from '../../../functions/core/redaction/compiled-pack.ts';
import { compilePackFile } from '../../../functions/core/redaction/detector-pack.ts';
import { createDetectorGroup } from '../../../functions/core/redaction/detectors/detector-group.ts';
import type { Likelihood } from '../../../functions/core/redaction/likelihood.ts';
import { patternFactsOf } from '../../../functions/core/redaction/pattern-facts.ts';
import type { CompiledRuleSet } from '../../../functions/core/redaction/redactor.ts';
import { Redactor } from '../../../functions/core/redaction/redactor.ts';
import {
  uncheckedValidatorNamed,
  validatorNamed,
} from '../../../functions/core/redaction/validators/validator-registry.ts';
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

type PatternSpec = Extract<(typeof shippedMembers)[number]['entry']['detector'], { pattern: string }>;

/**
 * Values of each shipped detector that declares something for `unlikely`, drawn in the shape it
 * takes there (the shape of its pattern; `bareValue` and the validator without its check hold).
 */
const shapes: Readonly<Record<string, fc.Arbitrary<string>>> = {
  'kr-rrn-compact': fc.stringMatching(/^[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[1-8][0-9]{6}$/),
  'us-itin-compact': fc.stringMatching(/^9[0-9]{2}(?:5[0-9]|6[0-5]|7[0-9]|8[0-8]|9[0-2]|9[4-9])[0-9]{4}$/),
  'uk-nino-lower-case': fc.oneof(
    fc.stringMatching(/^[a-ceghj-pr-tw-z][a-ceghj-npr-tw-z][0-9]{6}[a-d]$/),
    fc.stringMatching(/^[a-ceghj-pr-tw-z][a-ceghj-npr-tw-z] [0-9]{2} [0-9]{2} [0-9]{2} [a-d]$/),
  ),
  'de-id-card-number': fc.stringMatching(
    /^[CFGHJKLMNPRTVWXYZ][0-9]{2}[0-9CFGHJKLMNPRTVWXYZ][0-9]{2}[0-9CFGHJKLMNPRTVWXYZ]{2}[0-9]$/,
  ),
  'pl-pesel': fc.stringMatching(/^[0-9]{2}[02468][1-9][0-2][1-9][0-9]{5}$/),
  'it-codice-fiscale': fc.stringMatching(/^[A-Z]{6}[0-9]{2}[ABCDEHLMPRST][0-7][0-9][A-Z][0-9]{3}[A-Z]$/),
  'sg-nric': fc.stringMatching(/^[STFGM][0-9]{7}[A-Z]$/),
  'in-pan': fc.stringMatching(/^[A-Z]{5}[0-9]{4}[A-Z]$/),
  // Its last digit made the ISO 7064 check digit (it keeps its check at unlikely).
  'de-tax-id': fc
    .stringMatching(/^[1-9][0-9]{9}$/)
    .map((body) =>
      [...'0123456789']
        .map((digit) => `${body}${digit}`)
        .find((value) => uncheckedValidatorNamed('de-tax-id')?.(value)),
    )
    .filter((value): value is string => value !== undefined),
};

/** The shipped detectors that declare something for `unlikely`. */
const declared = shippedMembers.flatMap(({ pack, entry }) => {
  const spec = entry.detector;
  if (!('pattern' in spec) || (spec.withoutKeyword !== 'unlikely' && spec.withoutCheck !== 'unlikely'))
    return [];
  const id = entry.id;
  const others = shippedMembers.flatMap((member) =>
    member.pack === pack && member.entry.id !== id ? [member.entry.id] : [],
  );
  const fullCheck = spec.validator === undefined ? undefined : validatorNamed(spec.validator);
  const check =
    spec.validator === undefined
      ? undefined
      : spec.withoutCheck === 'unlikely'
        ? uncheckedValidatorNamed(spec.validator)
        : fullCheck;
  const whole = new RegExp(`^(?:${spec.pattern})$`, spec.flags);
  const bare = spec.bareValue === undefined ? undefined : new RegExp(`^(?:${spec.bareValue})$`, spec.flags);
  /** True when a rule set at `unlikely` takes `value` standing alone. */
  const isShape = (value: string): boolean =>
    whole.test(value) &&
    (check?.(value) ?? true) &&
    (bare?.test(value) ?? true) &&
    !/^(?:([0-9])(?:[^0-9]*\1)*[^0-9]*)$/.test(value);
  // What unlikely adds: values that pass without the check but not with it, or bare ones.
  const values = (shapes[id] ?? fc.constant('')).filter(
    (value) =>
      isShape(value) && (spec.withoutKeyword === 'unlikely' || fullCheck === undefined || !fullCheck(value)),
  );
  return [{ pack, id, entry, spec: spec as PatternSpec, others, isShape, values }];
});

/** The rule set of one pack detector alone at `likelihood` (the others of its pack left out). */
function compiledAlone(detector: (typeof declared)[number], likelihood: Likelihood): CompiledRuleSet {
  return compiledWith([{ pack: detector.pack, likelihood, except: detector.others }]);
}

/**
 * Values that are not the shape: one character changed to one of another kind, one left out or
 * one more, each kept only when the detector at `unlikely` does not take it.
 */
function nearMisses(value: string, isShape: (value: string) => boolean): string[] {
  const misses: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const char = value.charAt(i);
    const other = /[0-9]/.test(char) ? 'K' : /[a-z]/i.test(char) ? '7' : 'x';
    misses.push(value.slice(0, i) + other + value.slice(i + 1), value.slice(0, i) + value.slice(i + 1));
  }
  misses.push(`${value}7`, `7${value}`);
  return misses.filter((miss) => !isShape(miss));
}

describe('pack likelihood unlikely', () => {
  it('is declared on these detectors, each with a generator of its shape here', () => {
    expect(declared.map(({ id }) => id).sort()).toEqual(Object.keys(shapes).sort());
  });

  describe.each(declared)('$id ($pack)', (detector) => {
    const unlikely = compiledAlone(detector, 'unlikely');
    const label = `\\[${detector.spec.label}\\]`;

    it('at unlikely redacts a bare value of its shape in text, whatever the chunking (property)', () => {
      fc.assert(
        fc.property(
          detector.values,
          before,
          after,
          fc.array(fc.nat(), { maxLength: 4 }),
          (value, head, tail, points) => {
            const input = `${head}${value}${tail}`;
            const output = redact(unlikely, 'text', [input]);
            expect(output).toMatch(new RegExp(`^${escaped(head)}${label}${escaped(tail)}$`));
            expect(redact(unlikely, 'text', splitAt(input, points))).toBe(output);
          },
        ),
        { numRuns: 40 },
      );
    });

    it('at unlikely redacts it in a CSV cell and a JSON value (property)', () => {
      fc.assert(
        fc.property(detector.values, fc.array(fc.nat(), { maxLength: 3 }), (value, points) => {
          const csv = `ref,note\r\n${value},shipped\r\n`;
          expect(redact(unlikely, 'csv', splitAt(csv, points))).toMatch(
            new RegExp(`^ref,note\\r\\n${label},shipped\\r\\n$`),
          );
          const json = JSON.stringify({ ref: value, note: 'shipped' });
          const parsed = JSON.parse(redact(unlikely, 'json', splitAt(json, points)));
          expect(parsed.ref).toMatch(new RegExp(`^${label}$`));
          expect(parsed.note).toBe('shipped');
        }),
        { numRuns: 30 },
      );
    });

    it.each(['likely', 'possible'] as const)(
      'at %s leaves the same values alone in text, CSV and JSON (property)',
      (likelihood) => {
        const compiled = compiledAlone(detector, likelihood);
        fc.assert(
          fc.property(detector.values, before, after, (value, head, tail) => {
            const text = `${head}${value}${tail}`;
            expect(redact(compiled, 'text', [text])).toBe(text);
            const csv = `ref,note\r\n${value},shipped\r\n`;
            expect(redact(compiled, 'csv', [csv])).toBe(csv);
            const json = JSON.stringify({ ref: value, note: 'shipped' });
            expect(redact(compiled, 'json', [json])).toBe(json);
          }),
          { numRuns: 30 },
        );
      },
    );

    it('leaves near misses that are not its shape, or are part of a longer token, at every level (property)', () => {
      const levels = (['likely', 'possible', 'unlikely'] as const).map((level) =>
        compiledAlone(detector, level),
      );
      const member = createDetectorGroup([detector.entry.createMember('unlikely')]);
      fc.assert(
        fc.property(detector.values, before, after, (value, head, tail) => {
          const misses = [
            ...nearMisses(value, detector.isShape),
            `Q${value}`,
            `${value}Q`,
            // A bare value is no part of a longer token (a detector without keywords takes
            // these at likely too).
            ...(detector.spec.keywords.length > 0 ? [`a378-${value}`, `${value}.pdf`] : []),
          ].map((miss) => `${head}${miss}${tail}`);
          for (const miss of misses) {
            for (const compiled of levels) expect(redact(compiled, 'text', [miss]), miss).toBe(miss);
            // What decides a miss lies within the neighbourhood the member declares.
            expectDecidedByNeighbourhood(member, miss);
          }
        }),
        { numRuns: 15 },
      );
    });

    it('at unlikely still redacts every example it redacts at likely or possible', () => {
      const possible = compiledAlone(detector, 'possible');
      for (const example of detector.spec.examples) {
        if (!('output' in example) || example.field !== undefined || example.likelihood === 'unlikely')
          continue;
        expect(redact(unlikely, 'text', [example.input])).toBe(redact(possible, 'text', [example.input]));
      }
    });
  });

  it('holds each validator without its check to less: it takes every value the whole validator takes (property)', () => {
    for (const { id, spec, values } of declared) {
      if (spec.withoutCheck !== 'unlikely' || spec.validator === undefined) continue;
      const whole = validatorNamed(spec.validator);
      const unchecked = uncheckedValidatorNamed(spec.validator);
      if (unchecked === undefined) throw new Error(`${id}: no form without its check`);
      fc.assert(
        fc.property(values, (value) => {
          // Every character at every place, so that some variants pass the whole check.
          const variants = [...value].flatMap((_, at) =>
            [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map(
              (char) => value.slice(0, at) + char + value.slice(at + 1),
            ),
          );
          for (const variant of variants) {
            if (!whole(variant)) continue;
            expect(unchecked(variant), variant).toBe(true);
          }
          expect(unchecked(value), value).toBe(true);
        }),
        { numRuns: 30 },
      );
      // The values of its examples that the whole validator takes.
      const scan = new RegExp(spec.pattern, `${spec.flags}g`);
      const valid = spec.examples.flatMap((example) =>
        'output' in example ? [...example.input.matchAll(scan)].map(([found]) => found).filter(whole) : [],
      );
      expect(valid, id).not.toEqual([]);
      for (const value of valid) expect(unchecked(value), value).toBe(true);
    }
  });

  it('redacts the same whatever the chunking with every pack at unlikely (property)', () => {
    const everyPack = compiledWith(shippedPacks.map((pack) => ({ pack: pack.name, likelihood: 'unlikely' })));
    const samples = shippedMembers.flatMap(({ entry }) => exampleTexts(entry));
    const filler = 'ts=2024-01-01T00:00:00Z level=info n=1234 ';
    const padding = filler.repeat(Math.ceil((64 * 1024) / filler.length));
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(...samples),
            fc.oneof(...declared.map(({ values }) => values)),
            fc.constantFrom(' ', '\n', '\r\n', '=', ':', '"'),
          ),
          { maxLength: 30 },
        ),
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

  it('keeps the label of the detector whose keyword is there when every pack is at unlikely', () => {
    const everyPack = compiledWith(shippedPacks.map((pack) => ({ pack: pack.name, likelihood: 'unlikely' })));
    for (const { spec } of declared) {
      if (spec.keywords.length === 0) continue;
      for (const example of spec.examples) {
        if (!('output' in example) || example.field !== undefined || example.likelihood !== undefined)
          continue;
        expect(new Redactor(everyPack).redactText(example.input), example.input).toBe(example.output);
      }
    }
  });

  it('survives the trip to a worker thread (compiled again from its origin)', () => {
    const compiled = compiledWith([{ pack: 'pii-us', likelihood: 'unlikely' }, 'pii-uk']);
    const again = recompiledFromOrigin(compiled);
    const text = 'order 924908321, ref tw987654a';
    expect(new Redactor(again).redactText(text)).toBe('order [US_ITIN], ref tw987654a');
    expect(new Redactor(again).redactText(text)).toBe(new Redactor(compiled).redactText(text));
  });

  describe('changes nothing at likely and possible', () => {
    /**
     * The shipped packs as they were before `unlikely`: its declarations taken out, and in-pan's
     * holder type back in its pattern.
     */
    const before = shippedPacks.map((pack) => {
      const text = readFileSync(pack.file, 'utf8');
      const value = parse(text) as { detectors: Record<string, unknown>[] };
      for (const detector of value.detectors) {
        if (detector.withoutKeyword === 'unlikely') delete detector.withoutKeyword;
        delete detector.withoutCheck;
        delete detector.bareValue;
        if (detector.id === 'in-pan')
          detector.pattern = '(?<![A-Za-z0-9])[A-Z]{3}[ABCFGHJLPT][A-Z][0-9]{4}[A-Z](?![A-Za-z0-9])';
      }
      return compilePackFile(text, pack.file, value);
    });

    it('the packs before unlikely differ from the shipped ones only there', () => {
      const declaring = (packs: readonly CompiledPack[]) =>
        packs.flatMap((pack) =>
          pack.entries.flatMap((entry) =>
            'pattern' in entry.detector &&
            (entry.detector.withoutKeyword === 'unlikely' || entry.detector.withoutCheck !== undefined)
              ? [entry.id]
              : [],
          ),
        );
      expect(declaring(before)).toEqual([]);
      expect(declaring(shippedPacks).sort()).toEqual(Object.keys(shapes).sort());
    });

    it.each(['likely', 'possible'] as const)(
      'at %s every pack redacts text, CSV and JSON as the packs before unlikely do (property)',
      (likelihood) => {
        const uses = shippedPacks.map((pack) => ({ pack: pack.name, likelihood }));
        const shipped = compiledWith(uses);
        const previous = compiledWith(uses, before);
        const samples = shippedMembers.flatMap(({ entry }) => exampleTexts(entry));
        const keywords = shippedMembers.flatMap(({ entry }) =>
          'keywords' in entry.detector ? entry.detector.keywords : [],
        );
        const part = fc.oneof(
          fc.constantFrom(...samples),
          fc.oneof(...declared.map(({ values }) => values)),
          fc.constantFrom(...keywords),
          fc.constantFrom(' ', '\n', '=', ': ', '"', ','),
        );
        fc.assert(
          fc.property(fc.array(part, { maxLength: 24 }), (parts) => {
            const text = parts.join('');
            expect(redact(shipped, 'text', [text])).toBe(redact(previous, 'text', [text]));
            const quoted = (cell: string) => `"${cell.replaceAll('"', '""')}"`;
            const csv = `note,value\r\n${quoted(text)},${quoted(parts[0] ?? '')}\r\n`;
            expect(redact(shipped, 'csv', [csv])).toBe(redact(previous, 'csv', [csv]));
            const json = JSON.stringify({ note: text, [parts[1] ?? 'id']: parts[0] ?? '' });
            expect(redact(shipped, 'json', [json])).toBe(redact(previous, 'json', [json]));
          }),
          { numRuns: 150 },
        );
      },
    );
  });
});

describe('unlikely in a pack file', () => {
  const packText = (detector: string[]) => acmePackText('(?<![0-9A-Z])[A-Z]?[0-9]{8}(?![0-9])', 9, detector);

  it('compiles withoutKeyword: unlikely with an issuer rule or a bareValue, and withoutCheck with a validator that has a form without it', () => {
    for (const lines of [
      ['    validator: us-itin', "    keywords: ['acme']", '    withoutKeyword: unlikely'],
      ["    keywords: ['acme']", '    withoutKeyword: unlikely', "    bareValue: '[0-9]{8}'"],
      ['    validator: pl-pesel', '    withoutCheck: unlikely'],
    ]) {
      expect(compilePackFile(packText(lines), ACME_PACK_FILE).entries.map((entry) => entry.id)).toEqual([
        'acme-number',
      ]);
    }
  });

  it('rejects withoutKeyword: unlikely on a broad shape: no validator, or one that only keeps stand-ins out', () => {
    expect(packProblems(packText(["    keywords: ['acme']", '    withoutKeyword: unlikely']))).toMatch(
      /^redaction-rules\/packs\/acme\.yaml:10:21: detectors\[0\] "acme-number": withoutKeyword: unlikely needs a validator of an issuer rule .* or a bareValue pattern; got no validator$/,
    );
    expect(
      packProblems(
        packText([
          '    validator: not-placeholder',
          "    keywords: ['acme']",
          '    withoutKeyword: unlikely',
        ]),
      ),
    ).toMatch(/^redaction-rules\/packs\/acme\.yaml:11:21: .*; got not-placeholder$/);
    expect(packProblems(packText(['    validator: us-itin', '    withoutKeyword: unlikely']))).toBe(
      `${ACME_PACK_FILE}:10:21: detectors[0] "acme-number": withoutKeyword: the detector has no keywords to do without`,
    );
  });

  it('rejects withoutCheck on a validator without a form that drops its check, or without a validator', () => {
    expect(packProblems(packText(['    validator: luhn', '    withoutCheck: unlikely']))).toMatch(
      /^redaction-rules\/packs\/acme\.yaml:10:19: detectors\[0\] "acme-number": withoutCheck: needs a validator that has a form without its check \(.*\); got luhn$/,
    );
    expect(packProblems(packText(['    withoutCheck: unlikely']))).toMatch(/:9:19: .*; got none$/);
    expect(packProblems(packText(['    validator: luhn', '    withoutCheck: possible']))).toMatch(
      /^redaction-rules\/packs\/acme\.yaml:10:19: detectors\[0\]\.withoutCheck: /,
    );
  });

  it("takes a bareValue whose facts a cache holds as checked (the CLI bundle's build checked it), and checks any other", () => {
    const lines = (bareValue: string) => [
      "    keywords: ['acme']",
      '    withoutKeyword: unlikely',
      `    bareValue: '${bareValue}'`,
    ];
    const factsOf = (patterns: readonly string[]) => (pattern: string, flags: string) =>
      patterns.includes(pattern) ? patternFactsOf(pattern, flags) : undefined;
    const bounded = compilePackFile(
      packText(lines('[0-9]{8}')),
      ACME_PACK_FILE,
      undefined,
      factsOf(['[0-9]{8}']),
    );
    expect(bounded.entries.map((entry) => entry.id)).toEqual(['acme-number']);
    // The cache decides: facts held for a pattern stand for its check (none is made of an unbounded one).
    const held = (pattern: string, flags: string) =>
      pattern === '[0-9]+' ? patternFactsOf('[0-9]{8}', flags) : undefined;
    expect(
      compilePackFile(packText(lines('[0-9]+')), ACME_PACK_FILE, undefined, held).entries.map(
        (entry) => entry.id,
      ),
    ).toEqual(['acme-number']);
    // Facts of other patterns only: the bareValue is checked, and rejected.
    expect(() =>
      compilePackFile(packText(lines('[0-9]+')), ACME_PACK_FILE, undefined, factsOf(['[0-9]{8}'])),
    ).toThrow(/bareValue: /);
  });

  it('rejects a bareValue without withoutKeyword, or one that is unbounded or backtracks', () => {
    expect(packProblems(packText(["    keywords: ['acme']", "    bareValue: '[0-9]{8}'"]))).toBe(
      `${ACME_PACK_FILE}:10:16: detectors[0] "acme-number": bareValue: only for a detector that declares withoutKeyword`,
    );
    expect(
      packProblems(
        packText(["    keywords: ['acme']", '    withoutKeyword: unlikely', "    bareValue: '[0-9]+'"]),
      ),
    ).toMatch(/^redaction-rules\/packs\/acme\.yaml:11:16: detectors\[0\] "acme-number": bareValue: /);
    expect(
      packProblems(
        packText([
          "    keywords: ['acme']",
          '    withoutKeyword: unlikely',
          "    bareValue: '(?:[0-9]{1,4}){1,8}'",
        ]),
      ),
    ).toMatch(/^redaction-rules\/packs\/acme\.yaml:11:16: detectors\[0\] "acme-number": bareValue: /);
  });
});
