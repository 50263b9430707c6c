import { createHash } from 'node:crypto';
import type { AnchorEdges } from './anchor-edges.ts';
import {
  AnchorLanes,
  LANES_BLOCK_CHARS,
  type LanesAutomaton,
  type SymbolClasses,
  symbolClassesOf,
} from './anchor-lanes.ts';
import { isWord } from './is-word.ts';
import { StartList } from './start-list.ts';

/**
 * From this many characters on, a text is read by {@link AnchorLanes} (WebAssembly) in blocks;
 * below, copying it there costs more than the lanes save (measured on the bench workloads).
 */
const LANES_MIN_CHARS = 256;

/** Where anchors occur: a start and the anchors (indexes into the search's list) found there. */
export interface AnchorOccurrence {
  readonly start: number;
  readonly anchors: readonly number[];
}

/**
 * Finds where any of many literal anchors (`AKIA`, `ghp_`, `-----BEGIN`, `führerschein`) occur, each
 * exactly or ignoring case, in one pass over the text however many anchors there are: an
 * Aho–Corasick automaton reads each character once (folded to lower case), with one table
 * lookup, and an anchor that must match exactly is compared at the few places it ends. An
 * anchor marked word-only (a pack keyword) occurs only where it is a word of its own (see
 * {@link isWord}): `call` in `call me`, not in `called`. Anchors with edges (see `AnchorEdges`)
 * are not reported by the lanes where a character excluded before one comes before it or one
 * not allowed after it follows: `key-assignment`'s `key` (after a letter or digit, maybe and
 * `_`, `.` or `-`) in `access key`, `api-key-header`'s `-H` (a space or tab after) in `SKU-HWO`.
 *
 * A regex alternating the anchors slows down with every anchor V8 must try at each offset
 * (measured: 137 anchors scan five times slower than this), and V8's fast skipping needs the
 * alternatives to start with few, rare characters, which anchors such as `glpat-` or `sk-` do
 * not. The automaton's cost does not depend on the anchors.
 *
 * Occurrences of one text are found lazily and kept, so every detector asking about the same
 * text shares the scan. A long text is read in blocks by {@link AnchorLanes}, the same automaton
 * in WebAssembly, six stretches at once: one run is bound by the latency of its table lookups,
 * so JavaScript cannot go faster (byte views, pair prefilters and interleaved runs were measured
 * slower), and the lanes read long texts about twice as fast.
 *
 * @example
 * const search = new AnchorSearch(['AKIA', 'ghp_'], [false, false]);
 * search.next('x ghp_1 akia AKIA', 0); // { start: 2, anchors: [1] }
 */
export class AnchorSearch {
  readonly anchors: readonly string[];
  /** Whether each anchor matches in any case. */
  private readonly ignoreCase: readonly boolean[];
  /** Whether each anchor occurs only as a word of its own. */
  private readonly isWordOnly: readonly boolean[];
  /** What can come before and after each anchor where it counts, when known. */
  private readonly edges: readonly (AnchorEdges | undefined)[];
  /** Next state by state and character: `transitions[state * width + symbol]`. */
  private readonly transitions: Uint16Array | Uint32Array;
  /** Symbols per state: ASCII, then the other characters anchors use. */
  private readonly width: number;
  /** Symbol of each character above ASCII that an anchor uses (both cases). */
  private readonly extraSymbols: ReadonlyMap<number, number>;
  /** States at or above this one end at least one anchor. */
  private readonly firstOutputState: number;
  /** Anchors ending in each output state (index `state - firstOutputState`), longest first. */
  private readonly outputs: readonly (readonly number[])[];
  /** Longest anchor less one: an anchor starts at most this far before the character ending it. */
  private readonly reach: number;
  private readonly automaton: LanesAutomaton;
  /** The WebAssembly kernel, made for the first long text. */
  private lanes: AnchorLanes | undefined;
  /** Whether the current text is read by the lanes. */
  private isInLanes = false;
  private text = '';
  private readonly list = new StartList();
  /** Characters before this position have been read. */
  private scannedTo = 0;
  private state = 0;
  /** Occurrences starting before this position are not recorded. */
  private from = 0;

