import { InvalidArgumentError } from './errors.ts';

const BASE64URL = /^[A-Za-z0-9_-]+$/;
// `ignoreBOM`: a key may start with U+FEFF, which the decoder would otherwise drop.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The ListObjectsV2 continuation token the core issues: the last entry (key or common prefix) of
 * the page that carries it, base64url-encoded. The next page starts after that entry, as a
 * `start-after` naming it would.
 *
 * Unsigned, on purpose. The entry it names was shown to this caller on that very page, so decoding
 * it reveals nothing the caller was not given. A forged token starts the listing after any string
 * the caller chooses, which `start-after` already allows; every entry of every page goes through
 * the caller's access decision wherever the page starts, so no token makes a hidden entry appear.
 * Without a key, paging needs no token keyring and tokens stay valid across restarts, instances
 * and key rotations. What must never happen is a token naming an entry the caller was not shown
 * (a source's token names the last entry the source scanned, which may be hidden): the core never
 * hands a source's token to a caller (see `listObjects`).
 */
export function encodeListToken(entry: string): string {
  return Buffer.from(entry, 'utf8').toString('base64url');
}

/**
 * The entry a continuation token names.
 *
 * @throws InvalidArgumentError for a token the core did not issue: not base64url, or not the
 *   encoding of a UTF-8 string (S3 answers an unreadable token with 400 InvalidArgument too).
 */
export function decodeListToken(token: string): string {
  const bytes = Buffer.from(token, 'base64url');
  // Node decodes base64 leniently; re-encoding tells a token of ours from an altered one.
  if (!BASE64URL.test(token) || bytes.toString('base64url') !== token) throw incorrectToken();
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw incorrectToken(error);
  }
}

function incorrectToken(cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError('The continuation token provided is incorrect', { cause });
}
