/**
 * The separator line of an mbox (RFC 4155 §2): `From `, the envelope sender, then the date the
 * mail was delivered, as `asctime` writes it (`From MAILER-DAEMON Fri Jul  8 12:08:34 2011`;
 * Gmail's export puts a zone before the year, `Sun Sep 01 12:00:00 +0000 2024`), and the first
 * header field of the mail on the next line.
 */
const MBOX_START =
  /^From \S+ +[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]?\d \d\d:\d\d(?::\d\d)?[^\r\n]* \d{4}[^\r\n]*\r?\n[\x21-\x39\x3b-\x7e]+:/;

/**
 * True when a head of bytes is the start of an mbox (RFC 4155, `application/mbox`): a `From `
 * separator line, then a header field. An mbox holds many mails, each after its own separator
 * line, so it is neither one mail (the header block of the first would fail at the separator
 * line, and the later mails would be read as the first one's body) nor text (its base64 and
 * quoted-printable parts would pass unread). The first mail's header block is not asked for a
 * mail-only field (as `sniffMailHead` does): Gmail's export starts it with `X-GM-THRID` and a
 * long `X-Gmail-Labels`, which can fill the head.
 *
 * @example
 * sniffMboxHead(bytes('From jane@example.com Mon Jun  2 10:00:00 2025\nX-GM-THRID: 1\n')) // true
 */
export function sniffMboxHead(head: Uint8Array): boolean {
  return MBOX_START.test(Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1'));
}
