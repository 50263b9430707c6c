import { isAscii } from 'node:buffer';
import { instantiateKernel } from '../core/redaction/detectors/wasm-kernel.ts';
import { isLatin1 } from '../core/redaction/latin1-text.ts';
import { LATIN1_UTF8_WASM } from './latin1-utf8-wasm.ts';

/** Bytes (or characters) transcoded per call at most: bounds the kernel's memory (about three times this). */
const MAX_KERNEL_BYTES = 512 * 1024;
/** Where the kernel writes its output, after the input and the 15 bytes its blocks read past it. */
const OUTPUT_AT = MAX_KERNEL_BYTES + 16;
/** Memory: the input, then up to twice as many output bytes and the 15 its blocks write past them. */
const KERNEL_BYTES = OUTPUT_AT + 2 * MAX_KERNEL_BYTES + 16;

interface Kernel {
  readonly utf8ToLatin1: (bytes: number, length: number, out: number) => number;
  readonly latin1ToUtf8: (bytes: number, length: number, out: number) => number;
  /** The kernel's memory. */
  readonly memory: Buffer;
}

/** The kernel of this thread, made at its first use. */
let kernel: Kernel | undefined;

function instance(): Kernel {
  if (kernel === undefined) {
    const { exports, memory } = instantiateKernel(LATIN1_UTF8_WASM, KERNEL_BYTES);
    kernel = {
      utf8ToLatin1: exports.utf8ToLatin1 as Kernel['utf8ToLatin1'],
      latin1ToUtf8: exports.latin1ToUtf8 as Kernel['latin1ToUtf8'],
      memory: Buffer.from(memory),
    };
  }
  return kernel;
}

/**
 * The text of `bytes`, valid UTF-8 (the caller checks it): the same string `Buffer#toString`
 * returns, faster for Latin-1 text (ASCII with accented letters, as logs and records in Western
 * languages are), which V8 decodes a byte at a time once a chunk holds a byte above 0x7F. ASCII
 * is read as Latin-1 as it is; other Latin-1 text is transcoded to it in WebAssembly
 * (assembly/latin1-utf8.ts) and read from there; text with a character above U+00FF, or larger
 * than the kernel's memory, is decoded by `Buffer#toString`.
 *
 * @example
 * decodeUtf8(Buffer.from('crème', 'utf8')); // 'crème'
 */
export function decodeUtf8(bytes: Buffer): string {
  if (isAscii(bytes)) return bytes.toString('latin1');
  if (bytes.byteLength > MAX_KERNEL_BYTES) return bytes.toString('utf8');
  const { memory, utf8ToLatin1 } = instance();
  memory.set(bytes, 0);
  const length = utf8ToLatin1(0, bytes.byteLength, OUTPUT_AT);
  return length < 0 ? bytes.toString('utf8') : memory.toString('latin1', OUTPUT_AT, OUTPUT_AT + length);
}

/**
 * The UTF-8 bytes of `text`: the same bytes `Buffer.from(text, 'utf8')` returns, faster for
 * Latin-1 text, which V8 encodes a character at a time once it holds one above U+007F: its
 * Latin-1 bytes are transcoded to UTF-8 in WebAssembly and copied out. Text with a character
 * above U+00FF, or longer than the kernel's memory allows, is encoded by `Buffer.from`.
 *
 * @example
 * encodeUtf8('crème'); // <Buffer 63 72 c3 a8 6d 65>
 */
export function encodeUtf8(text: string): Buffer {
  const transcoded = latin1AsUtf8(text);
  if (transcoded === undefined) return Buffer.from(text, 'utf8');
  const bytes = Buffer.allocUnsafe(transcoded.byteLength);
  bytes.set(transcoded);
  return bytes;
}

/**
 * Bytes of each buffer `encodeUtf8Pieces` gives for Latin-1 pieces, at most: under glibc's
 * 128 KiB threshold for giving an allocation pages of its own. Freeing such a buffer raises
 * the threshold to its size and the one for returning memory at the heap's top to twice that,
 * after which the allocator kept what the outputs of a scan (about 800 KiB each) had freed:
 * peak RSS of the single pass over the 64 MB bench log 133 -> 129 MiB.
 */
export const OUTPUT_PART_BYTES = 64 * 1024;

/**
 * The UTF-8 bytes of each of `pieces`, joined, in buffers of up to `OUTPUT_PART_BYTES` (a
 * surrogate pair split between two pieces is two lone halves, as `encodeUtf8` of each gives;
 * callers cut none). Latin-1 pieces are transcoded one after another into the kernel's output
 * and copied out in parts, where encoding each apart made a buffer per piece (a text
 * redactor's scan gives about twenty pieces). A piece with a character above U+00FF, or too
 * long for the kernel, is encoded by `Buffer.from` into a buffer of its own.
 *
 * @example
 * Buffer.concat(encodeUtf8Pieces(['crème ', '[EMAIL]'])); // the bytes of 'crème [EMAIL]'
 */
export function encodeUtf8Pieces(pieces: readonly string[]): Buffer[] {
  const { memory, latin1ToUtf8 } = instance();
  const parts: Buffer[] = [];
  // Bytes of output transcoded at `OUTPUT_AT` and not copied out yet.
  let staged = 0;
  const copyStaged = (): void => {
    for (let at = 0; at < staged; at += OUTPUT_PART_BYTES) {
      const bytes = Buffer.allocUnsafe(Math.min(OUTPUT_PART_BYTES, staged - at));
      memory.copy(bytes, 0, OUTPUT_AT + at, OUTPUT_AT + at + bytes.byteLength);
      parts.push(bytes);
    }
    staged = 0;
  };
  for (const piece of pieces) {
    if (piece.length > MAX_KERNEL_BYTES || !isLatin1(piece)) {
      copyStaged();
      parts.push(Buffer.from(piece, 'utf8'));
      continue;
    }
    // A Latin-1 character is at most two bytes of UTF-8: the output never passes its room.
    if (staged + 2 * piece.length > 2 * MAX_KERNEL_BYTES) copyStaged();
    const length = memory.write(piece, 0, 'latin1');
    staged += latin1ToUtf8(0, length, OUTPUT_AT + staged);
  }
  copyStaged();
  return parts;
}

/**
 * The UTF-8 bytes of Latin-1 `text` transcoded in WebAssembly, as a view of the kernel's memory
 * that its next use overwrites (copy them out before); `undefined` when `text` has a character
 * above U+00FF or is longer than the kernel's memory allows.
 *
 * @example
 * output.set(latin1AsUtf8('crème') as Buffer, at); // the bytes c3 a8 for è, copied out at once
 */
export function latin1AsUtf8(text: string): Buffer | undefined {
  if (text.length > MAX_KERNEL_BYTES || !isLatin1(text)) return undefined;
  const { memory, latin1ToUtf8 } = instance();
  const length = memory.write(text, 0, 'latin1');
  return memory.subarray(OUTPUT_AT, OUTPUT_AT + latin1ToUtf8(0, length, OUTPUT_AT));
}
