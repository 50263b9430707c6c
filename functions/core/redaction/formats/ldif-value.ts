import { isUtf8 } from 'node:buffer';
import { MalformedObjectError } from '../../errors.ts';
import { isHighSurrogate } from '../surrogates.ts';

/** How an LDIF value is written (RFC 2849 §2): as it is (`:`), in base64 (`::`), or as a URL to read it from (`:<`). */
export type LdifValueForm = 'plain' | 'base64' | 'url';

/** One `name: value` line of an LDIF record, unfolded. */
export interface LdifAttribute {
  /** The attribute description as written: a type and its options (`cn;lang-de`), or `dn`, `changetype`, … */
  readonly name: string;
  /** The attribute type alone, the options taken off. */
  readonly type: string;
  readonly form: LdifValueForm;
  /** The value as written after the separator and the spaces that follow it. */
  readonly written: string;
}

/** RFC 2849 AttributeDescription (RFC 4512 §2.5: a name or an OID, then options), lenient on `_`. */
const NAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|[0-9]+(?:\.[0-9]+)*)(?:;[A-Za-z0-9_-]+)*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** C0 controls but tab, CR and LF, and DEL: bytes of binary data rather than text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the range is the point
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/**
 * Parses the unfolded text of an attribute line. Fails with `MalformedObjectError` (naming the
 * line, never its content) when it has no `:` or its name is no attribute description.
 */
export function parseLdifAttribute(text: string, lineNumber: number): LdifAttribute {
  const colon = text.indexOf(':');
  const name = colon < 0 ? '' : text.slice(0, colon);
  if (!NAME.test(name)) throw new MalformedObjectError(`ldif: line ${lineNumber} is not an attribute line`);
  const mark = text.charAt(colon + 1);
  const form: LdifValueForm = mark === ':' ? 'base64' : mark === '<' ? 'url' : 'plain';
  const rest = text.slice(colon + (form === 'plain' ? 1 : 2));
  const semicolon = name.indexOf(';');
  return {
    name,
    type: semicolon < 0 ? name : name.slice(0, semicolon),
    form,
    written: rest.replace(/^ +/, ''),
  };
}

/**
 * The bytes of a `::` value; fails with `MalformedObjectError` on anything but canonical
 * padded base64 (RFC 2849 BASE64-STRING), which two decoders could read differently.
 */
export function decodeLdifBase64(written: string, lineNumber: number): Buffer {
  const bytes = Buffer.from(written, 'base64');
  if (!BASE64.test(written) || written.length % 4 !== 0 || bytes.toString('base64') !== written) {
    throw new MalformedObjectError(`ldif: line ${lineNumber} has a value that is not base64`);
  }
  return bytes;
}

/** The text the bytes of a value hold, or `undefined` when they are not UTF-8 text (a photo, a certificate, a key). */
export function ldifValueText(bytes: Buffer): string | undefined {
  if (!isUtf8(bytes)) return undefined;
  const text = bytes.toString('utf8');
  return CONTROL.test(text) ? undefined : text;
}

/**
 * True when RFC 2849 requires `value` in base64: it holds NUL, CR or LF, starts with a space,
 * `:` or `<`, or ends with a space; or it holds a character beyond ASCII unless
 * `allowsNonAscii` (the file already wrote such values plain, as many tools do).
 */
export function needsLdifBase64(value: string, allowsNonAscii: boolean): boolean {
  if (/[\0\r\n]/.test(value) || /^[ :<]/.test(value) || value.endsWith(' ')) return true;
  return !allowsNonAscii && /[^\p{ASCII}]/u.test(value);
}

/**
 * A logical line folded into physical lines of at most `width` characters (RFC 2849 §2, note 2:
 * each continuation starts with one space), joined by `newline`, never splitting a surrogate
 * pair. `width` of `Infinity` leaves it whole.
 */
export function foldLdifLine(line: string, width: number, newline: string): string {
  if (line.length <= width) return line;
  // A continuation holds at least one character after its space.
  width = Math.max(2, width);
  const parts: string[] = [];
  let at = 0;
  let room = width;
  while (at < line.length) {
    let end = Math.min(line.length, at + room);
    if (end < line.length && isHighSurrogate(line.charCodeAt(end - 1))) end--;
    parts.push((at === 0 ? '' : ' ') + line.slice(at, end));
    at = end;
    room = width - 1;
  }
  return parts.join(newline);
}
