import libmime from 'libmime';
import { MalformedObjectError } from '../../errors.ts';
import type { Redactor } from '../redactor.ts';
import type { PhysicalLine } from './physical-lines.ts';

/** One header field of a mail entity as it was read: its name and its lines, folded ones included. */
export interface MailHeaderField {
  readonly name: string;
  readonly lines: readonly PhysicalLine[];
}

/**
 * Fields whose value is a list of addresses (RFC 5322 §3.4, §3.6.2-3.6.7; the trace and list
 * fields transfer agents and list managers add).
 */
const ADDRESS_FIELDS = new Set([
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'resent-from',
  'resent-sender',
  'resent-to',
  'resent-cc',
  'resent-bcc',
  'return-path',
  'delivered-to',
  'x-original-to',
  'envelope-to',
  'errors-to',
  'disposition-notification-to',
  'mail-followup-to',
  'mail-reply-to',
]);
/** A comment with no comment inside (RFC 5322 §3.2.2); nested ones go from the inside out. */
const COMMENT = /\((?:[^()\\]|\\.)*\)/g;
/** Most levels of nested comments taken out; deeper ones stay, which a parser reads as text. */
const MAX_COMMENT_DEPTH = 8;

/** Fields whose value is a media type or disposition with parameters (RFC 2045 §5, RFC 2183). */
const PARAMETER_FIELDS = new Set(['content-type', 'content-disposition']);
/** Parameters the structure of the mail depends on: a detector may not change them. */
const STRUCTURAL_PARAMETERS = ['boundary', 'charset'];
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
/** Longest header line written when a redacted field is folded again (RFC 5322 §2.1.1 recommends 78). */
const FOLD_CHARS = 76;

/** The field's value unfolded (RFC 5322 §2.2.3: each line break before white space removed), trimmed. */
export function fieldValue(field: MailHeaderField): string {
  const text = field.lines.map((line) => line.text).join('');
  return text.slice(text.indexOf(':') + 1).trim();
}

/** A media type or disposition field's value and its parameters, RFC 2231 and RFC 2047 decoded. */
export function parameterValue(value: string): { value: string; params: Record<string, string> } {
  const parsed = libmime.parseHeaderValue(value);
  const decoded = new Set(parsed.decodedParams);
  const params: Record<string, string> = {};
  for (const [key, param] of Object.entries(parsed.params)) {
    params[key] = decoded.has(key) ? param : libmime.decodeWords(param);
  }
  return { value: parsed.value, params };
}

/**
 * A header field as the detectors leave it, with its line breaks. The value is read as a mail
 * client shows it: encoded-words decoded (RFC 2047), and for `Content-Type` and
 * `Content-Disposition` each parameter decoded (RFC 2231 `filename*=utf-8''...` too) and read on
 * its own; an address field also as its addresses are read (see `addressView`). A field where no detector finds anything is written as it came, byte for byte; one
 * where a detector does is written again from the redacted text, in encoded-words where it is
 * not plain ASCII, folded at 76 characters with `newline`.
 *
 * The field's name goes through the detectors too. Fails with `MalformedObjectError` when a
 * detector matches the media type, the boundary or the charset of a `Content-Type`, which the
 * rest of the mail is read by, or a name whose replacement is no field name.
 */
export function redactHeaderField(field: MailHeaderField, redactor: Redactor, newline: string): string {
  const value = fieldValue(field);
  const lowerName = field.name.toLowerCase();
  const redacted = PARAMETER_FIELDS.has(lowerName)
    ? redactParameterValue(value, redactor)
    : redactUnstructured(value, redactor, ADDRESS_FIELDS.has(lowerName));
  // A name may be any printable ASCII but `:` (RFC 5322 §3.6.8), an address included.
  const name = redactor.redactText(field.name);
  if (name !== field.name && !FIELD_NAME.test(name)) {
    throw new MalformedObjectError(
      'mail: a detector matched a header field name and its replacement is no name',
    );
  }
  const last = field.lines[field.lines.length - 1];
  if (redacted === undefined && name === field.name) {
    return field.lines.map((line) => line.text + line.newline).join('');
  }
  const folded = libmime
    .foldLines(`${name}: ${redacted ?? value}`, FOLD_CHARS)
    .replace(/[ \t]*\r\n/g, newline);
  return folded + (last?.newline ?? '');
}

/**
 * The redacted value of an unstructured or address field, or `undefined` when no detector
 * matched. An address field is read as its addresses are (see `addressView`) when that shows a
 * value: `jane.doe @example.com`, `jane.doe(x)@example.com`, `"jane.doe"@example.com` and an
 * address folded before its `@` are one address to a mail client; it is written again from
 * that view, comments and the white space around `@` and `.` left out.
 */
function redactUnstructured(value: string, redactor: Redactor, isAddress: boolean): string | undefined {
  const decoded = libmime.decodeWords(value);
  const view = isAddress ? addressView(decoded) : decoded;
  const text = view !== decoded && hasMatch(view, redactor) ? view : decoded;
  const redacted = redactor.redactText(text);
  if (redacted === text) {
    // A value written in the field that its decoding hides (`=?utf-8?b?AKIA…?=` decodes to other
    // bytes) is in the output all the same: the field is written redacted as it came.
    const raw = redactor.redactText(value);
    return raw === value ? undefined : raw;
  }
  return libmime.isPlainText(redacted) ? redacted : libmime.encodeWords(redacted, 'Q', 52);
}

function redactParameterValue(value: string, redactor: Redactor): string | undefined {
  const parsed = parameterValue(value);
  const params: Record<string, string> = {};
  // What the parameters leave out (a comment, a stray word) is dropped when the field is written again.
  // So is a value written in it that its decoding hides (see `redactUnstructured`).
  let isChanged = hasMatch(libmime.decodeWords(value), redactor) || hasMatch(value, redactor);
  for (const [key, param] of Object.entries(parsed.params)) {
    params[key] = redactor.redactText(param);
    if (params[key] === param) continue;
    if (STRUCTURAL_PARAMETERS.includes(key.toLowerCase())) {
      throw new MalformedObjectError(`mail: a detector matched the ${key} parameter of a header field`);
    }
    isChanged = true;
  }
  if (hasMatch(parsed.value, redactor)) {
    throw new MalformedObjectError('mail: a detector matched the media type of a header field');
  }
  return isChanged ? libmime.buildHeaderValue({ value: parsed.value, params }) : undefined;
}

/**
 * An address list as a parser joins its addresses (RFC 5322 §3.4.1, §4.4): comments out, no
 * white space around `@` and `.` (CFWS may stand between the words of an address), and a quoted
 * local part without its quotes.
 */
function addressView(text: string): string {
  let view = text;
  for (let depth = 0; depth < MAX_COMMENT_DEPTH && view.includes('('); depth++) {
    const next = view.replace(COMMENT, ' ');
    if (next === view) break;
    view = next;
  }
  return view.replace(/"([^"\\]*)"\s*@/g, '$1@').replace(/\s*([@.])\s*/g, '$1');
}

function hasMatch(text: string, redactor: Redactor): boolean {
  return redactor.scanner.scan(text).matches.length > 0;
}
