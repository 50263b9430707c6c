import type { RuleSet } from './rule-schema.ts';

/** What a request is matched on when choosing a rule set. */
export interface ScopeRequest {
  readonly bucket: string;
  readonly key: string;
  /** IAM principal ARN (Object Lambda) or gateway key name. */
  readonly callerId: string;
}

type Dimension = 'bucket' | 'key' | 'caller';
type Scope = Pick<RuleSet, 'scope'>;

/**
 * A compiled glob. Matching tracks the set of pattern positions reachable so far, so it takes
 * time proportional to pattern × text length whatever the pattern: a caller-chosen key cannot
 * make it backtrack.
 */
interface Glob {
  /** Characters of the pattern that are not wildcards; more means more specific. */
  readonly literalChars: number;
  matches(text: string): boolean;
}

/**
 * `star` repeats over characters that `accepts`; `dirs` is `**\/` (nothing, or any run ending
 * in `/`).
 */
type Token =
  | { readonly kind: 'literal'; readonly char: string }
  | { readonly kind: 'one'; readonly accepts: (c: string) => boolean }
  | { readonly kind: 'star'; readonly accepts: (c: string) => boolean }
  | { readonly kind: 'dirs' };

const cache = new Map<string, Glob>();

/**
 * Whether the rule set's scope matches the request: some bucket glob, some key glob and some
 * caller glob must each match.
 *
 * - buckets: `*` any run of characters, `?` one character;
 * - keys: `*` and `?` stay within a `/`-separated segment, `**` crosses segments (`**\/` also
 *   matches no segment at all), a pattern ending in `/` is a prefix;
 * - callers (IAM principal ARNs or gateway key names): `*` any run, `?` one character, like IAM
 *   policy ARN globs.
 *
 * Matching is case-sensitive, as S3 keys and ARNs are.
 */
export function ruleSetCovers(ruleSet: Scope, request: ScopeRequest): boolean {
  return specificity(ruleSet, request) !== undefined;
}

/**
 * Chooses the rule set for a request: among those whose scope covers it, the highest `priority`
 * wins; on a tie, the more specific scope (most literal characters in the bucket, key and caller
 * patterns that matched, the best pattern of each counted); then the name that sorts first.
 *
 * @returns `undefined` when no rule set covers the request (the request is denied).
 * @example
 * chooseRuleSet(catalog.values(), { bucket: 'exports', key: 'daily/a.csv', callerId: 'partner-a' });
 */
export function chooseRuleSet<T extends Scope & Pick<RuleSet, 'name' | 'priority'>>(
  ruleSets: Iterable<T>,
  request: ScopeRequest,
): T | undefined {
  let best: { ruleSet: T; specificity: number } | undefined;
  for (const ruleSet of ruleSets) {
    const score = specificity(ruleSet, request);
    if (score === undefined) continue;
    if (
      best === undefined ||
      ruleSet.priority > best.ruleSet.priority ||
      (ruleSet.priority === best.ruleSet.priority &&
        (score > best.specificity || (score === best.specificity && ruleSet.name < best.ruleSet.name)))
    ) {
      best = { ruleSet, specificity: score };
    }
  }
  return best?.ruleSet;
}

/** Literal characters of the best-matching pattern per dimension, summed; `undefined` when a dimension fails. */
function specificity({ scope }: Scope, request: ScopeRequest): number | undefined {
  let total = 0;
  for (const [dimension, patterns, text] of [
    ['bucket', scope.buckets, request.bucket],
    ['key', scope.keys, request.key],
    ['caller', scope.callers, request.callerId],
  ] as const) {
    let best = -1;
    for (const pattern of patterns) {
      const glob = compile(pattern, dimension);
      if (glob.literalChars > best && glob.matches(text)) best = glob.literalChars;
    }
    if (best < 0) return undefined;
    total += best;
  }
  return total;
}

function compile(pattern: string, dimension: Dimension): Glob {
  const cacheKey = `${dimension}\u0000${pattern}`;
  let glob = cache.get(cacheKey);
  if (glob === undefined) {
    glob = build(dimension === 'key' && pattern.endsWith('/') ? `${pattern}**` : pattern, dimension);
    cache.set(cacheKey, glob);
  }
  return glob;
}

function build(pattern: string, dimension: Dimension): Glob {
  const segmented = dimension === 'key';
  const accepts = segmented ? (c: string) => c !== '/' : () => true;
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (segmented && char === '*' && pattern[i + 1] === '*') {
      const atSegmentStart = i === 0 || pattern[i - 1] === '/';
      if (atSegmentStart && pattern[i + 2] === '/') {
        tokens.push({ kind: 'dirs' });
        i += 2;
      } else {
        tokens.push({ kind: 'star', accepts: () => true });
        i += 1;
      }
    } else if (char === '*') tokens.push({ kind: 'star', accepts });
    else if (char === '?') tokens.push({ kind: 'one', accepts });
    else tokens.push({ kind: 'literal', char });
  }
  return {
    literalChars: tokens.filter((token) => token.kind === 'literal').length,
    matches: (text) => run(tokens, text),
  };
}

function run(tokens: readonly Token[], text: string): boolean {
  let reachable = closure(tokens, [0]);
  for (const c of text) {
    const next: number[] = [];
    for (const position of reachable) {
      const token = tokens[position];
      switch (token?.kind) {
        case 'literal':
          if (token.char === c) next.push(position + 1);
          break;
        case 'one':
          if (token.accepts(c)) next.push(position + 1);
          break;
        case 'star':
          if (token.accepts(c)) next.push(position);
          break;
        case 'dirs':
          next.push(position);
          if (c === '/') next.push(position + 1);
          break;
      }
    }
    if (next.length === 0) return false;
    reachable = closure(tokens, next);
  }
  return reachable.has(tokens.length);
}

/** Adds the positions reachable without consuming a character: past a `*` or `**\/` that matches nothing. */
function closure(tokens: readonly Token[], from: readonly number[]): Set<number> {
  const reachable = new Set<number>();
  for (let position of from) {
    while (!reachable.has(position)) {
      reachable.add(position);
      const kind = tokens[position]?.kind;
      if (kind !== 'star' && kind !== 'dirs') break;
      position++;
    }
  }
  return reachable;
}
