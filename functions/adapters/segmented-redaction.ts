import { LimitExceededError, MalformedObjectError } from '../core/errors.ts';
import { createFormatRedactor } from '../core/redaction/formats/create-format-redactor.ts';
import { createCsvRedactor } from '../core/redaction/formats/csv-redactor.ts';
import { countLines, lastLineEnd, scanCsvRecords } from '../core/redaction/formats/record-boundaries.ts';
import type { SegmentFormat } from '../core/redaction/formats/redact-segment.ts';
import { Redactor, type RuleSetOrigin } from '../core/redaction/redactor.ts';
import { lendChunk } from './lent-chunks.ts';
import { redactBytes } from './redact-bytes.ts';
import type { SegmentOutcome, SegmentRunner } from './segment-worker-pool.ts';
import { Utf8StreamDecoder } from './utf8-stream-decoder.ts';

export interface SegmentedRedactionOptions {
  readonly runner: SegmentRunner;
  /** Bytes of input gathered before a segment is cut at the last record end in them. */
  readonly segmentBytes: number;
  /** Segments handed out and not yet emitted, at most: bounds memory whatever the object size. */
  readonly maxInFlight: number;
}

/** A source whose next bytes are read straight into a buffer of the reader's (a file). */
export interface ByteReader {
  /** Reads the next bytes into `target` from its start: how many, 0 at the end only. */
  readInto(target: Uint8Array): Promise<number>;
}

/**
 * Segment size: large enough that a segment's fixed costs (header redacted again, messages,
 * a task's start) stay below 1%, small enough that a few in flight keep memory bounded and
 * that the workers finish together (the last segment runs alone). On the 64 MB CSV with 2
 * workers, 1 MiB used the CPU of 4 MiB (3.05-3.11 against 3.08-3.13 CPU-s) with a peak RSS of
 * 281 MiB against 323.
 */
export const DEFAULT_SEGMENT_BYTES = 1024 * 1024;

/**
 * Objects from this size up are worth worker threads: below it, starting them (and compiling
 * the rule set in each) costs about what they save.
 */
export const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;

/**
 * A CSV object whose head (preamble and header) is longer is redacted in one pass: every
 * segment redacts the head again, 1/16 of a default segment at most.
 */
const MAX_HEAD_CHARS = 64 * 1024;

/** Bytes read at a time from a `ByteReader` by the single pass. */
const READ_BYTES = 64 * 1024;

/**
 * Characters of the first segment fed at a time to find the header, at most: a line at a time
 * when lines are shorter (see `probeCsvHeader`).
 */
const HEADER_PROBE_CHARS = 64 * 1024;

/**
 * Redacts a CSV or NDJSON object in segments on `runner` (worker threads), emitting their
 * outputs in order: the same bytes and counts as the single-pass redactor. Segments are cut at
 * record ends found in the raw bytes (quote state tracked for CSV), each once `segmentBytes`
 * have arrived; at most `maxInFlight` are out at once and nothing is read while the consumer
 * does not pull. A CSV object's header (the preamble and first record, found by a probe on the
 * first segment) is handed to every segment. An object smaller than one segment, without a
 * head of at most `MAX_HEAD_CHARS` in its first segment, or whose first segment does not
 * decode or tokenize, is redacted in a single pass here, which also gives its errors.
 *
 * Fails closed like the single pass: the first failing segment's error is thrown after the
 * outputs of the segments before it, with its record, line or byte number counted over the
 * whole object, and nothing after it is emitted.
 *
 * With `reader`, the object is `source` and then the bytes of `reader`, which are read straight
 * into the segments' buffers: no chunk allocated, no copy gathering them.
 *
 * The outputs are lent (see `lendChunk`): one that its consumer releases has its buffer moved
 * to a worker, for a later segment's output.
 */
