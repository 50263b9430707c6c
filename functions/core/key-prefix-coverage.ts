/**
 * How a rule set's key patterns relate to the keys that start with a prefix:
 * - `none`: no key under the prefix can match any pattern;
 * - `all`: every key under the prefix matches some pattern;
 * - `some`: anything in between, or not decided.
 */
export type KeyPrefixCoverage = 'none' | 'some' | 'all';

/**
 * Decides, from the patterns alone (the key glob syntax of redaction/scope-match.ts), whether the
 * keys under `prefix` can match. `none` and `all` are answered only when certain, so a caller of
 * this function may act on them; `some` means "look at the keys".
 *
 * A match must start with the pattern's literal head (the text before its first `*` or `?`), so
 * a head that is neither a prefix of `prefix` nor extends it rules the pattern out. A pattern
 * that is a literal head followed by `**` (or ends in `/`, the prefix form) matches every key
 * that starts with its head.
 *
 * @example
 * keyPrefixCoverage(['exports/'], 'exports/2026/'); // 'all'
 * keyPrefixCoverage(['exports/'], 'e'); // 'some'
 * keyPrefixCoverage(['exports/'], 'logs/'); // 'none'
 */
export function keyPrefixCoverage(patterns: readonly string[], prefix: string): KeyPrefixCoverage {
  let coverage: KeyPrefixCoverage = 'none';
  for (const pattern of patterns) {
    const expanded = pattern.endsWith('/') ? `${pattern}**` : pattern;
    const head = literalHead(expanded);
    if (!head.startsWith(prefix) && !prefix.startsWith(head)) continue;
    if (expanded === `${head}**` && prefix.startsWith(head)) return 'all';
    coverage = 'some';
  }
  return coverage;
}

function literalHead(pattern: string): string {
  const wildcard = pattern.search(/[*?]/);
  return wildcard < 0 ? pattern : pattern.slice(0, wildcard);
}
