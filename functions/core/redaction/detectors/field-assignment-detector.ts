import { isBlank, isLineBreak } from '../ascii-classes.ts';
import type { Detector, Match } from '../detector.ts';
import type { CompiledFieldRule } from '../redactor.ts';

/** Longest key read back from a `:` or `=`, in code units (quotes not counted). */
const MAX_KEY_LENGTH = 128;
/** Spaces and tabs read on either side of a `:` or `=` (`name      = Jane` aligned). */
const MAX_GAP_LENGTH = 64;
/** Indentation, `- ` list entries or `export ` read before a key at the start of a line. */
const MAX_PREFIX_LENGTH = 256;
/**
 * Longest value a field rule takes in text, in code units. A longer one is taken up to this
 * bound (the rest of it is left to the other detectors), so the detector's reach, and with it
 * what the text redactor holds, stays bounded on a 100 MB single line.
 */
export const MAX_TEXT_FIELD_VALUE_LENGTH = 1024;

/** Longest YAML tag or anchor before a value (`!!str`, `&customer`), and spaces after one. */
const MAX_PROPERTY_LENGTH = 64;
const MAX_PROPERTY_GAP_LENGTH = 8;
/** YAML node properties read before a value: a tag and an anchor, in either order. */
const MAX_PROPERTIES = 2;
/** Code units searched for anchors first on each call (see `findFrom`). */
const MIN_SEARCH_WINDOW = 64;

/** Slots of the cache of keys and their kinds (a power of two). */
const KEY_CACHE_SLOTS = 1024;
/** Sets of the cache of keys by their last characters, two keys each (a power of two). */
const TAIL_SLOTS = 1024;
/** From a value's first character back to its `:` or `=`: an opening quote, properties, spaces. */
const ANCHOR_REACH =
  1 + MAX_GAP_LENGTH + MAX_PROPERTIES * (MAX_PROPERTY_LENGTH + MAX_PROPERTY_GAP_LENGTH) + 1;

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const DOUBLE_QUOTE = 0x22;
const HASH = 0x23;
const SINGLE_QUOTE = 0x27;
const DASH = 0x2d;
const EQUALS = 0x3d;
const BACKSLASH = 0x5c;

const LETTER = /\p{L}/u;

/**
 * Builds the detector of values assigned to keys that field rules name, in text (YAML, logfmt,
 * ini, .env, properties): one kind per field rule of `fieldRules`, in order, so each match is
 * counted under its rule's id and takes its action. Returns `undefined` when no field rule
 * other than `keep` could bind a value.
 *
 * Two shapes are read, anchored on the `:` or `=` and the key read back from it:
 * - `KEY: VALUE`, a YAML mapping entry: the key starts its line after any indentation and `- `
 *   list entries, and the `:` is followed by a space or tab. An unquoted value runs to the end
 *   of the line, trailing spaces and a ` #comment` excluded.
 * - `KEY=VALUE` or `KEY = VALUE` (logfmt, ini, .env, properties, URL queries): the key follows
 *   the start of a line (after indentation or `export `), a space or tab, or one of
 *   `, ; & ? ( { [ | " '`; `==`, `=>`, `!=`, `:=` and the like are no assignment. An unquoted
 *   value runs to the end of the line when the key starts the line and no other `name=` follows
 *   on it (`address = 12 Main Street, Springfield` in an ini file); else, as in logfmt and
 *   query strings, to the first space, tab or one of `, ; & " ) ] }` (`name=Jane level=info`,
 *   `?first_name=Jane&last_name=Doe`).
 *
 * A key is 1 to 128 letters, digits, `_`, `-` and `.`, optionally in matching quotes. A quoted
 * value (`"…"` with backslash escapes, `'…'`) is its content, the quotes kept; one that is not
 * closed on its line runs to the end of it. No match: an empty value, a nested mapping (nothing
 * after the `:`), a YAML block scalar (`|`, `>`), a flow collection (`{`, `[`), an alias (`*`);
 * a YAML tag or anchor before a value (`!!str Jane`, `&a Jane`) is passed over. The field rule is the first whose `matches([key])` is true, as for a
 * JSON key; a `keep` rule, or one with `inText: false`, binds nothing. Values are taken up to
 * {@link MAX_TEXT_FIELD_VALUE_LENGTH} code units.
 */
