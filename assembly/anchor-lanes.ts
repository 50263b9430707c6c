/**
 * The anchor search's Aho–Corasick automaton (see functions/core/redaction/detectors/anchor-search.ts)
 * run over text in linear memory, six stretches of the text at once: UTF-16 text ({@link scan})
 * or, without a character above U+00FF, Latin-1 text, a byte a character ({@link scan8}). One
 * run is bound by the latency of its table lookup (each state depends on the last); six
 * independent runs keep the CPU busy: four read about twice as many characters per second as
 * one, six 8 % more than four (the kernel's calls on the 64 MB bench CSV's texts: 60.9 ms a pass
 * with four, 56.4 with six, 9 of 10 rounds; logs 48.9 and 45.5). Five and seven lanes were slower
 * than six; with seven or eight, V8 keeps some lanes' states on the stack. A stretch starts
 * `reach` characters early in the root state: an automaton state stands for at most that many
 * characters, so after them it is the state a single run would be in.
 *
 * Built by bin/build-kernels.js into functions/core/redaction/detectors/anchor-lanes-wasm.ts.
 * Tables, all little-endian: `symbols` (at `SYMBOLS_AT`) maps each UTF-16 code unit (a Latin-1
 * byte is its own) to its symbol times four (u16, 65,536 of them); `transitions` holds, at address `state + symbol`, the next
 * state (u32), every state the address of its row (the table's address plus its number times four
 * times the number of symbols), so that a step is one addition and three loads. Each row holds one
 * entry more, past its symbols: 0, or for an output state whose every anchor needs a look at the
 * text (see {@link isPossible}) the address of its check, so that an output no anchor can be is
 * not reported (most outputs of the shipped packs: `acc` of `account` for the case-exact `ACc`,
 * `call` inside `called`).
 */

/** Below this many characters one run does the whole block. */
const MIN_LANE_SPLIT = 256;

/**
 * Fixed places in memory, so that the lanes' loop addresses its slots, its records and the
 * symbols by constant offsets. The run of four lanes was bound by its registers, not by its
 * table lookups: with the lanes' text pointers, counts and outputs in registers and a call to
 * record an output in the loop, V8 stored all eight of its values to the stack at every step.
 * Each lane's stretch of text is copied to a slot of its own, `SLOT_BYTES` apart, where the loop
 * reads it with one pointer for all of them; an output is recorded unchecked (the lane's count in
 * memory) and checked after the loop, against the whole text.
 */
const SLOT_BYTES: usize = 0x2000;
/** Room for a lane's unchecked outputs: one (slot offset, state) pair per UTF-16 character of a slot. */
const RAW_BYTES: usize = SLOT_BYTES << 2;
/** How many runs read a block at once (see the file's comment); the loop in {@link scanOf} holds one state each. */
const LANES = 6;
const SLOTS_AT: usize = 0;
const RAW_AT: usize = SLOTS_AT + LANES * SLOT_BYTES;
const COUNTS_AT: usize = RAW_AT + LANES * RAW_BYTES;
/** Where {@link scan} writes its (end, state) pairs: room for 8,192. */
export const PAIRS_AT: usize = COUNTS_AT + 0x100;
/** Where the caller puts `symbols` (see the file's comment). */
export const SYMBOLS_AT: usize = PAIRS_AT + 0x10000;
/** Memory from here on is the caller's: the transitions, their checks, the text. */
export const TABLES_AT: usize = SYMBOLS_AT + 0x20000;

/**
 * The state after reading the character `code` in `state` (a pointer to the state's row: the
 * caller's states are rows' addresses, not their offsets into the table).
 */