  constructor(
    anchors: readonly string[],
    ignoreCase: readonly boolean[] = anchors.map(() => true),
    isWordOnly: readonly boolean[] = anchors.map(() => false),
    edges: readonly (AnchorEdges | undefined)[] = [],
  ) {
    this.anchors = anchors;
    this.ignoreCase = ignoreCase;
    this.isWordOnly = isWordOnly;
    this.edges = edges;
    for (const anchor of anchors) {
      if (!/^[^\p{C}\p{Z}]/u.test(anchor) || /[\p{Cc}\p{Cs}]/u.test(anchor)) {
        throw new Error(
          `anchor ${JSON.stringify(anchor)} must start with a visible character and hold no control characters`,
        );
      }
    }
    const automaton = automatonOf(anchors);
    this.transitions = automaton.transitions;
    this.width = automaton.width;
    this.extraSymbols = automaton.extraSymbols;
    this.firstOutputState = automaton.firstOutputState;
    this.outputs = automaton.outputs;
    this.reach = Math.max(0, ...anchors.map((anchor) => anchor.length - 1));
    this.automaton = automaton;
  }

  /**
   * The first occurrence starting at or after `from`, or `undefined`. Calls for one text are
   * cheapest in ascending `from`, as a scanner makes them.
   */
  next(text: string, from: number): AnchorOccurrence | undefined {
    if (text !== this.text || from < this.from) this.reset(text, Math.max(0, from));
    // The same object compares in constant time, an equal copy does not: keep the caller's.
    this.text = text;
    for (;;) {
      const { starts, found } = this.list;
      const index = this.list.firstIndexAtOrAfter(from);
      const isKnown = index < starts.length;
      // Complete: every anchor starting before `scannedTo - reach` has been recorded.
      if (
        isKnown &&
        ((starts[index] as number) < this.scannedTo - this.reach || this.scannedTo >= text.length)
      ) {
        return { start: starts[index] as number, anchors: found[index] as number[] };
      }
      if (this.scannedTo >= text.length) return undefined;
      if (this.isInLanes) this.scanBlock(text);
      else this.scanToNextOutput(text);
    }
  }

  private reset(text: string, from: number): void {
    this.from = from;
    this.isInLanes = text.length - from >= LANES_MIN_CHARS;
    this.list.clear();
    this.scannedTo = from;
    this.state = 0;
  }

  /** Reads characters until one ends an anchor (recording it) or the text ends. */
  private scanToNextOutput(text: string): void {
    const transitions = this.transitions;
    const firstOutput = this.firstOutputState;
    const width = this.width;
    const length = text.length;
    let state = this.state;
    let position = this.scannedTo;
    while (position < length) {
      const code = text.charCodeAt(position);
      const symbol = code < 128 ? code : (this.extraSymbols.get(code) ?? 0);
      state = transitions[state * width + symbol] as number;
      position++;
      if (state >= firstOutput) break;
    }
    this.state = state;
    this.scannedTo = position;
    if (state >= firstOutput) this.record(text, position, state);
  }

  /** Reads the next block with the lanes, recording every anchor ending in it. */
  private scanBlock(text: string): void {
    this.lanes ??= new AnchorLanes(this.automaton, {
      anchors: this.anchors,
      ignoreCase: this.ignoreCase,
      isWordOnly: this.isWordOnly,
      edges: this.edges,
    });
    const end = Math.min(text.length, this.scannedTo + LANES_BLOCK_CHARS);
    const count = this.lanes.scan(text, this.from, this.scannedTo, end);
    for (let index = 0; index < count; index++) {
      this.record(text, this.lanes.endAt(index), this.lanes.stateAt(index));
    }
    this.scannedTo = end;
  }

