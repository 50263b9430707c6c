import { type Cipher, createCipheriv } from 'node:crypto';

const BLOCK = 16;
const ROUNDS = 10;
const DECIMAL_DIGITS = /^[0-9]+$/;
const TWO_POW_32 = 2 ** 32;
/**
 * Longest half whose arithmetic is exact in doubles: values below 10^15 < 2^50, and each PRF
 * reduction step `(r · 2^32) mod 10^m + word` stays below 2^53. Longer halves use BigInt.
 */
const MAX_NUMBER_HALF_DIGITS = 15;

/** FF1 (NIST SP 800-38G) on decimal digit strings, under one AES key and one tweak. */
export interface Ff1 {
  /** The ciphertext of `digits` (at least 2 decimal digits): as many decimal digits. */
  encrypt(digits: string): string;
  /** The plaintext of `digits` (at least 2 decimal digits): as many decimal digits. */
  decrypt(digits: string): string;
}

/** What depends only on the input length n: the split, the sizes and the constant part of P || Q. */
interface Layout {
  readonly u: number;
  readonly v: number;
  /** Bytes of NUM(B) in Q. */
  readonly b: number;
  /** Bytes of S that make y. */
  readonly d: number;
  readonly isExactInNumbers: boolean;
  /** 10^u and 10^v, the moduli of the even and odd rounds; as doubles when exact. */
  readonly numberModuli: readonly [number, number];
  readonly bigintModuli: readonly [bigint, bigint];
  /** CBC-MAC state after the blocks of P || Q that no round changes. */
  readonly prefixMac: Buffer;
  /** The remaining blocks of Q, ending `[i]1 || [NUM(B)]b`, rewritten each round. */
  readonly tail: Buffer;
}

/**
 * FF1 format-preserving encryption (NIST SP 800-38G Rev. 1, Algorithms 7 and 8) for radix 10 on
 * `node:crypto`. The AES key schedule is built once: the PRF's CBC-MAC and the extension of S
 * run through one reused AES-ECB cipher, and the CBC-MAC of the blocks shared by every round
 * (P, then the tweak) is computed once per input length. Halves of up to 15 digits are
 * computed in doubles, longer ones in BigInt.
 *
 * @param key - an AES key, 16, 24 or 32 bytes
 * @param tweak - the FF1 tweak T (empty for maskpoint tokens); copied
 * @example
 * ```ts
 * const ff1 = createFf1(key);
 * ff1.decrypt(ff1.encrypt('4111111111111111')); // '4111111111111111'
 * ```
 */
