import { type AST, RegExpParser } from '@eslint-community/regexpp';

let last: { readonly pattern: string; readonly isUnicode: boolean; readonly ast: AST.Pattern } | undefined;

/**
 * The regexpp syntax tree of `pattern` (ECMAScript 2024, with the `u` flag when `isUnicode`).
 * Checking a pattern reads it several times in a row (bounds, groups, backtracking, prefixes,
 * shape), so the last tree is kept and the pattern parsed once: parsing was most of the cost of
 * checking the shipped packs at start. The tree is shared: callers only read it.
 *
 * @throws regexpp's `RegExpSyntaxError` for an invalid pattern.
 * @example
 * parsePattern('EMP-[0-9]{6}', false).alternatives[0]?.elements.length; // 5
 */
export function parsePattern(pattern: string, isUnicode: boolean): AST.Pattern {
  if (last?.pattern === pattern && last.isUnicode === isUnicode) return last.ast;
  const ast = new RegExpParser({ ecmaVersion: 2024 }).parsePattern(pattern, 0, pattern.length, {
    unicode: isUnicode,
  });
  last = { pattern, isUnicode, ast };
  return ast;
}
