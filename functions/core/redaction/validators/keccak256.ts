const roundConstants = [
  0x0000000000000001n,
  0x0000000000008082n,
  0x800000000000808an,
  0x8000000080008000n,
  0x000000000000808bn,
  0x0000000080000001n,
  0x8000000080008081n,
  0x8000000000008009n,
  0x000000000000008an,
  0x0000000000000088n,
  0x0000000080008009n,
  0x000000008000000an,
  0x000000008000808bn,
  0x800000000000008bn,
  0x8000000000008089n,
  0x8000000000008003n,
  0x8000000000008002n,
  0x8000000000000080n,
  0x000000000000800an,
  0x800000008000000an,
  0x8000000080008081n,
  0x8000000000008080n,
  0x0000000080000001n,
  0x8000000080008008n,
];
const rotations = [
  0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
];
const mask = (1n << 64n) - 1n;
/** Bytes absorbed per block: 1600 bits of state less twice the 256-bit output. */
const rate = 136;

function rotate(value: bigint, bits: number): bigint {
  if (bits === 0) return value;
  return ((value << BigInt(bits)) | (value >> BigInt(64 - bits))) & mask;
}

function permute(state: bigint[]): void {
  for (const constant of roundConstants) {
    const c: bigint[] = [];
    for (let x = 0; x < 5; x++) {
      c[x] =
        (state[x] as bigint) ^
        (state[x + 5] as bigint) ^
        (state[x + 10] as bigint) ^
        (state[x + 15] as bigint) ^
        (state[x + 20] as bigint);
    }
    for (let x = 0; x < 5; x++) {
      const d = (c[(x + 4) % 5] as bigint) ^ rotate(c[(x + 1) % 5] as bigint, 1);
      for (let y = 0; y < 25; y += 5) state[y + x] = (state[y + x] as bigint) ^ d;
    }
    const b: bigint[] = new Array(25);
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 5; y++) {
        b[y + ((2 * x + 3 * y) % 5) * 5] = rotate(state[x + 5 * y] as bigint, rotations[x + 5 * y] as number);
      }
    }
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 25; y += 5) {
        state[y + x] =
          (b[y + x] as bigint) ^
          (~(b[y + ((x + 1) % 5)] as bigint) & mask & (b[y + ((x + 2) % 5)] as bigint));
      }
    }
    state[0] = (state[0] as bigint) ^ constant;
  }
}

/**
 * Keccak-256 (the original Keccak padding used by Ethereum, not NIST SHA3-256), as a hex
 * string. Small and slow (64-bit lanes as BigInts): for checking the few candidates a
 * detector finds, not for bulk hashing.
 *
 * @example
 * keccak256(new Uint8Array()); // 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'
 */
export function keccak256(input: Uint8Array): string {
  const padded = new Uint8Array(Math.ceil((input.length + 1) / rate) * rate);
  padded.set(input);
  padded[input.length] = 0x01;
  padded[padded.length - 1] = (padded[padded.length - 1] as number) | 0x80;
  const state: bigint[] = new Array(25).fill(0n);
  for (let offset = 0; offset < padded.length; offset += rate) {
    for (let lane = 0; lane < rate / 8; lane++) {
      let value = 0n;
      for (let byte = 7; byte >= 0; byte--)
        value = (value << 8n) | BigInt(padded[offset + lane * 8 + byte] as number);
      state[lane] = (state[lane] as bigint) ^ value;
    }
    permute(state);
  }
  let hex = '';
  for (let lane = 0; lane < 4; lane++) {
    let value = state[lane] as bigint;
    for (let byte = 0; byte < 8; byte++) {
      hex += Number(value & 0xffn)
        .toString(16)
        .padStart(2, '0');
      value >>= 8n;
    }
  }
  return hex;
}

/**
 * True when `address` (`0x` and 40 hex digits) carries an EIP-55 checksum: mixed case, each
 * letter upper case exactly where the matching nibble of keccak256(lower-case hex) is 8 or more.
 * All-lower or all-upper addresses carry none and fail.
 */
export function isEip55Valid(address: string): boolean {
  const hex = address.slice(2);
  if (!/^0x[0-9a-fA-F]{40}$/.test(address) || hex === hex.toLowerCase() || hex === hex.toUpperCase())
    return false;
  const hash = keccak256(new TextEncoder().encode(hex.toLowerCase()));
  for (let i = 0; i < 40; i++) {
    const char = hex.charAt(i);
    if (char >= '0' && char <= '9') continue;
    const isUpper = char === char.toUpperCase();
    if (isUpper !== Number.parseInt(hash.charAt(i), 16) >= 8) return false;
  }
  return true;
}