export function createFf1(key: Uint8Array, tweak: Uint8Array = new Uint8Array(0)): Ff1 {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new RangeError(`FF1 key is ${key.length} bytes; expected 16, 24 or 32`);
  }
  const cipher: Cipher = createCipheriv(`aes-${key.length * 8}-ecb`, key, null).setAutoPadding(false);
  const tweakBytes = Buffer.from(tweak);
  const layouts = new Map<number, Layout>();
  const chained = Buffer.alloc(BLOCK);

  function layoutFor(digits: string): Layout {
    if (!DECIMAL_DIGITS.test(digits) || digits.length < 2) {
      throw new RangeError(`FF1 input must be at least 2 decimal digits; got ${digits.length} characters`);
    }
    const n = digits.length;
    const known = layouts.get(n);
    if (known !== undefined) return known;
    const u = Math.floor(n / 2);
    const v = n - u;
    const b = Math.ceil((10n ** BigInt(v) - 1n).toString(2).length / 8);
    const t = tweakBytes.length;
    const padding = (((-t - b - 1) % BLOCK) + BLOCK) % BLOCK;
    // P = [1]1 [2]1 [1]1 [radix]3 [10]1 [u mod 256]1 [n]4 [t]4; Q = T [0]padding [i]1 [NUM(B)]b.
    const pq = Buffer.alloc(BLOCK + t + padding + 1 + b);
    pq.set([1, 2, 1, 0, 0, 10, 10, u & 0xff]);
    pq.writeUInt32BE(n, 8);
    pq.writeUInt32BE(t, 12);
    tweakBytes.copy(pq, BLOCK);
    const variableFrom = Math.floor((BLOCK + t + padding) / BLOCK) * BLOCK;
    let prefixMac: Buffer = Buffer.alloc(BLOCK);
    for (let at = 0; at < variableFrom; at += BLOCK) prefixMac = macBlock(prefixMac, pq, at);
    const layout: Layout = {
      u,
      v,
      b,
      d: 4 * Math.ceil(b / 4) + 4,
      isExactInNumbers: v <= MAX_NUMBER_HALF_DIGITS,
      numberModuli: [10 ** u, 10 ** v],
      bigintModuli: [10n ** BigInt(u), 10n ** BigInt(v)],
      prefixMac,
      tail: pq.subarray(variableFrom),
    };
    layouts.set(n, layout);
    return layout;
  }

  /** `CIPH(state ⊕ message[at, at + 16))`, one CBC-MAC step. */
  function macBlock(state: Buffer, message: Buffer, at: number): Buffer {
    for (let k = 0; k < BLOCK; k++) chained[k] = (state[k] as number) ^ (message[at + k] as number);
    return cipher.update(chained);
  }

  /** Steps 6ii–iv with NUM(B) already in the tail: S, at least d bytes. */
  function roundBytes(layout: Layout, round: number): Buffer {
    const { tail, d } = layout;
    tail[tail.length - layout.b - 1] = round;
    let mac = layout.prefixMac;
    for (let at = 0; at < tail.length; at += BLOCK) mac = macBlock(mac, tail, at);
    if (d <= BLOCK) return mac;
    // S = R || CIPH(R ⊕ [1]16) || CIPH(R ⊕ [2]16) || …; these blocks are independent, so one call.
    const extension = Buffer.alloc(Math.ceil(d / BLOCK) * BLOCK - BLOCK);
    for (let j = 1; j * BLOCK < d; j++) {
      const at = (j - 1) * BLOCK;
      mac.copy(extension, at);
      extension.writeUInt32BE((mac.readUInt32BE(BLOCK - 4) ^ j) >>> 0, at + BLOCK - 4);
    }
    return Buffer.concat([mac, cipher.update(extension)]);
  }

  /** y mod 10^m for the round, with NUM(B) = `half` < 10^v ≤ 10^15. */
  function numberRound(layout: Layout, round: number, half: number, modulus: number): number {
    const { tail, b } = layout;
    let low = half % TWO_POW_32;
    let high = (half - low) / TWO_POW_32;
    for (let k = 0, at = tail.length - 1; k < b; k++, at--) {
      if (k < 4) {
        tail[at] = low & 0xff;
        low >>>= 8;
      } else {
        tail[at] = high & 0xff;
        high >>>= 8;
      }
    }
    const s = roundBytes(layout, round);
    // y · 2^32 is exact in a double and % is exact, so every sum stays an exact integer below 2^53.
    let y = remainder(s.readUInt32BE(0), modulus);
    for (let at = 4; at < layout.d; at += 4) {
      y = remainder(((y * TWO_POW_32) % modulus) + s.readUInt32BE(at), modulus);
    }
    return y;
  }

  /** y mod 10^m for the round, with NUM(B) = `half`. */
  function bigintRound(layout: Layout, round: number, half: bigint, modulus: bigint): bigint {
    const { tail, b } = layout;
    tail.write(half.toString(16).padStart(2 * b, '0'), tail.length - b, 'hex');
    return BigInt(`0x${roundBytes(layout, round).toString('hex', 0, layout.d)}`) % modulus;
  }

  return {
    encrypt(digits) {
      const layout = layoutFor(digits);
      const { u, v } = layout;
      if (layout.isExactInNumbers) {
        const moduli = layout.numberModuli;
        let a = parseDecimal(digits, 0, u);
        let b = parseDecimal(digits, u, u + v);
        for (let i = 0; i < ROUNDS; i++) {
          const modulus = moduli[i % 2] as number;
          const sum = a + numberRound(layout, i, b, modulus);
          const c = sum < modulus ? sum : sum - modulus;
          a = b;
          b = c;
        }
        return padded(a, u) + padded(b, v);
      }
      const moduli = layout.bigintModuli;
      let a = BigInt(digits.slice(0, u));
      let b = BigInt(digits.slice(u));
      for (let i = 0; i < ROUNDS; i++) {
        const modulus = moduli[i % 2] as bigint;
        const c = (a + bigintRound(layout, i, b, modulus)) % modulus;
        a = b;
        b = c;
      }
      return padded(a, u) + padded(b, v);
    },
    decrypt(digits) {
      const layout = layoutFor(digits);
      const { u, v } = layout;
      if (layout.isExactInNumbers) {
        const moduli = layout.numberModuli;
        let a = parseDecimal(digits, 0, u);
        let b = parseDecimal(digits, u, u + v);
        for (let i = ROUNDS - 1; i >= 0; i--) {
          const modulus = moduli[i % 2] as number;
          const difference = b - numberRound(layout, i, a, modulus);
          const c = difference < 0 ? difference + modulus : difference;
          b = a;
          a = c;
        }
        return padded(a, u) + padded(b, v);
      }
      const moduli = layout.bigintModuli;
      let a = BigInt(digits.slice(0, u));
      let b = BigInt(digits.slice(u));
      for (let i = ROUNDS - 1; i >= 0; i--) {
        const modulus = moduli[i % 2] as bigint;
        const c = (b - bigintRound(layout, i, a, modulus) + modulus) % modulus;
        b = a;
        a = c;
      }
      return padded(a, u) + padded(b, v);
    },
  };
}

/** NUM_10 of `digits[from, to)`, fewer than 16 digits. */
function parseDecimal(digits: string, from: number, to: number): number {
  let value = 0;
  for (let at = from; at < to; at++) value = value * 10 + digits.charCodeAt(at) - 48;
  return value;
}

/**
 * `dividend mod divisor` for non-negative integers whose sum is below 2^53, without the slower
 * floating-point `%`: the rounded quotient is at most one too large, which the sign shows.
 */
function remainder(dividend: number, divisor: number): number {
  const result = dividend - Math.floor(dividend / divisor) * divisor;
  return result < 0 ? result + divisor : result;
}

/** STR_10^m: `value` in `m` decimal digits. */
function padded(value: number | bigint, m: number): string {
  return value.toString().padStart(m, '0');
}
