/**
 * Length of the prefix of `bytes` that does not end inside a multi-byte UTF-8 character: their
 * length, less the lead byte and continuation bytes of a character they end inside. Whether the
 * bytes are valid UTF-8 is left to the decoder.
 *
 * @example
 * completeUtf8Length(Buffer.from('a😀').subarray(0, 3)); // 1: two of the emoji's four bytes cut off
 */
export function completeUtf8Length(bytes: Uint8Array): number {
  const length = bytes.byteLength;
  // A character is at most 4 bytes: look back at most 3 for the lead byte of the last one.
  for (let back = 1; back <= Math.min(3, length); back++) {
    const byte = bytes[length - back] as number;
    if ((byte & 0xc0) !== 0x80) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return needed > back ? length - back : length;
    }
  }
  return length;
}
