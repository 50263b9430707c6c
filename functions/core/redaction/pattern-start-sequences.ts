import { type AST, RegExpParser } from '@eslint-community/regexpp';
import { CharSet, charSetOf } from './regex-char-sets.ts';

/** Longest sequence derived, in characters (as `pattern-shape.ts`). */
const maxSequenceLength = 12;
/** More alternatives than this and the pattern's start is not worth spelling out. */
const maxSequences = 64;

/**
 * What every match of a pattern starts with, as sets of characters one per position: each match
 * begins with one of `sequences` (its first character in `sequence[0]`, and so on), and the
 * character before it, when there is one, is an ASCII character outside `excludedBefore` or a
 * character above U+007F. The sets may hold more than the pattern allows (over ASCII they are
 * exact for classes, conservative for `.` and property escapes; one bit stands for all
 * characters above U+007F), never less; `excludedBefore` never holds more than the pattern
 * excludes.
 */
export interface StartSequences {
  readonly sequences: readonly (readonly CharSet[])[];
  /** ASCII characters that cannot come right before a match (its leading `(?<![…])`). */
  readonly excludedBefore: CharSet;
}

/**
 * The start sequences of a pattern (see {@link StartSequences}): the characters every match
 * starts with, counted repeats written out, groups of alternatives and optional elements (`?`)
 * expanded, up to the first element that can match nothing or a varying number of times (other
 * than once or not at all), at most 12 characters; and the
 * characters excluded before a match by one-character negative lookbehinds at its start
 * (`(?<![A-Za-z0-9])`). Returns `undefined` when a match can start with no mandatory character,
 * there would be more than 64 sequences, or the pattern is in Unicode mode (where ignoring case
 * maps characters above U+007F onto ASCII letters and a position can fall inside a surrogate
 * pair).
 *
 * @example
 * startSequencesOf('(?<![A-Za-z0-9])[0-9]{3}(?:-|\\.)[0-9]', '');
 * // sequences [[0-9] ×3, [-], [0-9]] and [[0-9] ×3, [.], [0-9]], excludedBefore [A-Za-z0-9]
 */
export function startSequencesOf(pattern: string, flags: string): StartSequences | undefined {
  if (flags.includes('u') || flags.includes('v')) return undefined;
  const ast = new RegExpParser({ ecmaVersion: 2024 }).parsePattern(pattern, 0, pattern.length, {
    unicode: false,
  });
  const isIgnoreCase = flags.includes('i');
  const partials = alternativesSequences(ast.alternatives, isIgnoreCase);
  if (partials === undefined || partials.some((partial) => partial.sets.length === 0)) return undefined;
  return {
    sequences: partials.map((partial) => partial.sets),
    excludedBefore: excludedBefore(ast.alternatives, isIgnoreCase),
  };
}

/** A run every match starts with: its first `length` characters are all in `chars`. */
export interface LeadingRun {
  readonly length: number;
  readonly chars: CharSet;
}

/**
 * The run every match of a pattern starts with (see {@link LeadingRun}): its first elements
 * (lookarounds skipped, a group of one alternative entered) up to the first that can match
 * nothing, more than one character at a time or a varying number of times (whose least count
 * still counts), their characters as one set. Unlike the start sequences it is not cut at 12
 * characters: a Bitcoin address (`[13][1-9A-HJ-NP-Za-km-z]{25,34}`) starts with 26 characters
 * of base58. Returns `undefined` for a pattern of several alternatives, one whose first
 * element is none of those, or in Unicode mode (as {@link startSequencesOf}).
 *
 * @example
 * leadingRunOf('(?<![0-9])[0-9]{3}-[0-9]{4,6}', ''); // length 8, chars [-0-9]
 */
