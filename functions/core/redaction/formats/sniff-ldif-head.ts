/** A DN line: `dn:` then an RDN (`type=`) or `dn::` then base64 (RFC 2849 dn-spec). */
const DN_LINE = /^dn(?:: *[A-Za-z0-9][A-Za-z0-9.;_-]* *=|:: *[A-Za-z0-9+/]{4})/;
/** An attribute line (RFC 2849 attrval-spec, changerecord or control). */
const ATTRIBUTE_LINE = /^[A-Za-z][A-Za-z0-9-]*(?:;[A-Za-z0-9-]+)*(?::[:<]? |::?$)/;

/**
 * True when the head of a text object is LDIF (RFC 2849): after comments, empty lines and an
 * optional `version: 1`, its first line is a DN (`dn: uid=…` or `dn:: <base64>`) and the next
 * line that does not continue it is an attribute line (`objectClass: top`, `changetype: add`).
 * Only complete lines are read. Ordinary text, YAML and logs do not start so: a YAML mapping
 * whose first key is `dn` with an RDN as value and a second key at column 0 would, and is an
 * LDIF record in all but name.
 *
 * @example
 * sniffLdifHead(new TextEncoder().encode('version: 1\ndn: uid=ada,dc=example\nobjectClass: top\n')); // true
 */
export function sniffLdifHead(head: Uint8Array): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).replace(/^\uFEFF/, '');
  const lines = text
    .split('\n')
    .slice(0, -1)
    .map((line) => line.replace(/\r$/, ''));
  let at = 0;
  /** The logical line at `at`, unfolded (RFC 2849 folds any line); moves past it. */
  const take = (): string => {
    let line = lines[at] ?? '';
    for (at++; lines[at]?.startsWith(' '); at++) line += (lines[at] as string).slice(1);
    return line;
  };
  const skipComments = (isEmptyToo: boolean): void => {
    for (let line = lines[at]; (isEmptyToo && line === '') || line?.startsWith('#'); line = lines[at]) take();
  };
  skipComments(true);
  if (/^version: *1$/.test(lines[at] ?? '')) {
    at++;
    skipComments(true);
  }
  if (!DN_LINE.test(take())) return false;
  // A comment may stand between the lines of a record.
  skipComments(false);
  if (at >= lines.length) return false;
  return ATTRIBUTE_LINE.test(take());
}
