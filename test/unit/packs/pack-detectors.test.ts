import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDetectorGroup } from '../../../functions/core/redaction/detectors/detector-group.ts';
import { reachesLikelihood } from '../../../functions/core/redaction/likelihood.ts';
import { runPackExamples } from '../../../functions/core/redaction/rule-examples.ts';
import { validatorNamed } from '../../../functions/core/redaction/validators/validator-registry.ts';
import {
  allMatches,
  expectDecidedByNeighbourhood,
  expectLeftmostWithinBounds,
  matchAt,
} from '../support/detector-contract.ts';
import { exampleTexts, shippedMembers, shippedPacks } from './shipped-packs.ts';

/** `text` with every occurrence of `literal` (ignoring case) changed by `change`. */
function replaceAll(text: string, literal: string, change: (found: string) => string): string {
  const pattern = new RegExp(literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'), 'gi');
  return text.replace(pattern, change);
}

describe.each(shippedPacks)('pack $name', (pack) => {
  it('holds every example written on its detectors, run through the pack alone', () => {
    expect(runPackExamples(pack).failures).toEqual([]);
  });
});

/**
 * Every shipped member at `likely`, those declaring `withoutKeyword: possible` at `possible` too,
 * and those declaring anything for `unlikely` at `unlikely`.
 */
const memberCases = shippedMembers.flatMap((member) => {
  const spec = member.entry.detector;
  return [
    { ...member, likelihood: 'likely' as const },
    ...('withoutKeyword' in spec && spec.withoutKeyword === 'possible'
      ? [{ ...member, likelihood: 'possible' as const }]
      : []),
    ...('pattern' in spec && (spec.withoutKeyword === 'unlikely' || spec.withoutCheck === 'unlikely')
      ? [{ ...member, likelihood: 'unlikely' as const }]
      : []),
  ];
});

describe.each(memberCases)('pack detector $entry.id ($pack) at $likelihood', ({ entry, likelihood }) => {
  const detector = createDetectorGroup([entry.createMember(likelihood)]);
  const detectorSpec = entry.detector;
  // A member at `possible` finds what it finds at `likely` too, and at `unlikely` what it finds at both.
  const inputs = detectorSpec.examples.flatMap((example) =>
    'output' in example &&
    example.field === undefined &&
    reachesLikelihood(likelihood, example.likelihood ?? 'likely')
      ? [example.input]
      : [],
  );
  const anchors = 'anchors' in detectorSpec ? detectorSpec.anchors : entry.createMember(likelihood).anchors;
  const keywords = 'keywords' in detectorSpec ? detectorSpec.keywords : [];

  it('finds a value in every example it redacts', () => {
    for (const input of inputs) expect(allMatches(detector, input), input).not.toEqual([]);
  });

  it.runIf(anchors.length > 0)('finds nothing once every anchor is broken (generated near misses)', () => {
    for (const input of inputs) {
      let broken = input;
      for (const anchor of anchors) broken = replaceAll(broken, anchor, (found) => `#${found.slice(1)}`);
      expect(allMatches(detector, broken), broken).toEqual([]);
    }
  });

  it.runIf(anchors.length === 0 && keywords.length > 0 && likelihood === 'likely')(
    'finds nothing once the keywords are gone, and finds the value under a field named for one',
    () => {
      for (const input of inputs) {
        let bare = input;
        for (const keyword of keywords) bare = replaceAll(bare, keyword, (found) => ' '.repeat(found.length));
        expect(allMatches(detector, bare), bare).toEqual([]);
        const named = detector.named?.(`${keywords[0]}_value`) ?? detector;
        expect(allMatches(named, bare), bare).not.toEqual([]);
      }
    },
  );

  it.runIf(likelihood === 'possible')('still finds each value once the keywords are gone', () => {
    for (const input of inputs) {
      let bare = input;
      for (const keyword of keywords) bare = replaceAll(bare, keyword, (found) => ' '.repeat(found.length));
      expect(allMatches(detector, bare), bare).not.toEqual([]);
    }
  });

  const validator = 'validator' in detectorSpec ? detectorSpec.validator : undefined;
  const isPlaceholderCheck =
    validator === 'not-placeholder' ||
    validator === 'password' ||
    validator === 'passphrase' ||
    validator === 'prose-password' ||
    validator === 'no-placeholder-run';
  // At unlikely a member without its check takes such values (pack-unlikely.test.ts).
  const isCheckWaived =
    likelihood === 'unlikely' && 'pattern' in detectorSpec && detectorSpec.withoutCheck === 'unlikely';
  it.runIf(validator !== undefined && !isPlaceholderCheck && !isCheckWaived)(
    'rejects each value with one character changed so that its check fails (generated near misses)',
    () => {
      const isValid = validatorNamed(validator as NonNullable<typeof validator>);
      for (const input of inputs) {
        for (const match of allMatches(detector, input)) {
          const value = input.slice(match.start, match.end);
          let changed = 0;
          for (let i = value.length - 1; i >= 0 && changed < 3; i--) {
            const char = value.charAt(i);
            const replacements = /[0-9]/.test(char)
              ? '0123456789'
              : /[A-Z]/.test(char)
                ? 'ABCDEFGHJKLMNPRSTUVWXYZ'
                : /[a-z]/.test(char)
                  ? 'abcdefghjklmnprstuvwxyz'
                  : '';
            const broken = [...replacements]
              .map((replacement) => value.slice(0, i) + replacement + value.slice(i + 1))
              .find((candidate) => candidate !== value && !isValid(candidate));
            if (broken === undefined) continue;
            changed++;
            const text = input.slice(0, match.start) + broken + input.slice(match.end);
            expect(matchAt(detector, text, match.start), text).toBeUndefined();
          }
          expect(changed, value).toBeGreaterThan(0);
        }
      }
    },
  );

  it.runIf(validator === 'no-placeholder-run')(
    'takes each value with its body drawn at random, and rejects it with a run written over its end (generated)',
    () => {
      const classes = ['0123456789', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'];
      const runs = fc.oneof(
        fc.nat({ max: 2 }).map((start) => '0123456789'.slice(start, start + 8)),
        fc.nat({ max: 18 }).map((start) => 'abcdefghijklmnopqrstuvwxyz'.slice(start, start + 8)),
        fc.nat({ max: 18 }).map((start) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.slice(start, start + 8)),
        fc.constantFrom(...'xX0aZ_').map((char) => char.repeat(8)),
      );
      for (const input of inputs) {
        for (const match of allMatches(detector, input)) {
          const value = input.slice(match.start, match.end);
          const anchor = anchors.find((literal) => value.startsWith(literal)) ?? '';
          const redraw = fc
            .array(fc.nat(), { minLength: value.length, maxLength: value.length })
            .map((seeds) =>
              [...value]
                .map((char, i) => {
                  const kind = classes.find((chars) => chars.includes(char));
                  return i < anchor.length || kind === undefined
                    ? char
                    : kind.charAt((seeds[i] as number) % kind.length);
                })
                .join(''),
            );
          fc.assert(
            fc.property(redraw, runs, fc.nat({ max: 12 }), (body, run, back) => {
              const random = input.slice(0, match.start) + body + input.slice(match.end);
              expect(matchAt(detector, random, match.start), random).toEqual({
                start: match.start,
                end: match.end,
              });
              const at = body.length - run.length - back;
              const typed =
                input.slice(0, match.start) +
                body.slice(0, at) +
                run +
                body.slice(at + run.length) +
                input.slice(match.end);
              expect(matchAt(detector, typed, match.start), typed).toBeUndefined();
            }),
            { numRuns: 200 },
          );
        }
      }
    },
  );

  const minEntropy = 'minEntropy' in detectorSpec ? detectorSpec.minEntropy : undefined;
  it.runIf(minEntropy !== undefined)(
    'rejects each value with its characters all the same (generated near misses)',
    () => {
      for (const input of inputs) {
        for (const match of allMatches(detector, input)) {
          const value = input.slice(match.start, match.end);
          const flat = value.charAt(value.length - 1).repeat(value.length);
          const text = input.slice(0, match.start) + flat + input.slice(match.end);
          expect(matchAt(detector, text, match.start), text).toBeUndefined();
        }
      }
    },
  );

  const fragments = [...exampleTexts(entry), ...anchors, ...keywords];
  const units = [...' ,-.:=_/"\n0aA'];
  const textArbitrary = fc
    .array(
      fc.oneof(fc.constantFrom(...fragments), fc.string({ unit: fc.constantFrom(...units), maxLength: 4 })),
      { maxLength: 5 },
    )
    .map((pieces) => pieces.join(''));

  it('decides a match at each start from its declared neighbourhood only (property)', () => {
    fc.assert(
      fc.property(textArbitrary, (text) => {
        expectDecidedByNeighbourhood(detector, text);
      }),
      { numRuns: 25 },
    );
  });

  it('returns the leftmost match within its length bounds from any start (property)', () => {
    fc.assert(
      fc.property(textArbitrary, fc.nat(), (text, seed) => {
        const from = text.length === 0 ? 0 : seed % text.length;
        const match = expectLeftmostWithinBounds(detector, text, from);
        if (match === undefined) return;
        for (let start = from; start < match.start; start++)
          expect(matchAt(detector, text, start)).toBeUndefined();
      }),
      { numRuns: 25 },
    );
  });
});
