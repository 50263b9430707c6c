import { Latin1Memo } from '../latin1-text.ts';
import type { AnchorEdges } from './anchor-edges.ts';
import { ANCHOR_LANES_WASM } from './anchor-lanes-wasm.ts';
import { instantiateKernel } from './wasm-kernel.ts';

/** Characters read per call into the kernel: bounds its memory (the text, the lanes' slots and outputs: see assembly/anchor-lanes.ts). */
export const LANES_BLOCK_CHARS = 8192;

/** The automaton the kernel runs, as {@link AnchorSearch} builds it. */
export interface LanesAutomaton {
  /** Next state by state and symbol: `transitions[state * width + symbol]`. */
  readonly transitions: Uint16Array | Uint32Array;
  readonly width: number;
  /** Symbol of each character above ASCII that an anchor uses; ASCII characters are their own. */
  readonly extraSymbols: ReadonlyMap<number, number>;
  readonly firstOutputState: number;
  /** Anchors ending in each output state (index `state - firstOutputState`), longest first. */
  readonly outputs: readonly (readonly number[])[];
  /** Longest path from the root, in characters (the longest anchor, folded to lower case). */
  readonly depth: number;
  /**
   * Its symbols' classes (see {@link symbolClassesOf}), when a cache gave them.
   * @default - worked out by the lanes
   */
  readonly classes?: SymbolClasses | undefined;
}

/** The automaton's symbols in classes (see {@link symbolClassesOf}). */
export interface SymbolClasses {
  /** The class of each symbol. */
  readonly classOf: Int32Array;
  /** How many classes there are. */
  readonly classes: number;
}

/** The anchors of an automaton (see `AnchorSearch`), which the lanes check before reporting where they end. */
export interface LanesAnchors {
  readonly anchors: readonly string[];
  /** Whether each anchor matches in any case; else it is compared as written. */
  readonly ignoreCase: readonly boolean[];
  /** Whether each anchor occurs only as a word of its own (see `isWord`). */
  readonly isWordOnly: readonly boolean[];
  /**
   * What can come before and after each anchor where it counts, when known.
   * @default - none known
   */
  readonly edges?: readonly (AnchorEdges | undefined)[];
}

/**
 * Flags of an anchor in a check (see assembly/anchor-lanes.ts): compared as written; a word of
 * its own; some characters excluded before it; only some allowed after it.
 */
const EXACT = 1;
const WORD = 2;
const BEFORE = 4;
const AFTER = 8;

/**
 * Runs an anchor automaton over stretches of a JavaScript string in WebAssembly
 * (assembly/anchor-lanes.ts: six runs at once, about twice as fast as one run in JavaScript on
 * long texts). The stretch is copied into the kernel's memory a byte a character when the text
 * is Latin-1 (nearly all text; the kernel's calls on 16 MB of the bench CSV took 14.5 ms
 * instead of 15.7, NDJSON 9.55 instead of 9.9, logs 11.9 instead of 12.6), else as UTF-16, so
 * positions are the string's own indexes whatever characters it holds. An output state none
 * of whose anchors can end there (each compared as written, not a word of its own, or between
 * characters its edges exclude: see `AnchorEdges`) is not reported: on the bench CSV, 238,000
 * of the 476,000 outputs per 64 MB were the case-exact `ACc` and `ACe` (a Twilio SID's `AC`
 * and a hex digit) in `account` and `replacement`, 146,000 keywords inside words
 * (`call` in `called`); 68,000 are left, of which the anchors' edges drop about half (15,000 of
 * a 16 MB part are 8,600: `key` in `access key`, `-H` in `SKU-HWO`, `eyJ` after a JWT's dot).
 *
 * @example
 * const lanes = new AnchorLanes(automaton, { anchors, ignoreCase, isWordOnly });
 * const count = lanes.scan(text, 0, 0, Math.min(text.length, LANES_BLOCK_CHARS));
 * lanes.endAt(0); // position after the first character where an anchor ends
 */