  /** Records the anchors of output state `state`, reached just before `position`. */
  private record(text: string, position: number, state: number): void {
    for (const anchor of this.outputs[state - this.firstOutputState] ?? []) {
      const literal = this.anchors[anchor] as string;
      const start = position - literal.length;
      if (
        start >= this.from &&
        (this.ignoreCase[anchor] || text.startsWith(literal, start)) &&
        (!this.isWordOnly[anchor] || isWord(text, start, position))
      )
        this.list.insert(start, anchor);
    }
  }
}

/**
 * An automaton as a cache carries it ({@link builtAutomata}, {@link addKnownAutomata}): its
 * transitions are bytes of a binary file beside the JSON, little-endian, two bytes an entry (four
 * when `isWide`), from `transitionsAt`, with their SHA-256; the extra symbols `[code, symbol]`
 * pairs; the class of each symbol (`symbolClassesOf`).
 */
export interface AutomatonJson {
  readonly transitionsAt: number;
  readonly transitionsSha256: string;
  readonly isWide: boolean;
  readonly width: number;
  readonly extraSymbols: readonly (readonly [number, number])[];
  readonly firstOutputState: number;
  readonly outputs: readonly (readonly number[])[];
  readonly depth: number;
  readonly symbolClasses: readonly number[];
}

/** Automata as a cache carries them: the JSON by their anchors (joined by NUL), and the bytes of their transitions. */
export interface AutomataCache {
  readonly automata: Record<string, AutomatonJson>;
  readonly transitions: Uint8Array;
}

/** Automata by their anchors, the last few built (see {@link automatonOf}). */
const recentAutomata = new Map<string, LanesAutomaton>();
const maxRecentAutomata = 8;

/** Automata by their anchors that a cache gave ({@link addKnownAutomata}), never dropped. */
const knownAutomata = new Map<string, LanesAutomaton>();

/** Whether typed arrays are little-endian here, as {@link AutomatonJson} bytes are. */
const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The automata built so far that are still kept, as a cache carries them: what the CLI bundle's
 * build writes after compiling the shipped rule sets (bin/cli-bundle.js, ANCHOR_AUTOMATA_FILE and
 * its binary file), so that `serve` does not build the automaton of the shipped packs' ~850
 * anchors and keywords again (~15 ms of CPU of the first request's compile, the code still cold).
 */
export function builtAutomata(): AutomataCache {
  const automata: Record<string, AutomatonJson> = {};
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const [key, automaton] of recentAutomata) {
    const { transitions } = automaton;
    const bytes = new Uint8Array(transitions.buffer, transitions.byteOffset, transitions.byteLength);
    automata[key] = {
      transitionsAt: at,
      transitionsSha256: createHash('sha256').update(bytes).digest('hex'),
      isWide: transitions instanceof Uint32Array,
      width: automaton.width,
      extraSymbols: [...automaton.extraSymbols],
      firstOutputState: automaton.firstOutputState,
      outputs: automaton.outputs,
      depth: automaton.depth,
      symbolClasses: [
        ...(
          automaton.classes ??
          symbolClassesOf(transitions, automaton.width, automaton.firstOutputState + automaton.outputs.length)
        ).classOf,
      ],
    };
    // Each automaton's bytes start at a multiple of four, so they are read in place.
    const padded = Math.ceil(bytes.length / 4) * 4;
    parts.push(bytes, new Uint8Array(padded - bytes.length));
    at += padded;
  }
  return { automata, transitions: Buffer.concat(parts) };
}

/**
 * Makes the automata of a cache ({@link builtAutomata}) those of their anchors: an
 * {@link AnchorSearch} for the same anchors, in the same order, takes them instead of building
 * them. An entry whose tables do not fit its anchors (sizes, depth, symbols, outputs) or whose
 * bytes are not those hashed is left out, as are all where typed arrays are big-endian; those
 * are built.
 */
