import { assertBoundedBacktracking } from './backtracking-check.ts';
import { maxCustomLookaround } from './detectors/custom-detector.ts';
import { type StartLiteral, startLiteralOf } from './detectors/literal-search.ts';
import {
  analyzePattern,
  analyzePatternGroups,
  type GroupBounds,
  type PatternBounds,
} from './pattern-analysis.ts';
import { literalPrefixes } from './pattern-prefixes.ts';
import { shapeOf } from './pattern-shape.ts';
import {
  type LeadingRun,
  leadingRunOf,
  type StartSequences,
  startSequencesOf,
} from './pattern-start-sequences.ts';
import { CharSet } from './regex-char-sets.ts';

/**
 * What checking a pack detector's pattern finds out, a function of the pattern and its flags
 * alone (plain data, so a cache can hold it as JSON).
 */
export interface PatternFacts {
  readonly bounds: PatternBounds;
  /** The bounds of the `value` group, when the pattern has one. */
  readonly valueGroup?: GroupBounds | undefined;
  /** What {@link literalPrefixes} gives. */
  readonly prefixes?: string[] | undefined;
  /** What {@link shapeOf} gives. */
  readonly shape?: string | undefined;
  /** What {@link startSequencesOf} gives. */
  readonly start?: StartSequences | undefined;
  /** What {@link startLiteralOf} gives of {@link start}. */
  readonly startLiteral?: StartLiteral | undefined;
  /** What {@link leadingRunOf} gives. */
  readonly leadingRun?: LeadingRun | undefined;
}

/**
 * The facts of a pattern a cache already holds (the CLI bundle's `PATTERN_FACTS_FILE`, built by
 * {@link patternFactsOf} from the shipped packs), or `undefined` to work them out.
 */
export type PatternFactsLookup = (pattern: string, flags: string) => PatternFacts | undefined;

/**
 * Checks a pack pattern and works out its facts: its bounds (and that its lookarounds reach at
 * most {@link maxCustomLookaround} characters), that it backtracks at most a constant per start,
 * the bounds of its `value` group, its literal prefixes, its shape, its start sequences and the
 * literal they start with. Checking the ~140 shipped
 * pack patterns is most of the CPU `serve` spends on rules at start.
 *
 * @throws Error naming the problem, as `analyzePattern` and `assertBoundedBacktracking` do.
 * @example
 * patternFactsOf('id:(?<value>[0-9]{6})', '').valueGroup; // { startMin: 3, startMax: 3, minLength: 6, maxLength: 6 }
 */
export function patternFactsOf(pattern: string, flags: string): PatternFacts {
  const bounds = analyzePattern(pattern, flags);
  if (Math.max(bounds.lookbehind, bounds.lookahead) > maxCustomLookaround) {
    throw new Error(`its lookarounds reach more than ${maxCustomLookaround} characters outside the match`);
  }
  assertBoundedBacktracking(pattern, flags);
  const start = startSequencesOf(pattern, flags);
  return {
    bounds,
    valueGroup: analyzePatternGroups(pattern, flags).get('value'),
    prefixes: literalPrefixes(pattern, flags),
    shape: shapeOf(pattern, flags),
    start,
    // Worked out once with the facts, not at each compile: ~5 ms of compiling the default rule
    // set, the code cold, for the shipped packs' ~60 members without anchors.
    startLiteral: start === undefined ? undefined : startLiteralOf(start),
    leadingRun: leadingRunOf(pattern, flags),
  };
}

/**
 * The facts `JSON.stringify` wrote (character sets as their words, see `CharSet.toJSON`) as
 * {@link patternFactsOf} gave them.
 */
export function patternFactsFromJson(json: unknown): PatternFacts {
  const facts = json as Omit<PatternFacts, 'start' | 'leadingRun'> & {
    readonly start?: { readonly sequences: number[][][]; readonly excludedBefore: number[] };
    readonly leadingRun?: { readonly length: number; readonly chars: number[] };
  };
  const { start, leadingRun, ...rest } = facts;
  return {
    ...rest,
    ...(start !== undefined && {
      start: {
        sequences: start.sequences.map((sequence) => sequence.map((words) => CharSet.fromJSON(words))),
        excludedBefore: CharSet.fromJSON(start.excludedBefore),
      },
    }),
    ...(leadingRun !== undefined && {
      leadingRun: { length: leadingRun.length, chars: CharSet.fromJSON(leadingRun.chars) },
    }),
  };
}

/** How a cache of {@link PatternFacts} names the facts of `pattern` with `flags`. */
export function patternFactsKey(pattern: string, flags: string): string {
  return JSON.stringify([pattern, flags]);
}
