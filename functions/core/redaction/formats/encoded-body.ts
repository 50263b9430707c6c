import { MalformedObjectError } from '../../errors.ts';
import type { Redactor } from '../redactor.ts';
import { detectFormat, isBinary } from './detect-format.ts';
import type { FormatRedactor, TextFormat } from './format-redactor.ts';

/**
 * What a member of a JSON object is to an HTTP body that another member holds in base64, as an
 * HTTP archive (HAR 1.2, `content`) writes a response: `text` holds the body, `encoding` says
 * `base64` when the body is not text as it is ("Encoding used for response text field e.g
 * "base64". Leave out this field if the text field is HTTP decoded (decompressed & unchunked),
 * than trans-coded from its original character set into UTF-8."), and `mimeType` is the
 * response's Content-Type (ahmadnassri/har-spec, versions/1.2.md, `content`). Compared in
 * lower case; the members come in any order.
 */
export type BodySiblingRole = 'encoded' | 'encoding' | 'mediaType';

const ROLES: ReadonlyMap<string, BodySiblingRole> = new Map([
  ['text', 'encoded'],
  ['encoding', 'encoding'],
  ['mimetype', 'mediaType'],
]);

/** The role of a member so named in an object holding an encoded body, if it has one. */
export function bodySiblingRole(name: string): BodySiblingRole | undefined {
  return ROLES.get(name.toLowerCase());
}

/** True when the value of an `encoding` member says the body is in base64. */
export function isBase64Encoding(value: string): boolean {
  return value.trim().toLowerCase() === 'base64';
}

/** Makes the redactor of a body's format. */
export type PartRedactorFactory = (format: TextFormat) => FormatRedactor;

const BASE64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64_BLANKS = /[\r\n\t ]+/g;

/**
 * Redacts an HTTP body held in base64 (see {@link BodySiblingRole}) and returns it in base64
 * again, on one line. The decoded bytes decide: text (UTF-8 without NUL and without the magic
 * bytes of a binary format, whatever `mediaType` says) is read in the format `mediaType` and
 * the text's first bytes call for (`detectFormat`, as for an object: JSON, NDJSON, CSV, mail),
 * else as text, through `createPart`; a body the structured format does not parse is read as
 * text, as a JSON string that is not JSON text is. Bytes that are not such text (an image, a
 * font, compressed or other-charset text) cannot be read, so they are never passed: the body
 * becomes empty (`""`). Memory is bounded by the value, which the caller bounds.
 *
 * Fails with `MalformedObjectError` when `base64` holds a character outside base64 (blanks
 * aside) or is cut short; errors of the body's redactor other than a parse error are thrown.
 *
 * @example
 * redactEncodedBody(Buffer.from('{"email":"a@example.com"}').toString('base64'), 'application/json', redactor, create)
 * // base64 of '{"email":"[EMAIL]"}'
 */
export function redactEncodedBody(
  base64: string,
  mediaType: string | undefined,
  redactor: Redactor,
  createPart: PartRedactorFactory,
): string {
  const clean = base64.replace(BASE64_BLANKS, '');
  if (!BASE64_TEXT.test(clean) || clean.length % 4 === 1) {
    throw new MalformedObjectError(
      'malformed JSON: a body its sibling `encoding` calls base64 is not base64',
    );
  }
  const bytes = Buffer.from(clean, 'base64');
  const text = readText(bytes);
  if (text === undefined || text === '') return '';
  const format = detectFormat({ contentType: mediaType, head: bytes.subarray(0, 512) })?.format ?? 'text';
  return Buffer.from(redactAs(format, text, redactor, createPart), 'utf8').toString('base64');
}

/** The bytes as UTF-8 text, or `undefined` when they are not (see {@link redactEncodedBody}). */
function readText(bytes: Buffer): string | undefined {
  if (isBinary(bytes)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** `text` redacted in `format`, or as text when it is not in that format (counts of the try taken back). */
function redactAs(
  format: TextFormat,
  text: string,
  redactor: Redactor,
  createPart: PartRedactorFactory,
): string {
  if (format === 'text') return redactWhole(createPart('text'), text);
  const counts = new Map(redactor.counts);
  try {
    return redactWhole(createPart(format), text);
  } catch (error) {
    if (!(error instanceof MalformedObjectError)) throw error;
    redactor.counts.clear();
    for (const [rule, count] of counts) redactor.counts.set(rule, count);
    return redactWhole(createPart('text'), text);
  }
}

function redactWhole(part: FormatRedactor, text: string): string {
  return part.push(text) + part.end();
}
