import type { StartSequences } from '../pattern-start-sequences.ts';
import { StartList } from './start-list.ts';

/** Where shapes may start: a position and the shapes (indexes into the search's list) that may start there. */
export interface ShapeOccurrence {
  readonly start: number;
  readonly shapes: readonly number[];
}

/** Automata with more states than this are not built: their tables would outgrow the caches. */
const defaultMaxStates = 16384;
/** Nor with more table entries than this (4 MiB of transitions), whatever the number of classes. */
const maxTransitions = 1 << 20;
/** Sequence lengths tried, longest first, until the automaton fits: shorter ones give fewer states. */
const sequenceLengths = [12, 6, 3];

/**
 * Finds where any of many pattern starts (see `startSequencesOf`: sets of characters one per
 * position, a set of characters that cannot come before) may begin, in one pass over the text
 * however many there are: a deterministic automaton over classes of characters reads each
 * character once, with one table lookup. It reports every position where one of a shape's
 * sequences matches and the character before, if any, is not one its shape excludes (sequences
 * cut short when the automaton would be too big), so every match of each pattern starts at one
 * of its occurrences; a pattern checks the few others itself.
 *
 * One regex per pattern scans the text once each (measured on bench logs, CPU time: 0.4 to
 * 1.6 ns per character each, 20 ns for the 23 patterns of the shipped packs that have neither
 * anchors nor keywords), and a regex alternating them loses V8's fast skipping (9 ns); the
 * automaton costs about what one JavaScript loop over the characters does (2.8 ns), whatever the
 * number of shapes.
 *
 * Occurrences of one text are found lazily and kept, so every pattern asking about the same
 * text shares the scan.
 *
 * @example
 * const search = ShapeSearch.create([startSequencesOf('(?<![0-9])[0-9]{3}-[0-9]', '')]);
 * search?.next('x 12-3 456-7', 0); // { start: 7, shapes: [0] }
 */
export class ShapeSearch {
  /** Next state, times `width`, by state times `width` plus the class of a character. */
  private readonly transitions: Uint32Array;
  /** Class of each UTF-16 code unit. */
  private readonly classes: Uint8Array;
  private readonly width: number;
  /** States at or above this one (times `width`) end at least one sequence. */
  private readonly firstOutput: number;
  /** Per output state (`state / width - firstOutput / width`): the shapes ending there and their lengths. */
  private readonly outputShapes: readonly (readonly number[])[];
  private readonly outputLengths: readonly (readonly number[])[];
  /** The state at the start of a text, and the state with no sequence begun (before the character ahead of `from`). */
  private readonly textStart: number;
  private readonly empty: number;
  /** Longest sequence less one: a shape starts at most this far before the character ending it. */
  readonly reach: number;
  private text = '';
  private readonly list = new StartList();
  private scannedTo = 0;
  private state = 0;
  private from = 0;

  private constructor(automaton: Automaton) {
    this.transitions = automaton.transitions;
    this.classes = automaton.classes;
    this.width = automaton.width;
    this.firstOutput = automaton.firstOutput;
    this.outputShapes = automaton.outputShapes;
    this.outputLengths = automaton.outputLengths;
    this.textStart = automaton.textStart;
    this.empty = automaton.empty;
    this.reach = automaton.maxLength - 1;
  }

  /**
   * The search for `shapes`, with their sequences cut shorter when the automaton of the full
   * ones would have more than `maxStates` states; `undefined` when even short ones would.
   */
  static create(shapes: readonly StartSequences[], maxStates = defaultMaxStates): ShapeSearch | undefined {
    for (const length of sequenceLengths) {
      const automaton = buildAutomaton(shapes, length, maxStates);
      if (automaton !== undefined) return new ShapeSearch(automaton);
    }
    return undefined;
  }

  /**
   * The first occurrence starting at or after `from`, or `undefined`. Calls for one text are
   * cheapest in ascending `from`, as a scanner makes them.
   */
  next(text: string, from: number): ShapeOccurrence | undefined {
    if (text !== this.text || from < this.from) this.reset(text, Math.max(0, from));
    // The same object compares in constant time, an equal copy does not: keep the caller's.
    this.text = text;
    for (;;) {
      const { starts, found } = this.list;
      const index = this.list.firstIndexAtOrAfter(from);
      // Complete: every shape starting before `scannedTo - reach` has been recorded.
      if (
        index < starts.length &&
        ((starts[index] as number) < this.scannedTo - this.reach || this.scannedTo >= text.length)
      ) {
        return { start: starts[index] as number, shapes: found[index] as number[] };
      }
      if (this.scannedTo >= text.length) return undefined;
      this.scanToNextOutput(text);
    }
  }

