import type { CharSet } from '../regex-char-sets.ts';
import { entryOrder, nibbles } from './class-sequence-entry-order.ts';
import { CLASS_SEQUENCES_WASM } from './class-sequences-wasm.ts';
import { instantiateKernel } from './wasm-kernel.ts';

/** Characters read per call into the kernel: bounds its memory (5 bytes a character: the text and the positions found). */
export const SEQUENCES_BLOCK_CHARS = 16384;

/** Patterns one kernel pass looks for: one bit each in a byte. */
const maxPatterns = 8;
/** Classes per pattern: offsets past this are left to the confirming search. */
const maxOffsets = 16;
/** Offset entries the kernel reads at every step; the others only where these leave a pattern. */
const hotEntries = 3;

const tablesAt = 0;
const offsetsAt = tablesAt + maxOffsets * 32;
const nibblesAt = offsetsAt + maxOffsets * 4;
const textAt = 1024;
/** Bytes the kernel reads past a block's last character: the largest offset and one vector. */
const textPad = maxOffsets + 16;
const outAt = Math.ceil((textAt + SEQUENCES_BLOCK_CHARS + textPad) / 16) * 16;

/**
 * Finds where any of a few sequences of character classes may start (`[sS][eE][cC][rR][eE][tT]`
 * for the keyword `secret` in any case, `[A-Z][A-Z][0-9][0-9]` for an IBAN's country code and
 * check digits), in one pass over the text for all of them: a WebAssembly SIMD kernel
 * (assembly/class-sequences.ts) classifies sixteen characters per step by table lookups and
 * ANDs each pattern's classes at their offsets. Where V8's regex skips through text by a
 * literal's characters, a class or a keyword in any case leaves it testing every offset; the
 * kernel reads the text at the same speed whatever the classes are.
 *
 * It may report positions where no sequence starts (classes are widened to what the tables can
 * tell apart, sequences cut at sixteen classes and, beyond eight, merged, characters above
 * U+00FF read as their low byte), never skip one where one does: callers confirm each position
 * with their own regex. The text is read lazily, a block at a time, each block copied into the
 * kernel's memory as one byte per UTF-16 code unit (Latin-1): that copy keeps every ASCII
 * character, a class holding a character above U+007F lets every byte through, and a code unit
 * above U+00FF can only become a character some class holds, adding a position, never hiding
 * one. That copy is cheaper than UTF-16 and puts sixteen characters in a vector instead of eight.
 *
 * @example
 * const sequences = new ClassSequences(startSequencesOf('secret', 'i')!.sequences);
 * sequences.next('top SECRET', 0); // 4
 */
export class ClassSequences {
  /** Whether the kernel can look for `sequences`: at least one, each of at least one class. */
  static supports(sequences: readonly (readonly CharSet[])[]): boolean {
    return sequences.length > 0 && sequences.every((sequence) => sequence.length > 0);
  }

  private readonly scanExport: (...args: number[]) => number;
  private readonly bytes: Buffer;
  private readonly found: Uint32Array;
  private readonly entries: number;
  /** Characters a pattern reads after its first: the largest offset. */
  private readonly reach: number;
  private text = '';
  /** The block read last: `[blockStart, blockEnd)`, its `count` positions in `found`. */
  private blockStart = 0;
  private blockEnd = 0;
  private count = 0;

  /**
   * One kernel for several searches (`members`, each the sequences of one, all supported): each
   * is fitted to its share of the eight patterns, whose bits `patternsAt` reports; `masks[i]`
   * holds the bits of member `i`'s. One pass then serves them all (see `SharedClassSequences`).
   */
  static sharedBy(members: readonly (readonly (readonly CharSet[])[])[]): {
    sequences: ClassSequences;
    masks: number[];
  } {
    if (members.length === 0 || members.length > maxPatterns)
      throw new RangeError(`class sequences: cannot share one kernel between ${members.length} searches`);
    const patterns: (readonly CharSet[])[] = [];
    const masks = members.map((member, index) => {
      const share = Math.floor((maxPatterns - patterns.length) / (members.length - index));
      const own = fitted(member, share);
      const first = patterns.length;
      patterns.push(...own);
      return ((1 << own.length) - 1) << first;
    });
    return { sequences: new ClassSequences(patterns, patterns), masks };
  }

