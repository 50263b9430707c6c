import type { CompiledRuleSet } from '../redactor.ts';
import { Redactor } from '../redactor.ts';
import { createCsvRedactor } from './csv-redactor.ts';
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
}

/** The redacted segment and what each rule changed in it. */
export interface RedactedSegment {
  readonly out: string;
  readonly counts: ReadonlyMap<string, number>;
}

/**
 * Redacts one segment exactly as the single-pass redactor redacts those records within the
 * whole object: CSV records and NDJSON lines redact alone once the header is bound, so the
 * concatenation of the segments' outputs (and the sum of their counts) is the whole object's.
 * Errors are the redactor's; their record or line numbers count from the head, not the object.
 *
 * @example
 * redactSegment(ruleSet, { format: 'csv', head: 'name,email\n', body: ['Ada,ada@example.com\n'], isFirst: false });
 * // { out: 'Ada,[EMAIL]\n', counts: Map { 'email' => 1 } }
 */
export function redactSegment(ruleSet: CompiledRuleSet, segment: Segment): RedactedSegment {
  const redactor = new Redactor(ruleSet);
  const create = (redactor: Redactor): FormatRedactor =>
    segment.format === 'csv'
      ? createCsvRedactor(
          redactor,
          segment.delimiter === undefined ? {} : { sniffedDelimiter: segment.delimiter },
        )
      : createNdjsonRedactor(redactor);
  const formatRedactor = create(redactor);
  let out = formatRedactor.push(segment.head);
  for (const piece of segment.body) out += formatRedactor.push(piece);
  out += formatRedactor.end();
  if (segment.isFirst || segment.head === '') return { out, counts: redactor.counts };
  const headRedactor = new Redactor(ruleSet);
  const head = create(headRedactor);
  const headOut = head.push(segment.head) + head.end();
  // Holds by chunk invariance, since the head ends at a record end; checked so that a break of
  // it fails the object rather than emitting a misaligned cut.
  if (!out.startsWith(headOut)) throw new Error('segment redaction: the head redacted differently');
  const counts = new Map(redactor.counts);
  for (const [id, count] of headRedactor.counts) counts.set(id, (counts.get(id) ?? 0) - count);
  for (const [id, count] of counts) if (count === 0) counts.delete(id);
  return { out: out.slice(headOut.length), counts };
}