  /** Starts over at `from`, having read the character before it, so that what is found does not depend on where a scan began. */
  private reset(text: string, from: number): void {
    this.from = from;
    this.list.clear();
    this.scannedTo = from;
    this.state =
      from === 0
        ? this.textStart
        : (this.transitions[this.empty + (this.classes[text.charCodeAt(from - 1)] as number)] as number);
  }

  /** Reads characters until one ends a sequence (recording where it started) or the text ends. */
  private scanToNextOutput(text: string): void {
    const transitions = this.transitions;
    const classes = this.classes;
    const firstOutput = this.firstOutput;
    const length = text.length;
    let state = this.state;
    let position = this.scannedTo;
    while (position < length) {
      state = transitions[state + (classes[text.charCodeAt(position)] as number)] as number;
      position++;
      if (state >= firstOutput) break;
    }
    this.state = state;
    this.scannedTo = position;
    if (state < firstOutput) return;
    const output = (state - firstOutput) / this.width;
    const shapes = this.outputShapes[output] as readonly number[];
    const lengths = this.outputLengths[output] as readonly number[];
    for (let i = 0; i < shapes.length; i++) {
      const start = position - (lengths[i] as number);
      if (start >= this.from) this.list.insert(start, shapes[i] as number);
    }
  }
}

interface Automaton {
  readonly transitions: Uint32Array;
  readonly classes: Uint8Array;
  readonly width: number;
  readonly firstOutput: number;
  readonly outputShapes: readonly (readonly number[])[];
  readonly outputLengths: readonly (readonly number[])[];
  readonly textStart: number;
  readonly empty: number;
  readonly maxLength: number;
}

/** One sequence of one shape, cut to the length tried. */
interface Sequence {
  readonly shape: number;
  readonly sets: StartSequences['sequences'][number];
  /** Its first bit: the bit of position `p` (characters matched) is `base + p`, up to `base + sets.length`. */
  readonly base: number;
}

function hashOf(bits: Uint32Array): number {
  let hash = 0x811c9dc5;
  for (const word of bits) hash = Math.imul(hash ^ word, 0x01000193);
  return hash;
}

