import { closeSync, createReadStream, fstatSync, openSync, statSync } from 'node:fs';
import { FileSource } from '../adapters/file-source.ts';

/** A CLI input: a file path or `-` for standard input. */
export interface CliInput {
  readonly name: string;
  readonly stream: AsyncIterable<Uint8Array>;
  /** Size in bytes when known (regular files), for progress. */
  readonly sizeBytes: number | undefined;
  /** Releases the file, once the input is no longer read. */
  close(): Promise<void>;
}

/** Size in bytes of `FILE` as `openInput` reports it, before opening it; none for `-`. */
export function inputSize(path: string): number | undefined {
  return path === '-' ? undefined : statSync(path).size;
}

/**
 * Opens `FILE` or `-` (standard input). A regular file is read with positioned reads (see
 * `FileSource`: the segmented redaction reads it straight into its segments, and iterated it
 * reads a chunk ahead of its consumer, as a stream does, at less cost per object: a stream
 * and its machinery made the 1 MB JSON bench object about 4 % dearer); a pipe or a device as
 * a stream.
 */
export function openInput(path: string): CliInput {
  if (path === '-')
    return { name: 'stdin', stream: process.stdin, sizeBytes: undefined, close: async () => {} };
  const fd = openSync(path, 'r');
  let stats: ReturnType<typeof fstatSync>;
  try {
    stats = fstatSync(fd);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  if (stats.isFile()) {
    const source = new FileSource(fd, stats.size);
    return { name: path, stream: source, sizeBytes: stats.size, close: () => source.close() };
  }
  // The stream reads from the descriptor and closes it at its end.
  const stream = createReadStream(path, { fd, highWaterMark: 64 * 1024 });
  return { name: path, stream, sizeBytes: stats.size, close: async () => void stream.destroy() };
}
