/**
 * A header field as mail software writes it: a name of letters, digits and `-` that starts with a
 * letter (RFC 5322 allows any printable ASCII but `:`; a log's `2025-06-02T10:00:00Z` would be
 * one), at most 76 characters, then `:`.
 */
const FIELD = /^([A-Za-z][A-Za-z0-9-]{0,75}):/;

/**
 * Fields that only a mail carries, spelled as the transfer agents that add them do (a capital
 * first): an SMTP server adds `Received` and `Return-Path` (RFC 5321 §4.4), a MIME mail declares
 * `MIME-Version` (RFC 2045 §4) and a part's `Content-Transfer-Encoding` (RFC 2045 §6; "HTTP
 * does not use the Content-Transfer-Encoding (CTE) field of RFC 2045", RFC 2616 §19.4.5), a
 * sender or relay adds `Message-ID`, `DKIM-Signature`, `Delivered-To`, `Authentication-Results`
 * and the ARC set.
 */
const MAIL_ONLY_FIELD =
  /^(?:Received|Return-Path|MIME-Version|Mime-Version|Content-Transfer-Encoding|Message-I[Dd]|DKIM-Signature|Delivered-To|X-Original-To|Authentication-Results|ARC-Seal|ARC-Message-Signature)$/;

/** An RFC 2047 encoded-word (§2: `=?charset?encoding?encoded-text?=`), which only mail header fields carry. */
const ENCODED_WORD = /=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=/;

/**
 * True when a head of bytes is the header block of a mail (RFC 5322): at least two complete
 * lines, each up to the first empty line a header field (`Name: value`) or the folded
 * continuation of one (a line that starts with a space or tab), the first a field, and one of
 * them a field only mail has ({@link MAIL_ONLY_FIELD}: `Received`, `MIME-Version`, ...) or an
 * RFC 2047 encoded-word (`=?utf-8?B?...?=`, {@link ENCODED_WORD}): read as text, its base64
 * would hide the value it encodes.
 * Amazon SES's S3 action stores "the raw, unmodified email, which is typically in MIME format"
 * under the rule's key prefix (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-s3.html);
 * the key SES adds is an id without extension (o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1 in
 * https://github.com/arithmetric/aws-lambda-ses-forwarder/issues/42), and the documentation names
 * no Content-Type, so the content is what finds it.
 *
 * What it does not catch: a log whose lines start with a word and `:` (`Subject: x` under a
 * timestamp, or any line that is not a field, ends the head), YAML (keys in lower case, `---`,
 * list items), an HTTP header dump (a status or request line first; its own fields, `Host`,
 * `Content-Type`, `Date`, are not mail-only). What it may catch is a text of `Received: ...`
 * lines: read as a mail of header fields only, every value still goes through the detectors.
 *
 * @example
 * sniffMailHead(bytes('Return-Path: <a@b.example>\r\nReceived: from mx\r\n\r\nHi')) // true
 * sniffMailHead(bytes('from: a\nto: b\n')) // false
 */
export function sniffMailHead(head: Uint8Array): boolean {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  const lines = text.split('\n');
  lines.pop(); // Cut by the head's end, or empty after the last line break.
  let fields = 0;
  let isMail = false;
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') break;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (fields === 0) return false;
      isMail ||= ENCODED_WORD.test(line);
      continue;
    }
    const name = FIELD.exec(line)?.[1];
    if (name === undefined) return false;
    fields++;
    isMail ||= MAIL_ONLY_FIELD.test(name) || ENCODED_WORD.test(line);
  }
  return fields >= 2 && isMail;
}
