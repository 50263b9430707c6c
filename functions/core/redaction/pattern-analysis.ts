import type { AST } from '@eslint-community/regexpp';
import { checkSync } from 'recheck';
import { parsePattern } from './parse-pattern.ts';

/** How far a regex can reach around a match, in UTF-16 code units. */
export interface PatternBounds {
  /** Shortest match. */
  readonly minLength: number;
  /** Longest match. */
  readonly maxLength: number;
  /** Code units before the match start that assertions inspect. */
  readonly lookbehind: number;
  /** Code units past `start + maxLength` that assertions inspect. */
  readonly lookahead: number;
}

/** Offsets from the match start at which a capturing group can start, and its lengths. */
export interface GroupBounds {
  readonly startMin: number;
  readonly startMax: number;
  readonly minLength: number;
  readonly maxLength: number;
}

interface Lengths {
  readonly min: number;
  readonly max: number;
}

const allowedFlags = /^[imsu]*$/;

/**
 * Computes the bounds a detector needs from an operator's regex, or throws an `Error` that says
 * what makes the pattern unusable: syntax, an unbounded quantifier, a backreference, an
 * unbounded lookaround, `^`/`$` without the `m` flag (they would anchor to a scan window, not
 * to the object), or a pattern that can match the empty string.
 *
 * @example
 * analyzePattern('(?<=id:)\\d{6}', '') // { minLength: 6, maxLength: 6, lookbehind: 3, lookahead: 0 }
 */
export function analyzePattern(pattern: string, flags: string): PatternBounds {
  return analyze(pattern, flags).bounds;
}

/**
 * Where each named capturing group of a pattern can start (offsets from the match start) and
 * how long it is; throws as {@link analyzePattern} does.
 *
 * @example
 * analyzePatternGroups('key=(?<value>[0-9]{4,8})', '').get('value') // { startMin: 4, startMax: 4, minLength: 4, maxLength: 8 }
 */
export function analyzePatternGroups(pattern: string, flags: string): ReadonlyMap<string, GroupBounds> {
  return analyze(pattern, flags).groups;
}

function analyze(
  pattern: string,
  flags: string,
): { bounds: PatternBounds; groups: ReadonlyMap<string, GroupBounds> } {
  if (!allowedFlags.test(flags)) throw new Error(`flags "${flags}" are not allowed; use a subset of "imsu"`);
  let ast: AST.Pattern;
  try {
    ast = parsePattern(pattern, flags.includes('u'));
  } catch (error) {
    throw new Error(`invalid regular expression: ${(error as Error).message}`);
  }
  const analysis = new Analysis(flags);
  const lengths = analysis.alternatives(ast.alternatives, 0, 0, 'match');
  if (lengths.min === 0)
    throw new Error('pattern can match the empty string; every match must be at least one character');
  return {
    bounds: {
      minLength: lengths.min,
      maxLength: lengths.max,
      lookbehind: Math.max(0, -analysis.lowest),
      lookahead: Math.max(0, analysis.highest - lengths.max),
    },
    groups: analysis.groups,
  };
}

/**
 * Throws when `recheck` finds that the regex can backtrack super-linearly (exponential or
 * polynomial) or cannot tell (fails closed). Run it after {@link analyzePattern}: it takes
 * milliseconds to seconds per pattern.
 */
export function assertLinearTime(pattern: string, flags: string): void {
  const diagnostics = checkSync(pattern, flags);
  if (diagnostics.status === 'safe') return;
  if (diagnostics.status === 'vulnerable') {
    const { complexity, attack } = diagnostics;
    throw new Error(
      `catastrophic backtracking: recheck found ${complexity.summary} matching time ` +
        `(an attack string of ${attack.string.length} characters); rewrite the pattern so that ` +
        'no two parts can match the same text, e.g. (a+)+ as a+, or \\s*\\s* as \\s*',
    );
  }
  const reason =
    'message' in diagnostics.error
      ? `${diagnostics.error.kind}: ${diagnostics.error.message}`
      : diagnostics.error.kind;
  throw new Error(`the linear-time check could not decide (${reason}); simplify the pattern`);
}

type Mode = 'match' | 'lookahead' | 'lookbehind';

/**
 * Walks the AST once, tracking the offsets (from the match start) at which each part can
 * start, and records the lowest and highest offsets any part inspects.
 */
class Analysis {
  /** Lowest offset inspected (negative: before the match start). */
  lowest = 0;
  /** Highest offset inspected, exclusive. */
  highest = 0;
  /** Whether an assertion was walked (they can look outside the characters they sit between). */
  hasAssertion = false;
  /** Named capturing groups met in match mode. */
  readonly groups = new Map<string, GroupBounds>();
  private readonly isUnicode: boolean;
  private readonly isMultiline: boolean;
  private readonly cache = new WeakMap<AST.Node, Lengths>();

  constructor(flags: string) {
    this.isUnicode = flags.includes('u');
    this.isMultiline = flags.includes('m');
  }

  /** Walks alternatives that can start at offsets `[from, to]`; returns their lengths. */
  alternatives(alternatives: readonly AST.Alternative[], from: number, to: number, mode: Mode): Lengths {
    for (const alternative of alternatives) {
      let offsetMin = from;
      let offsetMax = to;
      for (const element of alternative.elements) {
        this.element(element, offsetMin, offsetMax, mode);
        const lengths = this.lengthsOf(element);
        offsetMin += lengths.min;
        offsetMax += lengths.max;
      }
    }
    return this.lengthsOfAlternatives(alternatives);
  }

