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
 * a step is two additions and three loads. Each row holds one entry more, past its symbols: 0, or
 * for an output state whose every anchor needs a look at the text (see {@link isPossible}) the
 * byte offset of its check, so that an output no anchor can be is not reported (most outputs of
 * the shipped packs: `acc` of `account` for the case-exact `ACc`, `call` inside `called`).
 */

/** Below this many characters one run does the whole block. */
const MIN_LANE_SPLIT = 256;

/** The state after reading the character at `at` (a pointer into the text) in `state`. */
function step(state: u32, at: usize, transitions: usize, symbols: usize): u32 {
  const code = <usize>load<u16>(at);
  const symbol = <usize>load<u16>(symbols + (code << 1));
  return load<u32>(transitions + <usize>state + symbol);
}

/** Flags of an anchor in a check: compared as written; a word of its own; characters excluded before; characters allowed after. */
const EXACT = 1;
const WORD = 2;
const BEFORE = 4;
const AFTER = 8;

/** Whether the bit of ASCII character `code` is set in the 128 bits (eight u16s) at `bits`. */
function hasBit(bits: usize, code: u32): bool {
  return ((<u32>load<u16>(bits + ((<usize>(code >> 4)) << 1)) >> (code & 15)) & 1) !== 0;
}

function isLetter(code: u32): bool {
  return (code | 32) - 97 < 26;
}

function isLower(code: u32): bool {
  return code - 97 < 26;
}

/**
 * False when no anchor of the check at `check` can occur ending before `end` in `text[0,
 * length)`: an anchor to compare as written is not there, one that must be a word of its own
 * has a lower-case letter running on into a letter at either end (as `isWord` of
 * functions/core/redaction/detectors/is-word.ts tells), one with edges has an ASCII character
 * excluded before it or one not allowed after it (see
 * functions/core/redaction/detectors/anchor-edges.ts). Characters outside the text count as
 * allowing anything. A check is u16s: the number of anchors, then per anchor its length, its
 * flags, when compared its code units, then when checked before and after the 128 bits (eight
 * u16s) of each.
 */
function isPossible(text: usize, length: i32, end: i32, check: usize): bool {
  const count = <i32>load<u16>(check);
  let at = check + 2;
  for (let index = 0; index < count; index++) {
    const size = <i32>load<u16>(at);
    const flags = <i32>load<u16>(at, 2);
    at += 4;
    const start = end - size;
    let possible = true;
    if (flags & EXACT) {
      if (start >= 0) {
        const first = text + ((<usize>start) << 1);
        for (let i = 0; i < size; i++) {
          if (load<u16>(first + ((<usize>i) << 1)) !== load<u16>(at + ((<usize>i) << 1))) {
            possible = false;
            break;
          }
        }
      }
      at += (<usize>size) << 1;
    }
    if (flags & BEFORE) {
      if (possible && start > 0) {
        const before = <u32>load<u16>(text + ((<usize>(start - 1)) << 1));
        if (before < 128 && hasBit(at, before)) possible = false;
      }
      at += 16;
    }
    if (flags & AFTER) {
      if (possible && end < length) {
        const after = <u32>load<u16>(text + ((<usize>end) << 1));
        if (after >= 128 || !hasBit(at, after)) possible = false;
      }
      at += 16;
    }
    if (possible && flags & WORD && start >= 0) {
      if (start > 0) {
        const before = <u32>load<u16>(text + ((<usize>(start - 1)) << 1));
        if (isLetter(before) && isLower(<u32>load<u16>(text + ((<usize>start) << 1)))) possible = false;
      }
      if (end < length) {
        const after = <u32>load<u16>(text + ((<usize>end) << 1));
        if (isLower(after) && isLetter(<u32>load<u16>(text + ((<usize>(end - 1)) << 1)))) possible = false;
      }
    }
    if (possible) return true;
  }
  return false;
}

