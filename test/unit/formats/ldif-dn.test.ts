import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactDn } from '../../../functions/core/redaction/formats/ldif-dn.ts';

/** Characters of attribute values, RFC 4514 specials, spaces and non-ASCII included. */
const valueChar = fc.constantFrom(...'ab z9@.,+;"<>\\=#ü€'.split(''), '😀');
const value = fc.array(valueChar, { minLength: 1, maxLength: 12 }).map((chars) => chars.join(''));
const rdnPart = fc.tuple(fc.constantFrom('cn', 'mail', 'uid', 'ou', 'dc', '2.5.4.3'), value);

/** A value escaped as RFC 4514 allows: specials with `\`, or any byte as `\hh`. */
function escapeAsWritten(text: string, isHex: boolean): string {
  let out = '';
  const chars = [...text];
  chars.forEach((char, i) => {
    const isSpecial = /["+,;<>\\=]/.test(char) || (char === ' ' && (i === 0 || i === chars.length - 1));
    if (isHex && (isSpecial || /[^\x20-\x7e]/.test(char) || char === '#')) {
      for (const byte of Buffer.from(char)) out += `\\${byte.toString(16).padStart(2, '0')}`;
    } else if (isSpecial || (i === 0 && char === '#')) out += `\\${char}`;
    else out += char;
  });
  return out;
}

/** A DN of 1 to 4 RDNs, each of 1 or 2 values, with LDAPv2 spaces after commas or not. */
const dn = fc
  .record({
    rdns: fc.array(fc.array(rdnPart, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 4 }),
    isHex: fc.boolean(),
    separator: fc.constantFrom(',', ', '),
  })
  .map(({ rdns, isHex, separator }) => ({
    parts: rdns.flat(),
    text: rdns
      .map((rdn) => rdn.map(([type, text]) => `${type}=${escapeAsWritten(text, isHex)}`).join('+'))
      .join(separator),
  }));

function valuesOf(text: string): (readonly [string, string])[] {
  const seen: (readonly [string, string])[] = [];
  const out = redactDn(text, (type, each) => {
    seen.push([type, each]);
    return each;
  });
  expect(out).toBe(text);
  return seen;
}

describe('redactDn', () => {
  it('decodes every value of a DN however it was escaped, and writes the DN as it came when nothing changes', () => {
    fc.assert(
      fc.property(dn, ({ parts, text }) => {
        expect(valuesOf(text)).toEqual(parts);
      }),
    );
  });

  it('escapes replaced values so that the DN reads back with them', () => {
    fc.assert(
      fc.property(dn, value, ({ parts, text }, replacement) => {
        const out = redactDn(text, (type, each) => (type === 'mail' ? replacement : each));
        const expected = parts.map(([type, each]) => [type, type === 'mail' ? replacement : each] as const);
        expect(valuesOf(out ?? '')).toEqual(expected);
      }),
    );
  });

  it('gives up on what it cannot read so, for the caller to read as text', () => {
    for (const text of ['cn=#04024869,dc=x', 'cn="a, b",dc=x', 'no equals here', 'cn=a\\', 'cn=\\ff\\fe']) {
      expect(redactDn(text, (_type, each) => each)).toBeUndefined();
    }
  });
});
