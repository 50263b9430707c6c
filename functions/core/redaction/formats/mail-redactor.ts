import { LimitExceededError, MalformedObjectError } from '../../errors.ts';
import type { Redactor } from '../redactor.ts';
import { detectFormat } from './detect-format.ts';
import type { FormatRedactor, TextFormat } from './format-redactor.ts';
import { refuseEmbeddedAttachments } from './mail-embedded-attachment.ts';
import { fieldValue, type MailHeaderField, parameterValue, redactHeaderField } from './mail-header-field.ts';
import { MailLines } from './mail-lines.ts';
import { isMarkup, refuseValuesSplitByMarkup } from './mail-markup-view.ts';
import { createMultipartRedactor } from './mail-multipart-redactor.ts';
import { createEncodedBodyRedactor, type MailCharset } from './mail-transfer-coding.ts';
import type { PhysicalLine } from './physical-lines.ts';

/** How one mail entity sits in the mail around it. */
export interface MailEntityOptions {
  /** Content type when the entity names none: `message/rfc822` in a `multipart/digest` (RFC 2046 §5.1.5). */
  readonly defaultType?: string;
  /** Line break written in lines made anew; else the entity's first line's (`\r\n` if none). */
  readonly newline?: string;
  /** Entities around this one. */
  readonly depth?: number;
}

/** Entities nested deeper than this are refused (each level holds a redactor). */
const MAX_DEPTH = 32;
const FIELD = /^[\x21-\x39\x3b-\x7e]+:/;
/** Transfer encodings that carry the text as it is (RFC 2045 §6.2). */
const IDENTITY_ENCODINGS = new Set(['', '7bit', '8bit', 'binary']);
/**
 * Charsets by label. ISO-8859-1 is read as windows-1252, as mail clients and browsers read it
 * (WHATWG Encoding gives its labels to windows-1252): bytes 0x80-0x9f are `€`, `–`, `’`, …, not
 * the C1 controls no detector reads through.
 */
const CHARSETS: Record<string, MailCharset> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8',
  ascii: 'utf-8',
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  'iso_8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
};
/** Fields that describe a part's body: a part whose body is removed gets a placeholder's own. */
const BODY_FIELDS = new Set([
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'content-length',
]);
/**
 * Calendar and contact text, whose readers join a line to the next when that starts with white
 * space (RFC 5545 §3.1, RFC 6350 §3.2): a value folded there is whole to them and cut in two for
 * the text redactor. Meeting invitations carry them (`text/calendar`, `invite.ics`).
 */
const FOLDED_TEXT_TYPES = new Set([
  'text/calendar',
  'text/x-vcalendar',
  'text/vcard',
  'text/x-vcard',
  'text/directory',
]);
const FOLDED_TEXT_NAME = /\.(?:ics|ifb|vcs|vcf|vcard)$/i;
/** Content-Type parameters the mail is read by. */
const STRUCTURAL_PARAMETERS = ['boundary', 'charset'];
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/**
 * A mail (RFC 5322, MIME: RFC 2045, 2046, 2047): a state machine over one entity, its header
 * block then its body. Each header field goes through the detectors (see `redactHeaderField`).
 * The body is read by its `Content-Type`: a `multipart/*` body part by part, each part an entity
 * again; a part the engine reads (text, CSV, JSON, NDJSON and a mail, by media type or file
 * name, as `detectFormat` decides from labels) through that format's redactor (`createPart`),
 * decoded from base64 or quoted-printable first and encoded back the same way (see
 * `createEncodedBodyRedactor`), in UTF-8, US-ASCII, ISO-8859-1 or windows-1252 (ISO-8859-1 as
 * windows-1252, see `CHARSETS`). A part it cannot read (an image, a PDF, another charset or
 * transfer encoding, calendar or contact text) is not passed: its body becomes a one-line text
 * note and its `Content-*` fields that note's, so the mail keeps its parts and every client reads
 * it. Nothing is buffered beyond a header block and a line (`limits.maxRecordBytes`).
 *
 * Fails with `MalformedObjectError` on a header line that is not a field, a second
 * `Content-Type` or `Content-Transfer-Encoding` or a second boundary or charset parameter (two
 * readers could pick different ones, RFC 2231 forms included), a multipart without boundary or
 * close delimiter, an encoded multipart, bad base64 or text, a line with a CR that ends no line,
 * a text part holding a uuencoded or yEnc file, an HTML or enriched part whose markup splits a
 * value (see `refuseValuesSplitByMarkup`); with `LimitExceededError` on a line or header block
 * longer than `maxRecordBytes` (a decoded line of an HTML part too), or deeper nesting.
 *
 * @example
 * const mail = createMailRedactor(redactor, (format) => createFormatRedactor(format, redactor));
 * mail.push('From: ada@example.com\r\nMIME-Version: 1.0\r\n\r\nHi') + mail.end()
 * // 'From: [EMAIL]\r\nMIME-Version: 1.0\r\n\r\nHi'
 */
