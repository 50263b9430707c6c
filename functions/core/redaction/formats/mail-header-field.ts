import libmime from 'libmime';
import { MalformedObjectError } from '../../errors.ts';
import type { Redactor } from '../redactor.ts';
import type { MailLine } from './mail-lines.ts';

/** One header field of a mail entity as it was read: its name and its lines, folded ones included. */
export interface MailHeaderField {
  readonly name: string;
  readonly lines: readonly MailLine[];
}

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
 * its own. A field where no detector finds anything is written as it came, byte for byte; one
 * where a detector does is written again from the redacted text, in encoded-words where it is
 * not plain ASCII, folded at 76 characters with `newline`.
 *
 * The field's name goes through the detectors too. Fails with `MalformedObjectError` when a
 * detector matches the media type, the boundary or the charset of a `Content-Type`, which the
 * rest of the mail is read by, or a name whose replacement is no field name.
 */
export function redactHeaderField(field: MailHeaderField, redactor: Redactor, newline: string): string {
  const value = fieldValue(field);
  const redacted = PARAMETER_FIELDS.has(field.name.toLowerCase())
    ? redactParameterValue(value, redactor)
    : redactUnstructured(value, redactor);
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

/** The redacted value of an unstructured field, or `undefined` when no detector matched. */
function redactUnstructured(value: string, redactor: Redactor): string | undefined {
  const decoded = libmime.decodeWords(value);
  const redacted = redactor.redactText(decoded);
  if (redacted === decoded) return undefined;
  return libmime.isPlainText(redacted) ? redacted : libmime.encodeWords(redacted, 'Q', 52);
}

function redactParameterValue(value: string, redactor: Redactor): string | undefined {
  const parsed = parameterValue(value);
  const params: Record<string, string> = {};
  // What the parameters leave out (a comment, a stray word) is dropped when the field is written again.
  let isChanged = hasMatch(libmime.decodeWords(value), redactor);
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

function hasMatch(text: string, redactor: Redactor): boolean {
  return redactor.scanner.scan(text).matches.length > 0;
}
