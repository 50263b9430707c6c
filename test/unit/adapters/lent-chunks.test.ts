import { describe, expect, it } from 'vitest';
import { lendChunk, releaseChunk } from '../../../functions/adapters/lent-chunks.ts';

describe('lent chunks', () => {
  it('gives a lent chunk back to its producer once, on its first release', () => {
    let takenBack = 0;
    const chunk = lendChunk(Uint8Array.of(1, 2, 3), () => {
      takenBack++;
    });

    releaseChunk(chunk);
    releaseChunk(chunk);

    expect(takenBack).toBe(1);
  });

  it('does nothing when a chunk not lent is released, nor for another view of a lent one', () => {
    let takenBack = 0;
    const chunk = lendChunk(Uint8Array.of(1, 2, 3), () => {
      takenBack++;
    });

    releaseChunk(Uint8Array.of(1, 2, 3));
    releaseChunk(chunk.subarray(0));

    expect(takenBack).toBe(0);
  });
});
