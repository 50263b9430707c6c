import { Latin1Memo } from '../latin1-text.ts';
import { DIGIT_STARTS_WASM } from './digit-starts-wasm.ts';
import { instantiateKernel } from './wasm-kernel.ts';

/** Characters read per call into the kernel: bounds its memory (about 6.4 bytes a character: the text, the class bits and the starts). */
export const DIGIT_STARTS_BLOCK_CHARS = 16384;

/**
 * The vectors the kernel compares characters with, sixteen bytes each (see assembly/digit-starts.ts,
 * `scan`): read from memory once per call, where constants made again at every use in its loop
 * cost ~4 % of its time (16 MB of the bench log in one process: 9.45 → 9.04 ms, 12/12 rounds).
 */
const CLASS_VECTORS = [0x50, 0x8a, 0x20, 0x2e, 0x2d];

/** Characters the shapes look at before a start (the look-behinds) and after it (the card's last digit). */
const BEHIND = 1;
const AHEAD = 15;

/**
 * Finds, in WebAssembly (assembly/digit-starts.ts, SIMD), the positions of a stretch of a
 * JavaScript string where one of the digit shapes can start: those where one matches, tested
 * 40 positions at a time. The stretch is copied into the kernel's memory a byte a character
 * when the text is Latin-1, sixteen characters a vector (the kernel's calls on 16 MB of the
 * bench CSV took 6.5 ms instead of 7.45, logs 6.45 instead of 7.35), else as UTF-16 (a
 * character above U+00FF must stay outside the classes, as a Latin-1 copy would not keep it:
 * the shapes test that a character is not a digit), so positions are the string's own indexes.
 *
 * @example
 * const starts = new DigitStarts();
 * const count = starts.scan(text, 0, Math.min(text.length, DIGIT_STARTS_BLOCK_CHARS));
 * starts.positionAt(0); // the first position where a shape can start, if count > 0
 */
export class DigitStarts {
  /** The kernel's entries for UTF-16 text and for Latin-1 text (one byte a character). */
  private readonly scanExport: (...args: number[]) => number;
  private readonly scan8Export: (...args: number[]) => number;
  private readonly bytes: Buffer;
  private readonly positions: Int32Array;
  private readonly bitsAt: number;
  private readonly outAt: number;
  private readonly constantsAt: number;
  private readonly latin1 = new Latin1Memo();
  private start = 0;

  constructor() {
    const textChars = BEHIND + DIGIT_STARTS_BLOCK_CHARS + AHEAD;
    // The kernel reads the text 64 characters at a time, up to 63 past its end.
    this.bitsAt = align8((textChars + 64) * 2);
    this.outAt = this.bitsAt + 3 * (8 + Math.ceil(textChars / 64) * 8 + 16);
    this.constantsAt = this.outAt + DIGIT_STARTS_BLOCK_CHARS * 4;
    const { exports, memory } = instantiateKernel(
      DIGIT_STARTS_WASM,
      this.constantsAt + CLASS_VECTORS.length * 16,
    );
    this.scanExport = exports.scan as (...args: number[]) => number;
    this.scan8Export = exports.scan8 as (...args: number[]) => number;
    this.bytes = Buffer.from(memory);
    CLASS_VECTORS.forEach((byte, k) => {
      this.bytes.fill(byte, this.constantsAt + k * 16, this.constantsAt + (k + 1) * 16);
    });
    this.positions = new Int32Array(memory, this.outAt, DIGIT_STARTS_BLOCK_CHARS);
  }

  /**
   * Finds the positions in `[first, end)` of `text` where a shape can start and returns how
   * many; {@link positionAt} gives each, ascending. At most {@link DIGIT_STARTS_BLOCK_CHARS}.
   */
  scan(text: string, first: number, end: number): number {
    if (end - first > DIGIT_STARTS_BLOCK_CHARS || first < 0 || end > text.length || first > end) {
      throw new RangeError(`digit starts: cannot read ${first}..${end} of ${text.length} characters`);
    }
    const start = Math.max(0, first - BEHIND);
    const stop = Math.min(text.length, end + AHEAD);
    this.start = start;
    const isOneByte = this.latin1.isLatin1(text);
    this.bytes.write(text.substring(start, stop), 0, isOneByte ? 'latin1' : 'utf16le');
    return (isOneByte ? this.scan8Export : this.scanExport)(
      0,
      stop - start,
      first - start,
      end - start,
      this.bitsAt,
      this.outAt,
      this.constantsAt,
    );
  }

  /** The `index`th position found by the last {@link scan}. */
  positionAt(index: number): number {
    return (this.positions[index] as number) + this.start;
  }
}

function align8(offset: number): number {
  return Math.ceil(offset / 8) * 8;
}