  /** `patterns`: what the kernel looks for, at most eight of at most sixteen classes; by default `sequences` fitted. */
  constructor(sequences: readonly (readonly CharSet[])[], patterns = fitted(sequences)) {
    if (!ClassSequences.supports(sequences)) throw new RangeError('class sequences: none to look for');
    const length = Math.max(...patterns.map((pattern) => pattern.length));
    // One entry per offset; patterns shorter than the hot entries get entries that let all through.
    const offsets = entryOrder(patterns, length);
    this.entries = Math.max(hotEntries, offsets.length);
    this.reach = length - 1;
    const { exports, memory } = instantiateKernel(CLASS_SEQUENCES_WASM, outAt + SEQUENCES_BLOCK_CHARS * 4);
    this.scanExport = exports.scan as (...args: number[]) => number;
    this.bytes = Buffer.from(memory);
    this.found = new Uint32Array(memory, outAt, SEQUENCES_BLOCK_CHARS);
    const offsetTable = new Int32Array(memory, offsetsAt, maxOffsets);
    this.bytes.fill(0x0f, nibblesAt, nibblesAt + 16);
    for (let entry = 0; entry < this.entries; entry++) {
      const offset = offsets[entry];
      const table = this.bytes.subarray(tablesAt + entry * 32, tablesAt + entry * 32 + 32);
      offsetTable[entry] = offset ?? 0;
      patterns.forEach((pattern, bit) => {
        const charSet = offset === undefined ? undefined : pattern[offset];
        const { lows, highs } = nibbles(charSet);
        for (const low of lows) table[low] = (table[low] as number) | (1 << bit);
        for (const high of highs) table[16 + high] = (table[16 + high] as number) | (1 << bit);
      });
    }
  }

  /**
   * The least position at or after `from` where one of the sequences may start, or -1. Calls
   * for one text are cheapest in ascending `from`, as a scanner makes them: only the block read
   * last is kept.
   */
  next(text: string, from: number): number {
    let position = Math.max(0, from);
    if (text !== this.text || position < this.blockStart) this.count = this.blockEnd = this.blockStart = 0;
    // The same object compares in constant time, an equal copy does not: keep the caller's.
    this.text = text;
    while (position < text.length) {
      if (position >= this.blockStart && position < this.blockEnd) {
        const index = this.firstFoundAtOrAfter(position - this.blockStart);
        if (index < this.count) return this.blockStart + ((this.found[index] as number) >>> 8);
        position = this.blockEnd;
        continue;
      }
      this.scanBlock(text, position);
    }
    return -1;
  }

  /**
   * Reads `text` from `start` for one block (to `start + SEQUENCES_BLOCK_CHARS` or its end) and
   * returns how many positions it found there, each given by {@link positionAt} and
   * {@link patternsAt}, ascending. For a caller that keeps what blocks found itself;
   * {@link next} then reads its blocks again.
   */
  read(text: string, start: number): number {
    this.scanBlock(text, start);
    // `next` must not take this block for one of the text it read last.
    this.text = '';
    return this.count;
  }

  /** The `index`th position the last {@link read} found. */
  positionAt(index: number): number {
    return this.blockStart + ((this.found[index] as number) >>> 8);
  }

  /** The bits of the patterns (by their index, see {@link sharedBy}) that start at the `index`th position. */
  patternsAt(index: number): number {
    return (this.found[index] as number) & 0xff;
  }

  /** Reads `text` from `start` for one block (with the characters its last positions' patterns read). */
  private scanBlock(text: string, start: number): void {
    const end = Math.min(text.length, start + SEQUENCES_BLOCK_CHARS);
    const written = this.bytes.write(
      text.substring(start, Math.min(text.length, end + this.reach)),
      textAt,
      'latin1',
    );
    // Past the text: bytes no class holds (but a lone offset's), so the last lanes report alike every time.
    this.bytes.fill(0, textAt + written, textAt + written + textPad);
    this.blockStart = start;
    this.blockEnd = end;
    this.count = this.scanExport(textAt, end - start, tablesAt, offsetsAt, this.entries, nibblesAt, outAt);
  }

  /** Index of the first position found in the block at or after `offset` (its start), or `count`. */
  private firstFoundAtOrAfter(offset: number): number {
    const found = this.found;
    const key = offset * 256;
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((found[middle] as number) < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/**
 * At most `most` ({@link maxPatterns} unless shared, see `sharedBy`) sequences of at most
 * {@link maxOffsets} classes that start wherever one of `sequences` does: cut to the longest
 * length that leaves that few different ones; when even their first classes differ more, those
 * past the first `most - 1` are merged into one, class by class.
 */
function fitted(sequences: readonly (readonly CharSet[])[], most = maxPatterns): (readonly CharSet[])[] {
  for (let length = maxOffsets; length > 1; length--) {
    const cut = distinct(sequences.map((sequence) => sequence.slice(0, length)));
    if (cut.length <= most) return cut;
  }
  const firsts = distinct(sequences.map((sequence) => sequence.slice(0, 1)));
  if (firsts.length <= most) return firsts;
  const merged = firsts.slice(most - 1).reduce((a, b) => [(a[0] as CharSet).union(b[0] as CharSet)]);
  return [...firsts.slice(0, most - 1), merged];
}

function distinct(sequences: readonly (readonly CharSet[])[]): (readonly CharSet[])[] {
  const byKey = new Map<string, readonly CharSet[]>();
  for (const sequence of sequences) byKey.set(JSON.stringify(sequence), sequence);
  return [...byKey.values()];
}
