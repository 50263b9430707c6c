import { Latin1Memo } from '../latin1-text.ts';
import type { CharSet } from '../regex-char-sets.ts';
import { LEADING_RUNS_WASM } from './leading-runs-wasm.ts';
import { instantiateKernel } from './wasm-kernel.ts';

/** Characters copied into the kernel's memory at a time: bounds its memory (two bytes a character). */
export const RUNS_BLOCK_CHARS = 16384;

/** The longest run the kernel looks for: a block holds at least one run and what leads up to it. */
export const RUNS_MAX_LENGTH = 1024;

/** Characters the kernel may read past the end of a block (it reads 64 at a time). */
const overreadChars = 64;
/** Where the set's table, the kernel's answer and the block lie in its memory (bytes). */
const tableAt = 0;
const outAt = 32;
const textAt = 64;

/**
 * Finds runs of `length` or more characters of a set in a JavaScript string with the WebAssembly
 * kernel (assembly/leading-runs.ts: 16 characters classified per SIMD instruction, runs found
 * in 64-bit words). The text is copied into the kernel's memory in blocks of
 * {@link RUNS_BLOCK_CHARS}, as it is read: a byte a character when the text is Latin-1, sixteen
 * characters a vector (the kernel's calls on 16 MB of the bench CSV took 4.4 ms instead of 5.6,
 * logs 4.1 instead of 5.0), else as UTF-16: a Latin-1 copy would turn a code unit above U+00FF
 * into its low byte, possibly an ASCII character of the set, and the runs found would no longer
 * be exactly those of the text; the kernel narrows each unit to a byte itself, every unit above
 * U+007F to one that the set holds or not as it holds them all (`CharSet` stands for every
 * character above U+007F with one bit). Positions are the string's indexes.
 *
 * @example
 * const runs = new LeadingRuns(3, digits);
 * runs.next('a 12 3456 b', 0); // 5
 * runs.end; // 9
 */
export class LeadingRuns {
  readonly length: number;
  /** Where the run that the last {@link next} found ends: the first character after it not in the set. */
  end = 0;
  /** The kernel's entries for UTF-16 text, then for Latin-1 text (one byte a character). */
  private readonly findExports: readonly ((...args: number[]) => number)[];
  private readonly runEndExports: readonly ((...args: number[]) => number)[];
  private readonly bytes: Buffer;
  private readonly out: Int32Array;
  private readonly latin1 = new Latin1Memo();
  private text = '';
  private blockStart = 0;
  private blockEnd = 0;
  /** 1 when the block in memory is Latin-1, a byte a character; 0 when UTF-16. */
  private blockEntry = 0;
  /** The start of the run last found in `text` (with {@link end}), or -1. */
  private first = -1;

  constructor(length: number, chars: CharSet) {
    if (!(length >= 1 && length <= RUNS_MAX_LENGTH)) {
      throw new RangeError(`leading runs: cannot look for runs of ${length} characters`);
    }
    this.length = length;
    const { exports, memory } = instantiateKernel(
      LEADING_RUNS_WASM,
      textAt + (RUNS_BLOCK_CHARS + overreadChars) * 2,
    );
    const entry = (name: string) => exports[name] as (...args: number[]) => number;
    this.findExports = [entry('find'), entry('find8')];
    this.runEndExports = [entry('runEnd'), entry('runEnd8')];
    this.bytes = Buffer.from(memory);
    this.out = new Int32Array(memory, outAt, 1);
    const table = new Uint8Array(memory, tableAt, 32);
    for (let code = 0; code < 128; code++) {
      if (chars.has(code)) table[code & 15] = (table[code & 15] as number) | (1 << (code >> 4));
    }
    table.fill(chars.has(128) ? 0xff : 0, 16, 32);
  }

  /**
   * The least position `>= from` where {@link length} characters of the set start, or -1; then
   * {@link end} is where the run of the set's characters from there ends.
   */
  next(text: string, from: number): number {
    const length = this.length;
    const isSameText = text === this.text;
    // Keep the caller's string object even when an equal one was kept: comparing two distinct
    // strings with the same content costs their length, comparing one with itself not.
    this.text = text;
    if (!isSameText) {
      // The run last found and the block in memory are another text's.
      this.first = -1;
      this.blockStart = 0;
      this.blockEnd = 0;
    }
    if (from + length > text.length) return -1;
    // Every position of a run found before, up to `length` before its end, starts a run.
    if (this.first !== -1 && from >= this.first && from <= this.end - length) return from;
    if (from < this.blockStart || from >= this.blockEnd) this.load(text, from);
    let found = this.find(from);
    while (found === -1) {
      if (this.blockEnd === text.length) return -1;
      // The set's characters that end the block may start a run: the next block starts with them.
      const start = this.blockEnd - (this.out[0] as number);
      this.load(text, start);
      found = this.find(start);
    }
    let end = this.blockStart + (this.out[0] as number);
    // A run that reaches the end of the block may go on in the next ones.
    while (end === this.blockEnd && end < text.length) {
      this.load(text, end);
      const runEnd = this.runEndExports[this.blockEntry] as (...args: number[]) => number;
      end = this.blockStart + runEnd(textAt, 0, this.blockEnd - this.blockStart, tableAt);
    }
    this.first = found;
    this.end = end;
    return found;
  }

  /** The least position `>= start` in the block where a run starts, or -1 (the kernel's answer in `out`). */
  private find(start: number): number {
    const find = this.findExports[this.blockEntry] as (...args: number[]) => number;
    const found = find(
      textAt,
      start - this.blockStart,
      this.blockEnd - this.blockStart,
      this.length,
      tableAt,
      outAt,
    );
    return found === -1 ? -1 : this.blockStart + found;
  }

  /** Copies `text` from `start` into the kernel's memory, as much as a block holds. */
  private load(text: string, start: number): void {
    const end = Math.min(text.length, start + RUNS_BLOCK_CHARS);
    this.blockEntry = this.latin1.isLatin1(text) ? 1 : 0;
    this.bytes.write(text.substring(start, end), textAt, this.blockEntry === 1 ? 'latin1' : 'utf16le');
    this.blockStart = start;
    this.blockEnd = end;
  }
}
