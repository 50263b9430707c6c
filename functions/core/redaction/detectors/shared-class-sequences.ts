import type { CharSet } from '../regex-char-sets.ts';
import { ClassSequences, SEQUENCES_BLOCK_CHARS } from './class-sequences.ts';

/** Searches one kernel serves: one pattern bit each at least. */
const maxMembers = 8;

/**
 * Several class-sequence searches (see {@link ClassSequences}) of detectors that read the same
 * texts, served by one kernel pass: each text is copied into the kernel and read once for all of
 * them, where a kernel each copies and reads it once per search. What the pass finds is kept for
 * the whole text (not only its last block, as `ClassSequences.next` keeps), so that searches
 * asking at different places of it, each from its own last candidate on, share it whichever
 * asks first. A member added after the kernel was made has it made again with that member.
 *
 * @example
 * const shared = new SharedClassSequences();
 * const secret = shared.member('secret', startSequencesOf('secret', 'i')!.sequences);
 * secret('top SECRET', 0); // 4
 */
export class SharedClassSequences {
  private readonly members: (readonly (readonly CharSet[])[])[] = [];
  private readonly keys = new Map<string, number>();
  private kernel: ClassSequences | undefined;
  /** Per member: the bits of its patterns (see `ClassSequences.sharedBy`). */
  private masks: readonly number[] = [];
  private text = '';
  /** The positions found in `[from, to)`: the first `count` of `positions`, ascending, with their `patterns`. */
  private from = 0;
  private to = 0;
  private readonly positions: number[] = [];
  private readonly patterns: number[] = [];
  private count = 0;

  /**
   * The search for the starts of `sequences` (supported by `ClassSequences`) that `key` names:
   * the least position `>= from` where one of them may start, or -1. It may report positions
   * where none does, never skips one where one does. A key added before gets the same search.
   */
  member(key: string, sequences: readonly (readonly CharSet[])[]): (text: string, from: number) => number {
    let index = this.keys.get(key);
    if (index === undefined) {
      if (this.members.length === maxMembers)
        throw new RangeError(`shared class sequences: more than ${maxMembers} searches`);
      index = this.members.length;
      this.members.push(sequences);
      this.keys.set(key, index);
      this.kernel = undefined;
    }
    const member = index;
    return (text, from) => this.next(member, text, from);
  }

  private next(member: number, text: string, from: number): number {
    let kernel = this.kernel;
    if (kernel === undefined) {
      const shared = ClassSequences.sharedBy(this.members);
      kernel = shared.sequences;
      this.kernel = kernel;
      this.masks = shared.masks;
      this.text = '';
    }
    const start = Math.max(0, from);
    if (text !== this.text || start < this.from) {
      this.from = start;
      this.to = start;
      this.count = 0;
    }
    // The same object compares in constant time, an equal copy does not: keep the caller's.
    this.text = text;
    const mask = this.masks[member] as number;
    const positions = this.positions;
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((positions[middle] as number) < start) low = middle + 1;
      else high = middle;
    }
    for (; low < this.count; low++)
      if (((this.patterns[low] as number) & mask) !== 0) return positions[low] as number;
    // Read on from where the last block ended, even past `start`: another member may ask there.
    while (this.to < text.length) {
      const blockStart = this.to;
      const found = kernel.read(text, blockStart);
      this.to = Math.min(text.length, blockStart + SEQUENCES_BLOCK_CHARS);
      let answer = -1;
      for (let index = 0; index < found; index++) {
        const position = kernel.positionAt(index);
        const patterns = kernel.patternsAt(index);
        positions[this.count] = position;
        this.patterns[this.count] = patterns;
        this.count++;
        if (answer === -1 && position >= start && (patterns & mask) !== 0) answer = position;
      }
      if (answer !== -1) return answer;
    }
    return -1;
  }
}

/**
 * The kernel the built-in detectors' class-sequence searches share, which read every text a
 * scanner gives them: the IBAN's start and the AWS secret key's names. Their two passes were a
 * fifth of the detectors' CPU time on the bench CSV; one pass for both, in process per 16 MB of
 * its batch scans (median of 12 alternating runs' best): CSV 70.0 -> 66.0 ms (11/12), NDJSON
 * 43.7 -> 41.4 (7/12).
 */
export const builtInClassSequences = new SharedClassSequences();