export function createFieldAssignmentDetector(
  fieldRules: readonly CompiledFieldRule[],
): Detector | undefined {
  if (!fieldRules.some(isBinding)) return undefined;
  // Per slot (a hash of a key), the last key read with that hash and its kind: keys repeat
  // (every log line's), and a slot of an array is cheaper to read than a Map entry.
  const cachedKeys: (string | undefined)[] = new Array(KEY_CACHE_SLOTS).fill(undefined);
  const cachedKinds = new Int32Array(KEY_CACHE_SLOTS);
  // The same keys again, by the last characters before their `=` or `:` (see `tailSetOf`): a
  // key found there is compared back from its end in one pass, and neither read to its start
  // first nor hashed. Two ways per set, the last read first, so `req_id` and `user_id` both keep
  // theirs. Measured on 16 MB of the bench log (logfmt, no key with a rule), the detector alone:
  // 60 → 46 ms; with the gap read only when there is one (below), 41 ms, and the whole redaction
  // of the 64 MB log about 0.065 s (6 %) faster.
  const tailKeys: (string | undefined)[] = new Array(2 * TAIL_SLOTS).fill(undefined);
  const tailKinds = new Int32Array(2 * TAIL_SLOTS);
  // Per way, the three code units before the end of the key where it was read, the last in the
  // high bits (16 each): the set is chosen by them, so they are compared as one number and only
  // the rest of a longer key a character at a time. A key shorter than three is compared with
  // what stood before it too, a stricter test. The detector alone on the 16 MB above: 33 → 30 ms.
  const tailEnds = new Float64Array(2 * TAIL_SLOTS);
  /** The key `keyBefore` read last: where it starts (its opening quote's, if quoted) and its kind. */
  let keyStart = 0;
  let isKeyDoubleQuoted = false;

  /** The kind (field rule index) a key binds, or -1 for none or a keep rule. */
  function kindOf(key: string): number {
    const path = [key];
    for (let i = 0; i < fieldRules.length; i++) {
      const rule = fieldRules[i] as CompiledFieldRule;
      if (rule.matches(path)) return isBinding(rule) ? i : -1;
    }
    return -1;
  }

  /**
   * The kind of the key that ends just before `end` (spaces and tabs before `end` passed over),
   * or -1 when there is none or it binds nothing; sets `keyStart` and `isKeyDoubleQuoted`. The
   * key is looked up by a hash of its characters and compared in place, so the keys of every
   * line are not copied out of the text (a fifth of the detector's time on the bench logs);
   * first by its last characters, compared in place from its end (see `tailKeys`). A key in
   * that cache is its key only when the character before it cannot continue it (`id` is not
   * the key of `user_id=`); else the key is read to its start, as when it is not there.
   */
  function keyBefore(text: string, end: number): number {
    let keyEnd = end;
    let quote = text.charCodeAt(end - 1);
    // Most keys end at their `=` or `:`: no gap to read (46 → 41 ms on the 16 MB above).
    if (isBlank(quote)) {
      const gapStart = Math.max(0, end - MAX_GAP_LENGTH);
      while (keyEnd > gapStart && isBlank(text.charCodeAt(keyEnd - 1))) keyEnd--;
      if (keyEnd > 0 && isBlank(text.charCodeAt(keyEnd - 1))) return -1;
      quote = text.charCodeAt(keyEnd - 1);
    }
    const isQuoted = quote === DOUBLE_QUOTE || quote === SINGLE_QUOTE;
    if (isQuoted) keyEnd--;
    // Unquoted, the key ends with the character just read: not read again (a read of the
    // scanned text, a flattened concatenation, costs; 39.2 -> 37.0 ms on the 16 MB above).
    const last = isQuoted ? text.charCodeAt(keyEnd - 1) | 0 : quote | 0;
    const second = text.charCodeAt(keyEnd - 2) | 0;
    const third = text.charCodeAt(keyEnd - 3) | 0;
    const tail = last * 0x100000000 + second * 0x10000 + third;
    const tailSet = tailSetOf(last, second, third);
    for (let way = tailSet; way < tailSet + 2; way++) {
      const known = tailKeys[way];
      if (known === undefined) break;
      const start = keyEnd - known.length;
      if (tailEnds[way] !== tail || start < 0 || !isAt(text, known, start, known.length - 3)) continue;
      if (start > 0 && isKeyChar(text.charCodeAt(start - 1))) continue;
      if (isQuoted && (start === 0 || text.charCodeAt(start - 1) !== quote)) return -1;
      keyStart = isQuoted ? start - 1 : start;
      isKeyDoubleQuoted = isQuoted && quote === DOUBLE_QUOTE;
      return tailKinds[way] as number;
    }
    let start = keyEnd;
    const least = Math.max(0, keyEnd - MAX_KEY_LENGTH);
    let hash = 0;
    for (; start > least; start--) {
      const code = text.charCodeAt(start - 1);
      if (!isKeyChar(code)) break;
      hash = (Math.imul(hash, 31) + code) | 0;
    }
    if (start === keyEnd || (start > 0 && isKeyChar(text.charCodeAt(start - 1)))) return -1;
    if (isQuoted && (start === 0 || text.charCodeAt(start - 1) !== quote)) return -1;
    keyStart = isQuoted ? start - 1 : start;
    isKeyDoubleQuoted = isQuoted && quote === DOUBLE_QUOTE;
    const slot = (hash ^ (hash >>> 13)) & (KEY_CACHE_SLOTS - 1);
    const known = cachedKeys[slot];
    let key: string;
    let kind: number;
    if (known !== undefined && known.length === keyEnd - start && text.startsWith(known, start)) {
      key = known;
      kind = cachedKinds[slot] as number;
    } else {
      key = text.slice(start, keyEnd);
      kind = kindOf(key);
      cachedKeys[slot] = key;
      cachedKinds[slot] = kind;
    }
    // The set's last key moves to its second way, the key read takes the first.
    tailKeys[tailSet + 1] = tailKeys[tailSet];
    tailKinds[tailSet + 1] = tailKinds[tailSet] as number;
    tailEnds[tailSet + 1] = tailEnds[tailSet] as number;
    tailKeys[tailSet] = key;
    tailKinds[tailSet] = kind;
    tailEnds[tailSet] = tail;
    return kind;
  }

  /** True when `text[from, keyStart)` is a line's start and only `prefix` characters follow it. */
  function startsLine(
    text: string,
    keyStart: number,
    isPrefix: (code: number) => boolean,
  ): number | undefined {
    let start = keyStart;
    const least = Math.max(0, keyStart - MAX_PREFIX_LENGTH);
    while (start > least && isPrefix(text.charCodeAt(start - 1))) start--;
    return start === 0 || isLineBreak(text.charCodeAt(start - 1)) ? start : undefined;
  }

  /** The value after the spaces following the `:` or `=` at `anchor`: where it starts, or `undefined`. */
  function valueStart(text: string, anchor: number): number | undefined {
    let start = anchor + 1;
    const most = Math.min(text.length, start + MAX_GAP_LENGTH);
    while (start < most && isBlank(text.charCodeAt(start))) start++;
    if (start >= text.length || isBlank(text.charCodeAt(start)) || isLineBreak(text.charCodeAt(start)))
      return undefined;
    return start;
  }

  /** The match of the value `text[start, end)`, unless it is empty or only stands for a value. */
  function valueMatch(text: string, start: number, end: number, kind: number): Match | undefined {
    if (end <= start) return undefined;
    const first = text.charCodeAt(start);
    // Only a value starting like a stand-in is copied out to be tested.
    if (
      (first === 0x24 /* $ */ || first === 0x7b /* { */ || !isAlphanumeric(first)) &&
      STAND_IN.test(text.slice(start, end))
    )
      return undefined;
    return { start, end, kind };
  }

  /** Where the value after the YAML tag or anchor at `start` (`!!str Jane`, `&a Jane`) starts. */
  function afterProperty(text: string, start: number): number | undefined {
    let end = start + 1;
    const most = Math.min(text.length, start + MAX_PROPERTY_LENGTH);
    while (end < most && !isBlank(text.charCodeAt(end)) && !isLineBreak(text.charCodeAt(end))) end++;
    if (end >= text.length || !isBlank(text.charCodeAt(end))) return undefined;
    const gapEnd = Math.min(text.length, end + MAX_PROPERTY_GAP_LENGTH);
    while (end < gapEnd && isBlank(text.charCodeAt(end))) end++;
    const code = text.charCodeAt(end);
    return end >= text.length || isBlank(code) || isLineBreak(code) || code === HASH ? undefined : end;
  }

  /**
   * A quoted value's content (`text[start]` is the quote): up to its closing quote, or the end
   * of its line when it has none there.
   */
  function quoted(text: string, start: number, kind: number): Match | undefined {
    const quote = text.charCodeAt(start);
    const from = start + 1;
    const most = Math.min(text.length, from + MAX_TEXT_FIELD_VALUE_LENGTH);
    let end = from;
    while (end < most) {
      const code = text.charCodeAt(end);
      if (code === quote || isLineBreak(code)) break;
      end += code === BACKSLASH && quote === DOUBLE_QUOTE && end + 1 < most ? 2 : 1;
    }
    end = Math.min(end, most);
    if (end < most && isLineBreak(text.charCodeAt(end))) end = trimEnd(text, from, end);
    return valueMatch(text, from, end, kind);
  }

  /**
   * An unquoted value running to the end of its line, a ` #comment` and trailing spaces
   * excluded; under a key in double quotes (JSON written as text), to a `,`, `}` or `]` too.
   */
  function toLineEnd(text: string, start: number, kind: number, isJsonLike = false): Match | undefined {
    const most = Math.min(text.length, start + MAX_TEXT_FIELD_VALUE_LENGTH);
    let end = start;
    while (end < most) {
      const code = text.charCodeAt(end);
      if (isLineBreak(code) || (code === HASH && isBlank(text.charCodeAt(end - 1)))) break;
      if (isJsonLike && (code === 0x2c || code === 0x7d || code === 0x5d)) break;
      end++;
    }
    end = trimEnd(text, start, end);
    return valueMatch(text, start, end, kind);
  }

  /** An unquoted logfmt or query value: up to a space or a separator. */
  function toSeparator(text: string, start: number, kind: number): Match | undefined {
    const most = Math.min(text.length, start + MAX_TEXT_FIELD_VALUE_LENGTH);
    let end = start;
    // A reference's closing brace is part of it (`--api-key=${API_KEY}`), not a separator.
    const isReference = text.startsWith('${', start);
    while (
      end < most &&
      (!isValueSeparator(text.charCodeAt(end)) || (isReference && isBraceInReference(text, start, end)))
    )
      end++;
    return valueMatch(text, start, end, kind);
  }

  /** True when another `name=` follows on the line after `start` (within the value bound). */
  function hasLaterAssignment(text: string, start: number): boolean {
    const most = Math.min(text.length, start + MAX_TEXT_FIELD_VALUE_LENGTH);
    for (let i = start; i < most; i++) {
      const code = text.charCodeAt(i);
      if (isLineBreak(code)) return false;
      if (code !== EQUALS || i === start || !isKeyChar(text.charCodeAt(i - 1))) continue;
      let keyStart = i - 1;
      while (keyStart > start && isKeyChar(text.charCodeAt(keyStart - 1))) keyStart--;
      if (keyStart > start && isBlank(text.charCodeAt(keyStart - 1))) return true;
    }
    return false;
  }

  /** Where the value after the `:` at `anchor` starts, after any YAML tag and anchor. */
  function colonValueStart(text: string, anchor: number): number | undefined {
    let start = valueStart(text, anchor);
    for (let i = 0; i < MAX_PROPERTIES && start !== undefined && isYamlProperty(text.charCodeAt(start)); i++)
      start = afterProperty(text, start);
    return start;
  }

  function colonMatch(text: string, anchor: number): Match | undefined {
    const after = text.charCodeAt(anchor + 1);
    if (after !== SPACE && after !== TAB) return undefined;
    const kind = keyBefore(text, anchor);
    if (kind < 0) return undefined;
    const key = keyStart;
    const isJsonLike = isKeyDoubleQuoted;
    const lineStart = startsLine(text, key, isListPrefix);
    if (lineStart === undefined || !isListIndent(text, lineStart, key)) return undefined;
    const start = colonValueStart(text, anchor);
    if (start === undefined) return undefined;
    const first = text.charCodeAt(start);
    if (first === HASH || isYamlIndicator(first)) return undefined;
    return first === DOUBLE_QUOTE || first === SINGLE_QUOTE
      ? quoted(text, start, kind)
      : toLineEnd(text, start, kind, isJsonLike);
  }

  function equalsMatch(text: string, anchor: number): Match | undefined {
    const after = text.charCodeAt(anchor + 1);
    if (after === EQUALS || after === 0x3e /* > */) return undefined;
    const kind = keyBefore(text, anchor);
    if (kind < 0) return undefined;
    const key = keyStart;
    if (!isKeyBoundary(key === 0 ? LF : text.charCodeAt(key - 1))) return undefined;
    if (isMarkupName(text, key, anchor)) return undefined;
    const start = valueStart(text, anchor);
    if (start === undefined) return undefined;
    const first = text.charCodeAt(start);
    if (first === 0x7b /* { */ || first === 0x5b /* [ */) return undefined;
    if (first === DOUBLE_QUOTE || first === SINGLE_QUOTE) return quoted(text, start, kind);
    const lineStart = startsLine(text, key, isBlankOrExport);
    return lineStart !== undefined && isExportIndent(text, lineStart, key) && !hasLaterAssignment(text, start)
      ? toLineEnd(text, start, kind)
      : toSeparator(text, start, kind);
  }

  return {
    id: 'field-assignment',
    label: 'FIELD',
    minLength: 1,
    maxLength: MAX_TEXT_FIELD_VALUE_LENGTH,
    // Back from a value: its quote, spaces, the anchor, spaces, the key in quotes, the line's
    // indentation or list entries, and the character before each run read.
    lookbehind: ANCHOR_REACH + (MAX_GAP_LENGTH + 1) + (MAX_KEY_LENGTH + 3) + (MAX_PREFIX_LENGTH + 1),
    // The closing quote after a quoted value's content.
    lookahead: 1,
    kinds: fieldRules.length,
    // Past `limit`, only to the next `:` or `=`, or within the last horizon (see below).
    isLimitBounded: true,
    findFrom(text: string, from: number, limit = text.length): Match | undefined {
      // Anchors are looked for by indexOf within a horizon that doubles as the search goes on,
      // never to the end of the text at once: a scanner asks again from the end of each match,
      // and a text lacking one anchor (a long line of `name=Jane`, no `:`) would otherwise be
      // searched to its end on every call. A search costs about twice the text it passes.
      let position = Math.max(0, from - ANCHOR_REACH);
      let horizon = position;
      let window = MIN_SEARCH_WINDOW;
      // The first `:` and `=` at or after `position` below `horizon`, or -1 when none is.
      let colon = -1;
      let equals = -1;
      for (;;) {
        if (colon < 0 && equals < 0) {
          if (horizon >= text.length || horizon >= limit) return undefined;
          position = horizon;
          horizon = Math.min(text.length, horizon + window);
          window *= 2;
          colon = indexBelow(text, ':', position, horizon);
          equals = indexBelow(text, '=', position, horizon);
          continue;
        }
        const isColon = colon >= 0 && (equals < 0 || colon < equals);
        const anchor = isColon ? colon : equals;
        // A value starts after its anchor.
        if (anchor >= limit) return undefined;
        position = anchor + 1;
        // Past an anchor the same character usually follows soon (the next line's, the next
        // pair's): searched without a bound, no slice is made per anchor.
        if (isColon) colon = nextBelow(text, ':', position, horizon);
        else equals = nextBelow(text, '=', position, horizon);
        // A match starts at its value or just after the value's quote: an anchor whose value
        // starts before `from` is passed over unread (after each match a scanner asks again from
        // its end, and the anchors of the matches before it lie within reach).
        if (anchor + 1 < from) {
          const start = isColon ? colonValueStart(text, anchor) : valueStart(text, anchor);
          if (start === undefined || start + 1 < from) continue;
        }
        const match = isColon ? colonMatch(text, anchor) : equalsMatch(text, anchor);
        if (match !== undefined && match.start >= from) return match;
      }
    },
  };
}