function isSame(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The symbols (ASCII codes and 128) a set holds, as a string of 0s and 1s. */
function membersKey(charSet: StartSequences['sequences'][number][number]): string {
  let key = '';
  for (let symbol = 0; symbol <= 128; symbol++) key += charSet.has(symbol) ? 1 : 0;
  return key;
}

/**
 * The automaton of the shapes' sequences cut to `length`, or `undefined` beyond `maxStates`
 * states. A state is the set of sequence positions reached (bit `base + p`: the last `p`
 * characters match the sequence's first `p` sets); reading a character of class `c` moves each
 * position whose set holds `c` one on and starts every sequence whose shape does not exclude
 * `c` before it. Characters that every set and exclusion treat alike share a class: symbol 128
 * stands for every character above U+007F.
 */
function buildAutomaton(
  shapes: readonly StartSequences[],
  length: number,
  maxStates: number,
): Automaton | undefined {
  const sequences: Sequence[] = [];
  let bits = 0;
  shapes.forEach((shape, index) => {
    const seen = new Set<string>();
    for (const full of shape.sequences) {
      const sets = full.slice(0, length);
      const key = sets.map(membersKey).join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      sequences.push({ shape: index, sets, base: bits });
      bits += sets.length + 1;
    }
  });
  const words = Math.max(1, Math.ceil(bits / 32));
  // Classes: the symbols (ASCII codes and 128) that every set and exclusion treats alike.
  const symbolClass = new Uint8Array(129);
  const representatives: number[] = [];
  const signatures = new Map<string, number>();
  for (let symbol = 0; symbol <= 128; symbol++) {
    let signature = shapes
      .map((shape) => (symbol < 128 && shape.excludedBefore.has(symbol) ? 1 : 0))
      .join('');
    for (const { sets } of sequences) for (const set of sets) signature += set.has(symbol) ? 1 : 0;
    let id = signatures.get(signature);
    if (id === undefined) {
      id = representatives.length;
      signatures.set(signature, id);
      representatives.push(symbol);
    }
    symbolClass[symbol] = id;
  }
  const width = representatives.length;
  const advance = representatives.map(() => new Uint32Array(words));
  const startsAfter = representatives.map(() => new Uint32Array(words));
  const initialBits = new Uint32Array(words);
  const ends = new Uint32Array(words);
  const set = (mask: Uint32Array, bit: number): void => {
    mask[bit >>> 5] = (mask[bit >>> 5] as number) | (1 << (bit & 31));
  };
  for (const { shape, sets, base } of sequences) {
    set(initialBits, base);
    set(ends, base + sets.length);
    representatives.forEach((symbol, cls) => {
      const excluded = symbol < 128 && (shapes[shape] as StartSequences).excludedBefore.has(symbol);
      if (!excluded) set(startsAfter[cls] as Uint32Array, base);
      sets.forEach((charSet, position) => {
        if (charSet.has(symbol)) set(advance[cls] as Uint32Array, base + position);
      });
    });
  }
  const emptyBits = new Uint32Array(words);
  const states: Uint32Array[] = [emptyBits, initialBits];
  // States by a hash of their bits, each bucket a list of states to compare bit by bit.
  const buckets = new Map<number, number[]>();
  states.forEach((bitsOfState, state) => {
    const hash = hashOf(bitsOfState);
    buckets.set(hash, [...(buckets.get(hash) ?? []), state]);
  });
  const next: number[] = [];
  const moved = new Uint32Array(words);
  for (let state = 0; state < states.length; state++) {
    const current = states[state] as Uint32Array;
    for (let cls = 0; cls < width; cls++) {
      const mask = advance[cls] as Uint32Array;
      const starts = startsAfter[cls] as Uint32Array;
      let carry = 0;
      let isAnyKept = false;
      for (let word = 0; word < words; word++) {
        const kept = ((current[word] as number) & (mask[word] as number)) >>> 0;
        moved[word] = ((kept << 1) | carry | (starts[word] as number)) >>> 0;
        carry = kept >>> 31;
        isAnyKept ||= kept !== 0;
      }
      // No sequence goes on: where the empty state (state 0, done first) goes.
      if (!isAnyKept && state > 0) {
        next.push(next[cls] as number);
        continue;
      }
      const hash = hashOf(moved);
      let bucket = buckets.get(hash);
      let target: number | undefined;
      for (const candidate of bucket ?? [])
        if (isSame(states[candidate] as Uint32Array, moved)) target = candidate;
      if (target === undefined) {
        if (states.length >= maxStates || (states.length + 1) * width > maxTransitions) return undefined;
        target = states.length;
        states.push(moved.slice());
        if (bucket === undefined) {
          bucket = [];
          buckets.set(hash, bucket);
        }
        bucket.push(target);
      }
      next.push(target);
    }
  }
  const isOutput = states.map((bitsOfState) =>
    bitsOfState.some((word, i) => (word & (ends[i] as number)) !== 0),
  );
  const order = [...states.keys()].sort((a, b) => Number(isOutput[a]) - Number(isOutput[b]));
  const renumbered = new Array<number>(states.length);
  order.forEach((state, position) => {
    renumbered[state] = position;
  });
  const transitions = new Uint32Array(states.length * width);
  for (let state = 0; state < states.length; state++) {
    const row = (renumbered[state] as number) * width;
    for (let cls = 0; cls < width; cls++) {
      transitions[row + cls] = (renumbered[next[state * width + cls] as number] as number) * width;
    }
  }
  const firstOutputIndex = order.findIndex((state) => isOutput[state]);
  const outputStates = firstOutputIndex === -1 ? [] : order.slice(firstOutputIndex);
  const outputShapes: number[][] = [];
  const outputLengths: number[][] = [];
  for (const state of outputStates) {
    const bitsOfState = states[state] as Uint32Array;
    const shapesHere: number[] = [];
    const lengthsHere: number[] = [];
    for (const { shape, sets, base } of sequences) {
      const bit = base + sets.length;
      if ((((bitsOfState[bit >>> 5] as number) >>> (bit & 31)) & 1) === 1) {
        shapesHere.push(shape);
        lengthsHere.push(sets.length);
      }
    }
    outputShapes.push(shapesHere);
    outputLengths.push(lengthsHere);
  }
  const classes = new Uint8Array(0x10000).fill(symbolClass[128] as number);
  classes.set(symbolClass.subarray(0, 128));
  return {
    transitions,
    classes,
    width,
    firstOutput: (firstOutputIndex === -1 ? states.length : firstOutputIndex) * width,
    outputShapes,
    outputLengths,
    textStart: (renumbered[1] as number) * width,
    empty: (renumbered[0] as number) * width,
    maxLength: Math.max(1, ...sequences.map(({ sets }) => sets.length)),
  };
}