export async function* redactInSegments(
  source: AsyncIterable<Uint8Array>,
  format: SegmentFormat,
  redactor: Redactor,
  origin: RuleSetOrigin,
  options: SegmentedRedactionOptions,
  reader?: ByteReader,
): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let isIterating = true;
  const chunks: Uint8Array[] = [];
  let gathered = 0;
  let isDone = false;
  /** The buffer that `reader` reads into, the chunks gathered before copied to its start. */
  let direct: Uint8Array | undefined;
  async function gather(bytes: number): Promise<void> {
    while (!isDone && gathered < bytes) {
      if (isIterating) {
        const next = await iterator.next();
        if (next.done) {
          isIterating = false;
          isDone = reader === undefined;
        } else {
          chunks.push(next.value);
          gathered += next.value.byteLength;
        }
        continue;
      }
      direct ??= gatherInto(bytes);
      const bytesRead = await (reader as ByteReader).readInto(direct.subarray(gathered, bytes));
      if (bytesRead === 0) isDone = true;
      gathered += bytesRead;
    }
  }
  /**
   * Buffers of this object's segments that the runner handed back once read: later segments are
   * gathered into them (1 MiB segments of the bench CSV, allocate + copy: 190-280 against 40 ms
   * per GiB reused). They hold nothing but bytes of this object and zeros, and die with it. At
   * most one per segment in flight.
   */
  const spares: ArrayBuffer[] = [];
  /**
   * The gathered bytes in one buffer of their own (not Buffer's shared pool: it is transferred),
   * the one read into or a spare or new one (see `gatherInto`); a plain Uint8Array, whose
   * `slice` copies.
   */
  function take(): Uint8Array {
    const all = direct?.subarray(0, gathered) ?? gatherInto(gathered);
    direct = undefined;
    gathered = 0;
    return all;
  }
  /**
   * A buffer for `bytes` bytes at least, the chunks gathered copied to its start; with room for
   * a later segment's few more bytes when new, of which only the part past those chunks is
   * zero-filled (the copy fills the rest; a read into it, what it reads).
   */
  function gatherInto(bytes: number): Uint8Array {
    let buffer = spares.pop();
    if (buffer === undefined || buffer.byteLength < bytes) {
      buffer = Buffer.allocUnsafeSlow(bytes + (bytes >> 3)).buffer as ArrayBuffer;
      new Uint8Array(buffer, gathered).fill(0);
    }
    const all = new Uint8Array(buffer, 0, bytes);
    let at = 0;
    for (const chunk of chunks) {
      all.set(chunk, at);
      at += chunk.byteLength;
    }
    chunks.length = 0;
    return all;
  }

  /** The bytes not gathered yet, in chunks of their own. */
  async function* unread(): AsyncGenerator<Uint8Array> {
    if (isIterating) yield* { [Symbol.asyncIterator]: () => iterator };
    if (reader === undefined) return;
    for (;;) {
      const chunk = new Uint8Array(READ_BYTES);
      const bytesRead = await reader.readInto(chunk);
      if (bytesRead === 0) return;
      yield chunk.subarray(0, bytesRead);
    }
  }

  await gather(options.segmentBytes);
  const first = take();
  const header = isDone
    ? undefined
    : format === 'csv'
      ? probeCsvHeader(first, redactor)
      : mayStartWithArray(first)
        ? undefined
        : { head: '', bytes: 0, delimiter: 0 };
  if (header === undefined) {
    yield* redactSinglePass(first, isDone ? undefined : unread(), format, redactor);
    return;
  }
  const maxRecordBytes = redactor.limits.maxRecordBytes;
  const inFlight: {
    promise: Promise<SegmentOutcome>;
    /**
     * While ends are guessed, a copy of the body (transferred to the worker) in a buffer of
     * `copies`, to be cut again should an end before it prove wrong.
     */
    copy: Uint8Array | undefined;
    bodyStart: number;
    isFirst: boolean;
    /**
     * Complete records (CSV) or lines (NDJSON) of the body, counted where it was cut; -1 when
     * its end was guessed (the worker counts them).
     */
    records: number;
    isSettled: boolean;
  }[] = [];
  let records = 0;
  /**
   * CSV segments but the last are cut after their last line feed, quotes not read (a native
   * `lastIndexOf` instead of `scanCsvRecords`, 0.38 s of the main thread's CPU per GB of the
   * bench CSV, and 69 ms for the first segment alone, run cold while both workers wait), the
   * worker telling whether that line feed ended a record. Once one lay inside a quoted cell,
   * the rest of the object is cut where records end.
   */
  let isGuessing = format === 'csv';
  /** The next segment handed out is the object's first: its output starts with the head's. */
  let isFirst = true;
  /**
   * Buffers of the copies of segments emitted, reused: the body itself is transferred to the
   * worker, and a copy (~0.1 s of CPU per GB, against 0.38 for `scanCsvRecords`) in a buffer
   * already counted is how its bytes can be cut again.
   */
  const copies: Uint8Array[] = [];
  /**
   * Buffers of outputs emitted that their consumer released (see `releaseChunk`), moved to the
   * worker of a later segment to write its output into. A buffer a worker sends is new external
   * memory to V8, and every 64 MB more of it set off a full collection of the main thread's
   * heap (32 per GB of the bench CSV, ~20 ms each and as much marking beside); moved away again,
   * it is counted off. At most `maxInFlight`.
   */
  const outBuffers: ArrayBuffer[] = [];

  /**
   * The oldest segment's output, once ready; `undefined` when its end was guessed wrong: it and
   * the segments after it are then taken back into `pending`, to be cut again.
   */
  async function emitOldest(): Promise<Uint8Array | undefined> {
    const oldest = inFlight.shift() as (typeof inFlight)[number];
    let outcome: SegmentOutcome;
    try {
      outcome = await oldest.promise;
    } catch (error) {
      throw renumbered(error, format, records, oldest.bodyStart);
    }
    if (outcome.body !== undefined) spares.push(outcome.body.buffer as ArrayBuffer);
    if (outcome.isCutInQuotedCell) {
      // The segments after it started inside that cell: their outputs are never emitted.
      const all = [oldest, ...inFlight.splice(0)].map((entry) => entry.copy as Uint8Array);
      pending = concat([...all, pending]);
      offset = oldest.bodyStart;
      isFirst = oldest.isFirst;
      isGuessing = false;
      return undefined;
    }
    for (const [id, count] of outcome.counts) redactor.counts.set(id, (redactor.counts.get(id) ?? 0) + count);
    if (oldest.copy !== undefined) copies.push(oldest.copy);
    records += oldest.records >= 0 ? oldest.records : (outcome.records as number);
    return outcome.out;
  }

  /** The bytes after the segments handed out, from object offset `offset` on. */
  let pending = first.subarray(header.bytes);
  let offset = header.bytes;
  // Segments that will never be emitted (an error or the consumer stopped) still settle; their
  // rejections are expected.
  try {
    let isHandedOut = false;
    for (;;) {
      if (!isHandedOut) {
        const isLast = isDone;
        // A head ended by a CR alone leaves its last record open until the body's first byte,
        // so the worker could not tell the body's records apart from the head's.
        const isEndGuessed = isGuessing && !isLast && !(isFirst && header.head.endsWith('\r'));
        const guessedEnd = isEndGuessed ? lastLineEnd(pending) : 0;
        const { end, records: bodyRecords } = isLast
          ? { end: pending.length, records: countRecords(pending, format, header.delimiter) }
          : guessedEnd > 0
            ? { end: guessedEnd, records: -1 }
            : segmentEnd(pending, format, header.delimiter, maxRecordBytes);
        if (end > 0 || (isLast && isFirst)) {
          // Its buffer is transferred to the worker (the body, a view of it, is not copied again):
          // the rest is copied out first, and the body too while ends are guessed.
          const body = pending.subarray(0, end);
          const rest = pending.slice(end);
          const copy = isGuessing ? copyOf(body, copies.pop()) : undefined;
          const outBuffer = outBuffers.pop();
          const promise = options.runner.run(origin, {
            format,
            head: header.head,
            body,
            isFirst,
            delimiter: header.delimiter,
            ...(guessedEnd > 0 && { isEndGuessed: true }),
            ...(outBuffer !== undefined && { outBuffer }),
          });
          const entry = { promise, copy, bodyStart: offset, isFirst, records: bodyRecords, isSettled: false };
          const settle = (): void => {
            entry.isSettled = true;
          };
          promise.then(settle, settle);
          inFlight.push(entry);
          isFirst = false;
          offset += end;
          pending = rest;
        }
        isHandedOut = isLast;
        if (!isLast) {
          // The next segment is read while the workers run; outputs go out once ready, and the
          // reading waits for them only at the cap.
          chunks.push(pending);
          gathered = pending.length;
          await gather(gathered + options.segmentBytes);
          pending = take();
        }
      }
      while (
        inFlight.length > 0 &&
        (isHandedOut || inFlight.length >= options.maxInFlight || inFlight[0]?.isSettled)
      ) {
        const out = await emitOldest();
        if (out === undefined) {
          // Cut again from the segment guessed wrong, the bytes not read yet still to come.
          isHandedOut = false;
          break;
        }
        yield lendChunk(out, () => {
          if (outBuffers.length < options.maxInFlight) outBuffers.push(out.buffer as ArrayBuffer);
        });
      }
      if (isHandedOut && inFlight.length === 0) break;
    }
  } finally {
    if (isIterating) await iterator.return?.();
  }
}

