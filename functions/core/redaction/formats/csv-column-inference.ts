import type { CompiledRuleSet } from '../redactor.ts';
import type { ScanMatch } from '../scanner.ts';
import { CellKind, type CsvTokenizer } from './csv-tokenizer.ts';

/**
 * The records a CSV without a header row shows before its columns are inferred: from its first
 * record, this many at most, or fewer when their text (terminators included) reaches
 * {@link INFERENCE_WINDOW_CHARS} code units first (the record reaching it counts), or the whole
 * object when it ends sooner. What they are depends on the text alone, not on its chunking, so
 * every segment of an object (see `redact-segment.ts`), whose head is the window, reads the same
 * records.
 */
export const INFERENCE_WINDOW_RECORDS = 64;
export const INFERENCE_WINDOW_CHARS = 16 * 1024;

/**
 * The loose shape of a local phone number, which the phone detector does not take without an
 * area or country code (`555-0199`, `555.0199`, `(415) 555-0132`, `+44 (0)20 7946 0958`): an
 * optional `+`, then groups of digits, each but the last followed by one space, dot or dash, or
 * written in parentheses and followed by one space or nothing, the last of 2 to 8 digits; at
 * least two groups (a bare run of digits is an id or an order number), 7 to 15 digits in all.
 */
const LOOSE_PHONE = /^\+?(?:\(\d{1,5}\) ?|\d{1,8}[ .-])+\d{2,8}$/;
/** Dates (`2024-03-28`, `28.03.2024`) have a phone's shape but not its use. */
const DATE = /^(?:\d{4}([-./ ])\d{1,2}\1\d{1,2}|\d{1,2}([-./ ])\d{1,2}\2\d{4})$/;
/** A decimal number (`1234567.89`, `12 345 678.90`): one dot, before at most three digits. */
const DECIMAL = /^[^.]*\.\d{1,3}$/;
/** A dotted quad: an IPv4 address (the ipv4 detector's) or a version. */
const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * A number grouped by thousands (`12 345 678`, `1.234.567`): an amount, though it has a local
 * phone number's loose shape.
 */
const THOUSANDS = /^\d{1,3}([ .'])\d{3}(?:\1\d{3})+$/;

/** True when `value` has the loose shape of a local phone number (see {@link LOOSE_PHONE}). */
export function isLoosePhone(value: string): boolean {
  if (!LOOSE_PHONE.test(value) || DATE.test(value) || DECIMAL.test(value) || DOTTED_QUAD.test(value))
    return false;
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 48 && code <= 57) digits++;
  }
  return digits >= 7 && digits <= 15;
}

/**
 * True when `value` is a local phone number without a whole one beside it to say so: it has the
 * loose shape (see {@link isLoosePhone}) and is not grouped by thousands as amounts are.
 */
export function isLocalPhone(value: string): boolean {
  return isLoosePhone(value) && !THOUSANDS.test(value);
}

/**
 * How the values of a detector look when it cannot take them: `loose` where a whole match in
 * the column says what the column holds, `alone` where none does.
 */
export interface LooseShape {
  readonly loose: (value: string) => boolean;
  readonly alone: (value: string) => boolean;
}

/**
 * The loose shape of each detector whose values a column can be inferred to hold, by rule id.
 * Only phone numbers: a local number is what the detector must miss (no area code to validate)
 * while a column of them is plain to see. Other entities do not generalize cleanly: a card, an
 * IBAN or an SSN that fails its check is no card, IBAN or SSN (test data, an order number), and
 * redacting it by shape would take every id column that one real value sits in; an email has no
 * looser shape. (csv-column-shapes.ts names whole columns by the shapes of their values.)
 */
const LOOSE_SHAPES: Readonly<Record<string, LooseShape>> = {
  phone: { loose: isLoosePhone, alone: isLocalPhone },
};

/** The detectors of a rule set that columns can be inferred for: their index and loose shape. */
export type InferableDetectors = ReadonlyMap<number, LooseShape>;

/** The detectors of `ruleSet` that have a loose shape (see {@link LOOSE_SHAPES}), by index. */
export function inferableDetectors(ruleSet: CompiledRuleSet): InferableDetectors {
  const found = new Map<number, LooseShape>();
  ruleSet.detectorIds.forEach((id, index) => {
    const shape = LOOSE_SHAPES[id];
    if (shape !== undefined) found.set(index, shape);
  });
  return found;
}

/**
 * The number of records held by `tokens` (from the object's first) that form the inference
 * window (see {@link INFERENCE_WINDOW_RECORDS}), or `undefined` while it is not complete: the
 * records held so far are fewer and their text shorter, and `isEnded` says more may come.
 */
export function inferenceWindow(tokens: CsvTokenizer, isEnded: boolean): number | undefined {
  const { recordCount, recordEnds } = tokens;
  for (let record = 0; record < recordCount; record++) {
    if (record + 1 >= INFERENCE_WINDOW_RECORDS || (recordEnds[record] as number) >= INFERENCE_WINDOW_CHARS)
      return record + 1;
  }
  return isEnded ? recordCount : undefined;
}

/** Columns inferred to hold the values of a detector: the detector's index per column, if any. */
export type InferredColumns = readonly (number | undefined)[];

