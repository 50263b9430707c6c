import { pipeline, Readable, type Transform, type TransformOptions } from 'node:stream';
import { createGunzip, createGzip, type ZlibOptions } from 'node:zlib';
import { LimitExceededError, MalformedObjectError, UnsupportedFormatError } from '../core/errors.ts';
import type { RedactionStream, RedactionStreamOptions } from '../core/ports/redaction-engine.ts';
import { createFormatRedactor } from '../core/redaction/formats/create-format-redactor.ts';
import { columnShapes, shapeName } from '../core/redaction/formats/csv-column-shapes.ts';
import { detectFormat } from '../core/redaction/formats/detect-format.ts';
import { type CompiledRuleSet, Redactor } from '../core/redaction/redactor.ts';
import { releaseChunk } from './lent-chunks.ts';
import { redactBytes } from './redact-bytes.ts';
import { reusedChunks } from './reused-chunks.ts';
import { type ByteReader, redactInSegments, type SegmentedRedactionOptions } from './segmented-redaction.ts';

/** Bytes read before the format is decided. */
const HEAD_BYTES = 512;
/**
 * zlib output chunk size (its default is 16 KiB): what one call on libuv's pool produces at most.
 * zlib hands each chunk back, and is given the next call, only in a turn of the main thread, which
 * comes once per chunk redacted; 64 KiB made the inflater and the deflater fall behind.
 */
const ZLIB_CHUNK_BYTES = 256 * 1024;
/**
 * Bytes queued at each side of the redaction when gzip is involved: inflated bytes read ahead of
 * it and redacted bytes waiting for the deflater, at most, so that neither waits for the other
 * (with the streams' default 16 KiB each did, on every chunk). Memory per gzip object: about
 * three times this (read ahead, queued, and the batch being deflated), a zlib chunk at each
 * stage, and zlib's own state; a reader that does not pull holds under 4 MiB of plaintext.
 */
const ZLIB_QUEUE_BYTES = 1024 * 1024;
/**
 * Inflated bytes handed to the redaction at a time, at most. A stream's async iterator hands over
 * everything the inflater has buffered; taking it all left nothing queued, so the main thread
 * waited on every zlib call. Handing it over in pieces (each followed by a turn) lets the
 * inflater get ahead. On the 64 MB bench object, main thread waiting for input: 170 -> 40-75 ms.
 */
const INFLATED_PIECE_BYTES = 128 * 1024;
/** Decompressed output always allowed before the ratio cap applies. */
const RATIO_SLACK_BYTES = 1024 * 1024;

/**
 * Reads the head of an object (and of its inflated content when gzip), decides its format and
 * returns the redacted body as a stream. Refusals (binary or unknown content) happen here, before
 * any byte is produced; errors while streaming (malformed content such as a NUL byte or invalid
 * UTF-8 anywhere in the body, limits) surface from `body` and must abort the response. With
 * `segments`, a CSV or NDJSON object larger than one segment is redacted on its runner (worker
 * threads) in segments, with the same output (see `redactInSegments`). From a `source` that is
 * also a `ByteReader` (a file, not gzip), the bytes after the head are read straight into the
 * segments' buffers, or in a single pass into two buffers reused (see `reusedChunks`).
 */