export function leadingRunOf(pattern: string, flags: string): LeadingRun | undefined {
  if (flags.includes('u') || flags.includes('v')) return undefined;
  const ast = new RegExpParser({ ecmaVersion: 2024 }).parsePattern(pattern, 0, pattern.length, {
    unicode: false,
  });
  const [only, ...others] = ast.alternatives;
  if (only === undefined || others.length > 0) return undefined;
  const run = { length: 0, chars: CharSet.empty(), isDone: false };
  extendRun(run, only.elements, flags.includes('i'));
  return run.length === 0 ? undefined : { length: run.length, chars: run.chars };
}

function extendRun(
  run: { length: number; chars: CharSet; isDone: boolean },
  elements: readonly AST.Element[],
  isIgnoreCase: boolean,
): void {
  for (const element of elements) {
    if (run.isDone) return;
    switch (element.type) {
      case 'Assertion':
        break;
      case 'Character':
      case 'CharacterClass':
      case 'CharacterSet':
      case 'ExpressionCharacterClass':
        run.chars = run.chars.union(charSetOf(element, isIgnoreCase));
        run.length++;
        break;
      case 'Group':
      case 'CapturingGroup': {
        const [only, ...others] = element.alternatives;
        if (only === undefined || others.length > 0) run.isDone = true;
        else extendRun(run, only.elements, isIgnoreCase);
        break;
      }
      case 'Quantifier': {
        const repeated = element.element;
        const isSingle =
          repeated.type === 'Character' ||
          repeated.type === 'CharacterClass' ||
          repeated.type === 'CharacterSet' ||
          repeated.type === 'ExpressionCharacterClass';
        if (element.min === 0 || !isSingle) {
          run.isDone = true;
          break;
        }
        run.chars = run.chars.union(charSetOf(repeated, isIgnoreCase));
        run.length += element.min;
        run.isDone = element.max !== element.min;
        break;
      }
      default:
        run.isDone = true;
    }
  }
}

interface Partial {
  readonly sets: readonly CharSet[];
  /** True once an element that can repeat a varying number of times was met: nothing follows. */
  readonly isDone: boolean;
}

function alternativesSequences(
  alternatives: readonly AST.Alternative[],
  isIgnoreCase: boolean,
): Partial[] | undefined {
  const all: Partial[] = [];
  for (const alternative of alternatives) {
    all.push(...elementsSequences(alternative.elements, isIgnoreCase));
    if (all.length > maxSequences) return undefined;
  }
  return all;
}

function elementsSequences(elements: readonly AST.Element[], isIgnoreCase: boolean): Partial[] {
  let partials: Partial[] = [{ sets: [], isDone: false }];
  for (const element of elements) {
    if (partials.every((partial) => partial.isDone)) break;
    const next = elementSequences(element, isIgnoreCase);
    // An element with no mandatory characters ends every sequence before it.
    if (next === undefined) return partials.map((partial) => ({ sets: partial.sets, isDone: true }));
    partials = extend(partials, next);
    if (partials.length > maxSequences) return partials.map(() => ({ sets: [], isDone: true }));
  }
  return partials;
}

/** What one element adds: `[]` for an assertion, `undefined` when it may match nothing. */
function elementSequences(element: AST.Element, isIgnoreCase: boolean): Partial[] | undefined {
  switch (element.type) {
    case 'Assertion':
      return [];
    case 'Character':
    case 'CharacterClass':
    case 'CharacterSet':
    case 'ExpressionCharacterClass':
      return [{ sets: [charSetOf(element, isIgnoreCase)], isDone: false }];
    case 'Group':
    case 'CapturingGroup': {
      const alternatives = alternativesSequences(element.alternatives, isIgnoreCase);
      return alternatives?.some((partial) => partial.sets.length === 0) ? undefined : alternatives;
    }
    case 'Quantifier': {
      if (element.min === 0 && element.max !== 1) return undefined;
      const once = elementSequences(element.element, isIgnoreCase);
      if (once === undefined) return undefined;
      // An optional element (`[ -]?`) is two ways on: without it, and with it.
      if (element.min === 0) return once.length === 0 ? [] : [{ sets: [], isDone: false }, ...once];
      let partials: Partial[] = [{ sets: [], isDone: false }];
      for (let count = 0; count < Math.min(element.min, maxSequenceLength); count++) {
        partials = extend(partials, once);
        if (partials.length > maxSequences) return undefined;
      }
      return element.max === element.min
        ? partials
        : partials.map((partial) => ({ sets: partial.sets, isDone: true }));
    }
    default:
      return undefined;
  }
}

