import type { FieldPath } from './redactor.ts';

/**
 * Folds a key or header for comparison: `First Name`, `first_name` and `firstName` are equal,
 * and so are `Numéro de sécurité sociale` and `numero_de_securite_sociale` (see {@link withoutAccents}).
 */
export function normalizeFieldName(name: string): string {
  // Every field rule and context detector asks about the same name in turn (see `lastSplit`).
  if (name !== lastNormalized.name) {
    lastNormalized.name = name;
    lastNormalized.folded = withoutAccents(name)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '');
  }
  return lastNormalized.folded;
}

/**
 * The last name folded and split, and its result: every field rule, context detector and pack
 * member asks about the same new name in turn (a JSON map keyed by ids gives one per record).
 */
const lastNormalized = { name: '', folded: '' };
const lastSplit: { name: string; words: readonly string[] } = { name: '', words: [] };

/**
 * The name with the accents of its letters taken off (`é` → `e`, `ñ` → `n`, `ü` → `u`: NFD
 * without combining marks), so names in French, Spanish or German headers have the words of
 * their ASCII spelling instead of losing the accented letters.
 */
function withoutAccents(name: string): string {
  return /[^\p{ASCII}]/u.test(name) ? name.normalize('NFD').replace(/\p{M}/gu, '') : name;
}

// A run of capitals not followed by a lower-case letter (`AWS` in `AWSSecret`), a word with at
// most one leading capital, or a run of digits; anything else separates words.
const WORD = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g;

/**
 * Splits a key or header into lower-case words in any case convention, accents taken off: at
 * characters other than ASCII letters and digits (`_`, `-`, `.`, spaces), at camelCase humps, before the last
 * capital of a run that starts a word, and between letters and digits.
 *
 * @example
 * splitFieldName('AWSSecretAccessKey_2'); // ['aws', 'secret', 'access', 'key', '2']
 */
export function splitFieldName(name: string): readonly string[] {
  if (name !== lastSplit.name) {
    lastSplit.name = name;
    lastSplit.words = (withoutAccents(name).match(WORD) ?? []).map((word) => word.toLowerCase());
  }
  return lastSplit.words;
}

/** What a field rule names: the keys of a `FieldRule` that select fields. */
export interface FieldSelector {
  /** Whole names, folded by `normalizeFieldName`. */
  readonly names?: readonly string[];
  /** Paths from the root, dot separated; `*` one segment, `**` any number. */
  readonly paths?: readonly string[];
  /** Words or runs of words anywhere in a name; `*` at either end of a one-word entry lets the word go on. */
  readonly words?: readonly string[];
  /** Last words that keep `words` from matching when they follow the matched words. */
  readonly exceptLastWords?: readonly string[];
}

/**
 * Builds the predicate of a field rule: `names` match the last key at any depth (or a CSV
 * header) as a whole; `words` match it when its words (`splitFieldName`) hold the entry's words
 * in a row, compared without separators (`session token` matches `SessionToken`,
 * `aws_session_token` and `sessiontoken`), or for `*password*`, `*token` and `secret*` one word
 * containing, ending or starting with it; unless the name's last word, after the matched ones,
 * is one of `exceptLastWords` (`password_enabled`, `token_count`: they describe a secret, they
 * do not hold it). `paths` match the whole path from the root, `*` one segment and `**` any
 * number. Matching a name costs one pass over its words per entry length, and callers cache it
 * per path.
 */
export function createFieldMatcher(selector: FieldSelector): (path: FieldPath) => boolean {
  const nameSet = new Set((selector.names ?? []).map(normalizeFieldName));
  const hasWords = createWordMatcher(selector.words ?? [], selector.exceptLastWords ?? []);
  const patterns = (selector.paths ?? []).map((path) =>
    path
      .split('.')
      .map((segment) => (segment === '*' || segment === '**' ? segment : normalizeFieldName(segment))),
  );
  return (path) => {
    const last = path[path.length - 1];
    if (typeof last === 'string' && (nameSet.has(normalizeFieldName(last)) || hasWords?.(last))) return true;
    if (patterns.length === 0) return false;
    const segments = path.map((segment) =>
      typeof segment === 'number' ? String(segment) : normalizeFieldName(segment),
    );
    return patterns.some((pattern) => matchSegments(pattern, 0, segments, 0));
  };
}

/** True when a path pattern has a literal array index segment, such as `items.0.card`. */
export function namesArrayIndex(paths: readonly string[]): boolean {
  return paths.some((path) => path.split('.').some((segment) => /^[0-9]+$/.test(segment)));
}

function createWordMatcher(
  entries: readonly string[],
  exceptLastWords: readonly string[],
): ((name: string) => boolean) | undefined {
  const runs = new Set<string>();
  // Every start of an entry of `runs`: a run of a name's words that is none can grow into none.
  const runStarts = new Set<string>();
  const inWord: string[] = [];
  const atWordEnd: string[] = [];
  const atWordStart: string[] = [];
  for (const entry of entries) {
    const body = splitFieldName(entry).join('');
    if (body === '') continue;
    const isOpenStart = entry.startsWith('*');
    const isOpenEnd = entry.endsWith('*');
    if (isOpenStart && isOpenEnd) inWord.push(body);
    else if (isOpenStart) atWordEnd.push(body);
    else if (isOpenEnd) atWordStart.push(body);
    else {
      runs.add(body);
      for (let end = 1; end <= body.length; end++) runStarts.add(body.slice(0, end));
    }
  }
  if (runs.size + inWord.length + atWordEnd.length + atWordStart.length === 0) return undefined;
  const except = new Set(exceptLastWords.map((word) => word.toLowerCase()));

  function isGlobbed(word: string): boolean {
    return (
      inWord.some((part) => word.includes(part)) ||
      atWordEnd.some((part) => word.endsWith(part)) ||
      atWordStart.some((part) => word.startsWith(part))
    );
  }

  return (name) => {
    const words = splitFieldName(name);
    const last = words.length - 1;
    // Under a describing last word only a match that takes in that word counts.
    const isDescribed = last > 0 && except.has(words[last] as string);
    for (let i = 0; i < words.length; i++) {
      if (isGlobbed(words[i] as string) && (!isDescribed || i === last)) return true;
      let run = '';
      for (let j = i; j <= last; j++) {
        run += words[j];
        if (!runStarts.has(run)) break;
        if (runs.has(run) && (!isDescribed || j === last)) return true;
      }
    }
    return false;
  };
}

function matchSegments(pattern: readonly string[], p: number, path: readonly string[], s: number): boolean {
  if (p === pattern.length) return s === path.length;
  const head = pattern[p];
  if (head === '**') {
    for (let skip = s; skip <= path.length; skip++)
      if (matchSegments(pattern, p + 1, path, skip)) return true;
    return false;
  }
  if (s === path.length) return false;
  return (head === '*' || head === path[s]) && matchSegments(pattern, p + 1, path, s + 1);
}
