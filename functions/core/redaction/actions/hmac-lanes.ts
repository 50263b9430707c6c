import { instantiateKernel } from '../detectors/wasm-kernel.ts';
import { HMAC_SHA256_LANES_WASM } from './hmac-sha256-lanes-wasm.ts';

/** SHA-256 block size in bytes: HMAC pads its key to it (RFC 2104, section 2). */
const BLOCK_BYTES = 64;
/** Values hashed per call into the kernel: bounds its memory. */
const BATCH_VALUES = 256;
/** Longest hex digest: all 32 bytes of a SHA-256 digest. */
const MAX_HEX_CHARS = 64;
/** The kernel's memory: its constants, then the layout below (about 48 KiB). */
const KERNEL_BYTES = 0x10000;
/** Longest value in a slot, in UTF-8 bytes (the kernel's `MAX_VALUE_BYTES`); at least as many UTF-16 code units. */
const MAX_SLOT_CHARS = 55;
/** Room a value is written in: 3 UTF-8 bytes per code unit at most, so no value of `MAX_SLOT_CHARS` is cut short. */
const MAX_WRITE_BYTES = 3 * MAX_SLOT_CHARS;
/** Characters of a batch's values written at once (see `HmacLanes.hashAscii`): as many as its slots hold. */
const STAGE_BYTES = BATCH_VALUES * MAX_SLOT_CHARS;
/** Most UTF-8 bytes of one character (a surrogate pair's). */
const MAX_CHAR_BYTES = 4;

/**
 * HMAC-SHA256 of many short values in one call into WebAssembly (assembly/hmac-sha256-lanes.ts:
 * four values at a time in SIMD lanes, the key's two block states computed once): for a column
 * of unique ids, under half the CPU of two `crypto.hash` calls per value, which cost mostly
 * the call. Values of more than 55 UTF-8 bytes (two blocks or more) are left to the caller.
 *
 * The key lives in the kernel's own memory as the SHA-256 states after its two padded blocks
 * (equivalent to the key for HMAC), for the life of this object; each batch of values is
 * zeroed there once hashed.
 *
 * @param blockKey - the HMAC key padded or hashed to at most one block (RFC 2104, section 2)
 * @example
 * ```ts
 * const lanes = new HmacLanes(hmacKey);
 * const results: string[] = [];
 * lanes.hexDigests(['alice', 'bob'], 16, results, (value) => slowHash(value)); // 16 hex digits each
 * ```
 */
export class HmacLanes {
  private readonly hmacExport: (...args: number[]) => void;
  private readonly gatherExport: (stage: number, slots: number, lengths: number, count: number) => void;
  private readonly bytes: Buffer;
  private readonly workAt: number;
  private readonly lengthsAt: number;
  private readonly slotsAt: number;
  private readonly outAt: number;
  private readonly stageAt: number;
  /** Where each value in the slots goes in the results of the current call. */
  private readonly positions = new Int32Array(BATCH_VALUES);

  constructor(blockKey: Uint8Array) {
    if (blockKey.length > BLOCK_BYTES) throw new RangeError('HMAC block key longer than a block');
    const { exports, memory } = instantiateKernel(HMAC_SHA256_LANES_WASM, KERNEL_BYTES);
    this.workAt = (exports.layoutStart as () => number)();
    this.lengthsAt = this.workAt + (exports.WORK_BYTES as { value: number }).value;
    this.slotsAt = this.lengthsAt + BATCH_VALUES;
    // A value's bytes are written before it is known to fit its slot: room past the last one.
    this.outAt = this.slotsAt + BATCH_VALUES * BLOCK_BYTES + MAX_WRITE_BYTES;
    this.stageAt = this.outAt + BATCH_VALUES * MAX_HEX_CHARS;
    if (this.stageAt + STAGE_BYTES + MAX_CHAR_BYTES > KERNEL_BYTES)
      throw new RangeError('HMAC lanes: layout exceeds memory');
    this.hmacExport = exports.hmac as (...args: number[]) => void;
    this.gatherExport = exports.gather as (
      stage: number,
      slots: number,
      lengths: number,
      count: number,
    ) => void;
    this.bytes = Buffer.from(memory);
    const prepare = exports.prepare as (block: number, state: number, work: number) => void;
    for (const [pad, stateAt] of [
      [0x36, this.workAt],
      [0x5c, this.workAt + 32],
    ] as const) {
      const block = this.bytes.subarray(this.slotsAt, this.slotsAt + BLOCK_BYTES).fill(pad);
      for (let i = 0; i < blockKey.length; i++) block[i] = pad ^ (blockKey[i] as number);
      prepare(this.slotsAt, stateAt, this.workAt);
      block.fill(0);
    }
  }