/**
 * Where the next segment ends in `bytes` (a record start first), with the complete records
 * before that end: the last record end; when a record is malformed, the end of the last whole
 * character after it (see `CsvRecordScan.isMalformed`); the whole buffer when a record is
 * already longer than any record may be (the redactor then fails on it); else 0 to wait for
 * more. The records are counted here, in the same search for record ends, not again by the worker.
 */
function segmentEnd(
  bytes: Uint8Array,
  format: SegmentFormat,
  delimiter: number,
  maxRecordBytes: number,
): { end: number; records: number } {
  const scan =
    format === 'csv'
      ? scanCsvRecords(bytes, delimiter, { isCounting: true })
      : { end: lastLineEnd(bytes), records: -1, isMalformed: false };
  // A UTF-16 code unit takes at most 3 bytes, so this many bytes exceed the limit in code units.
  if (scan.isMalformed) {
    return { end: scan.end, records: countRecords(bytes.subarray(0, scan.end), format, delimiter) };
  }
  if (scan.end === 0 && bytes.length > 3 * maxRecordBytes + 3) {
    return { end: bytes.length, records: countRecords(bytes, format, delimiter) };
  }
  const records = scan.records >= 0 ? scan.records : countLines(bytes.subarray(0, scan.end));
  return { end: scan.end, records };
}

