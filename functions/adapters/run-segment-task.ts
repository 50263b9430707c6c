import { countLines, scanCsvRecords } from '../core/redaction/formats/record-boundaries.ts';
import { redactSegment } from '../core/redaction/formats/redact-segment.ts';
import type { CompiledRuleSet } from '../core/redaction/redactor.ts';
import type { SegmentOutcome, SegmentTask } from './segment-worker-pool.ts';
import { Utf8StreamDecoder } from './utf8-stream-decoder.ts';

const encoder = new TextEncoder();
/** Bytes decoded at a time: the size of a stream's chunks, which the redactors are tuned for. */
const PIECE_BYTES = 64 * 1024;

/**
 * Decodes and redacts one segment and counts its complete records (what a segment worker does
 * per task). Throws the decoder's or redactor's error, numbered from the segment's head.
 */
export function runSegmentTask(ruleSet: CompiledRuleSet, task: SegmentTask): SegmentOutcome {
  const { out, counts } = redactSegment(ruleSet, {
    format: task.format,
    head: task.head,
    body: decodeInPieces(task.body),
    delimiter: task.format === 'csv' ? String.fromCharCode(task.delimiter) : undefined,
    isFirst: task.isFirst,
  });
  const records =
    task.format === 'csv'
      ? scanCsvRecords(task.body, task.delimiter, { isCounting: true, isComplete: true }).records
      : countLines(task.body);
  // Its own buffer (not Buffer's shared pool), so that it can be transferred.
  return { out: encoder.encode(out), counts: [...counts], records };
}

/** The text of `bytes`, strictly decoded, in pieces (see `Segment.body`). */
function* decodeInPieces(bytes: Uint8Array): Generator<string> {
  const decoder = new Utf8StreamDecoder();
  for (let at = 0; at < bytes.length; at += PIECE_BYTES)
    yield decoder.decode(bytes.subarray(at, at + PIECE_BYTES));
  decoder.end();
}
