import type { AST } from '@eslint-community/regexpp';
import { parsePattern } from './parse-pattern.ts';
import { charSetOf } from './regex-char-sets.ts';

/** Character classes of up to this many characters are expanded into one prefix each. */
const maxClassExpansion = 4;
/** Prefix sets larger than this are not worth deriving: the pattern has no useful literal start. */
const maxPrefixes = 64;
/** Prefixes are cut to this length; a longer literal adds nothing to a prefilter. */
const maxPrefixLength = 32;

interface Partial {
  readonly text: string;
  /** True once an element that is not literal was met: the prefix cannot grow further. */
  readonly isDone: boolean;
}

/**
 * Literal strings one of which every match of `pattern` starts with (in lower case when the
 * pattern ignores case), derived from the regex: characters, small classes (`[rs]`, `[Kk]`) and
 * groups of alternatives are followed until the first element that can match too many
 * characters or nothing (a `?`, `*`-like quantifier, `\w`). Assertions (`\b`, lookarounds)
 * match no characters and are skipped. Returns `undefined` when some match could start with an
 * empty prefix, or the set would be larger than 64 strings.
 *
 * @example
 * literalPrefixes('(?:ghp|gho)_[A-Za-z0-9]{36}', ''); // ['ghp_', 'gho_']
 */
export function literalPrefixes(pattern: string, flags: string): string[] | undefined {
  const ast = parsePattern(pattern, flags.includes('u'));
  const partials = alternativesPrefixes(ast.alternatives, flags.includes('i'));
  if (partials === undefined || partials.some((partial) => partial.text.length === 0)) return undefined;
  return [...new Set(partials.map((partial) => partial.text))];
}

function alternativesPrefixes(
  alternatives: readonly AST.Alternative[],
  isIgnoreCase: boolean,
): Partial[] | undefined {
  const all: Partial[] = [];
  for (const alternative of alternatives) {
    const partials = elementsPrefixes(alternative.elements, isIgnoreCase);
    if (partials === undefined) return undefined;
    all.push(...partials);
    if (all.length > maxPrefixes) return undefined;
  }
  return all;
}

function elementsPrefixes(elements: readonly AST.Element[], isIgnoreCase: boolean): Partial[] | undefined {
  let partials: Partial[] = [{ text: '', isDone: false }];
  for (const element of elements) {
    if (partials.every((partial) => partial.isDone)) break;
    const next = elementPrefixes(element, isIgnoreCase);
    if (next === undefined) return undefined;
    partials = extend(partials, next);
    if (partials.length > maxPrefixes) return undefined;
  }
  return partials;
}

/** What one element adds: `[]` for a zero-width element, else the choices it can start with. */
function elementPrefixes(element: AST.Element, isIgnoreCase: boolean): Partial[] | undefined {
  switch (element.type) {
    case 'Assertion':
      return [];
    case 'Character':
    case 'CharacterClass':
    case 'CharacterSet':
    case 'ExpressionCharacterClass': {
      const members = charSetOf(element, isIgnoreCase).asciiMembers();
      const folded = [...new Set(members?.map((member) => (isIgnoreCase ? member.toLowerCase() : member)))];
      if (members === undefined || folded.length === 0 || folded.length > maxClassExpansion) {
        return [{ text: '', isDone: true }];
      }
      return folded.map((text) => ({ text, isDone: false }));
    }
    case 'Group':
    case 'CapturingGroup':
      return alternativesPrefixes(element.alternatives, isIgnoreCase);
    case 'Quantifier': {
      if (element.min === 0) return [{ text: '', isDone: true }];
      const once = elementPrefixes(element.element, isIgnoreCase);
      if (once === undefined) return undefined;
      if (element.min === 1 && element.max === 1) return once;
      // Only the first repetition is followed: the count is not fixed beyond it.
      return once.map((partial) => ({ text: partial.text, isDone: true }));
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
      const text = partial.text + choice.text;
      result.push({
        text: text.slice(0, maxPrefixLength),
        isDone: choice.isDone || text.length >= maxPrefixLength,
      });
    }
  }
  return result;
}