/**
 * The detector each column of a headerless CSV holds the values of, as the first `records`
 * records held by `tokens` show, with `matches` the batch scan of their text (see
 * `csvScanText`): a column holds them when at least one of its cells is a whole match of the
 * detector (the cell from its first character to its last, as written), and more than half of
 * its filled cells are such a match or have the detector's loose shape; or, with no whole match,
 * when more than two thirds of them have its `alone` shape. One lucky match among ids does not
 * make a column of them phones; a column of local numbers, with one full number among them or
 * not, is a phone column. `undefined` when no column holds any.
 *
 * @example
 * // records `555-0199` and `(415) 555-0132`: the second is a whole phone match
 * inferColumns(tokens, 2, matches, detectors); // [phoneIndex]
 */
export function inferColumns(
  tokens: CsvTokenizer,
  records: number,
  matches: readonly ScanMatch[],
  detectors: InferableDetectors,
): InferredColumns | undefined {
  const filled: number[] = [];
  // Per detector, per column: whole matches, and cells that are whole matches or loosely shaped.
  const whole = new Map<number, number[]>();
  const shaped = new Map<number, number[]>();
  const alone = new Map<number, number[]>();
  for (const detector of detectors.keys()) {
    whole.set(detector, []);
    shaped.set(detector, []);
    alone.set(detector, []);
  }
  forEachWindowCell(tokens, records, matches, (column, value, isEscaped, wholeDetector) => {
    filled[column] = (filled[column] ?? 0) + 1;
    for (const [detector, shape] of detectors) {
      const isWholeMatch = wholeDetector === detector;
      if (isWholeMatch) add(whole, detector, column);
      if (isWholeMatch || (!isEscaped && shape.loose(value))) add(shaped, detector, column);
      if (isWholeMatch || (!isEscaped && shape.alone(value))) add(alone, detector, column);
    }
  });
  let inferred: (number | undefined)[] | undefined;
  filled.forEach((count, column) => {
    for (const detector of detectors.keys()) {
      const wholeCount = whole.get(detector)?.[column] ?? 0;
      const shapedCount = shaped.get(detector)?.[column] ?? 0;
      const aloneCount = alone.get(detector)?.[column] ?? 0;
      if ((wholeCount > 0 && shapedCount * 2 > count) || aloneCount * 3 > count * 2) {
        inferred ??= [];
        inferred[column] = detector;
        return;
      }
    }
  });
  return inferred;
}

/**
 * Calls `visit` for each filled cell of the first `records` records held by `tokens`, in order:
 * with its column, its value decoded, whether it had doubled quotes, the detector of the match
 * of `matches` (the batch scan of their text, see `csvScanText`) that spans it whole (the cell
 * from its first character to its last, as written), if one does, and its record.
 */
export function forEachWindowCell(
  tokens: CsvTokenizer,
  records: number,
  matches: readonly ScanMatch[],
  visit: (
    column: number,
    value: string,
    isEscaped: boolean,
    wholeDetector: number | undefined,
    record: number,
  ) => void,
): void {
  const { text, recordCellEnds, cellStarts, cellEnds, cellKinds } = tokens;
  let match = 0;
  let cell = 0;
  for (let record = 0; record < records; record++) {
    const cellEnd = recordCellEnds[record] as number;
    for (let column = 0; cell < cellEnd; cell++, column++) {
      const start = cellStarts[cell] as number;
      const stop = cellEnds[cell] as number;
      if (start === stop) continue;
      while (match < matches.length && (matches[match] as ScanMatch).end <= start) match++;
      const found = matches[match];
      const isWhole = found !== undefined && found.start === start && found.end === stop;
      const isEscaped = cellKinds[cell] === CellKind.QuotedEscaped;
      const raw = text.slice(start, stop);
      visit(
        column,
        isEscaped ? raw.replaceAll('""', '"') : raw,
        isEscaped,
        isWhole ? found.detector : undefined,
        record,
      );
    }
  }
}

function add(counts: Map<number, number[]>, detector: number, column: number): void {
  const perColumn = counts.get(detector) as number[];
  perColumn[column] = (perColumn[column] ?? 0) + 1;
}

/**
 * The match that redacts the cell `text[start, stop)` (not one with doubled quotes) of a column
 * inferred to hold `detector`'s values whole, as that detector's, when it has the detector's
 * loose shape, in positions of the cell; else `undefined`. A match of another detector that
 * takes the cell whole goes first, with its own action (see the CSV redactor).
 */
export function inferredCellMatch(
  text: string,
  start: number,
  stop: number,
  detector: number,
  detectors: InferableDetectors,
): ScanMatch | undefined {
  if (start === stop) return undefined;
  const shape = detectors.get(detector);
  if (shape === undefined || !shape.loose(text.slice(start, stop))) return undefined;
  return { start: 0, end: stop - start, detector };
}

/** `columns` (ascending) with the columns `inferred` holds a detector for, ascending. */
export function withInferredColumns(
  columns: readonly number[],
  inferred: InferredColumns | undefined,
): readonly number[] {
  if (inferred === undefined) return columns;
  const all = new Set(columns);
  for (const [column, detector] of inferred.entries()) if (detector !== undefined) all.add(column);
  return [...all].sort((a, b) => a - b);
}