export function addKnownAutomata(automata: Readonly<Record<string, unknown>>, transitions: Uint8Array): void {
  if (!isLittleEndian) return;
  for (const [key, value] of Object.entries(automata)) {
    const automaton = automatonFromCache(key.split('\0'), value as AutomatonJson, transitions);
    if (automaton !== undefined) knownAutomata.set(key, automaton);
  }
}

/** The automaton `json` and `bytes` hold when its tables fit `anchors`, else `undefined`. */
function automatonFromCache(
  anchors: readonly string[],
  json: AutomatonJson,
  bytes: Uint8Array,
): LanesAutomaton | undefined {
  try {
    const { width, firstOutputState, outputs, depth, transitionsAt } = json;
    const entryBytes = json.isWide ? 4 : 2;
    const states = firstOutputState + outputs.length;
    const length = states * width * entryBytes;
    if (!Number.isInteger(width) || width < 128 || !Number.isInteger(transitionsAt) || transitionsAt < 0)
      return undefined;
    if (transitionsAt + length > bytes.length) return undefined;
    if (depth !== Math.max(0, ...anchors.map((anchor) => anchor.toLowerCase().length))) return undefined;
    if (
      !outputs.every(
        (ends) => ends.length > 0 && ends.every((anchor) => anchor >= 0 && anchor < anchors.length),
      )
    )
      return undefined;
    const extraSymbols = new Map(json.extraSymbols.map(([code, symbol]) => [code, symbol] as const));
    for (const symbol of extraSymbols.values()) if (!(symbol >= 128 && symbol < width)) return undefined;
    const classes = classesFromJson(json.symbolClasses, width);
    if (classes === undefined) return undefined;
    // The bytes the build hashed, so every state is one it numbered (checking each entry cost
    // more, ~3-5 ms cold for the shipped packs, than the hash).
    const held = bytes.subarray(transitionsAt, transitionsAt + length);
    if (createHash('sha256').update(held).digest('hex') !== json.transitionsSha256) return undefined;
    const isAligned = (held.byteOffset & (entryBytes - 1)) === 0;
    // A copy where they are not (a Buffer's slice would be a view).
    const source = isAligned ? held : new Uint8Array(held);
    const transitions = json.isWide
      ? new Uint32Array(source.buffer, source.byteOffset, length / 4)
      : new Uint16Array(source.buffer, source.byteOffset, length / 2);
    return { transitions, width, extraSymbols, firstOutputState, outputs, depth, classes };
  } catch {
    return undefined;
  }
}

/**
 * The symbol classes `classOf` (one per symbol of `width`) names, when they are numbered as
 * `symbolClassesOf` numbers them: from 0, each new class one more than the last.
 */
function classesFromJson(classOf: readonly number[], width: number): SymbolClasses | undefined {
  if (!Array.isArray(classOf) || classOf.length !== width) return undefined;
  let classes = 0;
  for (const symbolClass of classOf) {
    if (!Number.isInteger(symbolClass) || symbolClass < 0 || symbolClass > classes) return undefined;
    if (symbolClass === classes) classes++;
  }
  return { classOf: Int32Array.from(classOf), classes };
}

/**
 * The automaton of `anchors`, the one a cache gave ({@link addKnownAutomata}) or else built, the
 * last few built kept: rule sets that extend one another enable the
 * same packs, so `serve` starting with the shipped rules builds the same automaton once instead
 * of once per rule set, and the small groups of members a field name changes (see
 * `createDetectorGroup`, `namedPart`) do not replace it. Searches only read it.
 */
function automatonOf(anchors: readonly string[]): LanesAutomaton {
  // Anchors hold no control characters (checked above), so NUL separates them unambiguously.
  const key = anchors.join('\0');
  const known = knownAutomata.get(key);
  if (known !== undefined) return known;
  let automaton = recentAutomata.get(key);
  if (automaton === undefined) {
    automaton = buildAutomaton(anchors);
    if (recentAutomata.size >= maxRecentAutomata)
      recentAutomata.delete(recentAutomata.keys().next().value as string);
  }
  // Refreshed: the oldest used is dropped first.
  recentAutomata.delete(key);
  recentAutomata.set(key, automaton);
  return automaton;
}

