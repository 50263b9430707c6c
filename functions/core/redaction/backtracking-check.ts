import type { AST } from '@eslint-community/regexpp';
import { parsePattern } from './parse-pattern.ts';
import { CharSet, charSetOf } from './regex-char-sets.ts';

/** Most ways a pattern may try at one start through repeats that overlap what follows them. */
const maxAmbiguity = 256;

/**
 * Throws when a bounded regex could backtrack more than a small constant amount per start
 * position. Checked on the regex's structure, in microseconds and always with the same verdict:
 *
 * - a variable repeat (`{2,8}`, `?`) whose characters overlap what can follow it lets the
 *   engine split the text between them in as many ways as the repeat has counts; the product
 *   of those counts over the pattern must stay within 256: `(?:proj-)?[a-z-]{20,64}` (2 ways)
 *   is fine, `[a-z]{1,64}[a-z0-9]{1,64}` (64 ways) with a third such repeat is not;
 * - inside a repeated part no such overlap is allowed, alternatives must start with different
 *   characters and the part must not match the empty string (`(?:a|ab){1,5}`, `(?:a{1,9}){1,9}`
 *   are rejected): there the ways multiply with every repetition;
 * - lookbehinds are checked as the engine runs them, right to left.
 *
 * Use it with `analyzePattern`, which rejects unbounded repeats.
 *
 * @example
 * assertBoundedBacktracking('glpat-[0-9A-Za-z_-]{20,64}(?![0-9A-Za-z_-])', ''); // passes
 */
export function assertBoundedBacktracking(pattern: string, flags: string): void {
  const ast = parsePattern(pattern, flags.includes('u'));
  new Checker(flags.includes('i')).alternatives(ast.alternatives, CharSet.empty(), false, false);
}

class Checker {
  private readonly isIgnoreCase: boolean;
  private ambiguity = 1;
  /** Repeated parts (`max > 1`) the element being checked sits in. */
  private repeatDepth = 0;

  constructor(isIgnoreCase: boolean) {
    this.isIgnoreCase = isIgnoreCase;
  }

  /** Checks alternatives followed by `follow`; `isRepeated`: inside a repeated part. */
  alternatives(
    alternatives: readonly AST.Alternative[],
    follow: CharSet,
    isRepeated: boolean,
    isBackward: boolean,
  ): void {
    if (isRepeated) {
      let seen = CharSet.empty();
      for (const alternative of alternatives) {
        const first = this.first(this.ordered(alternative.elements, isBackward));
        if (first.intersects(seen)) {
          throw new Error(
            `alternatives inside a repeated group can start with the same character (\`${alternative.raw}\`); make their first characters differ`,
          );
        }
        seen = seen.union(first);
      }
    }
    for (const alternative of alternatives) this.sequence(alternative.elements, follow, isBackward);
  }

  private sequence(elements: readonly AST.Element[], follow: CharSet, isBackward: boolean): void {
    const ordered = this.ordered(elements, isBackward);
    for (let i = 0; i < ordered.length; i++) {
      const rest = ordered.slice(i + 1);
      const after = this.isNullable(rest) ? this.first(rest).union(follow) : this.first(rest);
      this.element(ordered[i] as AST.Element, after, isBackward);
    }
  }

  private element(element: AST.Element, follow: CharSet, isBackward: boolean): void {
    switch (element.type) {
      case 'Group':
      case 'CapturingGroup':
        this.alternatives(element.alternatives, follow, false, isBackward);
        return;
      case 'Assertion':
        if (element.kind === 'lookahead')
          this.alternatives(element.alternatives, CharSet.empty(), false, false);
        if (element.kind === 'lookbehind')
          this.alternatives(element.alternatives, CharSet.empty(), false, true);
        return;
      case 'Quantifier': {
        const body = element.element;
        const first = this.first([body]);
        if (element.max > element.min && first.intersects(follow)) {
          if (this.repeatDepth > 0) {
            throw new Error(
              `\`${element.raw}\` sits in a repeated part and can stop or go on at the same character as what follows it, so the ways to split the text multiply with every repetition; make the repeated characters and the next ones differ`,
            );
          }
          this.ambiguity *= element.max - element.min + 1;
          if (this.ambiguity > maxAmbiguity) {
            throw new Error(
              `\`${element.raw}\` can stop or go on at the same character as what follows it, and with the other such repeats the pattern could try more than ${maxAmbiguity} ways per position; make the repeated characters and the next ones differ`,
            );
          }
        }
        if (element.max > 1) {
          if (this.isNullable([body]))
            throw new Error(`\`${element.raw}\` repeats a part that can match nothing`);
          const repeated =
            body.type === 'Group' || body.type === 'CapturingGroup' ? body.alternatives : undefined;
          this.repeatDepth++;
          if (repeated !== undefined) this.alternatives(repeated, first.union(follow), true, isBackward);
          else this.element(body, first.union(follow), isBackward);
          this.repeatDepth--;
        } else {
          this.element(body, follow, isBackward);
        }
        return;
      }
      default:
        return;
    }
  }

  private ordered(elements: readonly AST.Element[], isBackward: boolean): readonly AST.Element[] {
    return isBackward ? [...elements].reverse() : elements;
  }

  /** Characters the elements can start with (through nullable ones). */
  private first(elements: readonly AST.Element[]): CharSet {
    let set = CharSet.empty();
    for (const element of elements) {
      set = set.union(this.firstOf(element));
      if (!this.isNullable([element])) break;
    }
    return set;
  }

  private firstOf(element: AST.Element): CharSet {
    switch (element.type) {
      case 'Character':
      case 'CharacterClass':
      case 'CharacterSet':
      case 'ExpressionCharacterClass':
        return charSetOf(element, this.isIgnoreCase);
      case 'Group':
      case 'CapturingGroup': {
        let set = CharSet.empty();
        for (const alternative of element.alternatives) set = set.union(this.first(alternative.elements));
        return set;
      }
      case 'Quantifier':
        return element.max === 0 ? CharSet.empty() : this.firstOf(element.element);
      default:
        return CharSet.empty();
    }
  }

  private isNullable(elements: readonly AST.Element[]): boolean {
    return elements.every((element) => {
      switch (element.type) {
        case 'Assertion':
          return true;
        case 'Group':
        case 'CapturingGroup':
          return element.alternatives.some((alternative) => this.isNullable(alternative.elements));
        case 'Quantifier':
          return element.min === 0 || this.isNullable([element.element]);
        default:
          return false;
      }
    });
  }
}