  private element(node: AST.Element, from: number, to: number, mode: Mode): void {
    switch (node.type) {
      case 'Character':
      case 'CharacterClass':
      case 'CharacterSet':
      case 'ExpressionCharacterClass':
        this.inspect(from, to + this.widthOf(node));
        return;
      case 'Group':
        this.alternatives(node.alternatives, from, to, mode);
        return;
      case 'CapturingGroup': {
        const lengths = this.alternatives(node.alternatives, from, to, mode);
        if (node.name !== null && mode === 'match') this.recordGroup(node.name, from, to, lengths);
        return;
      }
      case 'Quantifier': {
        if (node.max === Number.POSITIVE_INFINITY) {
          const symbol = node.raw.slice(node.element.raw.length);
          const where = `\`${symbol}\` at offset ${node.element.end}`;
          if (mode !== 'match') throw new Error(`${mode} must be bounded (unbounded ${where})`);
          throw new Error(`unbounded quantifier ${where}; use a bounded repeat such as {1,64}`);
        }
        // The repeated element starts anywhere from the first to the last repetition's offset.
        const span = this.lengthsOf(node.element).max * Math.max(0, node.max - 1);
        this.element(node.element, from, to + span, mode);
        return;
      }
      case 'Backreference':
        throw new Error(`backreferences are not allowed (\`${node.raw}\` at offset ${node.start})`);
      case 'Assertion':
        this.assertion(node, from, to, mode);
        return;
    }
  }

  private assertion(node: AST.Assertion, from: number, to: number, mode: Mode): void {
    this.hasAssertion = true;
    switch (node.kind) {
      case 'word':
        this.inspect(from - 1, to + 1);
        return;
      case 'start':
      case 'end':
        if (!this.isMultiline) {
          throw new Error(
            `\`${node.raw}\` at offset ${node.start} anchors to the scanned window, not to the object; ` +
              'add the m flag to anchor at line starts and ends, or use a lookaround such as (?<![0-9])',
          );
        }
        if (node.kind === 'start') this.inspect(from - 1, to);
        else this.inspect(from, to + 1);
        return;
      case 'lookahead':
        this.alternatives(node.alternatives, from, to, mode === 'match' ? 'lookahead' : mode);
        return;
      case 'lookbehind': {
        // The body ends at the assertion and runs backwards: it starts at most `max` before it.
        const body = new Analysis(`${this.isUnicode ? 'u' : ''}${this.isMultiline ? 'm' : ''}`);
        const inner = body.alternatives(node.alternatives, 0, 0, 'lookbehind');
        const nested = new Analysis(`${this.isUnicode ? 'u' : ''}${this.isMultiline ? 'm' : ''}`);
        nested.alternatives(node.alternatives, from - inner.max, to - inner.min, 'lookbehind');
        this.inspect(from - inner.max, nested.hasAssertion ? nested.highest : to);
        this.inspect(nested.lowest, to);
        return;
      }
    }
  }

  private lengthsOfAlternatives(alternatives: readonly AST.Alternative[]): Lengths {
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const alternative of alternatives) {
      let altMin = 0;
      let altMax = 0;
      for (const element of alternative.elements) {
        const lengths = this.lengthsOf(element);
        altMin += lengths.min;
        altMax += lengths.max;
      }
      min = Math.min(min, altMin);
      max = Math.max(max, altMax);
    }
    return { min: min === Number.POSITIVE_INFINITY ? 0 : min, max };
  }

  /** Shortest and longest text an element consumes, in code units. */
  private lengthsOf(node: AST.Element): Lengths {
    const cached = this.cache.get(node);
    if (cached !== undefined) return cached;
    let lengths: Lengths;
    switch (node.type) {
      case 'Character':
      case 'CharacterClass':
      case 'CharacterSet':
      case 'ExpressionCharacterClass': {
        const width = this.widthOf(node);
        lengths = { min: node.type === 'Character' ? width : 1, max: width };
        break;
      }
      case 'Group':
      case 'CapturingGroup':
        lengths = this.lengthsOfAlternatives(node.alternatives);
        break;
      case 'Quantifier': {
        const once = this.lengthsOf(node.element);
        lengths = { min: once.min * node.min, max: node.max === 0 ? 0 : once.max * node.max };
        break;
      }
      default:
        lengths = { min: 0, max: 0 };
    }
    this.cache.set(node, lengths);
    return lengths;
  }

  /** Code units one character element consumes: 2 when it can match an astral character. */
  private widthOf(
    node: AST.Character | AST.CharacterClass | AST.CharacterSet | AST.ExpressionCharacterClass,
  ): number {
    if (!this.isUnicode) return 1;
    switch (node.type) {
      case 'Character':
        return node.value > 0xffff ? 2 : 1;
      case 'CharacterSet':
        return node.kind === 'any' || node.kind === 'property' || node.negate ? 2 : 1;
      case 'CharacterClass':
        if (node.negate) return 2;
        return Math.max(
          1,
          ...node.elements.map((element) => {
            if (element.type === 'Character') return element.value > 0xffff ? 2 : 1;
            if (element.type === 'CharacterClassRange') return element.max.value > 0xffff ? 2 : 1;
            if (element.type === 'CharacterSet') return element.kind === 'property' || element.negate ? 2 : 1;
            return 2;
          }),
        );
      case 'ExpressionCharacterClass':
        return 2;
    }
  }

  private recordGroup(name: string, from: number, to: number, lengths: Lengths): void {
    const seen = this.groups.get(name);
    this.groups.set(name, {
      startMin: Math.min(from, seen?.startMin ?? from),
      startMax: Math.max(to, seen?.startMax ?? to),
      minLength: Math.min(lengths.min, seen?.minLength ?? lengths.min),
      maxLength: Math.max(lengths.max, seen?.maxLength ?? lengths.max),
    });
  }

  private inspect(low: number, high: number): void {
    this.lowest = Math.min(this.lowest, low);
    this.highest = Math.max(this.highest, high);
  }
}
