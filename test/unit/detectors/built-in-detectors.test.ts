import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import {
  builtInDetectorIds,
  createBuiltInDetector,
} from '../../../functions/core/redaction/detectors/built-in-detectors.ts';
import {
  ibanLengthOf,
  ibanLengthOfLetters,
  isValidIban,
} from '../../../functions/core/redaction/detectors/iban-checksum.ts';
import { findAll } from './find-all.ts';

function detector(id: string): Detector {
  const created = createBuiltInDetector(id);
  if (created === undefined) throw new Error(`no built-in ${id}`);
  return created;
}

/** Asserts each sample is found whole inside filler text, and each near-miss is not found at all. */
function expectDetects(id: string, samples: { found: string[]; survives: string[] }): void {
  for (const sample of samples.found) {
    const text = `note: ${sample} ;`;
    const match = detector(id).findFrom(text, 0);
    expect(match, sample).toEqual({ start: 6, end: 6 + sample.length });
  }
  for (const sample of samples.survives) {
    expect(findAll(detector(id), `note: ${sample} ;`), sample).toEqual([]);
  }
}

const jwt =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('built-in detector library', () => {
  it('lists stable kebab-case ids that all create a detector with that id', () => {
    expect(builtInDetectorIds).toContain('email');
    for (const id of builtInDetectorIds) {
      expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(detector(id).id).toBe(id);
      expect(detector(id).label).toMatch(/^[A-Z0-9_]+$/);
    }
  });

  it('returns undefined for an unknown id', () => {
    expect(createBuiltInDetector('no-such-detector')).toBeUndefined();
  });
});

describe('email', () => {
  it('finds addresses with their exact span', () => {
    expectDetects('email', {
      found: [
        'john.doe@example.com',
        'ops+alerts@mail.example.co.uk',
        'a_b%c-d@sub-domain.example.org',
        'ivan@xn--80ak6aa92e.xn--p1ai',
      ],
      survives: [
        'a@example.xn-p1ai',
        'john@localhost',
        '@example.com',
        'john@',
        'a@b.c',
        'john@example.123',
        'a@-x.com',
        'a@x..com',
      ],
    });
  });

  it('leaves a sentence-ending dot out of the domain', () => {
    expect(findAll(detector('email'), 'write to x@example.com.')).toEqual(['x@example.com']);
  });

  it('finds each address when several share a line', () => {
    expect(findAll(detector('email'), 'a@example.com,b@example.org;c.d@example.net')).toEqual([
      'a@example.com',
      'b@example.org',
      'c.d@example.net',
    ]);
  });

  it('does not start a match inside a local part that begins before from', () => {
    const text = 'john.doe@example.com x@example.org';
    expect(detector('email').findFrom(text, 2)).toEqual({ start: 21, end: 34 });
  });

  it('rejects local parts longer than 64 characters', () => {
    expect(findAll(detector('email'), `${'a'.repeat(65)}@example.com`)).toEqual([]);
    expect(findAll(detector('email'), `${'a'.repeat(64)}@example.com`)).toHaveLength(1);
  });
});

