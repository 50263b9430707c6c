import type { CompiledRuleSet } from '../redactor.ts';
import { Redactor } from '../redactor.ts';
import { createFormatRedactor } from './create-format-redactor.ts';
import { type CsvRedactor, createCsvRedactor } from './csv-redactor.ts';
import type { FormatRedactor } from './format-redactor.ts';
import { createNdjsonRedactor } from './ndjson-redactor.ts';

/** Formats whose records redact alone, once the object's header (CSV) is known. */
export type SegmentFormat = 'csv' | 'ndjson';

/** A run of whole records of one object, to redact apart from the rest. */
export interface Segment {
  readonly format: SegmentFormat;
  /**
   * CSV: the object's text up to the end of its header record (preamble and BOM included); the
   * segment is redacted after it, so that the delimiter and the column rules are the object's,
   * and its output is cut off again. `''` for NDJSON, whose lines redact alone.
   */
  readonly head: string;
  /**
   * Whole records, from a record start to a record end (the last segment may end without one),
   * in pieces of any size: the redactors run several times slower on one push of megabytes (and
   * one non-Latin-1 character would make all of it a two-byte string, slower to scan).
   */
  readonly body: Iterable<string>;
  /** CSV: the delimiter the object's first record was sniffed to have (see `onHeader`). */
  readonly delimiter?: string | undefined;
  /** The first segment: the head's output and counts are part of its result. */
  readonly isFirst: boolean;
  /**
   * CSV: the body was cut after a line feed without its quotes read, so that line feed may lie
   * inside a quoted cell (see `SegmentRedaction`); the segmenter then learns the body's records
   * from here.
   */
  readonly isEndGuessed?: boolean;
}

/** What `redactSegment` found: what each rule changed and, for a guessed end, the records. */
export type SegmentRedaction =
  | {
      readonly counts: ReadonlyMap<string, number>;
      /** With `isEndGuessed`: the body's complete records. */
      readonly records?: number;
      readonly isCutInQuotedCell?: false;
    }
  | {
      /**
       * With `isEndGuessed`: the body ends inside a quoted cell, so not at a record end, and the
       * input was not ended. What was written is void: the segment must be cut again.
       */
      readonly isCutInQuotedCell: true;
    };

/**
 * Redacts one segment exactly as the single-pass redactor redacts those records within the
 * whole object: CSV records and NDJSON lines redact alone once the header is bound, so the
 * concatenation of the segments' outputs (and the sum of their counts) is the whole object's.
 * The output goes to `write` piece by piece as it is produced (a segment's whole output held
 * as one string survives young-generation collections and is copied by each); returns what
 * each rule changed. Errors are the redactor's; their record or line numbers count from the
 * head, not the object.
 *
 * @example
 * redactSegment(ruleSet, { format: 'csv', head: 'name,email\n', body: ['Ada,ada@example.com\n'], isFirst: false }, write);
 * // write('Ada,[EMAIL]\n'); returns { counts: Map { 'email' => 1 }, records: undefined }
 */
export function redactSegment(
  ruleSet: CompiledRuleSet,
  segment: Segment,
  write: (text: string) => void,
): SegmentRedaction {
  const create = (redactor: Redactor): FormatRedactor | CsvRedactor =>
    segment.format === 'csv'
      ? createCsvRedactor(
          redactor,
          segment.delimiter === undefined ? {} : { sniffedDelimiter: segment.delimiter },
        )
      : createNdjsonRedactor(redactor, (part) => createFormatRedactor(part, redactor), segment.isFirst);
  const isHeadCut = !segment.isFirst && segment.head !== '';
  const headText = isHeadCut ? cutHeadText(segment.head) : segment.head;
  const head = isHeadCut ? redactedHead(ruleSet, { ...segment, head: headText }, create) : undefined;
  let headOut = head?.out ?? '';
  // Holds by chunk invariance, since the head ends at a record end; checked so that a break of
  // it fails the object rather than emitting a misaligned cut.
  const cutHead = (text: string): void => {
    if (headOut === '') {
      if (text.length > 0) write(text);
      return;
    }
    const length = Math.min(headOut.length, text.length);
    if (text.slice(0, length) !== headOut.slice(0, length)) {
      throw new Error('segment redaction: the head redacted differently');
    }
    headOut = headOut.slice(length);
    if (text.length > length) write(text.slice(length));
  };
  const redactor = new Redactor(ruleSet);
  const formatRedactor = create(redactor);
  cutHead(formatRedactor.push(headText));
  // The cut head ends at a record end, with an LF (see `cutHeadText`): its records are complete.
  const guessed = segment.isEndGuessed && 'recordsRead' in formatRedactor ? formatRedactor : undefined;
  const headRecords = guessed?.recordsRead() ?? 0;
  for (const piece of segment.body) cutHead(formatRedactor.push(piece));
  // A guessed body ends with an LF: outside a quoted cell, it ended its last record.
  if (guessed?.isInQuotedCell()) return { isCutInQuotedCell: true };
  const records = guessed === undefined ? undefined : guessed.recordsRead() - headRecords;
  cutHead(formatRedactor.end());
  if (headOut !== '') throw new Error('segment redaction: the head redacted differently');
  if (head === undefined) return { counts: redactor.counts, records };
  const counts = new Map(redactor.counts);
  for (const [id, count] of head.counts) counts.set(id, (counts.get(id) ?? 0) - count);
  for (const [id, count] of counts) if (count === 0) counts.delete(id);
  return { counts, records };
}

/**
 * The head a segment is redacted after, its output cut off: one that ends in a CR alone ends in
 * an LF instead, which ends its last record the same way, for a body that starts with a blank
 * record (an LF) would otherwise join that CR as one CRLF, and the body's records would be one
 * fewer (an error in one of them numbered one too low).
 */
function cutHeadText(head: string): string {
  return head.endsWith('\r') ? `${head.slice(0, -1)}\n` : head;
}

interface RedactedHead {
  readonly key: string;
  readonly out: string;
  readonly counts: ReadonlyMap<string, number>;
}

/**
 * The last head redacted alone with each rule set: every later segment of an object has the
 * same head, and redacting it (binding every column name to its rules) cost about half of a
 * segment's fixed cost, 0.3 of 0.6 ms on the bench CSV's 20 columns.
 */
const lastHeads = new WeakMap<CompiledRuleSet, RedactedHead>();

/** The head's output and counts when redacted alone (see {@link Segment.head}). */
function redactedHead(
  ruleSet: CompiledRuleSet,
  segment: Segment,
  create: (redactor: Redactor) => FormatRedactor,
): RedactedHead {
  const key = `${segment.format}\0${segment.delimiter ?? ''}\0${segment.head}`;
  const last = lastHeads.get(ruleSet);
  if (last?.key === key) return last;
  const redactor = new Redactor(ruleSet);
  const formatRedactor = create(redactor);
  const out = formatRedactor.push(segment.head) + formatRedactor.end();
  const head = { key, out, counts: redactor.counts };
  lastHeads.set(ruleSet, head);
  return head;
}
