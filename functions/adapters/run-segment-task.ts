import { countLines, scanCsvRecords } from '../core/redaction/formats/record-boundaries.ts';
import { redactSegment } from '../core/redaction/formats/redact-segment.ts';
import type { CompiledRuleSet } from '../core/redaction/redactor.ts';
import type { SegmentOutcome, SegmentTask } from './segment-worker-pool.ts';
import { Utf8StreamDecoder } from './utf8-stream-decoder.ts';

const encoder = new TextEncoder();

/**
 * Decodes and redacts one segment and counts its complete records (what a segment worker does
 * per task). Throws the decoder's or redactor's error, numbered from the segment's head.
 */
export function runSegmentTask(ruleSet: CompiledRuleSet, task: SegmentTask): SegmentOutcome {
  const decoder = new Utf8StreamDecoder();
  const body = decoder.decode(task.body);
  decoder.end();
  const { out, counts } = redactSegment(ruleSet, {
    format: task.format,
    head: task.head,
    body,
    isFirst: task.isFirst,
  });
  const records =
    task.format === 'csv'
      ? scanCsvRecords(task.body, task.delimiter, { isCounting: true, isComplete: true }).records
      : countLines(task.body);
  // Its own buffer (not Buffer's shared pool), so that it can be transferred.
  return { out: encoder.encode(out), counts: [...counts], records };
}
