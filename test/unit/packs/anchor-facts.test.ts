import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  type AnchorEdges,
  charsAfter,
  sharedAnchorEdges,
} from '../../../functions/core/redaction/detectors/anchor-edges.ts';
import { anchorFactsOf } from '../../../functions/core/redaction/detectors/anchor-facts.ts';
import { patternFactsOf } from '../../../functions/core/redaction/pattern-facts.ts';
import {
  type StartSequences,
  startSequencesOf,
} from '../../../functions/core/redaction/pattern-start-sequences.ts';
import { shippedMembers } from './shipped-packs.ts';

type AnchorFactsModule = typeof import('../../../functions/core/redaction/detectors/anchor-facts.ts');

/** The anchor facts module with none of the facts an earlier test worked out or was given. */
async function freshModule(): Promise<AnchorFactsModule> {
  vi.resetModules();
  return import('../../../functions/core/redaction/detectors/anchor-facts.ts');
}

/** What a member is keyed by and worked out from: its pattern, flags, declared anchors and start sequences. */
interface MemberInput {
  readonly pattern: string;
  readonly flags: string;
  readonly anchors: readonly string[];
  readonly start: StartSequences;
}

/** The shipped pack members with declared anchors and start sequences. */
const shippedInputs: readonly MemberInput[] = shippedMembers.flatMap(({ entry }) => {
  const detector = entry.detector;
  if (!('pattern' in detector) || !('anchors' in detector) || detector.anchors.length === 0) return [];
  const start = patternFactsOf(detector.pattern, detector.flags).start;
  return start === undefined
    ? []
    : [{ pattern: detector.pattern, flags: detector.flags, anchors: detector.anchors, start }];
});

/**
 * The edges of a group's pattern `literal` as the group worked them out before the members
 * carried theirs: from the literal as the group spells it and each member's start sequences.
 */
function edgesFromStarts(literal: string, starts: readonly StartSequences[]): AnchorEdges {
  const excludedBefore = new Uint16Array(8).fill(0xffff);
  let allowedAfter: Uint16Array | undefined = new Uint16Array(8);
  for (const start of starts) {
    for (let code = 0; code < 128; code++) {
      if (!start.excludedBefore.has(code))
        excludedBefore[code >> 4] = (excludedBefore[code >> 4] as number) & ~(1 << (code & 15));
    }
    const after = allowedAfter && charsAfter(literal, start);
    if (after === undefined || after.has(128)) allowedAfter = undefined;
    else {
      for (const code of after)
        (allowedAfter as Uint16Array)[code >> 4] =
          ((allowedAfter as Uint16Array)[code >> 4] as number) | (1 << (code & 15));
    }
  }
  return { excludedBefore, allowedAfter };
}

/** Each group pattern of `members` (keyed as the detector group keys them), its edges both ways. */
function groupEdgesBothWays(members: readonly MemberInput[]): [AnchorEdges | undefined, AnchorEdges][] {
  const patterns = new Map<string, { literal: string; starts: StartSequences[]; edges: AnchorEdges[] }>();
  for (const member of members) {
    const facts = anchorFactsOf(member.anchors, member.start);
    const isAnyCase = member.flags.includes('i');
    facts.anchors.forEach((anchor, index) => {
      const key = isAnyCase ? `i:${anchor.toLowerCase()}` : `s:${anchor}`;
      const pattern = patterns.get(key) ?? { literal: anchor, starts: [], edges: [] };
      pattern.starts.push(member.start);
      pattern.edges.push(facts.edges[index] as AnchorEdges);
      patterns.set(key, pattern);
    });
  }
  return [...patterns.values()].map(({ literal, starts, edges }) => [
    sharedAnchorEdges(edges),
    edgesFromStarts(literal, starts),
  ]);
}

