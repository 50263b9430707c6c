/**
 * HMAC-SHA256 (RFC 2104 over FIPS 180-4) of many short values at once, four at a time in the
 * lanes of WebAssembly SIMD words (lane i holds the i-th value's word). The key enters as two
 * SHA-256 states, each the compression of a block of the padded key (xored with ipad, with opad)
 * from the initial hash value, made once by `prepare`; a value of at most `MAX_VALUE_BYTES`
 * bytes then takes one compression for the inner hash (its block padded here) and one for the
 * outer. The digest leaves as lowercase hex.
 *
 * Memory from `layoutStart()` on is the caller's: `work` (`WORK_BYTES`: the two key states, then
 * scratch), the value slots (64 bytes each, the value's UTF-8 bytes first), a byte per slot
 * giving its value's length, and the hex output (`hexChars` a slot).
 *
 * Built by bin/build-kernels.js into functions/core/redaction/actions/hmac-sha256-lanes-wasm.ts.
 */

/** The SHA-256 constants K (FIPS 180-4, section 4.2.2). */
const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
/** The SHA-256 initial hash value (FIPS 180-4, section 5.3.3). */
const IV: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const HEX_DIGITS: usize = memory.data<u8>([
  48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102,
]);

const BLOCK_BYTES: usize = 64;
/** Longest value hashed here: with the 0x80 byte and the 8-byte length it fills one block. */
const MAX_VALUE_BYTES: i32 = 55;
/** `work`: the inner and the outer key state (32 bytes each), four lanes' state (128), the schedule (1024). */
export const WORK_BYTES: i32 = 64 + 128 + 1024;
const LANE_STATE: usize = 64;
const SCHEDULE: usize = LANE_STATE + 128;
/** Bits of the inner hash input before the value: the key block. */
const KEY_BLOCK_BITS: u64 = 512;
/** Bits of the outer hash input: the key block and the inner digest. */
const OUTER_BITS: u32 = 768;

/** The first byte of memory free for the caller, past the constants, aligned to 16. */
export function layoutStart(): usize {
  return (HEX_DIGITS + 16 + 15) & ~(<usize>15);
}

function rotr4(x: v128, bits: i32): v128 {
  return v128.or(i32x4.shr_u(x, bits), i32x4.shl(x, 32 - bits));
}

/**
 * Compresses the schedule's first 16 words (`work + SCHEDULE`, one v128 a word) into the four
 * lanes' state (`work + LANE_STATE`, one v128 a state word), as SHA-256 does (FIPS 180-4, 6.2.2).
 */
function compress(work: usize): void {
  const w = work + SCHEDULE;
  for (let i: usize = 16; i < 64; i++) {
    const w15 = v128.load(w + ((i - 15) << 4));
    const w2 = v128.load(w + ((i - 2) << 4));
    const s0 = v128.xor(v128.xor(rotr4(w15, 7), rotr4(w15, 18)), i32x4.shr_u(w15, 3));
    const s1 = v128.xor(v128.xor(rotr4(w2, 17), rotr4(w2, 19)), i32x4.shr_u(w2, 10));
    const sum = i32x4.add(
      i32x4.add(v128.load(w + ((i - 16) << 4)), s0),
      i32x4.add(v128.load(w + ((i - 7) << 4)), s1),
    );
    v128.store(w + (i << 4), sum);
  }
  const state = work + LANE_STATE;
  let a = v128.load(state);
  let b = v128.load(state, 16);
  let c = v128.load(state, 32);
  let d = v128.load(state, 48);
  let e = v128.load(state, 64);
  let f = v128.load(state, 80);
  let g = v128.load(state, 96);
  let h = v128.load(state, 112);
  for (let i: usize = 0; i < 64; i++) {
    const sigma1 = v128.xor(v128.xor(rotr4(e, 6), rotr4(e, 11)), rotr4(e, 25));
    const choice = v128.bitselect(f, g, e);
    const t1 = i32x4.add(
      i32x4.add(h, i32x4.add(sigma1, choice)),
      i32x4.add(v128.load32_splat(K + (i << 2)), v128.load(w + (i << 4))),
    );
    const sigma0 = v128.xor(v128.xor(rotr4(a, 2), rotr4(a, 13)), rotr4(a, 22));
    const majority = v128.bitselect(a, b, v128.xor(b, c));
    h = g;
    g = f;
    f = e;
    e = i32x4.add(d, t1);
    d = c;
    c = b;
    b = a;
    a = i32x4.add(t1, i32x4.add(sigma0, majority));
  }
  v128.store(state, i32x4.add(v128.load(state), a));
  v128.store(state, i32x4.add(v128.load(state, 16), b), 16);
  v128.store(state, i32x4.add(v128.load(state, 32), c), 32);
  v128.store(state, i32x4.add(v128.load(state, 48), d), 48);
  v128.store(state, i32x4.add(v128.load(state, 64), e), 64);
  v128.store(state, i32x4.add(v128.load(state, 80), f), 80);
  v128.store(state, i32x4.add(v128.load(state, 96), g), 96);
  v128.store(state, i32x4.add(v128.load(state, 112), h), 112);
}

