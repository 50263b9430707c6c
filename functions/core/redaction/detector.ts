/** A span of text `[start, end)` in UTF-16 code units, `end > start`. */
export interface Match {
  readonly start: number;
  readonly end: number;
  /**
   * For a detector that finds several kinds of value (see `Detector.kinds`), which one found
   * this match, from 0; each kind keeps its own rule id and action.
   */
  readonly kind?: number;
  /**
   * True when a pack detector found the value without the keyword it otherwise needs (at
   * likelihood `possible` or `unlikely`): of two matches of the same span, the one with its keyword wins.
   */
  readonly isBare?: boolean;
}

/**
 * Finds one kind of sensitive value in text.
 *
 * Contract (the stream invariant depends on it): `findFrom(text, from)` returns the leftmost
 * match whose start is `>= from`, and whether a match at `start` exists (and where it ends) may
 * depend only on `text[start - lookbehind, start + maxLength + lookahead)`. Matches are never
 * shorter than `minLength` (at least 1) and never longer than `maxLength`.
 */
export interface Detector {
  /** Stable kebab-case rule id; appears in logs and metrics. */
  readonly id: string;
  /** Upper-case label used by the `redact` action, e.g. `EMAIL` → `[EMAIL]`. */
  readonly label: string;
  /** Shortest match: a scanner skips the detector on text too short to hold one. */
  readonly minLength: number;
  readonly maxLength: number;
  readonly lookbehind: number;
  readonly lookahead: number;
  /**
   * Kinds of value this detector tells apart (default 1), such as the detectors of a pack run
   * as one: every match's `kind` is below it. A scanner counts each kind as one rule.
   */
  readonly kinds?: number;
  /**
   * `limit`, when given: no match starting at or after it is wanted (a scanner stops there), so
   * the detector may stop searching there and return `undefined` or any match starting there or
   * later; a match starting before it is the one found without it.
   */
  findFrom(text: string, from: number, limit?: number): Match | undefined;
  /**
   * True when `findFrom`, given `limit`, searches past it only to its next anchor or within a
   * bounded window: a scanner then hands it the whole text rather than the text cut past its
   * reach (see `Scanner`'s `textsFor`), a sliced string whose characters V8 reads slower (the
   * field-assignment detector, which reads a key back from every `=`, took a quarter more time).
   * @default false
   */
  readonly isLimitBounded?: boolean;
  /**
   * For a detector that may find in `text` alone a match it does not find where more text
   * follows (the PEM template rule: a BEGIN line alone is a key cut short, but with a
   * placeholder body and its END line after it no key at all): true when `text` may hold one.
   * Absent: more text never takes a match away, which a scanner may rely on (see
   * `Scanner.findsAlone`).
   */
  mayFindMoreAlone?(text: string): boolean;
  /**
   * Detectors that need context before a match (see `withContext`): this detector for values
   * stored under a field called `name` (a JSON key on the value's path, a CSV header). A name
   * that holds one of its keywords is the context of every match in the value.
   */
  named?(name: string): Detector;
  /**
   * For a detector `named` returned that is several detectors in one (a pack group): the part
   * of it the names changed, with the same `kinds`. Where the detector it was named from finds
   * nothing, that part finds what the whole does (see `Scanner.scanNamedOnly`). Absent: the whole.
   */
  readonly namedPart?: Detector;
}
