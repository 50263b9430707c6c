import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../functions/core/redaction/formats/detect-format.ts';
import { sniffLdifHead } from '../../../functions/core/redaction/formats/sniff-ldif-head.ts';
import { plantedLdif, writeLdif } from '../support/planted-ldif.ts';

const HEAD_BYTES = 512;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text).subarray(0, HEAD_BYTES);

/** Generated LDIF whose first DN line and the line after it are complete within the head. */
const ldifHead = fc
  .tuple(plantedLdif, fc.option(fc.constantFrom('# export\n', '# a comment\n folded on\n\n'), { nil: '' }))
  .map(([file, comment]) => `${comment}${writeLdif(file)}`)
  .filter((text) => sniffableWithin(text));

/** True when the head holds the DN line and the next line whole (else the sniff cannot tell). */
function sniffableWithin(text: string): boolean {
  const head = new TextDecoder().decode(bytes(text));
  const lines = head.split('\n');
  const dn = lines.findIndex((line) => line.startsWith('dn'));
  let next = dn + 1;
  while (lines[next]?.startsWith(' ') || lines[next]?.startsWith('#')) next++;
  return dn >= 0 && next < lines.length - 1;
}

/** Text that has `key: value` lines, a `dn` key among them, and is not LDIF. */
const nearMiss = fc.oneof(
  // YAML: nested keys, a list, a `dn` key without an RDN, or one under a document marker.
  fc.constantFrom(
    'dn: example\nobjectClass: top\n',
    '---\ndn: cn=admin,dc=example,dc=org\npassword: x\n',
    'ldap:\n  dn: cn=admin,dc=example,dc=org\n  password: x\n',
    'dn: cn=admin,dc=example,dc=org\n  bind: true\n',
    '- dn: cn=admin,dc=example\n  mail: a@b.c\n',
    'dn: cn=admin,dc=example,dc=org\n',
  ),
  // Logs: a timestamp first, or a level, then `dn:` somewhere.
  fc
    .array(fc.constantFrom('dn: uid=a,dc=x', 'objectClass: top', 'bind ok', 'user: a'), { maxLength: 5 })
    .chain((lines) =>
      fc
        .constantFrom('2025-06-02T10:00:00Z slapd[12]: conn=1001 op=0 BIND', 'INFO ldap sync', 'dn')
        .map((first) => `${[first, ...lines].join('\n')}\n`),
    ),
  // Prose and config that merely mention a DN.
  fc.constantFrom(
    'The dn: uid=a,dc=x line starts a record.\nobjectClass: top\n',
    '[ldap]\ndn = cn=admin,dc=example\n',
    'version: 1\nname: app\ndn: x\n',
    'version: 2\ndn: uid=a,dc=x\nobjectClass: top\n',
  ),
);

describe('sniffLdifHead', () => {
  it('finds generated LDIF, with comments, a version line, folds and CRLF', () => {
    fc.assert(fc.property(ldifHead, (text) => sniffLdifHead(bytes(text))));
  });

  it('does not take YAML, logs, prose or config that mention a DN for LDIF', () => {
    fc.assert(fc.property(nearMiss, (text) => !sniffLdifHead(bytes(text))));
  });

  it('does not decide on an incomplete line', () => {
    expect(sniffLdifHead(bytes('dn: uid=a,dc=x\nobjectClass: to'))).toBe(false);
    expect(sniffLdifHead(bytes('dn: uid=a,dc=x'))).toBe(false);
  });
});

describe('detectFormat of LDIF', () => {
  const ldif = 'version: 1\n\ndn: uid=a,dc=x\nuserPassword:: e1NTSEF9eHh4\n';

  it('reads .ldif keys as LDIF whatever the content type, gzip included', () => {
    for (const contentType of [undefined, 'text/plain', 'application/octet-stream']) {
      expect(detectFormat({ key: 'exports/users.ldif', contentType, head: bytes(ldif) })).toEqual({
        format: 'ldif',
        isGzip: false,
      });
      expect(detectFormat({ key: 'exports/users.LDIF.gz', contentType, head: gzipSync(ldif) })).toEqual({
        format: 'ldif',
        isGzip: true,
      });
    }
  });

  it('reads labelled text whose head is LDIF as LDIF, and leaves unlabelled content refused', () => {
    expect(detectFormat({ key: 'backup/users.txt', head: bytes(ldif) })?.format).toBe('ldif');
    expect(detectFormat({ key: 'backup/users', contentType: 'text/plain', head: bytes(ldif) })?.format).toBe(
      'ldif',
    );
    expect(detectFormat({ key: 'backup/users', head: bytes(ldif) })).toBeUndefined();
    expect(
      detectFormat({ key: 'backup/users', contentType: 'binary/octet-stream', head: bytes(ldif) }),
    ).toBeUndefined();
  });

  it('leaves near misses labelled as text to the text redactor', () => {
    fc.assert(
      fc.property(
        nearMiss,
        (text) => detectFormat({ key: 'a/config.yaml', head: bytes(text) })?.format === 'text',
      ),
    );
  });
});
