import { createHash } from 'node:crypto';

const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/**
 * True when `text` is Base58Check (Bitcoin's encoding of a version byte, a payload and a
 * 4-byte checksum): every character in the Base58 alphabet, and the last four decoded bytes
 * equal the first four of SHA-256(SHA-256(the rest)). A random string passes with probability
 * 2^-32.
 */
export function isBase58CheckValid(text: string): boolean {
  const bytes = decodeBase58(text);
  if (bytes === undefined || bytes.length < 5) return false;
  const payload = bytes.subarray(0, bytes.length - 4);
  const checksum = createHash('sha256').update(createHash('sha256').update(payload).digest()).digest();
  for (let i = 0; i < 4; i++) if (checksum[i] !== bytes[bytes.length - 4 + i]) return false;
  return true;
}

function decodeBase58(text: string): Uint8Array | undefined {
  let value = 0n;
  for (const char of text) {
    const digit = alphabet.indexOf(char);
    if (digit === -1) return undefined;
    value = value * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.push(Number(value & 0xffn));
    value >>= 8n;
  }
  // Each leading '1' stands for a leading zero byte.
  for (let i = 0; i < text.length && text[i] === '1'; i++) bytes.push(0);
  return Uint8Array.from(bytes.reverse());
}