/** Sets every lane's state to the 8 words at `from`. */
function splatState(work: usize, from: usize): void {
  for (let i: usize = 0; i < 8; i++) {
    v128.store(work + LANE_STATE + (i << 4), i32x4.splat(load<u32>(from + (i << 2))));
  }
}

/**
 * Writes at `state` (32 bytes) the SHA-256 state after the 64-byte `block` from the initial
 * hash value: a key block's, which every value's hash then starts from.
 */
export function prepare(block: usize, state: usize, work: usize): void {
  splatState(work, IV);
  for (let j: usize = 0; j < 16; j++) {
    v128.store(work + SCHEDULE + (j << 4), i32x4.splat(bswap<u32>(load<u32>(block + (j << 2)))));
  }
  compress(work);
  for (let i: usize = 0; i < 8; i++) {
    store<u32>(state + (i << 2), i32x4.extract_lane(v128.load(work + LANE_STATE + (i << 4)), 0));
  }
}

/**
 * Copies `count` values, written one after another from `stage`, each to the start of its slot
 * (the i-th at `slots + 64 * i`), with the lengths at `lengths`: the caller writes a batch of
 * values with one call, and a copy here costs less than one per value in JavaScript.
 */
export function gather(stage: usize, slots: usize, lengths: usize, count: i32): void {
  let from = stage;
  for (let i: usize = 0; i < <usize>count; i++) {
    const length = <usize>load<u8>(lengths + i);
    memory.copy(slots + (i << 6), from, length);
    from += length;
  }
}

/**
 * Writes at `out + i * hexChars` the first `hexChars` hex digits of the HMAC of the value in
 * slot i, for each of the `count` slots at `slots` (its length, at most `MAX_VALUE_BYTES`, at
 * `lengths + i`), under the key whose states `prepare` wrote at `work` (inner) and `work + 32`
 * (outer). Pads each slot in place; the slots up to `count` rounded up to four are read.
 */
export function hmac(work: usize, slots: usize, lengths: usize, count: i32, out: usize, hexChars: i32): void {
  const w = work + SCHEDULE;
  for (let first = 0; first < count; first += 4) {
    const group = slots + ((<usize>first) << 6);
    for (let lane: usize = 0; lane < 4; lane++) {
      const slot = group + (lane << 6);
      // Clamped: a slot past the last value may hold any length.
      const length = min<usize>(<usize>load<u8>(lengths + <usize>first + lane), <usize>MAX_VALUE_BYTES);
      store<u8>(slot + length, 0x80);
      memory.fill(slot + length + 1, 0, BLOCK_BYTES - 9 - length);
      store<u64>(slot + 56, bswap<u64>(KEY_BLOCK_BITS + ((<u64>length) << 3)));
    }
    for (let j: usize = 0; j < 16; j++) {
      let word = i32x4.splat(bswap<u32>(load<u32>(group + (j << 2))));
      word = i32x4.replace_lane(word, 1, bswap<u32>(load<u32>(group + 64 + (j << 2))));
      word = i32x4.replace_lane(word, 2, bswap<u32>(load<u32>(group + 128 + (j << 2))));
      word = i32x4.replace_lane(word, 3, bswap<u32>(load<u32>(group + 192 + (j << 2))));
      v128.store(w + (j << 4), word);
    }
    splatState(work, work);
    compress(work);
    // The outer block: the inner digest (its words as they are), then padding for 96 bytes.
    for (let j: usize = 0; j < 8; j++) v128.store(w + (j << 4), v128.load(work + LANE_STATE + (j << 4)));
    v128.store(w + (8 << 4), i32x4.splat(0x80000000));
    for (let j: usize = 9; j < 15; j++) v128.store(w + (j << 4), i32x4.splat(0));
    v128.store(w + (15 << 4), i32x4.splat(OUTER_BITS));
    splatState(work, work + 32);
    compress(work);
    for (let lane = 0; lane < 4; lane++) {
      const to = out + <usize>((first + lane) * hexChars);
      for (let i = 0; i < hexChars; i++) {
        const word = load<u32>(work + LANE_STATE + ((<usize>(i >> 3)) << 4) + ((<usize>lane) << 2));
        store<u8>(to + <usize>i, load<u8>(HEX_DIGITS + ((word >>> (28 - ((i & 7) << 2))) & 15)));
      }
    }
  }
}
