/** What to do with each lent chunk once released: give its buffer back to the producer. */
const onReleased = new WeakMap<Uint8Array, () => void>();

/**
 * `chunk`, marked as one whose buffer its producer takes back (`takeBack`) once a consumer
 * calls `releaseChunk` on it. A consumer that never does keeps the chunk as any other: the
 * producer then allocates anew, as it would without lending.
 */
export function lendChunk(chunk: Uint8Array, takeBack: () => void): Uint8Array {
  onReleased.set(chunk, takeBack);
  return chunk;
}

/**
 * Tells the producer of `chunk` that nothing will read it again (a stream's write of it has
 * called back, say): a lent chunk's buffer is then moved elsewhere and the chunk left empty.
 * Does nothing to a chunk not lent, or released already.
 *
 * @example
 * for await (const chunk of redaction.body) sink.write(chunk, () => releaseChunk(chunk));
 */
export function releaseChunk(chunk: Uint8Array): void {
  const takeBack = onReleased.get(chunk);
  if (takeBack === undefined) return;
  onReleased.delete(chunk);
  takeBack();
}
