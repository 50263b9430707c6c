import { isUtf8 } from 'node:buffer';
import { normalizeFieldName, splitFieldName } from './field-matcher.ts';

/** Longest base64 value decoded, in characters: a field value, not a file. */
export const MAX_BASE64_CHARS = 4096;
/** Shortest: shorter base64 cannot hold the shortest value a detector finds (`a@b.co`). */
const MIN_BASE64_CHARS = 8;

/** Parts of a folded name (see `normalizeFieldName`) that mark its values as encoded. */
const ENCODED_MARKS = ['b64', 'base64', 'encoded'];
/** Words of a name (see `splitFieldName`) that name a sensitive value. */
const SENSITIVE_WORDS = new Set([
  'email',
  'mail',
  'ssn',
  'card',
  'pan',
  'iban',
  'phone',
  'password',
  'passwd',
  'secret',
  'token',
  'credential',
  'credentials',
]);

const BASE64 = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;

/**
 * True when a field called `name` may hold a sensitive value in base64: its name marks the
 * value as encoded (`email_b64`, `payloadBase64`, `encoded_ssn`) or names a sensitive value
 * (`email`, `card`, `password`, …).
 *
 * @example
 * isEncodedFieldName('email_b64'); // true
 * isEncodedFieldName('order_no'); // false
 */
export function isEncodedFieldName(name: string): boolean {
  const folded = normalizeFieldName(name);
  if (ENCODED_MARKS.some((mark) => folded.includes(mark))) return true;
  return splitFieldName(name).some((word) => SENSITIVE_WORDS.has(word));
}

/**
 * The text `value` encodes when it is, whole, base64 (standard or URL-safe alphabet, padded or
 * not) of between `MIN_BASE64_CHARS` and `MAX_BASE64_CHARS` characters that decodes to
 * well-formed UTF-8 without control characters; else `undefined`.
 *
 * @example
 * decodeBase64Text('amFuZUBleGFtcGxlLmNvbQ=='); // 'jane@example.com'
 */
export function decodeBase64Text(value: string): string | undefined {
  const length = value.length;
  if (length < MIN_BASE64_CHARS || length > MAX_BASE64_CHARS || !BASE64.test(value)) return undefined;
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  if (padding > 0 ? length % 4 !== 0 : length % 4 === 1) return undefined;
  const bytes = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
  // Checked first: most values that look like base64 (ids, digits and dashes) decode to bytes
  // that are not UTF-8, and a throwing decoder costs a hundred times more.
  if (!isUtf8(bytes)) return undefined;
  const text = bytes.toString('utf8');
  return hasControlCharacter(text) ? undefined : text;
}

/** True when `text` holds a control character other than tab, line feed and carriage return: bytes, not text. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}
