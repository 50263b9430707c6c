import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR, loadRuleCatalog } from '../../../functions/adapters/local-rule-set-source.ts';
import type { Detector, Match } from '../../../functions/core/redaction/detector.ts';
import { createDetectorGroup } from '../../../functions/core/redaction/detectors/detector-group.ts';
import {
  type PackMember,
  possibleStartTest,
} from '../../../functions/core/redaction/detectors/pack-member.ts';
import { patternFactsOf } from '../../../functions/core/redaction/pattern-facts.ts';
import { expectDecidedByNeighbourhood } from '../support/detector-contract.ts';
import { exampleTexts, shippedMembers } from './shipped-packs.ts';

/**
 * Every pattern and block detector of every shipped pack in one group, as a rule set with all
 * packs enabled runs them: its members without anchors or keywords share one shape search.
 */
const members = shippedMembers.map(({ entry }) => entry.createMember());
const group = createDetectorGroup(members);

/**
 * What each member finds on its own: a detector with no keywords scans with its own pattern
 * (`findFrom`, whatever anchors it has), one with keywords or a block runs as a group of one.
 */
function ownSearches(
  list: readonly PackMember[],
  entries: readonly (typeof shippedMembers)[number][] = shippedMembers,
): ((text: string, from: number) => Match | undefined)[] {
  return list.map((member, kind) => {
    const detector = entries[kind]?.entry.detector;
    const hasKeywords = detector !== undefined && 'keywords' in detector && detector.keywords.length > 0;
    if (detector !== undefined && 'pattern' in detector && !hasKeywords)
      return (text, from) => member.findFrom(text, from);
    const alone = createDetectorGroup([member]);
    return (text, from) => alone.findFrom(text, from);
  });
}

/** The leftmost of the members' own matches, the longest of those, of equal ones the member listed first. */
function expected(
  searches: readonly ((text: string, from: number) => Match | undefined)[],
  text: string,
  from: number,
): Match | undefined {
  let best: Match | undefined;
  searches.forEach((search, kind) => {
    const match = search(text, from);
    if (match === undefined) return;
    if (
      best === undefined ||
      match.start < best.start ||
      (match.start === best.start && match.end > best.end)
    ) {
      best = { start: match.start, end: match.end, kind };
    }
  });
  return best;
}

/** Matches from `from` on, each search resuming at the end of the previous match, as a scanner does. */
function walk(find: (text: string, from: number) => Match | undefined, text: string, from: number): Match[] {
  const found: Match[] = [];
  for (let match = find(text, from); match !== undefined; match = find(text, match.end)) found.push(match);
  return found;
}

/** A value with one character changed to another of its kind: a near miss its detector may reject. */
function nearMiss(text: string, seed: number): string {
  if (text.length === 0) return text;
  const at = seed % text.length;
  const char = text.charAt(at);
  const swapped = /[0-9]/.test(char)
    ? String((Number(char) + 1 + (seed % 9)) % 10)
    : /[A-Z]/.test(char)
      ? char === 'Z'
        ? 'A'
        : String.fromCharCode(char.charCodeAt(0) + 1)
      : /[a-z]/.test(char)
        ? char.toUpperCase()
        : ['-', ' ', '.', ''][seed % 4];
  return text.slice(0, at) + swapped + text.slice(at + 1);
}

/**
 * Asserts that `detector`, asked from `from` with a limit near its match, finds that match when
 * it starts before the limit, and else nothing before the limit.
 */
function expectLimitKeepsMatchesBefore(detector: Detector, text: string, from: number, offset: number): void {
  const unlimited = detector.findFrom(text, from);
  const limit = Math.max(from, Math.min(text.length, (unlimited?.start ?? text.length) + offset));
  const limited = detector.findFrom(text, from, limit);
  if (unlimited !== undefined && unlimited.start < limit)
    expect(limited, JSON.stringify(text)).toEqual(unlimited);
  else expect(limited === undefined || limited.start >= limit, JSON.stringify(text)).toBe(true);
}