describe("anchor facts (each member's lengthened anchors and their edges)", () => {
  it('give each pattern of a group of the shipped packs the edges worked out from its literal and every member’s start sequences', () => {
    expect(shippedInputs.length).toBeGreaterThan(40);
    const pairs = groupEdgesBothWays(shippedInputs);
    expect(pairs.length).toBeGreaterThan(300);
    for (const [shared, fromStarts] of pairs) expect(shared).toEqual(fromStarts);
  });

  it('give a group the edges worked out from its literals and its members’ start sequences, whatever the anchors’ case (property)', () => {
    const token = fc.constantFrom(
      'a',
      'b',
      'A',
      'é',
      '-',
      '_',
      '[a-c]',
      '[0-9]',
      '[^a]',
      'x?',
      '(?:ab|c)',
      '.',
    );
    const pattern = fc
      .tuple(
        fc.constantFrom('', '(?<![a-z])', '(?<![A-Za-z0-9_])'),
        fc.array(
          fc.array(token, { minLength: 1, maxLength: 6 }).map((tokens) => tokens.join('')),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
      )
      .map(([lookbehind, alternatives]) => `${lookbehind}(?:${alternatives.join('|')})`);
    const member = fc
      .tuple(
        pattern,
        fc.constantFrom('', 'i'),
        fc.uniqueArray(
          fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'B', 'é', 'É', '-'), minLength: 1, maxLength: 3 }),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
      )
      .map(([source, flags, anchors]): MemberInput | undefined => {
        const start = startSequencesOf(source, flags);
        return start === undefined ? undefined : { pattern: source, flags, anchors, start };
      });
    fc.assert(
      fc.property(fc.array(member, { minLength: 1, maxLength: 5 }), (drawn) => {
        const members = drawn.filter((input): input is MemberInput => input !== undefined);
        for (const [shared, fromStarts] of groupEdgesBothWays(members)) expect(shared).toEqual(fromStarts);
      }),
      { numRuns: 300 },
    );
  });

  it('are taken from a cache by a member with the same pattern, flags and anchors, equal to those worked out, and none is worked out', async () => {
    const builder = await freshModule();
    const worked = shippedInputs.map(({ pattern, flags, anchors, start }) =>
      builder.anchorFactsFor(pattern, flags, anchors, start),
    );
    // As the file carries them: the JSON read back.
    const cache = JSON.parse(JSON.stringify(builder.builtAnchorFacts())) as Record<string, unknown>;
    expect(Object.keys(cache).length).toBeGreaterThan(40);
    const user = await freshModule();
    user.addKnownAnchorFacts(cache);
    shippedInputs.forEach(({ pattern, flags, anchors, start }, index) => {
      expect(user.anchorFactsFor(pattern, flags, anchors, start)).toEqual(worked[index]);
    });
    expect(user.builtAnchorFacts()).toEqual({});
  });

  it('are worked out when a cached entry is not of their form: an edge of seven words or past 16 bits, an edge per anchor missing, an anchor not a string', async () => {
    const { pattern, flags, anchors, start } = shippedInputs.find((input) =>
      input.pattern.includes('SK'),
    ) ?? {
      pattern: '(?<![A-Za-z0-9])SK[0-9a-f]{32}',
      flags: '',
      anchors: ['SK'],
      start: startSequencesOf('(?<![A-Za-z0-9])SK[0-9a-f]{32}', '') as StartSequences,
    };
    const builder = await freshModule();
    const worked = builder.anchorFactsFor(pattern, flags, anchors, start);
    const key = builder.anchorFactsKey(pattern, flags, anchors);
    const entry = builder.builtAnchorFacts()[key] as NonNullable<
      ReturnType<typeof builder.builtAnchorFacts>[string]
    >;
    const broken: unknown[] = [
      { ...entry, excludedBefore: entry.excludedBefore.slice(1) },
      { ...entry, excludedBefore: [0x10000, ...entry.excludedBefore.slice(1)] },
      { ...entry, allowedAfter: entry.allowedAfter.slice(1) },
      { ...entry, allowedAfter: entry.allowedAfter.map(() => [1, 2, 3]) },
      { ...entry, anchors: entry.anchors.map(() => 7) },
      null,
    ];
    for (const value of broken) {
      const user = await freshModule();
      user.addKnownAnchorFacts({ [key]: value });
      expect(user.anchorFactsFor(pattern, flags, anchors, start)).toEqual(worked);
      expect(Object.keys(user.builtAnchorFacts())).toEqual([key]);
    }
  });
});
