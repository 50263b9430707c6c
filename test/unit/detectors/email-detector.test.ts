import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEmailDetector } from '../../../functions/core/redaction/detectors/email-detector.ts';
import { findAll } from './find-all.ts';

const email = createEmailDetector();

/** Letters of scripts written with spaces between words: accented Latin, Greek, Cyrillic. */
const spacedLetter = fc.constantFrom(
  ...'éèêëáàâäãåçñóòôöõøúùûüíìîïýÿßæœłśźżčšžřőűğışțÉÑÖÜÅØŁŠŽαβγδεζηθλμπσωάέήίόύώжзийклмнопрстуфхцчшщыэюяёіїєґ',
);
const asciiAlnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
/** A run of letters and digits with at least one non-ASCII letter in it. */
const accentedWord = fc
  .tuple(
    fc.array(fc.oneof(asciiAlnum, spacedLetter), { minLength: 0, maxLength: 8 }),
    spacedLetter,
    fc.array(asciiAlnum, { maxLength: 4 }),
  )
  .map(([head, letter, tail]) => [...head, letter, ...tail].join(''));
const asciiWord = fc.array(asciiAlnum, { minLength: 1, maxLength: 8 }).map((cs) => cs.join(''));
const tld = fc.constantFrom('com', 'org', 'de', 'рф', 'ελ', 'españa', 'xn--p1ai');
/** Prose around an address, written with spaces (the address is cut off by them). */
const spacedProse = fc.constantFrom(
  'correo: ',
  'Müller, José — ',
  'Почта: ',
  'Ηλ. ταχυδρομείο ',
  'écrire à ',
);

describe('email with letters beyond ASCII', () => {
  it('finds an address whose local part has accented, Greek or Cyrillic letters, whole', () => {
    fc.assert(
      fc.property(
        spacedProse,
        accentedWord,
        fc.array(asciiWord, { maxLength: 2 }),
        asciiWord,
        tld,
        (before, local, dotted, domain, top) => {
          const address = `${[local, ...dotted].join('.')}@${domain}.${top}`;
          expect(findAll(email, `${before}${address} ;`)).toEqual([address]);
        },
      ),
    );
  });

  it('finds an address whose domain has such letters (an IDN in Unicode form), whole', () => {
    fc.assert(
      fc.property(spacedProse, asciiWord, accentedWord, tld, (before, local, domain, top) => {
        const address = `${local}@${domain}.${top}`;
        expect(findAll(email, `${before}${address}.`)).toEqual([address]);
      }),
    );
  });

  it('keeps prose of scripts written without spaces out of the address', () => {
    const cjk = fc.constantFrom('連絡先は', 'メール：', '이메일', 'ติดต่อ', '邮箱');
    const after = fc.constantFrom('です', 'まで', '로', 'ครับ', '。');
    fc.assert(
      fc.property(
        cjk,
        asciiWord,
        asciiWord,
        fc.constantFrom('com', 'org', 'jp'),
        after,
        (before, local, domain, top, end) => {
          const address = `${local}@${domain}.${top}`;
          expect(findAll(email, `${before}${address}${end}`)).toEqual([address]);
        },
      ),
    );
  });

  it('finds nothing where accented words stand around an @ that starts no address', () => {
    const nearMiss = fc.oneof(
      // No dot in the domain, a one-letter or numeric top-level domain, a mention, a price.
      fc.tuple(accentedWord, accentedWord).map(([a, b]) => `${a}@${b}`),
      fc.tuple(accentedWord, accentedWord).map(([a, b]) => `${a}@${b}.é`),
      fc.tuple(accentedWord, accentedWord).map(([a, b]) => `${a}@${b}.123`),
      accentedWord.map((a) => `@${a}.com`),
      accentedWord.map((a) => `${a} @ 3,50 €`),
      fc.tuple(accentedWord, accentedWord).map(([a, b]) => `${a} × ${b}`),
    );
    fc.assert(
      fc.property(nearMiss, (text) => {
        expect(findAll(email, `note: ${text} ;`)).toEqual([]);
      }),
    );
  });
});

describe('email domains', () => {
  /** The domain rule as written first: labels split apart, each tested, the top-level one by a regex. */
  function isValidDomainBySplit(domain: string): boolean {
    const labels = domain.split('.');
    if (labels.length < 2) return false;
    for (const label of labels) {
      if (label.length === 0 || label.length > 63) return false;
      if (label.startsWith('-') || label.endsWith('-')) return false;
    }
    return /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}|[\p{L}\p{M}]{2,63})$/u.test(labels.at(-1) ?? '');
  }

  it('takes a domain when its labels and top-level domain are valid, whatever its characters (property)', () => {
    const unit = fc.constantFrom(
      'a',
      'Z',
      'q',
      '0',
      '7',
      '.',
      '-',
      'xn--',
      'рф',
      'é',
      'com',
      'a'.repeat(63),
      'b'.repeat(64),
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 12 }), (units) => {
        const domain = units.join('').replace(/[.-]+$/, '');
        const expected = domain.length <= 253 && isValidDomainBySplit(domain) ? [`x@${domain}`] : [];
        expect(findAll(email, `to x@${units.join('')} ;`)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