export function createMailRedactor(
  redactor: Redactor,
  createPart: (format: TextFormat) => FormatRedactor,
  options: MailEntityOptions = {},
): FormatRedactor {
  const depth = options.depth ?? 0;
  if (depth > MAX_DEPTH) throw new LimitExceededError(`mail: entities nested deeper than ${MAX_DEPTH}`);
  const maxChars = redactor.limits.maxRecordBytes;
  const lines = new MailLines(maxChars);
  const fields: { name: string; lines: PhysicalLine[] }[] = [];
  let headerChars = 0;
  let newline = options.newline;
  let body: FormatRedactor | undefined;

  /** Ends the header block (with the empty line `separator`, or by the end): it redacted, and the body's redactor. */
  function finishHeaders(separator: string): { head: string; body: FormatRedactor } {
    const nl = newline ?? '\r\n';
    const plan = planBody(fields, options.defaultType ?? 'text/plain');
    let out = '';
    for (const field of fields) {
      if (plan.kind !== 'removed' || !BODY_FIELDS.has(field.name.toLowerCase())) {
        out += redactHeaderField(field, redactor, nl);
      }
    }
    if (plan.kind === 'removed') {
      const note = `maskpoint removed this part: it cannot read ${plan.what}.`;
      const fields = `Content-Type: text/plain; charset=us-ascii${nl}Content-Transfer-Encoding: 7bit${nl}`;
      const head = `${out}${out === '' || out.endsWith('\n') ? '' : nl}${fields}${nl}${note}`;
      return { head, body: { push: () => '', end: () => '' } };
    }
    const child: MailEntityOptions = { newline: nl, depth: depth + 1 };
    if (plan.kind === 'multipart') {
      const body = createMultipartRedactor(
        plan.boundary,
        () => createMailRedactor(redactor, createPart, { ...child, defaultType: plan.childType }),
        () => createPart('text'),
        maxChars,
      );
      return { head: out + separator, body };
    }
    // A mail inside counts its depth on from this one's.
    const inner =
      plan.format === 'mail'
        ? createMailRedactor(redactor, createPart, child)
        : plan.format === 'text'
          ? refuseEmbeddedAttachments(
              plan.isMarkup
                ? refuseValuesSplitByMarkup(createPart('text'), redactor, maxChars)
                : createPart('text'),
            )
          : createPart(plan.format);
    const body =
      plan.encoding === undefined
        ? inner
        : createEncodedBodyRedactor(plan.encoding, plan.charset, inner, nl, maxChars);
    return { head: out + separator, body };
  }

  /** Reads header lines; at the empty line, returns the redacted header block and the rest redacted. */
  function readHeaders(): string {
    for (let line = lines.next(); line !== undefined; line = lines.next()) {
      newline ??= line.newline;
      headerChars += line.text.length + line.newline.length;
      if (headerChars > maxChars) {
        throw new LimitExceededError(`mail: a header block is longer than ${maxChars} characters`);
      }
      if (line.text === '') {
        const ended = finishHeaders(line.newline);
        body = ended.body;
        return ended.head + ended.body.push(lines.rest());
      }
      addHeaderLine(line);
    }
    return '';
  }

  function addHeaderLine(line: PhysicalLine): void {
    const last = fields[fields.length - 1];
    if (line.text.startsWith(' ') || line.text.startsWith('\t')) {
      if (last === undefined)
        throw new MalformedObjectError('mail: a header block starts with a folded line');
      last.lines.push(line);
      return;
    }
    if (!FIELD.test(line.text))
      throw new MalformedObjectError('mail: a line of a header block is not a field');
    fields.push({ name: line.text.slice(0, line.text.indexOf(':')), lines: [line] });
  }

  return {
    push(text) {
      if (body !== undefined) return body.push(text);
      lines.push(text);
      return readHeaders();
    },
    end() {
      if (body !== undefined) return body.end();
      const rest = lines.lastLine();
      if (rest !== '') addHeaderLine({ text: rest, newline: '' });
      if (fields.length === 0) return '';
      const ended = finishHeaders('');
      return ended.head + ended.body.end();
    },
  };
}

type BodyPlan =
  | { readonly kind: 'multipart'; readonly boundary: string; readonly childType: string }
  | {
      readonly kind: 'read';
      readonly format: TextFormat;
      readonly encoding: 'base64' | 'quoted-printable' | undefined;
      readonly charset: MailCharset;
      /** Shown with its markup taken out (see `refuseValuesSplitByMarkup`). */
      readonly isMarkup: boolean;
    }
  | { readonly kind: 'removed'; readonly what: string };

