import type { Caller, CallerDoubt } from '../caller.ts';
import type { RuleSet } from './rule-schema.ts';

/** What a request is matched on when choosing a rule set. */
export interface ScopeRequest {
  readonly bucket: string;
  readonly key: string;
  /** Matched by its `names` (else its `id`), with its `doubt` taken into account. */
  readonly caller: Pick<Caller, 'id' | 'names' | 'doubt'>;
}

type Dimension = 'bucket' | 'key' | 'caller';
type Scope = Pick<RuleSet, 'scope'>;
type Ranked = Scope & Pick<RuleSet, 'name' | 'priority'>;

/**
 * A compiled glob. Matching tracks the set of pattern positions reachable so far, so it takes
 * time proportional to pattern × text length whatever the pattern: a caller-chosen key cannot
 * make it backtrack.
 */
interface Glob {
  /** Characters of the pattern that are not wildcards; more means more specific. */
  readonly literalChars: number;
  matches(text: string): boolean;
  /**
   * Whether the glob matches `prefix + path + name` for some `path` that is empty or ends in
   * `/` (an IAM role under some path). Caller patterns only, where every token accepts any
   * character.
   */
  matchesUnderSomePath(prefix: string, name: string): boolean;
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

/**
 * How well a rule set's scope fits a request: the literal characters of the best matching
 * patterns, summed. `certain` counts what the caller surely matches (absent: nothing);
 * `possible` also counts patterns that might name a doubted caller.
 */
interface Fit {
  readonly certain?: number | undefined;
  readonly possible: number;
}

const cache = new Map<string, Glob>();

/**
 * Whether the rule set's scope matches the request: some bucket glob, some key glob and some
 * caller glob must each match (a caller glob: one of the caller's names).
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
  return fitOf(ruleSet, request)?.certain !== undefined;
}

/**
 * Whether the rule set's bucket and key globs match the object, whoever the caller: the rule set
 * can apply to it for some caller (one its caller globs name).
 */
export function scopeCoversObject(ruleSet: Scope, object: { bucket: string; key: string }): boolean {
  const { scope } = ruleSet;
  return (
    scope.callers.length > 0 &&
    bestLiteralChars(scope.buckets, 'bucket', object.bucket) >= 0 &&
    bestLiteralChars(scope.keys, 'key', object.key) >= 0
  );
}

/** Whether one of the rule set's caller globs matches every caller name (`*`). */
export function coversEveryCaller(ruleSet: Scope): boolean {
  return ruleSet.scope.callers.some((pattern) => /^\*+$/.test(pattern));
}

/**
 * Chooses the rule set for a request: among those whose scope covers it, the highest `priority`
 * wins; on a tie, the more specific scope (most literal characters in the bucket, key and caller
 * patterns that matched, the best pattern of each counted); then the name that sorts first.
 *
 * A caller with a `doubt` gets a rule set only when the choice holds however the doubt resolves:
 * every pattern that might name the caller counts as matching for the rule sets competing with
 * the chosen one, and as not matching for the chosen one. A rule set that would win if the
 * caller were who it might be therefore denies the request instead of letting a broader rule
 * set serve it.
 *
 * @returns `undefined` when no rule set covers the request, or when doubt about the caller
 *   leaves the choice open (the request is denied).
 * @example
 * chooseRuleSet(catalog.values(), { bucket: 'exports', key: 'daily/a.csv', caller: { id: 'partner-a' } });
 */
export function chooseRuleSet<T extends Ranked>(ruleSets: Iterable<T>, request: ScopeRequest): T | undefined {
  const candidates: { ruleSet: T; fit: Fit }[] = [];
  for (const ruleSet of ruleSets) {
    const scopeFit = fitOf(ruleSet, request);
    if (scopeFit !== undefined) candidates.push({ ruleSet, fit: scopeFit });
  }
  let best: (typeof candidates)[number] | undefined;
  for (const candidate of candidates) {
    if (
      best === undefined ||
      outranks(candidate.ruleSet, candidate.fit.possible, best.ruleSet, best.fit.possible)
    ) {
      best = candidate;
    }
  }
  const certain = best?.fit.certain;
  if (best === undefined || certain === undefined) return undefined;
  if (request.caller.doubt !== undefined) {
    for (const other of candidates) {
      if (other !== best && !outranks(best.ruleSet, certain, other.ruleSet, other.fit.possible))
        return undefined;
    }
  }
  return best.ruleSet;
}

function outranks(a: Ranked, aSpecificity: number, b: Ranked, bSpecificity: number): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (aSpecificity !== bSpecificity) return aSpecificity > bSpecificity;
  return a.name < b.name;
}

/** `undefined` when the bucket, the key or the caller cannot match. */
function fitOf({ scope }: Scope, request: ScopeRequest): Fit | undefined {
  const bucket = bestLiteralChars(scope.buckets, 'bucket', request.bucket);
  const key = bestLiteralChars(scope.keys, 'key', request.key);
  if (bucket < 0 || key < 0) return undefined;
  const names = request.caller.names ?? [request.caller.id];
  let certain = -1;
  let possible = -1;
  for (const pattern of scope.callers) {
    const glob = compile(pattern, 'caller');
    if (names.some((name) => glob.matches(name))) certain = Math.max(certain, glob.literalChars);
    else if (mightName(glob, request.caller.doubt)) possible = Math.max(possible, glob.literalChars);
  }
  possible = Math.max(possible, certain);
  if (possible < 0) return undefined;
  return { certain: certain < 0 ? undefined : bucket + key + certain, possible: bucket + key + possible };
}

/** Literal characters of the best-matching pattern; -1 when none matches. */
function bestLiteralChars(patterns: readonly string[], dimension: Dimension, text: string): number {
  let best = -1;
  for (const pattern of patterns) {
    const glob = compile(pattern, dimension);
    if (glob.literalChars > best && glob.matches(text)) best = glob.literalChars;
  }
  return best;
}

function mightName(glob: Glob, doubt: CallerDoubt | undefined): boolean {
  switch (doubt?.kind) {
    case undefined:
      return false;
    case 'unknown-shape':
      return true;
    case 'role-path':
      return glob.matchesUnderSomePath(doubt.roleArnPrefix, doubt.roleName);
  }
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
    matchesUnderSomePath: (prefix, name) => runUnderSomePath(tokens, prefix, name),
  };
}

function run(tokens: readonly Token[], text: string): boolean {
  return feed(tokens, closure(tokens, [0]), text).has(tokens.length);
}

function runUnderSomePath(tokens: readonly Token[], prefix: string, name: string): boolean {
  const afterPrefix = feed(tokens, closure(tokens, [0]), prefix);
  if (afterPrefix.size === 0) return false;
  // Every caller token accepts some character, so a run of any characters can end at any later position.
  const first = Math.min(...afterPrefix);
  const anyRun = closure(
    tokens,
    Array.from({ length: tokens.length - first + 1 }, (_, i) => first + i),
  );
  const afterPath = step(tokens, anyRun, '/');
  return feed(tokens, new Set([...afterPrefix, ...afterPath]), name).has(tokens.length);
}

/** The positions reachable from `reachable` after consuming `text`. */
function feed(tokens: readonly Token[], reachable: Set<number>, text: string): Set<number> {
  let current = reachable;
  for (const c of text) {
    if (current.size === 0) break;
    current = step(tokens, current, c);
  }
  return current;
}

function step(tokens: readonly Token[], reachable: Iterable<number>, c: string): Set<number> {
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
  return closure(tokens, next);
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