/** The first `char` in `text[from, to)`, or -1. */
function indexBelow(text: string, char: string, from: number, to: number): number {
  if (from >= to) return -1;
  // A search in the whole text stops at the next `char`, however far; a slice (no copy) bounds it.
  return (to === text.length ? text : text.slice(0, to)).indexOf(char, from);
}

/** The first `char` in `text[from, to)`, or -1, searched in the whole text from `from`. */
function nextBelow(text: string, char: string, from: number, to: number): number {
  const found = text.indexOf(char, from);
  return found < to ? found : -1;
}

/** True when a field rule takes values in text: not `keep`, not `inText: false`. */
function isBinding(rule: CompiledFieldRule): boolean {
  return !rule.isKeep && rule.isInText !== false;
}

/**
 * A value that only stands for one: a template or variable reference (`{{ .Values.password }}`,
 * `${DB_PASSWORD}`, `$DB_PASSWORD`) or a mask (`********`), as the secrets pack reads them.
 * A variable is upper case: `$ecret1` may be a password.
 */
const STAND_IN = /^(?:\{\{[^{}]*\}\}|\$\{[^{}]*\}|\$[A-Z_][A-Z0-9_]*|([^A-Za-z0-9\s])\1*)$/;

/** True when the `}` at `at` closes the `${` reference at `start` (no `}` before it). */
function isBraceInReference(text: string, start: number, at: number): boolean {
  return text.charCodeAt(at) === 0x7d && text.indexOf('}', start) === at;
}

