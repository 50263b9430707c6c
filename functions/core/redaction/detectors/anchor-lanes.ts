import { ANCHOR_LANES_WASM } from './anchor-lanes-wasm.ts';
import { instantiateKernel } from './wasm-kernel.ts';

/** Characters read per call into the kernel: bounds its memory (34 bytes a character: the text and four lanes' outputs). */
export const LANES_BLOCK_CHARS = 8192;

/** The automaton the kernel runs, as {@link AnchorSearch} builds it. */
export interface LanesAutomaton {
  /** Next state by state and symbol: `transitions[state * width + symbol]`. */
  readonly transitions: Uint16Array | Uint32Array;
  readonly width: number;
  /** Symbol of each character above ASCII that an anchor uses; ASCII characters are their own. */
  readonly extraSymbols: ReadonlyMap<number, number>;
  readonly firstOutputState: number;
  /** Longest path from the root, in characters (the longest anchor, folded to lower case). */
  readonly depth: number;
}

/**
 * Runs an anchor automaton over stretches of a JavaScript string in WebAssembly
 * (assembly/anchor-lanes.ts: four runs at once, about twice as fast as one run in JavaScript on
 * long texts). The stretch is copied into the kernel's memory as UTF-16, so positions are the
 * string's own indexes whatever characters it holds.
 *
 * @example
 * const lanes = new AnchorLanes(automaton);
 * const count = lanes.scan(text, 0, 0, Math.min(text.length, LANES_BLOCK_CHARS));
 * lanes.endAt(0); // position after the first character where an anchor ends
 */
export class AnchorLanes {
  /** Characters read before `first` so that the state there is known: the automaton's depth less one. */
  readonly reach: number;
  private readonly width: number;
  private readonly firstOutputState: number;
  private readonly scanExport: (...args: number[]) => number;
  private readonly bytes: Buffer;
  private readonly pairs: Int32Array;
  private readonly transitionsAt: number;
  private readonly textAt: number;
  private readonly outAt: number;
  private start = 0;

  constructor(automaton: LanesAutomaton) {
    this.reach = Math.max(0, automaton.depth - 1);
    this.width = automaton.width;
    this.firstOutputState = automaton.firstOutputState;
    const symbolsBytes = 0x10000 * 2;
    this.transitionsAt = symbolsBytes;
    this.textAt = this.transitionsAt + automaton.transitions.length * 4;
    this.outAt = align8(this.textAt + (LANES_BLOCK_CHARS + this.reach) * 2);
    const { exports, memory } = instantiateKernel(ANCHOR_LANES_WASM, this.outAt + 4 * LANES_BLOCK_CHARS * 8);
    this.scanExport = exports.scan as (...args: number[]) => number;
    this.bytes = Buffer.from(memory);
    this.pairs = new Int32Array(memory, this.outAt);
    const symbols = new Uint16Array(memory, 0, 0x10000);
    // Symbols and states as byte offsets into the transitions (four bytes an entry): the kernel
    // adds them to find the next entry.
    for (let code = 0; code < 128; code++) symbols[code] = code * 4;
    for (const [code, symbol] of automaton.extraSymbols) symbols[code] = symbol * 4;
    const transitions = new Uint32Array(memory, this.transitionsAt, automaton.transitions.length);
    // A loop, not forEach: a callback per entry (~340,000 for the shipped packs) was ~5 ms of the
    // first long text's scan, the code still cold.
    const stateBytes = automaton.width * 4;
    const states = automaton.transitions;
    for (let index = 0; index < states.length; index++)
      transitions[index] = (states[index] as number) * stateBytes;
  }

  /**
   * Reads `text[first, end)` in a search that began at `from` (in the root state) and returns how
   * many output states it reached after those characters; {@link endAt} and {@link stateAt} give
   * each, in order. At most {@link LANES_BLOCK_CHARS} characters.
   */
  scan(text: string, from: number, first: number, end: number): number {
    if (end - first > LANES_BLOCK_CHARS || first < from || end > text.length) {
      throw new RangeError(`anchor lanes: cannot read ${first}..${end} of a search from ${from}`);
    }
    const start = Math.max(from, first - this.reach);
    this.start = start;
    this.bytes.write(text.substring(start, end), this.textAt, 'utf16le');
    return this.scanExport(
      this.textAt,
      end - start,
      first - start,
      this.reach,
      this.transitionsAt,
      0,
      this.firstOutputState * this.width * 4,
      this.outAt,
    );
  }

  /** The position after the character of the `index`th output of the last {@link scan}. */
  endAt(index: number): number {
    return (this.pairs[2 * index] as number) + this.start;
  }

  /** The output state (the automaton's number) reached there. */
  stateAt(index: number): number {
    return (this.pairs[2 * index + 1] as number) / (this.width * 4);
  }
}

function align8(offset: number): number {
  return Math.ceil(offset / 8) * 8;
}