function extend(partials: readonly Partial[], next: readonly Partial[]): Partial[] {
  if (next.length === 0) return [...partials];
  const result: Partial[] = [];
  for (const partial of partials) {
    if (partial.isDone) {
      result.push(partial);
      continue;
    }
    for (const choice of next) {
      const sets = [...partial.sets, ...choice.sets].slice(0, maxSequenceLength);
      result.push({ sets, isDone: choice.isDone || sets.length >= maxSequenceLength });
    }
  }
  return result;
}

/**
 * The ASCII characters that the lookbehinds before the first character of a pattern of one
 * alternative exclude: those a one-character negative lookbehind names, and those none of the
 * last characters of a positive one can be (`(?<=[a-z0-9][_.-]?)` ends in a letter, a digit,
 * `_`, `.` or `-`); only sets exact over ASCII count.
 */
function excludedBefore(alternatives: readonly AST.Alternative[], isIgnoreCase: boolean): CharSet {
  const excluded = CharSet.empty();
  const elements = alternatives.length === 1 ? (alternatives[0]?.elements ?? []) : [];
  for (const element of elements) {
    if (element.type !== 'Assertion') break;
    if (element.kind !== 'lookbehind') continue;
    if (!element.negate) {
      const last = lastCharacters(element.alternatives, isIgnoreCase);
      if (last !== undefined) for (let code = 0; code < 128; code++) if (!last.has(code)) excluded.add(code);
      continue;
    }
    const singles = element.alternatives.map((alternative) =>
      alternative.elements.length === 1 ? alternative.elements[0] : undefined,
    );
    for (const single of singles) {
      if (single === undefined || !isExactOverAscii(single)) continue;
      const set = charSetOf(single as AST.Character | AST.CharacterClass | AST.CharacterSet, isIgnoreCase);
      for (let code = 0; code < 128; code++) if (set.has(code)) excluded.add(code);
    }
  }
  return excluded;
}

/**
 * The characters the alternatives of a lookbehind can end with, or `undefined` when some
 * alternative can end otherwise than with a character, class or escape exact over ASCII (after
 * any optional ones of those).
 */
function lastCharacters(
  alternatives: readonly AST.Alternative[],
  isIgnoreCase: boolean,
): CharSet | undefined {
  let last = CharSet.empty();
  for (const alternative of alternatives) {
    let isEnded = false;
    for (let index = alternative.elements.length - 1; index >= 0 && !isEnded; index--) {
      const element = alternative.elements[index] as AST.Element;
      const single = element.type === 'Quantifier' ? element.element : element;
      if (element.type === 'Quantifier' && element.max === 0) continue;
      if (
        (single.type !== 'Character' && single.type !== 'CharacterClass' && single.type !== 'CharacterSet') ||
        !isExactOverAscii(single)
      )
        return undefined;
      last = last.union(charSetOf(single, isIgnoreCase));
      isEnded = element.type !== 'Quantifier' || element.min > 0;
    }
    if (!isEnded) return undefined;
  }
  return last;
}

/** True for a character, class or escape whose ASCII members `charSetOf` knows exactly. */
function isExactOverAscii(element: AST.Element | AST.CharacterClassElement): boolean {
  switch (element.type) {
    case 'Character':
    case 'CharacterClassRange':
      return true;
    case 'CharacterSet':
      return element.kind === 'digit' || element.kind === 'word' || element.kind === 'space';
    case 'CharacterClass':
      return element.elements.every(isExactOverAscii);
    default:
      return false;
  }
}