export class AnchorLanes {
  /** Characters read before `first` so that the state there is known: the automaton's depth less one. */
  readonly reach: number;
  /** Bytes of a row of the kernel's table: an entry per symbol, then one for the state's check. */
  private readonly stateBytes: number;
  private readonly firstOutputState: number;
  /** The kernel's entries for UTF-16 text and for Latin-1 text (one byte a character). */
  private readonly scanExport: KernelScan;
  private readonly scan8Export: KernelScan;
  private readonly bytes: Buffer;
  private readonly pairs: Int32Array;
  private readonly transitionsAt: number;
  private readonly textAt: number;
  private readonly latin1 = new Latin1Memo();
  private start = 0;

  constructor(automaton: LanesAutomaton, anchors: LanesAnchors) {
    this.reach = Math.max(0, automaton.depth - 1);
    const { width, firstOutputState, transitions } = automaton;
    const states = firstOutputState + automaton.outputs.length;
    const { classOf, classes } = automaton.classes ?? symbolClassesOf(transitions, width, states);
    this.stateBytes = (classes + 1) * 4;
    this.firstOutputState = firstOutputState;
    // The kernel's own places come first (see assembly/anchor-lanes.ts), the tables from TABLES_AT.
    const layout = layoutOf();
    this.transitionsAt = layout.tablesAt;
    const checks = checksOf(automaton.outputs, anchors);
    const checksAt = this.transitionsAt + states * this.stateBytes;
    this.textAt = align8(checksAt + checks.units.length * 2);
    const { exports, memory } = instantiateKernel(
      ANCHOR_LANES_WASM,
      this.textAt + (LANES_BLOCK_CHARS + this.reach) * 2,
    );
    this.scanExport = exports.scan as KernelScan;
    this.scan8Export = exports.scan8 as KernelScan;
    this.bytes = Buffer.from(memory);
    this.pairs = new Int32Array(memory, layout.pairsAt, 2 * LANES_BLOCK_CHARS);
    const symbols = new Uint16Array(memory, layout.symbolsAt, 0x10000);
    // Symbols (their classes) as byte offsets into a row, states as their rows' addresses: the
    // kernel adds them to find the next entry. Characters no anchor uses are symbol 0, class 0,
    // as the memory starts.
    for (let code = 0; code < 128; code++) symbols[code] = (classOf[code] as number) * 4;
    for (const [code, symbol] of automaton.extraSymbols) symbols[code] = (classOf[symbol] as number) * 4;
    const table = new Uint32Array(memory, this.transitionsAt, states * (classes + 1));
    // A loop, not forEach: a callback per entry (~340,000 for the shipped packs) was ~5 ms of the
    // first long text's scan, the code still cold.
    const stateBytes = this.stateBytes;
    const transitionsAt = this.transitionsAt;
    for (let state = 0; state < states; state++) {
      const row = state * (classes + 1);
      const from = state * width;
      for (let symbol = 0; symbol < width; symbol++)
        table[row + (classOf[symbol] as number)] =
          transitionsAt + (transitions[from + symbol] as number) * stateBytes;
    }
    new Uint16Array(memory, checksAt, checks.units.length).set(checks.units);
    checks.starts.forEach((start, output) => {
      // 0 where unchecked: no check starts there, the symbols do.
      table[(firstOutputState + output) * (classes + 1) + classes] = start === -1 ? 0 : checksAt + start * 2;
    });
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
    const isOneByte = this.latin1.isLatin1(text);
    this.bytes.write(text.substring(start, end), this.textAt, isOneByte ? 'latin1' : 'utf16le');
    return (isOneByte ? this.scan8Export : this.scanExport)(
      this.textAt,
      end - start,
      first - start,
      this.reach,
      this.transitionsAt,
      this.transitionsAt + this.firstOutputState * this.stateBytes,
      this.stateBytes - 4,
    );
  }

  /** The position after the character of the `index`th output of the last {@link scan}. */
  endAt(index: number): number {
    return (this.pairs[2 * index] as number) + this.start;
  }

  /** The output state (the automaton's number) reached there. */
  stateAt(index: number): number {
    return ((this.pairs[2 * index + 1] as number) - this.transitionsAt) / this.stateBytes;
  }
}

/** A scan entry of the kernel (see assembly/anchor-lanes.ts). */
type KernelScan = (
  text: number,
  length: number,
  first: number,
  reach: number,
  root: number,
  firstOutput: number,
  checkAt: number,
) => number;

/**
 * The kernel's checks of the output states (see assembly/anchor-lanes.ts), as u16s, and where
 * each output state's starts in them: -1 when some anchor of the state needs no look at the text
 * (the state is reported unchecked), or is too long to be written in a u16.
 */