const fragments = [
  ...new Set(
    shippedMembers.flatMap(({ entry }) => [
      ...exampleTexts(entry),
      ...('anchors' in entry.detector ? entry.detector.anchors : []),
      ...('keywords' in entry.detector ? entry.detector.keywords : []),
    ]),
  ),
];
const pieceArbitrary = fc.oneof(
  fc.constantFrom(...fragments),
  fc.tuple(fc.constantFrom(...fragments), fc.nat()).map(([fragment, seed]) => nearMiss(fragment, seed)),
  fc.string({ unit: fc.constantFrom(...'0123456789 -./:=,ABXZabsé\n'), maxLength: 14 }),
);
const textArbitrary = fc
  .array(fc.tuple(pieceArbitrary, fc.constantFrom('', ' ', '\n', ', ', '=', ': ', '-')), {
    minLength: 1,
    maxLength: 6,
  })
  .map((pieces) => pieces.map(([piece, separator]) => piece + separator).join(''));

describe('detector group of every shipped pack detector', () => {
  const searches = ownSearches(members);

  it('shares one shape search between the members that scan on their own', () => {
    const shaped = members.filter(
      (member) => member.anchors.length === 0 && member.keywords.length === 0 && member.start !== undefined,
    );
    expect(shaped.length).toBeGreaterThanOrEqual(4);
  });

  it('finds the leftmost, longest, first-listed of its members’ own matches, from any position (property)', () => {
    fc.assert(
      fc.property(textArbitrary, fc.nat(), (text, seed) => {
        const from = seed % (text.length + 1);
        expect(walk(group.findFrom, text, from), JSON.stringify(text)).toEqual(
          walk((inner, at) => expected(searches, inner, at), text, from),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('finds before a limit what it finds without one, however much text follows (property)', () => {
    const longText = fc
      .tuple(textArbitrary, fc.integer({ min: 0, max: 3000 }), textArbitrary)
      .map(([before, gap, after]) => `${before}${' '.repeat(gap)}${after}`);
    fc.assert(
      fc.property(longText, fc.nat(), fc.integer({ min: -3, max: 3 }), (text, seed, offset) => {
        expectLimitKeepsMatchesBefore(group, text, seed % (text.length + 1), offset);
      }),
      { numRuns: 300 },
    );
  });

  it('searches text for its anchors and scanning members only as far as a match starting before the limit reaches', () => {
    const lengths: number[] = [];
    const scanningMember: PackMember = {
      ...(members.find(
        (member) => member.anchors.length === 0 && member.keywords.length === 0,
      ) as PackMember),
      start: undefined,
      findFrom(text: string) {
        lengths.push(text.length);
        return undefined;
      },
    };
    const alone = createDetectorGroup([scanningMember]);
    const text = `x ${' '.repeat(100_000)}`;

    expect(alone.findFrom(text, 0, 10)).toBeUndefined();
    expect(lengths).toEqual([10 + scanningMember.maxLength + scanningMember.lookahead]);
    alone.findFrom(text, 0);
    expect(lengths.at(-1)).toBe(text.length);
  });

  it('finds the same under a field named for a keyword as its members do under that name (property)', () => {
    const names = ['steuerid', 'bsn', 'passport_number', 'nhs', 'customer_sin', 'notes'];
    const named = new Map(names.map((name) => [name, group.named?.(name) as Detector]));
    const namedSearches = new Map(
      names.map((name) => [name, ownSearches(members.map((member) => member.named(name)))]),
    );
    fc.assert(
      fc.property(textArbitrary, fc.constantFrom(...names), fc.nat(), (text, name, seed) => {
        const from = seed % (text.length + 1);
        const detector = named.get(name) as Detector;
        const own = namedSearches.get(name) as ReturnType<typeof ownSearches>;
        expect(walk(detector.findFrom, text, from), `${name}: ${JSON.stringify(text)}`).toEqual(
          walk((inner, at) => expected(own, inner, at), text, from),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('has under a field named for a keyword a part that finds what the whole finds where the group it was named from finds nothing (property)', () => {
    const names = ['steuerid', 'bsn', 'passport_number', 'nhs', 'customer_sin', 'phone', 'iban'];
    const named = new Map(names.map((name) => [name, group.named?.(name) as Detector]));
    fc.assert(
      fc.property(textArbitrary, fc.constantFrom(...names), fc.nat(), (text, name, seed) => {
        const detector = named.get(name) as Detector;
        const part = detector.namedPart as Detector;
        expect(part.kinds).toBe(group.kinds);
        const from = seed % (text.length + 1);
        if (group.findFrom(text, 0) !== undefined) return;
        expect(walk(part.findFrom, text, from), `${name}: ${JSON.stringify(text)}`).toEqual(
          walk(detector.findFrom, text, from),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('has as the named part only the members the name changed, reporting their kinds in the whole group', () => {
    const named = group.named?.('mobile') as Detector;
    const part = named.namedPart as Detector;
    const changed = members.flatMap((member, kind) => (member.named('mobile') === member ? [] : [kind]));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(members.length);
    // A national phone number alone is found under the name (pii-core's example), by the same
    // member in the part as in the whole.
    const phone = named.findFrom('020 7946 0958', 0);
    expect(phone).toBeDefined();
    expect(changed).toContain(phone?.kind);
    expect(part.findFrom('020 7946 0958', 0)).toEqual(phone);
    // A JWT, found by a member the name does not change, is the whole's, not the part's.
    const jwt = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIrRRSoFYeRe6vvPiSJXsG.';
    expect(named.findFrom(jwt, 0)).toBeDefined();
    expect(part.findFrom(jwt, 0)).toBeUndefined();
    expect(group.namedPart).toBeUndefined();
  });

  it('tries an anchored member’s pattern at every start where it matches: the check before it rejects none (property)', () => {
    const anchored = shippedMembers.flatMap(({ entry }) => {
      const detector = entry.detector;
      if (!('pattern' in detector) || !('anchors' in detector) || detector.anchors.length === 0) return [];
      const start = patternFactsOf(detector.pattern, detector.flags).start;
      if (start === undefined) return [];
      const sticky = new RegExp(detector.pattern, `${detector.flags.replace(/[dgy]/g, '')}y`);
      return [{ id: detector.id, sticky, isPossibleStart: possibleStartTest(start) }];
    });
    expect(anchored.length).toBeGreaterThan(40);
    /** Every start where a member's pattern matches `text`, in it and in it cut at the match's end. */
    const expectEveryStartPossible = (text: string): void => {
      for (const { id, sticky, isPossibleStart } of anchored) {
        for (let at = 0; at <= text.length; at++) {
          sticky.lastIndex = at;
          const found = sticky.exec(text);
          if (found === null) continue;
          const cut = text.slice(0, found.index + found[0].length);
          expect(isPossibleStart(text, at), `${id} at ${at}: ${JSON.stringify(text)}`).toBe(true);
          expect(isPossibleStart(cut, at), `${id} at ${at}: ${JSON.stringify(cut)}`).toBe(true);
        }
      }
    };
    for (const fragment of fragments) expectEveryStartPossible(fragment);
    fc.assert(fc.property(textArbitrary, expectEveryStartPossible), { numRuns: 150 });
    const twilio = anchored.find(({ id }) => id === 'twilio-api-key');
    expect(twilio?.isPossibleStart('order SKU-075457', 6)).toBe(false);
    expect(twilio?.isPossibleStart('key SK79c72bd57d32343e09790a52eec4b719', 4)).toBe(true);
    expect(twilio?.isPossibleStart('keySK79c72bd57d32343e09790a52eec4b719', 3)).toBe(false);
  });

  it('finds an anchored member’s anchors, lengthened by the characters that can follow, at every start where its pattern matches (property)', () => {
    const anchored = shippedMembers.flatMap(({ entry }) => {
      const detector = entry.detector;
      if (!('pattern' in detector) || !('anchors' in detector) || detector.anchors.length === 0) return [];
      const member = entry.createMember();
      const sticky = new RegExp(detector.pattern, `${detector.flags.replace(/[dgy]/g, '')}y`);
      const fold = (text: string): string => (member.anchorsIgnoreCase ? text.toLowerCase() : text);
      const isLengthened = member.anchors.length > detector.anchors.length;
      return [{ id: detector.id, sticky, anchors: member.anchors.map(fold), fold, isLengthened }];
    });
    expect(anchored.filter(({ isLengthened }) => isLengthened).length).toBeGreaterThan(20);
    const expectAnchorAtEveryMatch = (text: string): void => {
      for (const { id, sticky, anchors, fold } of anchored) {
        for (let at = 0; at <= text.length; at++) {
          sticky.lastIndex = at;
          const found = sticky.exec(text);
          if (found === null) continue;
          const from = fold(text.slice(at));
          expect(
            anchors.some((anchor) => from.startsWith(anchor)),
            `${id} at ${at}: ${JSON.stringify(text)}`,
          ).toBe(true);
        }
      }
    };
    for (const fragment of fragments) expectAnchorAtEveryMatch(fragment);
    fc.assert(fc.property(textArbitrary, expectAnchorAtEveryMatch), { numRuns: 150 });
  });

  it('decides a match at each start from its declared neighbourhood only (property)', () => {
    fc.assert(
      fc.property(textArbitrary, (text) => {
        expectDecidedByNeighbourhood(group, text);
      }),
      { numRuns: 40 },
    );
  });

  it('is named for a field exactly when one of its members is, whatever the case convention (property)', () => {
    // Keywords of anchored members too, which check their keywords themselves.
    const keywords = [
      ...new Set(
        shippedMembers.flatMap(({ entry }) => ('keywords' in entry.detector ? entry.detector.keywords : [])),
      ),
    ];
    expect(keywords.length).toBeGreaterThan(20);
    const word = fc.oneof(
      fc.constantFrom(...keywords),
      fc.constantFrom('customer', 'id', 'order', 'number', 'ff49b6f7', '2024', 'x'),
      fc.string({ unit: fc.constantFrom(...'abcdef0123456789'), minLength: 1, maxLength: 8 }),
    );
    const name = fc
      .tuple(fc.array(word, { minLength: 1, maxLength: 4 }), fc.constantFrom('_', '-', ' ', '.', '', 'camel'))
      .map(([words, separator]) =>
        separator === 'camel'
          ? words.map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1))).join('')
          : words.join(separator),
      );
    fc.assert(
      fc.property(name, (field) => {
        const isNamed = members.some((member) => member.named(field) !== member);
        expect(group.named?.(field) !== group, field).toBe(isNamed);
      }),
      { numRuns: 1000 },
    );
  });
});

/** The packs the default rule set enables (named, or as an entry with options). */
const defaultPacks: readonly string[] = (
  (await loadRuleCatalog(DEFAULT_RULES_DIR)).get('default')?.ruleSet.packs ?? []
).flatMap((pack) => (typeof pack === 'string' ? [pack] : pack.enabled ? [pack.pack] : []));

describe('detector group of the default packs', () => {
  // As redaction-rules/default.yaml enables them: too few members without anchors or keywords
  // to share a shape search, so each scans on its own (bitcoin-address).
  const entries = shippedMembers.filter(({ pack }) => defaultPacks.includes(pack));
  const defaultMembers = entries.map(({ entry }) => entry.createMember());
  const defaultGroup = createDetectorGroup(defaultMembers);
  const searches = ownSearches(defaultMembers, entries);

  it('has members that scan on their own', () => {
    expect(defaultMembers.some((member) => member.anchors.length === 0 && member.keywords.length === 0)).toBe(
      true,
    );
  });

  it('finds the leftmost, longest, first-listed of its members’ own matches, however few characters are left (property)', () => {
    // Short texts and positions near the end, as CSV cells and JSON strings give: the examples
    // of the members that scan on their own, ending the text or not, searched from a few
    // characters around their start, where a value may just fit in what is left or not.
    const scanningTexts = entries
      .filter((_, kind) => {
        const member = defaultMembers[kind] as PackMember;
        return member.anchors.length === 0 && member.keywords.length === 0;
      })
      .flatMap(({ entry }) => exampleTexts(entry))
      .flatMap((example) => [example, ...example.split(' ').filter((word) => word.length > 8)]);
    const endingArbitrary = fc.tuple(
      fc.constantFrom(...fragments, ''),
      fc.constantFrom(...scanningTexts),
      fc.constantFrom('', ' ', ',x'),
      fc.integer({ min: -8, max: 8 }),
    );
    fc.assert(
      fc.property(endingArbitrary, ([before, value, after, shift]) => {
        const text = `${before} ${value}${after}`;
        const start = Math.max(0, before.length + 1 + shift);
        expect(walk(defaultGroup.findFrom, text, start), JSON.stringify(text)).toEqual(
          walk((inner, at) => expected(searches, inner, at), text, start),
        );
      }),
      { numRuns: 300 },
    );
  });
});