describe('phone', () => {
  it('finds NANP and international numbers', () => {
    expectDetects('phone', {
      found: [
        '(555) 234-5678',
        '(555)234-5678',
        '555-234-5678',
        '555.234.5678',
        '555 234 5678',
        '+1 555 234 5678',
        '+1 (555) 234-5678',
        '1-555-234-5678',
        '+14155550132',
        '+44 20 7946 0958',
        '+44 (0)20 7946 0958',
        '+49-30-1234567',
        '+33 1 23 45 67 89',
      ],
      survives: [
        '5552345678',
        '2024-01-15 10:30:00',
        '2024-01-15T10:30:00Z',
        '2024-01-15',
        '1.2.3',
        '10.4.15.2',
        '123e4567-e89b-12d3-a456-426614174000',
        '192.168.100.200',
        '555-123-4567',
        '155-234-5678',
        '+0123456789',
        '+12 345',
        '+1234567890123456',
        '+99 1234 5678',
        '+44 12 3456',
        '+33 0 00 00 00 00',
        'v555-234-5678',
        '555-234-5678-9',
      ],
    });
  });

  it('keeps the longest international number its numbering plan admits', () => {
    expect(findAll(detector('phone'), 'tel +972 9 762 5400 1 or +86 10 1234 5678')).toEqual([
      '+972 9 762 5400',
      '+86 10 1234 5678',
    ]);
  });

  it('stops an international number at 15 digits on a group boundary', () => {
    expect(findAll(detector('phone'), 'call +44 20 7946 0958 2024 now')).toEqual(['+44 20 7946 0958']);
  });

  it('finds a number in parentheses and one after a colon', () => {
    expect(findAll(detector('phone'), '(555-234-5678) tel:+1-555-234-5678')).toEqual([
      '555-234-5678',
      '+1-555-234-5678',
    ]);
  });
});

describe('payment-card', () => {
  it('finds Luhn-valid numbers of known issuers, compact or grouped by spaces, dashes or dots', () => {
    expectDetects('payment-card', {
      found: [
        '4111 1111 1111 1111',
        '4111-1111-1111-1111',
        '4111.1111.1111.1111',
        '3782.822463.10005',
        '4111111111111111',
        '4222222222222',
        '5555555555554444',
        '2223003122003222',
        '378282246310005',
        '3782 822463 10005',
        '6011111111111117',
        '6011 0009 9013 9424',
        '3530111333300000',
        '30569309025904',
        '3056 930902 5904',
        '6200000000000005',
        '6759649826438453',
        '4111 1111 1111 1111 003',
      ],
      survives: [
        '4111111111111112',
        '4111 1111 1111 1112',
        '1234567812345670',
        '7777777777777777',
        '37828224631000',
        '1705312200000',
        '41111111111111110000',
        '94111111111111111',
        '4111-1111-1111-1111-2222',
        '4111.1111.1111.1112',
        '4111..1111.1111.1111',
        '4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1',
      ],
    });
  });

  it('does not mine a card-length piece out of a longer digit run', () => {
    const run = `12${'4111111111111111'}34`;
    expect(findAll(detector('payment-card'), `order ${run}`)).toEqual([]);
  });
});

describe('us-ssn', () => {
  it('finds issuable SSNs with dashes or spaces and leaves unissued ranges', () => {
    expectDetects('us-ssn', {
      found: ['123-45-6789', '123 45 6789', '665-01-0001', '899-99-9999'],
      survives: [
        '000-12-3456',
        '666-12-3456',
        '900-12-3456',
        '999-12-3456',
        '123-00-4567',
        '123-45-0000',
        '123456789',
        '1123-45-6789',
        '123-45-67890',
        '123-45 6789',
        '2024-12-3456',
      ],
    });
  });

  it('finds nine digits in a row only shortly after an SSN keyword', () => {
    expect(findAll(detector('us-ssn'), 'SSN: 219099999, ssn#123456789')).toEqual(['219099999', '123456789']);
    expect(findAll(detector('us-ssn'), 'ssn 219-09-9999 or 219099999')).toEqual(['219-09-9999', '219099999']);
    expect(
      findAll(detector('us-ssn'), 'order 219099999, ssn 000123456 666123456 900123456 123001234 123450000'),
    ).toEqual([]);
    expect(findAll(detector('us-ssn'), 'ssn on file; the order number is 219099999')).toEqual([]);
    expect(findAll(detector('us-ssn'), 'SSN 2190999991')).toEqual([]);
  });

  it('finds nine digits in a row in a field named for an SSN', () => {
    for (const name of ['ssn', 'customer_SSN', 'social_security_number', 'SocialSecurity']) {
      expect(findAll(detector('us-ssn').named?.(name) as Detector, '219099999'), name).toEqual(['219099999']);
    }
    const ssn = detector('us-ssn');
    expect(ssn.named?.('order_no')).toBe(ssn);
    expect(findAll(detector('us-ssn').named?.('order_no') as Detector, '219099999')).toEqual([]);
  });
});

