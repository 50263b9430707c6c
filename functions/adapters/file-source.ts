import { close, read } from 'node:fs';
import { MalformedObjectError } from '../core/errors.ts';
import type { ByteReader } from './segmented-redaction.ts';

/** Bytes of each chunk when the file is iterated (what `createReadStream` reads by default). */
export const CHUNK_BYTES = 64 * 1024;
/**
 * Bytes of each read when the file is iterated, handed over in chunks: half as many reads, each
 * cheaper per byte (from the page cache here, per MB: 64 KiB reads 130-147 us, 128 KiB 118,
 * 256 KiB and more 780-920), while the redaction is given the same chunks as before (its
 * output up to an error, as for invalid UTF-8, depends on where chunks end).
 */
export const READ_BYTES = 2 * CHUNK_BYTES;

/**
 * A regular file read with positioned reads to its end: in chunks when iterated, or straight
 * into a buffer of the reader's (`readInto`: no chunk allocated, nothing copied after, but for
 * a chunk the iterator read ahead), the two sharing one position, one read at a time. Fails
 * closed when the file ends before the size it had when opened (it shrank while being read),
 * instead of handing on a truncated object. The owner closes it.
 */
export class FileSource implements AsyncIterable<Uint8Array>, ByteReader {
  readonly #fd: number;
  readonly #sizeBytes: number;
  #position = 0;

  /** `fd`, open for reading, is then this source's; `sizeBytes` is its size when opened. */
  constructor(fd: number, sizeBytes: number) {
    this.#fd = fd;
    this.#sizeBytes = sizeBytes;
  }

  /** A chunk the iterator read ahead of its consumer and has not handed over yet. */
  #ahead: Promise<Uint8Array | undefined> | undefined;

  async readInto(target: Uint8Array): Promise<number> {
    const ahead = this.#ahead;
    if (ahead === undefined) return this.#read(target);
    this.#ahead = undefined;
    const chunk = await ahead;
    if (chunk === undefined) return 0;
    target.set(chunk.subarray(0, target.byteLength));
    if (chunk.byteLength > target.byteLength)
      this.#ahead = Promise.resolve(chunk.subarray(target.byteLength));
    return Math.min(chunk.byteLength, target.byteLength);
  }

  /**
   * The chunks, each next read made while the consumer handles the last chunk of the one before
   * (as a stream reads ahead): the single pass then does not wait for the disk between chunks.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = this.#ahead ?? this.#readChunk();
      this.#ahead = undefined;
      const chunk = await next;
      if (chunk === undefined) return;
      if (chunk.byteLength > CHUNK_BYTES) {
        // The rest waits where a chunk read ahead does, for this iterator or `readInto`.
        this.#ahead = Promise.resolve(chunk.subarray(CHUNK_BYTES));
        yield chunk.subarray(0, CHUNK_BYTES);
        continue;
      }
      this.#ahead = this.#readChunk();
      // Its error is thrown where it is awaited, if anywhere: not an unhandled rejection.
      this.#ahead.catch(() => {});
      yield chunk;
    }
  }

  async #readChunk(): Promise<Uint8Array | undefined> {
    const chunk = Buffer.allocUnsafeSlow(READ_BYTES);
    const bytesRead = await this.#read(chunk);
    return bytesRead === 0 ? undefined : chunk.subarray(0, bytesRead);
  }

  async #read(target: Uint8Array): Promise<number> {
    if (target.byteLength === 0) return 0;
    const position = this.#position;
    const bytesRead = await new Promise<number>((resolve, reject) => {
      read(this.#fd, target, 0, target.byteLength, position, (error, n) =>
        error ? reject(error) : resolve(n),
      );
    });
    if (bytesRead === 0 && position < this.#sizeBytes) {
      throw new MalformedObjectError(
        `the file ended at byte ${position}, before the ${this.#sizeBytes} bytes it had when opened: it changed while being read`,
      );
    }
    this.#position = position + bytesRead;
    return bytesRead;
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => close(this.#fd, (error) => (error ? reject(error) : resolve())));
  }
}
