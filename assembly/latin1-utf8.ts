/**
 * Transcodes text between UTF-8 and Latin-1 bytes in linear memory, sixteen ASCII bytes at a
 * time (SIMD): V8 decodes and encodes UTF-8 a byte at a time once a chunk holds a byte above
 * 0x7F, and copies Latin-1 strings (its one-byte strings) as they are. A character of U+0080 to
 * U+00FF is two bytes in UTF-8 (lead 0xC2 or 0xC3) and one in Latin-1.
 *
 * Built by bin/build-kernels.js into functions/adapters/latin1-utf8-wasm.ts.
 */

/** Bytes one SIMD block holds. */
const BLOCK: usize = 16;

/**
 * Writes the Latin-1 bytes of the UTF-8 text `bytes[0, length)` (valid UTF-8, checked by the
 * caller) at `out` and returns how many, or -1 when the text holds a character above U+00FF.
 * Writes up to 15 bytes past the end of the output (never more than `length` + 15 in all).
 */
export function utf8ToLatin1(bytes: usize, length: i32, out: usize): i32 {
  const end = bytes + <usize>length;
  let at = bytes;
  let to = out;
  while (at < end) {
    if (end - at >= BLOCK) {
      const block = v128.load(at);
      const high = i8x16.bitmask(block);
      // The ASCII bytes before the first other one are copied (the rest of the block is
      // written over next).
      v128.store(to, block);
      if (high === 0) {
        at += BLOCK;
        to += BLOCK;
        continue;
      }
      const ascii = <usize>ctz(high);
      at += ascii;
      to += ascii;
    }
    const lead = load<u8>(at);
    if (lead < 0x80) {
      store<u8>(to, lead);
      at++;
    } else if ((lead & 0xfe) === 0xc2) {
      store<u8>(to, ((lead & 0x03) << 6) | (load<u8>(at, 1) & 0x3f));
      at += 2;
    } else return -1;
    to++;
  }
  return <i32>(to - out);
}

/**
 * Writes the UTF-8 bytes of the Latin-1 text `bytes[0, length)` at `out` and returns how many
 * (at most twice `length`). Writes up to 15 bytes past the end of the output.
 */
export function latin1ToUtf8(bytes: usize, length: i32, out: usize): i32 {
  const end = bytes + <usize>length;
  let at = bytes;
  let to = out;
  while (at < end) {
    if (end - at >= BLOCK) {
      const block = v128.load(at);
      const high = i8x16.bitmask(block);
      v128.store(to, block);
      if (high === 0) {
        at += BLOCK;
        to += BLOCK;
        continue;
      }
      const ascii = <usize>ctz(high);
      at += ascii;
      to += ascii;
    }
    const code = load<u8>(at);
    if (code < 0x80) {
      store<u8>(to, code);
      to++;
    } else {
      store<u8>(to, 0xc0 | (code >> 6));
      store<u8>(to, 0x80 | (code & 0x3f), 1);
      to += 2;
    }
    at++;
  }
  return <i32>(to - out);
}
