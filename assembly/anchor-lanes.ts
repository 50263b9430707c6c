/**
 * The anchor search's Aho–Corasick automaton (see functions/core/redaction/detectors/anchor-search.ts)
 * run over UTF-16 text in linear memory, four stretches of the text at once. One run is bound by
 * the latency of its table lookup (each state depends on the last); four independent runs keep
 * the CPU busy and read about twice as many characters per second. A stretch starts `reach`
 * characters early in the root state: an automaton state stands for at most that many
 * characters, so after them it is the state a single run would be in.
 *
 * Built by bin/build-kernels.js into functions/core/redaction/detectors/anchor-lanes-wasm.ts.
 * Tables, all little-endian: `symbols` maps each UTF-16 code unit to its symbol times four (u16,
 * 65,536 of them); `transitions` holds, at byte `state + symbol`, the next state (u32), every
 * state a byte offset into the table (its number times four times the number of symbols), so that
 * a step is two additions and three loads.
 */

/** Below this many characters one run does the whole block. */
const MIN_LANE_SPLIT = 256;

/** The state after reading the character at `at` (a pointer into the text) in `state`. */
function step(state: u32, at: usize, transitions: usize, symbols: usize): u32 {
  const code = <usize>load<u16>(at);
  const symbol = <usize>load<u16>(symbols + (code << 1));
  return load<u32>(transitions + <usize>state + symbol);
}

/** Records that `state` (an output state) is reached after the character before `end`. */
function record(out: usize, count: i32, end: i32, state: u32): void {
  const at = out + ((<usize>count) << 3);
  store<i32>(at, end);
  store<u32>(at, state, 4);
}

/** The index in the text starting at `text` of the character after the one at `at`. */
function endOf(at: usize, text: usize): i32 {
  return <i32>((at - text) >> 1) + 1;
}

/**
 * Runs one lane from `position` in `state` to `end`, recording the output states reached after
 * `after`; returns the number recorded in `out`, counting the `count` already there.
 */
function finish(
  text: usize,
  position: i32,
  state: u32,
  after: i32,
  end: i32,
  transitions: usize,
  symbols: usize,
  firstOutput: u32,
  out: usize,
  count: i32,
): i32 {
  let current = state;
  let recorded = count;
  for (let at = position; at < end; at++) {
    current = step(current, text + ((<usize>at) << 1), transitions, symbols);
    if (current >= firstOutput && at >= after) {
      record(out, recorded, at + 1, current);
      recorded++;
    }
  }
  return recorded;
}

/**
 * Reads `text[0, length)` from the root state and records, as (end, state) pairs of 32-bit
 * integers at `out`, every output state (at or above `firstOutput`) reached after a character
 * ending past `first`, in order of their ends; returns how many. `out` has room for
 * `4 × (length − first)` pairs: each lane writes its own part, then they are joined.
 */
export function scan(
  text: usize,
  length: i32,
  first: i32,
  reach: i32,
  transitions: usize,
  symbols: usize,
  firstOutput: u32,
  out: usize,
): i32 {
  const span = length - first;
  if (span < MIN_LANE_SPLIT)
    return finish(text, 0, 0, first, length, transitions, symbols, firstOutput, out, 0);
  const quarter = span >> 2;
  // Lane k records the ends in (a_k, a_{k+1}] and starts `reach` before a_k.
  const a1 = first + quarter;
  const a2 = a1 + quarter;
  const a3 = a2 + quarter;
  const out1 = out + ((<usize>span) << 3);
  const out2 = out1 + ((<usize>span) << 3);
  const out3 = out2 + ((<usize>span) << 3);
  const p1 = max(0, a1 - reach);
  const p2 = max(0, a2 - reach);
  const p3 = max(0, a3 - reach);
  // Every lane reads `steps` characters; the first `warm` of them may end before where its lane records.
  const steps = min(min(a1, a2 - p1), min(a3 - p2, length - p3));
  const warm = min(steps, max(max(first, a1 - p1), max(a2 - p2, a3 - p3)));
  let at0 = text;
  let at1 = text + ((<usize>p1) << 1);
  let at2 = text + ((<usize>p2) << 1);
  let at3 = text + ((<usize>p3) << 1);
  const first0 = text + ((<usize>first) << 1);
  const first1 = text + ((<usize>a1) << 1);
  const first2 = text + ((<usize>a2) << 1);
  const first3 = text + ((<usize>a3) << 1);
  let s0: u32 = 0;
  let s1: u32 = 0;
  let s2: u32 = 0;
  let s3: u32 = 0;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  const warmEnd = text + ((<usize>warm) << 1);
  while (at0 < warmEnd) {
    s0 = step(s0, at0, transitions, symbols);
    s1 = step(s1, at1, transitions, symbols);
    s2 = step(s2, at2, transitions, symbols);
    s3 = step(s3, at3, transitions, symbols);
    if (s0 >= firstOutput && at0 >= first0) record(out, c0++, endOf(at0, text), s0);
    if (s1 >= firstOutput && at1 >= first1) record(out1, c1++, endOf(at1, text), s1);
    if (s2 >= firstOutput && at2 >= first2) record(out2, c2++, endOf(at2, text), s2);
    if (s3 >= firstOutput && at3 >= first3) record(out3, c3++, endOf(at3, text), s3);
    at0 += 2;
    at1 += 2;
    at2 += 2;
    at3 += 2;
  }
  // Past `warm` every lane is where it records.
  const stepsEnd = text + ((<usize>steps) << 1);
  while (at0 < stepsEnd) {
    s0 = step(s0, at0, transitions, symbols);
    s1 = step(s1, at1, transitions, symbols);
    s2 = step(s2, at2, transitions, symbols);
    s3 = step(s3, at3, transitions, symbols);
    if (s0 >= firstOutput) record(out, c0++, endOf(at0, text), s0);
    if (s1 >= firstOutput) record(out1, c1++, endOf(at1, text), s1);
    if (s2 >= firstOutput) record(out2, c2++, endOf(at2, text), s2);
    if (s3 >= firstOutput) record(out3, c3++, endOf(at3, text), s3);
    at0 += 2;
    at1 += 2;
    at2 += 2;
    at3 += 2;
  }
  c0 = finish(text, steps, s0, first, a1, transitions, symbols, firstOutput, out, c0);
  c1 = finish(text, p1 + steps, s1, a1, a2, transitions, symbols, firstOutput, out1, c1);
  c2 = finish(text, p2 + steps, s2, a2, a3, transitions, symbols, firstOutput, out2, c2);
  c3 = finish(text, p3 + steps, s3, a3, length, transitions, symbols, firstOutput, out3, c3);
  memory.copy(out + ((<usize>c0) << 3), out1, (<usize>c1) << 3);
  const c01 = c0 + c1;
  memory.copy(out + ((<usize>c01) << 3), out2, (<usize>c2) << 3);
  const c012 = c01 + c2;
  memory.copy(out + ((<usize>c012) << 3), out3, (<usize>c3) << 3);
  return c012 + c3;
}
