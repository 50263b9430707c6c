const charset = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
/** The checksum constant of bech32 (BIP 173, segwit v0) and of bech32m (BIP 350, v1 and later). */
const bech32Constant = 1;
const bech32mConstant = 0x2bc830a3;

/**
 * True when `text` is a bech32 or bech32m string (BIP 173 / BIP 350): one case throughout, a
 * human-readable part, the separator `1`, data characters from the bech32 alphabet and a valid
 * 6-character checksum (a random string passes with probability about 2^-30).
 *
 * @example
 * isBech32Valid('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'); // true
 */
export function isBech32Valid(text: string): boolean {
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) return false;
  const lower = text.toLowerCase();
  const separator = lower.lastIndexOf('1');
  if (separator < 1 || separator + 7 > lower.length || lower.length > 90) return false;
  const values: number[] = [];
  for (let i = 0; i < separator; i++) values.push(lower.charCodeAt(i) >> 5);
  values.push(0);
  for (let i = 0; i < separator; i++) values.push(lower.charCodeAt(i) & 31);
  for (let i = separator + 1; i < lower.length; i++) {
    const value = charset.indexOf(lower.charAt(i));
    if (value === -1) return false;
    values.push(value);
  }
  const checksum = polymod(values);
  return checksum === bech32Constant || checksum === bech32mConstant;
}

function polymod(values: readonly number[]): number {
  let checksum = 1;
  for (const value of values) {
    const top = checksum >>> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) checksum ^= generator[i] ?? 0;
  }
  return checksum >>> 0;
}