  /**
   * Sets `results[i]` to the first `hexChars` (at most 64) lowercase hex digits of the HMAC of
   * `values[i]` as UTF-8, for each value; a value too long for the kernel gets `long(value)`.
   */
  hexDigests(
    values: readonly string[],
    hexChars: number,
    results: string[],
    long: (value: string) => string,
  ): void {
    for (let first = 0; first < values.length; first += BATCH_VALUES) {
      const end = Math.min(first + BATCH_VALUES, values.length);
      if (!this.hashAscii(values, first, end, hexChars, results, long))
        this.hashEach(values, first, end, hexChars, results, long);
    }
  }

  /**
   * `hexDigests` of `values[first, end)` when they are ASCII: the values that fit a slot are
   * written to the stage joined, with one call, and the kernel copies each to its slot
   * (`Buffer#write` costs a call into C++ per value, about two thirds of what hashing it in the
   * kernel costs). False, with nothing hashed, otherwise.
   */
  private hashAscii(
    values: readonly string[],
    first: number,
    end: number,
    hexChars: number,
    results: string[],
    long: (value: string) => string,
  ): boolean {
    const { bytes, positions, lengthsAt, stageAt } = this;
    let joined = '';
    let slots = 0;
    for (let i = first; i < end; i++) {
      const value = values[i] as string;
      if (value.length > MAX_SLOT_CHARS) continue;
      joined += value;
      bytes[lengthsAt + slots] = value.length;
      positions[slots++] = i;
    }
    // As UTF-8, with room for one character more: text beyond ASCII then writes more bytes than
    // it has code units (a character left out takes at most the room), and ASCII as many. One
    // pass, where testing the text for such characters first and writing it took two.
    const written = bytes.write(joined, stageAt, joined.length + MAX_CHAR_BYTES, 'utf8');
    if (written !== joined.length) {
      bytes.fill(0, stageAt, stageAt + written);
      return false;
    }
    if (slots < end - first) {
      for (let i = first; i < end; i++) {
        const value = values[i] as string;
        if (value.length > MAX_SLOT_CHARS) results[i] = long(value);
      }
    }
    if (slots === 0) return true;
    this.gatherExport(stageAt, this.slotsAt, lengthsAt, slots);
    bytes.fill(0, stageAt, stageAt + joined.length);
    this.flush(slots, hexChars, results);
    return true;
  }

  /** `hexDigests` of `values[first, end)`, each written to its slot as UTF-8 with a call of its own. */
  private hashEach(
    values: readonly string[],
    first: number,
    end: number,
    hexChars: number,
    results: string[],
    long: (value: string) => string,
  ): void {
    const { bytes, positions, slotsAt } = this;
    let slots = 0;
    for (let i = first; i < end; i++) {
      const value = values[i] as string;
      const length =
        value.length <= MAX_SLOT_CHARS
          ? bytes.write(value, slotsAt + slots * BLOCK_BYTES, MAX_WRITE_BYTES, 'utf8')
          : BLOCK_BYTES;
      if (length > MAX_SLOT_CHARS) {
        results[i] = long(value);
        continue;
      }
      bytes[this.lengthsAt + slots] = length;
      positions[slots++] = i;
    }
    if (slots > 0) this.flush(slots, hexChars, results);
  }

  /** Hashes the values in the first `slots` slots into their places in `results`. */
  private flush(slots: number, hexChars: number, results: string[]): void {
    const { bytes, positions, slotsAt, outAt } = this;
    // The kernel reads whole groups of four: the slots past the last hold a value of length 0.
    bytes.fill(0, this.lengthsAt + slots, this.lengthsAt + BATCH_VALUES);
    this.hmacExport(this.workAt, slotsAt, this.lengthsAt, slots, outAt, hexChars);
    bytes.fill(0, slotsAt, slotsAt + slots * BLOCK_BYTES + MAX_WRITE_BYTES);
    const digits = bytes.toString('latin1', outAt, outAt + slots * hexChars);
    for (let slot = 0; slot < slots; slot++) {
      results[positions[slot] as number] = digits.slice(slot * hexChars, (slot + 1) * hexChars);
    }
  }
}