describe('iban', () => {
  it('finds IBANs with a valid country length and checksum, compact or grouped', () => {
    expectDetects('iban', {
      found: [
        'DE89 3704 0044 0532 0130 00',
        'DE89370400440532013000',
        'GB82WEST12345698765432',
        'GB82 WEST 1234 5698 7654 32',
        'NO9386011117947',
        'FR1420041010050500013M02606',
        'MT84MALT011000012345MTLCAST001S',
      ],
      survives: [
        'DE88 3704 0044 0532 0130 00',
        'DE89370400440532013001',
        'XX89370400440532013000',
        'DE8937040044053201300',
        'DE893704004405320130000',
        'DE89 3704 0044 0532 0130 001',
        'de89370400440532013000',
        'xDE89370400440532013000',
      ],
    });
  });

  it('finds IBANs in lower case shortly after the keyword IBAN, or in a field named for one', () => {
    const text = 'IBAN: gb82west12345698765432, IBAN gb82 west 1234 5698 7654 32 and de89370400440532013000';
    expect(findAll(detector('iban'), text)).toEqual([
      'gb82west12345698765432',
      'gb82 west 1234 5698 7654 32',
    ]);
    expect(findAll(detector('iban'), 'iban de89370400440532013001 xde89370400440532013000')).toEqual([]);
    expect(findAll(detector('iban').named?.('payee_iban') as Detector, 'de89370400440532013000')).toEqual([
      'de89370400440532013000',
    ]);
  });
});

/** A random IBAN of `country` (its registry length `length`) with the check digits that make it valid. */
function validIban(country: string, length: number, bban: string): string {
  for (let check = 2; check <= 98; check++) {
    const iban = `${country}${String(check).padStart(2, '0')}${bban.slice(0, length - 4)}`;
    if (isValidIban(iban)) return iban;
  }
  throw new Error('no check digits make it valid');
}

describe('iban checksum as the detector reads it', () => {
  const alphanumeric = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''));
  const countries: [string, number][] = [
    ['DE', 22],
    ['GB', 22],
    ['NO', 15],
    ['MT', 31],
    ['RU', 33],
    ['FR', 27],
  ];

  it('finds an IBAN of any case and grouping where isValidIban accepts its compact upper-case form', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...countries),
        fc.array(alphanumeric, { minLength: 33, maxLength: 33 }),
        fc.boolean(),
        fc.boolean(),
        fc.nat(99),
        ([country, length], characters, isLower, isGrouped, check) => {
          const valid = validIban(country, length, characters.join(''));
          // Any check digits: valid one time in 97 or so, as the reference says.
          const other = `${valid.slice(0, 2)}${String(check).padStart(2, '0')}${valid.slice(4)}`;
          for (const compact of [valid, other]) {
            let written = isGrouped ? (compact.match(/.{1,4}/g) as string[]).join(' ') : compact;
            if (isLower) written = written.toLowerCase();
            const text = `${isLower ? 'IBAN ' : 'ref '}${written} ;`;
            const expected = isValidIban(compact) ? [written] : [];
            expect(findAll(detector('iban'), text), text).toEqual(expected);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('knows the length of each country code by its letters as by its string', () => {
    for (let first = 64; first <= 91; first++) {
      for (let second = 64; second <= 91; second++) {
        const code = String.fromCharCode(first, second);
        expect(ibanLengthOfLetters(first, second), code).toBe(ibanLengthOf(code));
      }
    }
    expect(ibanLengthOfLetters(68, 69)).toBe(22);
    expect(ibanLengthOfLetters(100, 101)).toBeUndefined();
    expect(ibanLengthOfLetters(Number.NaN, 69)).toBeUndefined();
  });
});