/**
 * Records that `state` (an output state) is reached after the character before `end`, unless
 * its check says none of its anchors can be there; returns the count of records.
 */
function record(out: usize, count: i32, end: i32, state: u32, text: usize, length: i32, checks: usize): i32 {
  const check = <usize>load<u32>(checks + <usize>state);
  if (check !== 0 && !isPossible(text, length, end, check)) return count;
  const at = out + ((<usize>count) << 3);
  store<i32>(at, end);
  store<u32>(at, state, 4);
  return count + 1;
}

/** The index in the text starting at `text` of the character after the one at `at`. */
function endOf(at: usize, text: usize): i32 {
  return <i32>((at - text) >> 1) + 1;
}

/**
 * Runs one lane from `position` in `state` to `end`, recording the output states reached after
 * `after`; returns the number recorded in `out`, counting the `count` already there. `length`
 * and `checks` are {@link scan}'s.
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
  length: i32,
  checks: usize,
): i32 {
  let current = state;
  let recorded = count;
  for (let at = position; at < end; at++) {
    current = step(current, text + ((<usize>at) << 1), transitions, symbols);
    if (current >= firstOutput && at >= after)
      recorded = record(out, recorded, at + 1, current, text, length, checks);
  }
  return recorded;
}

/**
 * Reads `text[0, length)` from the root state and records, as (end, state) pairs of 32-bit
 * integers at `out`, every output state (at or above `firstOutput`) reached after a character
 * ending past `first` that its check allows, in order of their ends; returns how many. `out` has
 * room for `4 × (length − first)` pairs: each lane writes its own part, then they are joined.
 * `checks` is `transitions` plus the offset of a row's last entry (where its check is).
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
  checks: usize,
): i32 {
  const span = length - first;
  if (span < MIN_LANE_SPLIT)
    return finish(text, 0, 0, first, length, transitions, symbols, firstOutput, out, 0, length, checks);
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
    if (s0 >= firstOutput && at0 >= first0) c0 = record(out, c0, endOf(at0, text), s0, text, length, checks);
    if (s1 >= firstOutput && at1 >= first1) c1 = record(out1, c1, endOf(at1, text), s1, text, length, checks);
    if (s2 >= firstOutput && at2 >= first2) c2 = record(out2, c2, endOf(at2, text), s2, text, length, checks);
    if (s3 >= firstOutput && at3 >= first3) c3 = record(out3, c3, endOf(at3, text), s3, text, length, checks);
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
    if (s0 >= firstOutput) c0 = record(out, c0, endOf(at0, text), s0, text, length, checks);
    if (s1 >= firstOutput) c1 = record(out1, c1, endOf(at1, text), s1, text, length, checks);
    if (s2 >= firstOutput) c2 = record(out2, c2, endOf(at2, text), s2, text, length, checks);
    if (s3 >= firstOutput) c3 = record(out3, c3, endOf(at3, text), s3, text, length, checks);
    at0 += 2;
    at1 += 2;
    at2 += 2;
    at3 += 2;
  }
  c0 = finish(text, steps, s0, first, a1, transitions, symbols, firstOutput, out, c0, length, checks);
  c1 = finish(text, p1 + steps, s1, a1, a2, transitions, symbols, firstOutput, out1, c1, length, checks);
  c2 = finish(text, p2 + steps, s2, a2, a3, transitions, symbols, firstOutput, out2, c2, length, checks);
  c3 = finish(text, p3 + steps, s3, a3, length, transitions, symbols, firstOutput, out3, c3, length, checks);
  memory.copy(out + ((<usize>c0) << 3), out1, (<usize>c1) << 3);
  const c01 = c0 + c1;
  memory.copy(out + ((<usize>c01) << 3), out2, (<usize>c2) << 3);
  const c012 = c01 + c2;
  memory.copy(out + ((<usize>c012) << 3), out3, (<usize>c3) << 3);
  return c012 + c3;
}