function step(state: u32, code: u32): u32 {
  return load<u32>(<usize>state + <usize>load<u16>((<usize>code) << 1, SYMBOLS_AT));
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
 * length)` (a `T` a character, see {@link scanOf}): an anchor to compare as written is not there, one that must be a word of its own
 * has a lower-case letter running on into a letter at either end (as `isWord` of
 * functions/core/redaction/detectors/is-word.ts tells), one with edges has an ASCII character
 * excluded before it or one not allowed after it (see
 * functions/core/redaction/detectors/anchor-edges.ts). Characters outside the text count as
 * allowing anything. A check is u16s: the number of anchors, then per anchor its length, its
 * flags, when compared its code units, then when checked before and after the 128 bits (eight
 * u16s) of each.
 */
function isPossible<T>(text: usize, length: i32, end: i32, check: usize): bool {
  const unit = alignof<T>();
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
        const first = text + ((<usize>start) << unit);
        for (let i = 0; i < size; i++) {
          if (<u32>load<T>(first + ((<usize>i) << unit)) !== <u32>load<u16>(at + ((<usize>i) << 1))) {
            possible = false;
            break;
          }
        }
      }
      at += (<usize>size) << 1;
    }
    if (flags & BEFORE) {
      if (possible && start > 0) {
        const before = <u32>load<T>(text + ((<usize>(start - 1)) << unit));
        if (before < 128 && hasBit(at, before)) possible = false;
      }
      at += 16;
    }
    if (flags & AFTER) {
      if (possible && end < length) {
        const after = <u32>load<T>(text + ((<usize>end) << unit));
        if (after >= 128 || !hasBit(at, after)) possible = false;
      }
      at += 16;
    }
    if (possible && flags & WORD && start >= 0) {
      if (start > 0) {
        const before = <u32>load<T>(text + ((<usize>(start - 1)) << unit));
        if (isLetter(before) && isLower(<u32>load<T>(text + ((<usize>start) << unit)))) possible = false;
      }
      if (end < length) {
        const after = <u32>load<T>(text + ((<usize>end) << unit));
        if (isLower(after) && isLetter(<u32>load<T>(text + ((<usize>(end - 1)) << unit)))) possible = false;
      }
    }
    if (possible) return true;
  }
  return false;
}

/**
 * Records the output state `state` reached at `at` (a byte offset into the slot) by lane `lane`,
 * unchecked.
 */
function push(lane: usize, at: usize, state: u32): void {
  const countAt = COUNTS_AT + (lane << 2);
  const count = load<u32>(countAt);
  const pair = RAW_AT + lane * RAW_BYTES + ((<usize>count) << 3);
  store<u32>(pair, <u32>at);
  store<u32>(pair, state, 4);
  store<u32>(countAt, count + 1);
}

/** Runs lane `lane` in its slot from byte `at` in `state` to byte `end`; returns the state there. */
function rest<T>(lane: usize, state: u32, at: usize, end: usize, firstOutput: u32): u32 {
  const slot = SLOTS_AT + lane * SLOT_BYTES;
  let current = state;
  for (let offset = at; offset < end; offset += sizeof<T>()) {
    current = step(current, <u32>load<T>(slot + offset));
    if (current >= firstOutput) push(lane, offset, current);
  }
  return current;
}

/**
 * Writes at `PAIRS_AT`, from index `count`, the outputs lane `lane` recorded that end past
 * `after` and that their checks allow, its stretch starting at `position` of the text; returns
 * the new count. `length` and `checkAt` are {@link scan}'s.
 */
function keep<T>(
  lane: usize,
  position: i32,
  after: i32,
  text: usize,
  length: i32,
  checkAt: usize,
  count: i32,
): i32 {
  const raw = RAW_AT + lane * RAW_BYTES;
  const recorded = <usize>load<u32>(COUNTS_AT + (lane << 2));
  let kept = count;
  for (let index: usize = 0; index < recorded; index++) {
    const end = position + <i32>(load<u32>(raw + (index << 3)) >> alignof<T>()) + 1;
    const state = load<u32>(raw + (index << 3), 4);
    if (end <= after) continue;
    const check = <usize>load<u32>(<usize>state + checkAt);
    if (check !== 0 && !isPossible<T>(text, length, end, check)) continue;
    const pair = PAIRS_AT + ((<usize>kept) << 3);
    store<i32>(pair, end);
    store<u32>(pair, state, 4);
    kept++;
  }
  return kept;
}

/** Where lane `lane` starts reading: `reach` characters before its first end, or at 0. */
function readsFrom(lane: i32, first: i32, part: i32, reach: i32): i32 {
  return lane === 0 ? 0 : max(0, first + lane * part - reach);
}

/** Bytes lane `lane` reads (of `T`s): to where the next lane's ends start, the last lane to `length`. */
function bytesRead<T>(lane: i32, first: i32, part: i32, reach: i32, length: i32): usize {
  const to = lane === LANES - 1 ? length : first + (lane + 1) * part;
  return (<usize>(to - readsFrom(lane, first, part, reach))) << alignof<T>();
}

/**
 * Reads `text[0, length)`, a `T` a character (u16 for UTF-16, u8 for Latin-1), from the state
 * `root` and writes at `PAIRS_AT`, as (end, state) pairs of 32-bit integers, every output state
 * (at or above `firstOutput`) reached after a character ending past `first` that its check
 * allows, in order of their ends; returns how many (at most 8,192). States are the addresses of
 * their rows in the transitions; a row's check is `checkAt` bytes into it (0, or the address of
 * the check). `LANES` lanes read a part each, starting `reach` characters early in the root
 * state: an automaton state stands for at most that many characters, so after them it is the
 * state a single run would be in.
 */
function scanOf<T>(
  text: usize,
  length: i32,
  first: i32,
  reach: i32,
  root: u32,
  firstOutput: u32,
  checkAt: usize,
): i32 {
  const span = length - first;
  const part = span / LANES;
  // The longest stretch, the last lane's, is `part + reach + LANES - 1` characters at most. A
  // slot holds that many UTF-16 characters, whatever `T`: its raw records have room for one
  // output per character of those (Latin-1 text fills half of it).
  const unit = alignof<T>();
  if (span < MIN_LANE_SPLIT || (<usize>(part + reach + LANES - 1)) << 1 > SLOT_BYTES) {
    let state = root;
    let count = 0;
    for (let at = 0; at < length; at++) {
      state = step(state, <u32>load<T>(text + ((<usize>at) << unit)));
      if (state >= firstOutput && at >= first) {
        const check = <usize>load<u32>(<usize>state + checkAt);
        if (check !== 0 && !isPossible<T>(text, length, at + 1, check)) continue;
        const pair = PAIRS_AT + ((<usize>count) << 3);
        store<i32>(pair, at + 1);
        store<u32>(pair, state, 4);
        count++;
      }
    }
    return count;
  }
  // Lane k keeps the ends in (first + k * part, first + (k + 1) * part], the last to `length`.
  let steps = SLOT_BYTES;
  for (let lane = 0; lane < LANES; lane++) {
    const bytes = bytesRead<T>(lane, first, part, reach, length);
    const from = text + ((<usize>readsFrom(lane, first, part, reach)) << unit);
    memory.copy(SLOTS_AT + <usize>lane * SLOT_BYTES, from, bytes);
    store<u32>(COUNTS_AT + ((<usize>lane) << 2), 0);
    steps = min(steps, bytes);
  }
  let s0 = root;
  let s1 = root;
  let s2 = root;
  let s3 = root;
  let s4 = root;
  let s5 = root;
  for (let at: usize = 0; at < steps; at += sizeof<T>()) {
    s0 = step(s0, <u32>load<T>(at, SLOTS_AT));
    s1 = step(s1, <u32>load<T>(at, SLOTS_AT + SLOT_BYTES));
    s2 = step(s2, <u32>load<T>(at, SLOTS_AT + 2 * SLOT_BYTES));
    s3 = step(s3, <u32>load<T>(at, SLOTS_AT + 3 * SLOT_BYTES));
    s4 = step(s4, <u32>load<T>(at, SLOTS_AT + 4 * SLOT_BYTES));
    s5 = step(s5, <u32>load<T>(at, SLOTS_AT + 5 * SLOT_BYTES));
    if (s0 >= firstOutput) push(0, at, s0);
    if (s1 >= firstOutput) push(1, at, s1);
    if (s2 >= firstOutput) push(2, at, s2);
    if (s3 >= firstOutput) push(3, at, s3);
    if (s4 >= firstOutput) push(4, at, s4);
    if (s5 >= firstOutput) push(5, at, s5);
  }
  rest<T>(0, s0, steps, bytesRead<T>(0, first, part, reach, length), firstOutput);
  rest<T>(1, s1, steps, bytesRead<T>(1, first, part, reach, length), firstOutput);
  rest<T>(2, s2, steps, bytesRead<T>(2, first, part, reach, length), firstOutput);
  rest<T>(3, s3, steps, bytesRead<T>(3, first, part, reach, length), firstOutput);
  rest<T>(4, s4, steps, bytesRead<T>(4, first, part, reach, length), firstOutput);
  rest<T>(5, s5, steps, bytesRead<T>(5, first, part, reach, length), firstOutput);
  let count = 0;
  for (let lane = 0; lane < LANES; lane++) {
    const from = readsFrom(lane, first, part, reach);
    count = keep<T>(<usize>lane, from, first + lane * part, text, length, checkAt, count);
  }
  return count;
}

/** {@link scanOf} over UTF-16 text: two bytes a character. */
export function scan(
  text: usize,
  length: i32,
  first: i32,
  reach: i32,
  root: u32,
  firstOutput: u32,
  checkAt: usize,
): i32 {
  return scanOf<u16>(text, length, first, reach, root, firstOutput, checkAt);
}

/**
 * {@link scanOf} over Latin-1 text, one byte a character: for text without a character above
 * U+00FF, the same outputs as {@link scan} with half the bytes to copy in and to read.
 */
export function scan8(
  text: usize,
  length: i32,
  first: i32,
  reach: i32,
  root: u32,
  firstOutput: u32,
  checkAt: usize,
): i32 {
  return scanOf<u8>(text, length, first, reach, root, firstOutput, checkAt);
}