/** `bytes` copied into `spare` when it is large enough, else into a new buffer with room to spare. */
function copyOf(bytes: Uint8Array, spare: Uint8Array | undefined): Uint8Array {
  const buffer =
    spare !== undefined && spare.buffer.byteLength >= bytes.byteLength
      ? spare.buffer
      : new ArrayBuffer(bytes.byteLength + (bytes.byteLength >> 3));
  const copy = new Uint8Array(buffer, 0, bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/** `parts` copied one after another into a buffer of their own. */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.byteLength;
  }
  return all;
}

/** Complete records (CSV) or lines (NDJSON) of a segment's whole body, a final CR ending one. */
function countRecords(body: Uint8Array, format: SegmentFormat, delimiter: number): number {
  return format === 'csv'
    ? scanCsvRecords(body, delimiter, { isCounting: true, isComplete: true }).records
    : countLines(body);
}

/**
 * The object's text through its header record, its length in bytes and the delimiter, from
 * the first segment; `undefined` when that segment holds no complete header or fails.
 */
function probeCsvHeader(
  first: Uint8Array,
  redactor: Redactor,
): { head: string; bytes: number; delimiter: number } | undefined {
  let found: { delimiter: string; endOffset: number } | undefined;
  try {
    const decoder = new Utf8StreamDecoder();
    const text = decoder.decode(first);
    const probe = createCsvRedactor(new Redactor(redactor.ruleSet), {
      onHeader: (header) => {
        found = header;
      },
    });
    // Up to a line feed at a time, so that the header is found before any record after it is
    // redacted: this redactor is the main thread's first, cold (on the bench CSV, 11 against
    // 60 ms of CPU per object, and no optimizing compiles queued), and the workers wait for it.
    for (let at = 0; found === undefined && at < text.length; ) {
      const lineEnd = text.indexOf('\n', at) + 1;
      const end = lineEnd > at && lineEnd - at <= HEADER_PROBE_CHARS ? lineEnd : at + HEADER_PROBE_CHARS;
      probe.push(text.slice(at, end));
      at = end;
    }
    if (found === undefined || found.endOffset >= text.length || found.endOffset > MAX_HEAD_CHARS) {
      return undefined;
    }
    const head = text.slice(0, found.endOffset);
    return { head, bytes: Buffer.byteLength(head), delimiter: found.delimiter.charCodeAt(0) };
  } catch {
    return undefined;
  }
}