function isAlphanumeric(code: number): boolean {
  return code < 0x80 ? ASCII_KEY_CHARS[code] === 1 && code !== 0x5f && code !== DASH && code !== 0x2e : true;
}

/**
 * True when the key `text[key, anchor)` is `name` inside a markup tag (`<input name="username">`,
 * `<meta name="viewport">`): HTML's name of a control, a meta field or a parameter, not a
 * person's. The tag is an unclosed `<` and a letter earlier on the line, within the
 * indentation bound before the key.
 */
function isMarkupName(text: string, key: number, anchor: number): boolean {
  if (anchor - key > 4 + 2 + MAX_GAP_LENGTH || !/^["']?name["']?[ \t]*$/i.test(text.slice(key, anchor)))
    return false;
  const least = Math.max(0, key - MAX_PREFIX_LENGTH);
  for (let i = key - 1; i >= least; i--) {
    const code = text.charCodeAt(i);
    if (code === 0x3e /* > */ || isLineBreak(code)) return false;
    if (code === 0x3c /* < */) return /[A-Za-z]/.test(text.charAt(i + 1));
  }
  return false;
}

/** ASCII characters of keys: letters, digits, `_`, `-` and `.`. */
const ASCII_KEY_CHARS = Uint8Array.from({ length: 128 }, (_, code) =>
  /[A-Za-z0-9_.-]/.test(String.fromCharCode(code)) ? 1 : 0,
);

function isKeyChar(code: number): boolean {
  if (code < 0x80) return ASCII_KEY_CHARS[code] === 1;
  return code >= 0xc0 && LETTER.test(String.fromCharCode(code));
}

/** What may stand before an unquoted `KEY=`: a line start, a space or a list or query separator. */
function isKeyBoundary(code: number): boolean {
  switch (code) {
    case SPACE:
    case TAB:
    case LF:
    case CR:
    case 0x2c: // ,
    case 0x3b: // ;
    case 0x26: // &
    case 0x3f: // ?
    case 0x28: // (
    case 0x7b: // {
    case 0x5b: // [
    case 0x7c: // |
    case DOUBLE_QUOTE:
    case SINGLE_QUOTE:
      return true;
    default:
      return false;
  }
}

/** What ends an unquoted logfmt or query value. */
function isValueSeparator(code: number): boolean {
  switch (code) {
    case SPACE:
    case TAB:
    case LF:
    case CR:
    case 0x2c: // ,
    case 0x3b: // ;
    case 0x26: // &
    case DOUBLE_QUOTE:
    case 0x29: // )
    case 0x5d: // ]
    case 0x7d: // }
      return true;
    default:
      return false;
  }
}

/**
 * YAML indicators a scalar value cannot start with here: block, flow, alias, and a tag or an
 * anchor that more than {@link MAX_PROPERTIES} properties leave in front of it.
 */
function isYamlIndicator(code: number): boolean {
  return (
    code === 0x7c || // |
    code === 0x3e || // >
    code === 0x7b || // {
    code === 0x5b || // [
    code === 0x2a || // *
    isYamlProperty(code)
  );
}

/** A YAML tag (`!`) or anchor (`&`) before a value. */
function isYamlProperty(code: number): boolean {
  return code === 0x26 || code === 0x21;
}

function isListPrefix(code: number): boolean {
  return code === SPACE || code === TAB || code === DASH;
}

function isBlankOrExport(code: number): boolean {
  return isBlank(code) || (code >= 0x61 && code <= 0x7a);
}

/** True when `text[from, to)` is indentation and `- ` list entries (`  - - `). */
function isListIndent(text: string, from: number, to: number): boolean {
  let isAfterDash = false;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === DASH) {
      if (isAfterDash) return false;
      isAfterDash = true;
    } else {
      isAfterDash = false;
    }
  }
  return !isAfterDash;
}

/** True when `text[from, to)` is indentation, optionally with `export` and a space after it. */
function isExportIndent(text: string, from: number, to: number): boolean {
  const prefix = text.slice(from, to).trimStart();
  return prefix === '' || /^export[ \t]+$/.test(prefix);
}

function trimEnd(text: string, start: number, end: number): number {
  let trimmed = end;
  while (trimmed > start && isBlank(text.charCodeAt(trimmed - 1))) trimmed--;
  return trimmed;
}

/** True when the first `count` characters of `key` are at `at` in `text` (none when `count` ≤ 0). */
function isAt(text: string, key: string, at: number, count: number): boolean {
  for (let i = count - 1; i >= 0; i--) if (text.charCodeAt(at + i) !== key.charCodeAt(i)) return false;
  return true;
}

/**
 * The first slot of the set of `tailKeys` for a key whose last three code units are `last`,
 * `second` and `third` (0 for those before the text's start): a hash of them.
 */
function tailSetOf(last: number, second: number, third: number): number {
  const hash = last * 961 + second * 31 + third;
  return ((hash ^ (hash >>> 10)) & (TAIL_SLOTS - 1)) * 2;
}