describe('ipv4', () => {
  it('finds dotted quads and leaves versions and longer dotted numbers', () => {
    expectDetects('ipv4', {
      found: ['192.168.1.10', '10.0.0.1', '255.255.255.255', '0.0.0.0'],
      survives: ['256.1.1.1', '1.2.3', '10.4.15.2.1', '01.02.03.04', '1.2.3.4.5', '1.2.3.1000', 'v1.2.3.4.5'],
    });
  });

  it('finds an address followed by a port or a sentence end', () => {
    expect(findAll(detector('ipv4'), 'from 10.1.2.3:8080 and 10.9.8.7.')).toEqual(['10.1.2.3', '10.9.8.7']);
  });
});

describe('ipv6', () => {
  it('finds full and compressed addresses and leaves times and MAC addresses', () => {
    expectDetects('ipv6', {
      found: [
        '2001:db8::1',
        'fe80::1ff:fe23:4567:890a',
        '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
        '::1',
        '::ffff:192.168.1.1',
        '2001:db8::',
      ],
      survives: [
        '10:30:00',
        '2024-01-15T10:30:00Z',
        '00:1a:2b:3c:4d:5e',
        'std::vector',
        'Foo::bar',
        '1:2:3:4:5:6:7',
        '2001:db8:::1',
        '12345::1',
        '::',
        '1:2:3:4:5:6:7:8:9',
      ],
    });
  });

  it('finds addresses in brackets, after a key and before a final colon', () => {
    expect(findAll(detector('ipv6'), '[2001:db8::1]:443 ip:fe80::1 addr fe80::2: refused')).toEqual([
      '2001:db8::1',
      'fe80::1',
      'fe80::2',
    ]);
  });

  it('finds the unspecified address :: alone before a prefix length and after =', () => {
    expect(findAll(detector('ipv6'), '::/0 route ::/128\nsrc=:: dst=::1 bind=::')).toEqual([
      '::',
      '::',
      '::',
      '::1',
      '::',
    ]);
  });

  it('leaves :: ending a line, as grammar notation and type signatures write it', () => {
    expect(findAll(detector('ipv6'), '// GroupName ::\nfoo ::\n  Int -> Int\nUnspecified ::')).toEqual([]);
  });

  it('leaves :: between words, in code and in brackets (generated near misses)', () => {
    const word = fc.string({
      unit: fc.constantFrom(...'ghijklmnopqrstuvwxyzGHIJKLMNOP_'),
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(
        word,
        word,
        fc.constantFrom(' :: ', '::', ' ::', ':: ', '[::]', '(::)', ' ::: ', ' ::-', ' ::\n', ' ::\r\n'),
        (left, right, middle) => {
          expect(findAll(detector('ipv6'), `${left}${middle}${right}`)).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds :: with any prefix length, and leaves it glued to a word (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 128 }),
        fc.constantFrom('', ' ', 'net ', 'a='),
        (length, lead) => {
          expect(findAll(detector('ipv6'), `${lead}::/${length}`)).toEqual(['::']);
          expect(findAll(detector('ipv6'), `net::/${length}`)).toEqual([]);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('aws-access-key-id', () => {
  it('finds 20-character key ids with a known prefix', () => {
    expectDetects('aws-access-key-id', {
      // Digits outside base32 too: AWS's documentation writes AKIAI44QH8DHBEXAMPLE.
      found: ['AKIAIOSFODNN7EXAMPLE', 'ASIAY34FZKBOKMUTVV7A', 'AKIAI44QH8DHBEXAMPLE', 'AKIA1OSF0DNN7EXAMPLE'],
      survives: [
        'AKIAIOSFODNN7EXAMPL',
        'AKIAIOSFODNN7EXAMPLE1',
        'xAKIAIOSFODNN7EXAMPLE',
        'AKIAiosfodnn7example',
        'AKIAXXXXXXXXXXXXXXXX',
        'ASIAXXXXXXXXXXXXXXXX',
      ],
    });
  });

  it('finds any prefix with 16 upper-case letters or digits, whole, in text (generated)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3TX'),
        fc.stringMatching(/^[A-Z0-9]{16}$/).filter((body) => !body.startsWith('XXXXXXXX')),
        fc.constantFrom(['', ''], ['key ', ' here'], ['"', '"'], ['id=', '\n'], [',', ',']),
        (prefix, body, [before, after]) => {
          const id = `${prefix}${body}`;
          expect(findAll(detector('aws-access-key-id'), `${before}${id}${after}`)).toEqual([id]);
          expect(findAll(detector('aws-access-key-id'), `${before}${id}7${after}`)).toEqual([]);
          expect(
            findAll(detector('aws-access-key-id'), `${before}${prefix}${body.toLowerCase()}${after}`),
          ).toEqual(/[A-Z]/.test(body) ? [] : [id]);
        },
      ),
    );
  });
});

describe('aws-secret-access-key', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

  it('finds a 40-character key right after its name', () => {
    for (const text of [
      `aws_secret_access_key = ${secret}`,
      `"SecretAccessKey": "${secret}"`,
      `AWS_SECRET=${secret}`,
    ]) {
      expect(findAll(detector('aws-secret-access-key'), text), text).toEqual([secret]);
    }
  });

  it('finds a key right after its access key id, with no name, as credential exports pair them', () => {
    for (const text of [
      `AKIAIOSFODNN7EXAMPLE,${secret}`,
      `ASIAIOSFODNN7EXAMPLE ${secret}`,
      `user=ci key=AKIAIOSFODNN7EXAMPLE secret=${secret}`,
    ]) {
      expect(findAll(detector('aws-secret-access-key'), text), text).toEqual([secret]);
    }
  });

  it('leaves a 40-character run after a lower-case akia or a key id too far before it', () => {
    const d = detector('aws-secret-access-key');
    expect(findAll(d, `makia ${secret}`)).toEqual([]);
    expect(findAll(d, `AKIAIOSFODNN7EXAMPLE ${'.'.repeat(40)} ${secret}`)).toEqual([]);
  });

  it('leaves 39- and 41-character strings, and keys without a name nearby', () => {
    const d = detector('aws-secret-access-key');
    expect(findAll(d, `aws_secret_access_key = ${secret.slice(1)}`)).toEqual([]);
    expect(findAll(d, `aws_secret_access_key = ${secret}A`)).toEqual([]);
    expect(findAll(d, `checksum = ${secret}`)).toEqual([]);
    expect(findAll(d, `aws_secret_access_key = x ${'.'.repeat(60)} ${secret}`)).toEqual([]);
  });
});

describe('jwt', () => {
  it('finds a JWT whose header has an alg, including unsigned ones', () => {
    expectDetects('jwt', {
      found: [jwt, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.'],
      survives: [
        'eyJmb28iOjF9.eyJzdWIiOiIxIn0.c2ln',
        'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0',
        'eyJ.x.y',
        'xeyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.',
      ],
    });
  });

  it('leaves a token longer than 8 KiB', () => {
    const long = `eyJhbGciOiJub25lIn0.${'a'.repeat(8200)}.sig`;
    expect(findAll(detector('jwt'), long)).toEqual([]);
  });
});

describe('github-token', () => {
  it('finds what a scan of its whole pattern finds, trying it only before a `_` three or six characters on (property)', () => {
    const pieces = fc
      .array(
        fc.constantFrom(
          'gh',
          'ghp_',
          'gho_',
          'ghx_',
          'github',
          'github_pat_',
          '_pat_',
          '_',
          'g',
          ' ',
          'xxxxxxxx',
          'abcdefghij0123456789',
          'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
        ),
        { maxLength: 30 },
      )
      .map((parts) => parts.join(''));
    expectFindsAsScanning(
      'github-token',
      /(?<![A-Za-z0-9_])(?:gh[pousr]_(?![xX]{8})[A-Za-z0-9]{36,251}|github_pat_(?![xX]{8})[A-Za-z0-9_]{22,244})(?![A-Za-z0-9_])/,
      pieces,
    );
  });

  it('finds classic and fine-grained tokens', () => {
    const body = 'abcdefghijklmnopqrstuvwxyz0123456789';
    expectDetects('github-token', {
      found: [
        `ghp_${body}`,
        `gho_${body}`,
        `ghs_${body}`,
        `github_pat_11ABCDEFG0123456789abc_${'x'.repeat(59)}`,
      ],
      survives: [
        `ghp_${body.slice(1)}`,
        `ghx_${body}`,
        `xghp_${body}`,
        'github_pat_short',
        // Documentation placeholders.
        `ghp_${'x'.repeat(36)}`,
        `gho_${'X'.repeat(36)}`,
        `github_pat_${'x'.repeat(22)}_${'x'.repeat(59)}`,
      ],
    });
  });
});

/**
 * Texts of token pieces, where a detector that tries its pattern only at candidates (the
 * occurrences of a few needles) must find what a scan of the whole pattern finds.
 */
const tokenPieces = fc
  .array(
    fc.constantFrom(
      'sk',
      'rk_',
      'pk_',
      'k_live_',
      '_test_',
      '_',
      ' ',
      'a',
      'abcdefghij0123456789',
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    ),
    { maxLength: 30 },
  )
  .map((pieces) => pieces.join(''));

function expectFindsAsScanning(id: string, pattern: RegExp, texts = tokenPieces): void {
  fc.assert(
    fc.property(texts, (text) => {
      const scanned = [...text.matchAll(new RegExp(pattern.source, 'g'))].map((match) => match[0]);
      expect(findAll(detector(id), text)).toEqual(scanned);
    }),
    { numRuns: 500 },
  );
}

describe('slack-token', () => {
  it('finds bot, user and app tokens', () => {
    expectDetects('slack-token', {
      found: ['xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx', 'xoxp-1234567890-abcdef'],
      survives: ['xoxb-short', 'xoxz-1234567890123', 'xxoxb-1234567890123'],
    });
  });

  const ids = fc.array(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 6, maxLength: 13 }), {
    minLength: 1,
    maxLength: 3,
  });
  const kind = fc.constantFrom(...'abeoprs');

  it('finds a legacy token whole, and nothing of one whose secret is written as a fill (property)', () => {
    const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 });
    const fill = fc
      .tuple(fc.constantFrom('#', '*', '.', '-'), fc.integer({ min: 1, max: 40 }))
      .map(([char, count]) => char.repeat(count));
    fc.assert(
      fc.property(kind, ids, hex, fill, (type, numbers, secret, stars) => {
        const head = `xox${type}-${numbers.join('-')}-`;
        expect(findAll(detector('slack-token'), `"t": "${head}${secret}"`)).toEqual([`${head}${secret}`]);
        expect(findAll(detector('slack-token'), `"t": "${head}${stars}"`)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('stripe-key', () => {
  it('finds what a scan of its whole pattern finds, trying it only before `k_live_` and `k_test_` (property)', () => {
    expectFindsAsScanning(
      'stripe-key',
      /(?<![A-Za-z0-9_])[rs]k_(?:live|test)_[A-Za-z0-9]{10,99}(?![A-Za-z0-9])/,
    );
  });

  it('finds secret and restricted keys and leaves publishable keys', () => {
    expectDetects('stripe-key', {
      found: ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'rk_test_abcdefghij0123', 'sk_test_abcdefghij'],
      survives: [
        'pk_live_4eC39HqLyjWDarjtT1zdp7dc',
        'sk_live_short',
        'sk_prod_abcdefghij0123',
        'ask_live_abcdefghij0123',
      ],
    });
  });
});

describe('pem-private-key', () => {
  const body = 'MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi\nZ1BjP5CE/Wm/Rr500P==';

  it('finds whole private key blocks of every kind, across lines', () => {
    for (const kind of ['', 'RSA ', 'EC ', 'DSA ', 'OPENSSH ', 'ENCRYPTED ']) {
      const block = `-----BEGIN ${kind}PRIVATE KEY-----\n${body}\n-----END ${kind}PRIVATE KEY-----`;
      expect(findAll(detector('pem-private-key'), `key:\n${block}\nnext`), kind).toEqual([block]);
    }
    const crlf = `-----BEGIN PRIVATE KEY-----\r\n${body.replace('\n', '\r\n')}\r\n-----END PRIVATE KEY-----`;
    expect(findAll(detector('pem-private-key'), crlf)).toEqual([crlf]);
  });

  it('fails closed on a BEGIN without its END: the BEGIN line and the base64 body after it', () => {
    const truncated = `-----BEGIN RSA PRIVATE KEY-----\n${body}`;
    expect(findAll(detector('pem-private-key'), `${truncated}\n\nsome text`)).toEqual([truncated]);
    const escaped = `-----BEGIN PRIVATE KEY-----\\n${body.replace('\n', '\\n')}`;
    expect(findAll(detector('pem-private-key'), `"${escaped}", "next"`)).toEqual([escaped]);
    const mismatched = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END EC PRIVATE KEY-----`;
    expect(findAll(detector('pem-private-key'), mismatched)).toEqual([
      `-----BEGIN RSA PRIVATE KEY-----\n${body}\n`,
    ]);
  });

  it('stops at 16 KiB when the END is further away', () => {
    const text = `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(20_000)}\n-----END PRIVATE KEY-----`;
    expect(findAll(detector('pem-private-key'), text).map((match) => match.length)).toEqual([16 * 1024]);
  });

  it('leaves templates: nothing or one word too short for a key between the markers (property)', () => {
    const kind = fc.constantFrom('', 'RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED ');
    const word = fc
      .integer({ min: 1, max: 42 })
      .chain((length) =>
        fc.string({ unit: fc.constantFrom(...'abcXYZ019+/=.<>_-'), minLength: length, maxLength: length }),
      );
    const gap = fc.constantFrom('', '\n', '\r\n', '\\n', ' ', '\n\n');
    fc.assert(
      fc.property(kind, fc.option(word), gap, gap, (type, stand, before, after) => {
        const template = `-----BEGIN ${type}PRIVATE KEY-----${before}${stand ?? ''}${after}-----END ${type}PRIVATE KEY-----`;
        const key = `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`;
        expect(findAll(detector('pem-private-key'), `${template}\nthen ${key}`)).toEqual([key]);
      }),
      { numRuns: 300 },
    );
  });

  it('takes a block with one word of 43 base64 characters or more, or several words (fails closed)', () => {
    const base64 = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'];
    const word = fc.string({ unit: fc.constantFrom(...base64), minLength: 43, maxLength: 64 });
    const prose = fc.array(fc.string({ unit: fc.constantFrom(...'abcdefgh'), minLength: 1, maxLength: 8 }), {
      minLength: 2,
      maxLength: 6,
    });
    fc.assert(
      fc.property(
        fc.oneof(
          word,
          prose.map((words) => words.join(' ')),
        ),
        (content) => {
          const block = `-----BEGIN PRIVATE KEY-----\n${content}\n-----END PRIVATE KEY-----`;
          expect(findAll(detector('pem-private-key'), `key: ${block} done`)).toEqual([block]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves public keys and certificates', () => {
    const text = `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----\n-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;
    expect(findAll(detector('pem-private-key'), text)).toEqual([]);
  });
});