export async function openRedactionStream(
  source: AsyncIterable<Uint8Array>,
  options: RedactionStreamOptions,
  segments?: SegmentedRedactionOptions,
): Promise<RedactionStream> {
  const bytes = { in: 0, out: 0 };
  const counted = countBytes(source, (n) => {
    bytes.in += n;
  });
  const raw = await peek(counted, HEAD_BYTES);
  const redactor = new Redactor(options.ruleSet);
  const isRuledColumn = (name: string): boolean => {
    const rule = redactor.fieldRule([name]);
    return rule !== undefined && !rule.isKeep;
  };
  // Asked only of text that may be a CSV without a header row.
  const nameOfColumn = (values: readonly string[]): string | undefined =>
    shapeName(values, columnShapes(redactor));
  const detected = detectFormat({ ...options, head: raw.head, isRuledColumn, nameOfColumn });
  if (detected === undefined) {
    if (!options.allowPassthrough) throw new UnsupportedFormatError(unsupportedMessage(options));
    const body = countBytes(raw.all, (n) => {
      bytes.out += n;
    });
    return { format: undefined, redactor, body, bytes };
  }
  const limits = options.ruleSet.limits;
  let plain = raw;
  let format = detected.format;
  if (detected.isGzip) {
    plain = await peek(
      gunzip(raw.all, () => bytes.in, limits),
      HEAD_BYTES,
    );
    const inner = detectFormat({ ...options, head: plain.head, isRuledColumn, nameOfColumn });
    if (inner === undefined || inner.isGzip) throw new UnsupportedFormatError(unsupportedMessage(options));
    format = inner.format;
  }
  const origin = options.ruleSet.origin;
  const reader = detected.isGzip || !isByteReader(source) ? undefined : source;
  const text =
    segments !== undefined && origin !== undefined && (format === 'csv' || format === 'ndjson')
      ? reader === undefined
        ? redactInSegments(plain.all, format, redactor, origin, segments)
        : redactInSegments(each(raw.read), format, redactor, origin, segments, countedReader(reader, bytes))
      : redactBytes(
          reader === undefined ? plain.all : readAfterHead(raw.read, countedReader(reader, bytes)),
          createFormatRedactor(format, redactor),
        );
  const encoded = detected.isGzip ? gzip(text) : text;
  const body = countBytes(encoded, (n) => {
    bytes.out += n;
  });
  return { format: { format, isGzip: detected.isGzip }, redactor, body, bytes };
}

async function* gunzip(
  source: AsyncIterable<Uint8Array>,
  compressedBytes: () => number,
  limits: CompiledRuleSet['limits'],
): AsyncGenerator<Uint8Array> {
  let total = 0;
  const inflater = createGunzip(
    zlibOptions({
      chunkSize: ZLIB_CHUNK_BYTES,
      readableHighWaterMark: ZLIB_QUEUE_BYTES,
    }),
  );
  feed(source, inflater);
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > limits.maxDecompressedBytes) {
        throw new LimitExceededError(`gzip: decompressed size exceeds ${limits.maxDecompressedBytes} bytes`);
      }
      if (total > RATIO_SLACK_BYTES && total > compressedBytes() * limits.maxDecompressionRatio) {
        throw new LimitExceededError(`gzip: decompression ratio exceeds ${limits.maxDecompressionRatio}`);
      }
      for (let at = 0; at < chunk.byteLength; at += INFLATED_PIECE_BYTES) {
        yield chunk.subarray(at, at + INFLATED_PIECE_BYTES);
      }
    }
  } catch (error) {
    if (error instanceof LimitExceededError) throw error;
    throw new MalformedObjectError('gzip: corrupt or truncated stream', { cause: error });
  } finally {
    inflater.destroy();
  }
}

async function* gzip(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  // Level 1: level 6 alone runs at ~20 MB/s and would eat the Object Lambda time budget.
  const deflater = createGzip(zlibOptions({ level: 1, chunkSize: ZLIB_CHUNK_BYTES }));
  void feedInBatches(source, deflater);
  yield* deflater;
}

/**
 * Writes `source` into the deflater, each write taking every chunk that arrived while the one
 * before was deflated: zlib deflates one write per turn of the main thread, so a write per chunk
 * falls behind (and the redaction then waits for the whole queue to drain). At most
 * `ZLIB_QUEUE_BYTES` wait; a slow reader of the deflater holds its write, so the queue fills and
 * `source` is no longer read. After each chunk the event loop turns: chunks already queued
 * upstream arrive as resolved promises, and without a turn zlib's finished calls would not be
 * handed back (nor the next ones started) while the main thread redacts. An error of `source`
 * destroys the deflater, whose reader sees it. Each chunk is released once copied or deflated
 * (see `releaseChunk`).
 */
