import { redactSegment } from '../core/redaction/formats/redact-segment.ts';
import type { CompiledRuleSet } from '../core/redaction/redactor.ts';
import { latin1AsUtf8 } from './latin1-utf8.ts';
import type { SegmentOutcome, SegmentTask } from './segment-worker-pool.ts';
import { Utf8StreamDecoder } from './utf8-stream-decoder.ts';

const encoder = new TextEncoder();
/** Bytes decoded at a time: the size of a stream's chunks, which the redactors are tuned for. */
const PIECE_BYTES = 64 * 1024;
const LF = 0x0a;

/**
 * Decodes and redacts one segment (what a segment worker does per task). Throws the decoder's
 * or redactor's error, numbered from the segment's head.
 */
export function runSegmentTask(ruleSet: CompiledRuleSet, task: SegmentTask): SegmentOutcome {
  const out = new Utf8Output(task.body.byteLength + PIECE_BYTES, task.outBuffer);
  const redaction = redactSegment(
    ruleSet,
    {
      format: task.format,
      head: task.head,
      body: decodeInPieces(task.body),
      delimiter: task.format === 'csv' ? String.fromCharCode(task.delimiter) : undefined,
      isFirst: task.isFirst,
      isEndGuessed: task.isEndGuessed,
    },
    (text) => out.write(text),
  );
  if (redaction.isCutInQuotedCell) return { isCutInQuotedCell: true };
  const { counts, records } = redaction;
  return { out: out.bytes(), counts: [...counts], ...(records !== undefined && { records }) };
}

/**
 * Text encoded as UTF-8 into one buffer of its own (not Buffer's shared pool, so that it can be
 * transferred), grown by doubling: a segment's output leaves the JS heap as it is produced.
 */
class Utf8Output {
  private buffer: Uint8Array;
  private length = 0;

  /** Starts in `reused` when it holds `capacity` bytes, else in a new buffer. */
  constructor(capacity: number, reused?: ArrayBuffer) {
    this.buffer =
      reused !== undefined && reused.byteLength >= capacity
        ? new Uint8Array(reused)
        : new Uint8Array(capacity);
  }

  write(text: string): void {
    // Latin-1 text (one-byte strings, most of it) is transcoded in WebAssembly: `encodeInto`
    // takes a character at a time once a string holds one above U+007F.
    const latin1 = latin1AsUtf8(text);
    if (latin1 !== undefined) {
      this.reserve(latin1.byteLength);
      this.buffer.set(latin1, this.length);
      this.length += latin1.byteLength;
      return;
    }
    let rest = text;
    for (;;) {
      const { read, written } = encoder.encodeInto(rest, this.buffer.subarray(this.length));
      this.length += written;
      if (read === rest.length) return;
      rest = rest.slice(read);
      // A UTF-16 code unit takes at most 3 bytes.
      this.reserve(3 * rest.length);
    }
  }

  /** Grows the buffer, by doubling at least, until `bytes` more fit. */
  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(2 * this.buffer.length, this.length + bytes));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  /** The bytes written, a view of the buffer. */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

/**
 * The text of `bytes`, strictly decoded, in pieces (see `Segment.body`) that end after a line
 * feed when one lies in the last half of their bytes: a record is then rarely cut, and the
 * redactor's tokenizer, which appends a piece to the part of a record it holds, copies neither.
 */
function* decodeInPieces(bytes: Uint8Array): Generator<string> {
  const decoder = new Utf8StreamDecoder();
  for (let at = 0; at < bytes.length; ) {
    let end = at + PIECE_BYTES;
    if (end < bytes.length) {
      const lineEnd = bytes.lastIndexOf(LF, end - 1) + 1;
      if (lineEnd > at + PIECE_BYTES / 2) end = lineEnd;
    }
    yield decoder.decode(bytes.subarray(at, end));
    at = end;
  }
  decoder.end();
}
