import { createReadStream, statSync } from 'node:fs';

/** A CLI input: a file path or `-` for standard input. */
export interface CliInput {
  readonly name: string;
  readonly stream: AsyncIterable<Uint8Array>;
  /** Size in bytes when known (regular files), for progress. */
  readonly sizeBytes: number | undefined;
}

/** Opens `FILE` or `-` (standard input). */
export function openInput(path: string): CliInput {
  if (path === '-') return { name: 'stdin', stream: process.stdin, sizeBytes: undefined };
  const stats = statSync(path);
  return { name: path, stream: createReadStream(path, { highWaterMark: 64 * 1024 }), sizeBytes: stats.size };
}
