import { once } from 'node:events';
import { releaseChunk } from '../adapters/lent-chunks.ts';

/**
 * Writes `body` to standard output, waiting for `drain` whenever a write is refused, so at most
 * one chunk beyond the stream's buffer is held in memory; each chunk is released once written
 * (see `releaseChunk`). A reader that goes away first (EPIPE, as in `maskpoint redact FILE |
 * head`) ends the copy quietly, reading no further; any other write error is thrown.
 */
export async function writeToStdout(body: AsyncIterable<Uint8Array>): Promise<void> {
  let failure: NodeJS.ErrnoException | undefined;
  // Stays attached: a write error can be emitted after the last chunk, when the loop is done.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    failure ??= error;
  });
  try {
    for await (const chunk of body) {
      if (failure !== undefined) break;
      if (!process.stdout.write(chunk, () => releaseChunk(chunk))) await once(process.stdout, 'drain');
    }
  } catch (error) {
    if (failure === undefined) throw error;
  }
  if (failure !== undefined && failure.code !== 'EPIPE') throw failure;
}