function checksOf(
  outputs: readonly (readonly number[])[],
  anchors: LanesAnchors,
): { readonly units: Uint16Array; readonly starts: readonly number[] } {
  const units: number[] = [];
  const starts = outputs.map((ends) => {
    const flags = ends.map((anchor) => {
      const edges = anchors.edges?.[anchor];
      return (
        (anchors.ignoreCase[anchor] ? 0 : EXACT) |
        (anchors.isWordOnly[anchor] ? WORD : 0) |
        (edges?.excludedBefore.some((bits) => bits !== 0) ? BEFORE : 0) |
        (edges?.allowedAfter !== undefined ? AFTER : 0)
      );
    });
    const literals = ends.map((anchor) => anchors.anchors[anchor] as string);
    if (flags.includes(0) || literals.some((literal) => literal.length > 0xffff)) return -1;
    const start = units.length;
    units.push(ends.length);
    literals.forEach((literal, index) => {
      const flag = flags[index] as number;
      const edges = anchors.edges?.[ends[index] as number];
      units.push(literal.length, flag);
      if (flag & EXACT) for (let i = 0; i < literal.length; i++) units.push(literal.charCodeAt(i));
      if (flag & BEFORE) units.push(...(edges?.excludedBefore ?? []));
      if (flag & AFTER) units.push(...(edges?.allowedAfter ?? []));
    });
    return start;
  });
  return { units: Uint16Array.from(units), starts };
}

/**
 * The automaton's symbols in classes of those every state goes the same way on (upper-case
 * letters as lower-case ones, characters no anchor uses as symbol 0), numbered from 0 in the
 * order of their first symbols: the kernel's table holds a column per class. The shipped packs'
 * automaton has 131 symbols in 58 classes, so its table takes 0.66 MB instead of 1.47: fewer of
 * its rows miss the CPU's caches. Reading the table by column, ~340,000 entries, is ~4 ms of
 * the first long text's scan with the code cold: the automata cached with the CLI bundle carry
 * their classes (see `builtAutomata`).
 */
export function symbolClassesOf(
  transitions: Uint16Array | Uint32Array,
  width: number,
  states: number,
): SymbolClasses {
  const classOf = new Int32Array(width);
  const firsts: number[] = [];
  const byHash = new Map<number, number[]>();
  for (let symbol = 0; symbol < width; symbol++) {
    let hash = 0;
    for (let index = symbol; index < states * width; index += width)
      hash = (Math.imul(hash, 31) + (transitions[index] as number)) | 0;
    const candidates = byHash.get(hash) ?? [];
    const same = candidates.find((first) => isSameColumn(transitions, width, states, first, symbol));
    if (same !== undefined) classOf[symbol] = classOf[same] as number;
    else {
      classOf[symbol] = firsts.length;
      firsts.push(symbol);
      candidates.push(symbol);
      byHash.set(hash, candidates);
    }
  }
  return { classOf, classes: firsts.length };
}

function isSameColumn(
  transitions: Uint16Array | Uint32Array,
  width: number,
  states: number,
  a: number,
  b: number,
): boolean {
  for (let row = 0; row < states * width; row += width)
    if (transitions[row + a] !== transitions[row + b]) return false;
  return true;
}

/** Where the kernel's pairs, symbols and the caller's tables are (its exported globals). */
interface KernelLayout {
  readonly pairsAt: number;
  readonly symbolsAt: number;
  readonly tablesAt: number;
}

/** The kernel's layout, read once per thread (see `layoutOf`). */
let layout: KernelLayout | undefined;

/**
 * The kernel's layout, constants of its module: read from an instance made for that on first
 * use, not again for each `AnchorLanes` (each anchor search makes one).
 */
function layoutOf(): KernelLayout {
  if (layout === undefined) {
    const { exports } = instantiateKernel(ANCHOR_LANES_WASM, 0x10000);
    const global = (name: string): number => (exports[name] as { value: number }).value;
    layout = { pairsAt: global('PAIRS_AT'), symbolsAt: global('SYMBOLS_AT'), tablesAt: global('TABLES_AT') };
  }
  return layout;
}

function align8(offset: number): number {
  return Math.ceil(offset / 8) * 8;
}