/** UTF-8 byte order mark. */
const BOM = [0xef, 0xbb, 0xbf];

/**
 * True when the first line of an NDJSON object may be an array: the first row of a table whose
 * later lines depend on its first ones (see `JsonTokenRewriter.readLines`), redacted in one pass.
 * Also when the first segment holds only (part of) a byte order mark, spaces and blank lines, so
 * that the first line is not in it: the one pass is right whatever that line is (a first segment of `\r`
 * let `["name","ssn"]` on the next line be redacted in segments, unlike in one pass).
 */
function mayStartWithArray(first: Uint8Array): boolean {
  let i = 0;
  // A byte order mark, spaces, tabs and blank lines before it.
  while (i < BOM.length && first[i] === BOM[i]) i++;
  if (i < BOM.length) i = i === first.length ? first.length : 0;
  while (
    i < first.length &&
    (first[i] === 0x20 || first[i] === 0x09 || first[i] === 0x0a || first[i] === 0x0d)
  )
    i++;
  return i >= first.length || first[i] === 0x5b;
}

/** The single-pass redactor over `first` and the rest of the source. */
function redactSinglePass(
  first: Uint8Array,
  rest: AsyncIterator<Uint8Array> | undefined,
  format: SegmentFormat,
  redactor: Redactor,
): AsyncGenerator<Uint8Array> {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield first;
    for (let next = await rest?.next(); next !== undefined && !next.done; next = await rest?.next()) {
      yield next.value;
    }
  }
  return redactBytes(chunks(), createFormatRedactor(format, redactor));
}

/**
 * A segment's error with its numbers counted over the object: records (CSV) or lines (NDJSON)
 * of the segments before it added, and byte offsets (UTF-8 errors, counted from the segment's
 * body) moved by where the body starts.
 */
function renumbered(
  error: unknown,
  format: SegmentFormat,
  recordsBefore: number,
  bodyStart: number,
): unknown {
  if (!(error instanceof MalformedObjectError || error instanceof LimitExceededError)) return error;
  const unit = format === 'csv' ? /\brecord (\d+)/ : /\bline (\d+)/;
  const message = error.message
    .replace(unit, (whole, n: string) => whole.replace(n, String(Number(n) + recordsBefore)))
    .replace(/\bbyte (\d+)/, (whole, n: string) => whole.replace(n, String(Number(n) + bodyStart)));
  return error instanceof MalformedObjectError
    ? new MalformedObjectError(message)
    : new LimitExceededError(message);
}
