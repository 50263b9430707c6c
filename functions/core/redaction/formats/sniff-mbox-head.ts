import { sniffMailHead } from './sniff-mail-head.ts';

/**
 * The separator line of an mbox: `From `, the envelope sender, then the date the mail was
 * delivered (RFC 4155 §2: `From MAILER-DAEMON Fri Jul  8 12:08:34 2011`).
 */
const FROM_LINE = /^From \S+ [^\r\n]*\r?\n/;

/**
 * True when a head of bytes is the start of an mbox (RFC 4155, `application/mbox`): a `From `
 * separator line, then a mail's header block (`sniffMailHead`). An mbox holds many mails, each
 * after its own separator line, so it is neither one mail (the header block of the first would
 * fail at the separator line, and the later mails would be read as the first one's body) nor text
 * (its base64 and quoted-printable parts would pass unread).
 *
 * @example
 * sniffMboxHead(bytes('From jane@example.com Mon Jun  2 10:00:00 2025\nReceived: from mx\nMIME-Version: 1.0\n\nHi')) // true
 */
export function sniffMboxHead(head: Uint8Array): boolean {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  const line = FROM_LINE.exec(text);
  return line !== null && sniffMailHead(head.subarray(line[0].length));
}