async function feedInBatches(source: AsyncIterable<Uint8Array>, deflater: Transform): Promise<void> {
  const queued: Uint8Array[] = [];
  let queuedBytes = 0;
  let isWriting = false;
  let onTaken: (() => void) | undefined;
  const taken = (): void => {
    const resolve = onTaken;
    onTaken = undefined;
    resolve?.();
  };
  const writeQueued = (): void => {
    if (isWriting || queued.length === 0 || deflater.destroyed) return;
    const chunks = queued.splice(0);
    const batch = chunks.length === 1 ? (chunks[0] as Uint8Array) : concatReleased(chunks, queuedBytes);
    queuedBytes = 0;
    isWriting = true;
    deflater.write(batch, () => {
      releaseChunk(batch);
      isWriting = false;
      writeQueued();
      taken();
    });
  };
  deflater.once('close', taken);
  try {
    for await (const chunk of source) {
      if (deflater.destroyed) return;
      queued.push(chunk);
      queuedBytes += chunk.byteLength;
      writeQueued();
      while (queuedBytes >= ZLIB_QUEUE_BYTES && !deflater.destroyed) {
        await new Promise<void>((resolve) => {
          onTaken = resolve;
        });
      }
      await turn();
    }
    if (deflater.destroyed) return;
    // The rest in one last write, which the stream keeps behind the one in work.
    if (queued.length > 0) deflater.write(concatReleased(queued.splice(0), queuedBytes));
    deflater.end();
  } catch (error) {
    deflater.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    deflater.off('close', taken);
  }
}

/** `chunks` copied into one buffer, each then released (see `releaseChunk`). */
function concatReleased(chunks: readonly Uint8Array[], bytes: number): Buffer {
  const all = Buffer.concat(chunks, bytes);
  for (const chunk of chunks) releaseChunk(chunk);
  return all;
}

/**
 * A turn of the event loop that includes its poll phase, where zlib's finished calls are handed
 * back: an immediate set from a poll callback (the redaction often runs in one) fires before the
 * next poll, a second one after it.
 */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** zlib options with the stream's own (node:zlib passes them on to its Transform; its types omit them). */
function zlibOptions(options: ZlibOptions & Pick<TransformOptions, 'readableHighWaterMark'>): ZlibOptions {
  return options;
}

/** Writes an async iterable into a zlib transform; an error on either side ends both. */
function feed(source: AsyncIterable<Uint8Array>, transform: Transform): void {
  // pipeline (unlike pipe) destroys the transform with the source's error, so its reader sees it.
  pipeline(Readable.from(source, { objectMode: false }), transform, () => {});
}

async function* countBytes(
  source: AsyncIterable<Uint8Array>,
  add: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    add(chunk.byteLength);
    yield chunk;
  }
}

interface Peeked {
  readonly head: Uint8Array;
  /** The chunks read so far, the head among them: what the source gave before what it gives next. */
  readonly read: readonly Uint8Array[];
  /** The whole stream again, head included. */
  readonly all: AsyncIterable<Uint8Array>;
}

async function peek(source: AsyncIterable<Uint8Array>, size: number): Promise<Peeked> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < size) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.byteLength;
  }
  async function* all(): AsyncGenerator<Uint8Array> {
    yield* chunks;
    if (!done) yield* { [Symbol.asyncIterator]: () => iterator };
  }
  return { head: Buffer.concat(chunks).subarray(0, size), read: chunks, all: all() };
}

/** `reader`, each read counted into `bytes.in`. */
function countedReader(reader: ByteReader, bytes: { in: number }): ByteReader {
  return {
    async readInto(target) {
      const bytesRead = await reader.readInto(target);
      bytes.in += bytesRead;
      return bytesRead;
    },
  };
}

/**
 * The chunks `read` ahead, then the rest of `reader` into buffers reused (see `reusedChunks`):
 * the single pass over a file, which decodes each chunk as it comes.
 */
async function* readAfterHead(read: readonly Uint8Array[], reader: ByteReader): AsyncGenerator<Uint8Array> {
  yield* read;
  yield* reusedChunks(reader);
}

async function* each(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

function isByteReader(source: AsyncIterable<Uint8Array>): source is AsyncIterable<Uint8Array> & ByteReader {
  return typeof (source as Partial<ByteReader>).readInto === 'function';
}

function unsupportedMessage(options: RedactionStreamOptions): string {
  const type = options.contentType ? `content type "${options.contentType}"` : 'no content type';
  return `unsupported object format (${type}); only text, CSV, JSON, NDJSON and gzip of them are served`;
}