/** The Aho–Corasick automaton of `anchors`, states renumbered so that output states come last. */
function buildAutomaton(anchors: readonly string[]): LanesAutomaton {
  // Symbol 0 (NUL) stands for every character no anchor uses: none starts or continues one.
  const extraSymbols = new Map<number, number>();
  for (const anchor of anchors) {
    for (const char of anchor.toLowerCase()) {
      const code = char.charCodeAt(0);
      if (code < 128 || extraSymbols.has(code)) continue;
      const symbol = 128 + new Set(extraSymbols.values()).size;
      for (const variant of [char, char.toUpperCase()]) {
        if (variant.length === 1) extraSymbols.set(variant.charCodeAt(0), symbol);
      }
    }
  }
  const width = 128 + new Set(extraSymbols.values()).size;
  const symbolOf = (code: number): number => (code < 128 ? code : (extraSymbols.get(code) ?? 0));
  // One flat row of `width` next states per state (-1: none yet), at most one state per code unit
  // of the anchors: with a plain array per row, building the shipped packs' automaton (346
  // anchors and keywords) took 7.2 ms warm, 3.2 ms so (same tables, compared on 3000 anchor sets).
  const folded = anchors.map((anchor) => anchor.toLowerCase());
  const next = new Int32Array((1 + folded.reduce((sum, anchor) => sum + anchor.length, 0)) * width).fill(-1);
  let states = 1;
  const ends: number[][] = [[]];
  folded.forEach((anchor, index) => {
    let state = 0;
    for (let i = 0; i < anchor.length; i++) {
      const at = state * width + symbolOf(anchor.charCodeAt(i));
      let target = next[at] as number;
      if (target === -1) {
        target = states++;
        ends.push([]);
        next[at] = target;
      }
      state = target;
    }
    ends[state]?.push(index);
  });
  const fail = new Int32Array(states);
  const queue: number[] = [];
  for (let code = 0; code < width; code++) {
    if (next[code] === -1) next[code] = 0;
    else queue.push(next[code] as number);
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head] as number;
    const base = state * width;
    const failBase = (fail[state] as number) * width;
    (ends[state] as number[]).push(...(ends[fail[state] as number] as number[]));
    for (let code = 0; code < width; code++) {
      const fallback = next[failBase + code] as number;
      const target = next[base + code] as number;
      if (target === -1) next[base + code] = fallback;
      else {
        fail[target] = fallback;
        queue.push(target);
      }
    }
  }
  const order = Array.from({ length: states }, (_, state) => state).sort(
    (a, b) => Number((ends[a]?.length ?? 0) > 0) - Number((ends[b]?.length ?? 0) > 0),
  );
  const renumbered = new Array<number>(states);
  order.forEach((state, index) => {
    renumbered[state] = index;
  });
  const transitions = states <= 0x10000 ? new Uint16Array(states * width) : new Uint32Array(states * width);
  for (let state = 0; state < states; state++) {
    const base = (renumbered[state] as number) * width;
    const row = state * width;
    for (let code = 0; code < width; code++) {
      // An upper-case letter goes where its lower-case letter goes: anchors match in any case.
      const lower = code >= 65 && code <= 90 ? code + 32 : code;
      transitions[base + code] = renumbered[next[row + lower] as number] as number;
    }
  }
  const firstOutputState = order.findIndex((state) => (ends[state]?.length ?? 0) > 0);
  const outputs =
    firstOutputState === -1 ? [] : order.slice(firstOutputState).map((state) => ends[state] ?? []);
  return {
    transitions,
    width,
    extraSymbols,
    firstOutputState: firstOutputState === -1 ? states : firstOutputState,
    outputs,
    depth: Math.max(0, ...anchors.map((anchor) => anchor.toLowerCase().length)),
  };
}