/** How an entity's body is read, from its header fields. */
function planBody(fields: readonly MailHeaderField[], defaultType: string): BodyPlan {
  const contentType = single(fields, 'content-type');
  const encodingField = single(fields, 'content-transfer-encoding');
  const typeValue = contentType === undefined ? defaultType : fieldValue(contentType);
  for (const name of STRUCTURAL_PARAMETERS) {
    if (isNamedTwice(typeValue, name)) {
      throw new MalformedObjectError(`mail: a Content-Type names its ${name} twice`);
    }
  }
  const type = parameterValue(typeValue);
  const mediaType = type.value.toLowerCase();
  const encoding = encodingField === undefined ? '' : fieldValue(encodingField).toLowerCase();
  const isIdentity = IDENTITY_ENCODINGS.has(encoding);
  if (mediaType.startsWith('multipart/')) {
    const boundary = paramOf(type.params, 'boundary');
    if (boundary === undefined || boundary === '')
      throw new MalformedObjectError('mail: a multipart has no boundary');
    // RFC 2046 §5.1.1 ends a boundary with no space: postal-mime and Python's email trim it, so
    // `--b` lines under `boundary="b "` are delimiters to them and text to a reader that does not.
    if (/[ \t]$/.test(boundary))
      throw new MalformedObjectError('mail: a multipart boundary ends with white space');
    // RFC 2045 §6.4: a multipart is never encoded, else its delimiters could not be found.
    if (!isIdentity) throw new MalformedObjectError('mail: a multipart declares a transfer encoding');
    return {
      kind: 'multipart',
      boundary,
      childType: mediaType === 'multipart/digest' ? 'message/rfc822' : 'text/plain',
    };
  }
  const what = MEDIA_TYPE.test(mediaType) ? mediaType : 'a malformed type';
  const disposition = single(fields, 'content-disposition');
  const fileName =
    (disposition && paramOf(parameterValue(fieldValue(disposition)).params, 'filename')) ??
    paramOf(type.params, 'name');
  // A gzip attachment is bytes, not the text its name's format before `.gz` would say.
  if (fileName?.toLowerCase().endsWith('.gz')) return { kind: 'removed', what };
  if (FOLDED_TEXT_TYPES.has(mediaType) || FOLDED_TEXT_NAME.test(fileName ?? ''))
    return { kind: 'removed', what };
  const format =
    mediaType === 'message/rfc822'
      ? 'mail'
      : detectFormat({ contentType: mediaType, key: fileName, head: new Uint8Array(0) })?.format;
  if (format === undefined) return { kind: 'removed', what };
  const charsetName = paramOf(type.params, 'charset')?.toLowerCase();
  const charset = charsetName === undefined ? 'utf-8' : CHARSETS[charsetName];
  if (charset === undefined) return { kind: 'removed', what: `${what} in this charset` };
  const read = { kind: 'read', format, charset, isMarkup: isMarkup(mediaType, fileName) } as const;
  if (isIdentity) return { ...read, encoding: undefined };
  if (encoding === 'base64' || encoding === 'quoted-printable') return { ...read, encoding };
  return { kind: 'removed', what: `${what} in this transfer encoding` };
}

/**
 * Whether a parameter is given twice: two plain values (`boundary=a; boundary=b`), a plain and an
 * RFC 2231 one (`boundary=a; boundary*0=b`: libmime takes the RFC 2231 one, postal-mime and
 * Python's email the plain one), or a section of RFC 2231 continuations twice. Parsers differ on
 * which they take, and a client that read another boundary than the redactor would read parts
 * the redactor read as text. A parameter cut into sections (`*0`, `*1`, ...) is given once.
 */
function isNamedTwice(value: string, name: string): boolean {
  const sections = [
    ...value.matchAll(new RegExp(`;\\s*${name}\\s*(?:\\*\\s*(\\d+))?\\s*\\*?\\s*=`, 'gi')),
  ].map((match) => (match[1] === undefined ? 'whole' : String(Number(match[1]))));
  return new Set(sections).size < sections.length || (sections.includes('whole') && sections.length > 1);
}

/** The one field of a name, `undefined` when there is none; fails when there are two. */
function single(fields: readonly MailHeaderField[], name: string): MailHeaderField | undefined {
  const found = fields.filter((field) => field.name.toLowerCase() === name);
  if (found.length > 1) throw new MalformedObjectError(`mail: an entity has more than one ${name} field`);
  return found[0];
}

/** A parameter by its name in any case; libmime keeps white space before `=` after `*` (`boundary *0 =`). */
function paramOf(params: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(params)) if (key.trim().toLowerCase() === name) return value;
  return undefined;
}
