import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keccak256 } from '../../../functions/core/redaction/validators/keccak256.ts';
import { shannonEntropy } from '../../../functions/core/redaction/validators/shannon-entropy.ts';
import {
  type ValidatorName,
  validatorNamed,
} from '../../../functions/core/redaction/validators/validator-registry.ts';

/** Values published by the issuers, the standards or their reference material as valid. */
const valid: [ValidatorName, string][] = [
  ['luhn', '4111 1111 1111 1111'],
  ['verhoeff', '2363'],
  ['iso7064-mod11-10', '86095742719'],
  ['mod97', '5493001KJTIIGC8Y1R12'],
  ['icao-9303', 'T220001293'],
  ['base58check', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'],
  ['bech32', 'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4'],
  ['bech32', 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0'],
  ['eip55', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'],
  ['eip55', '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB'],
  ['vin', '1M8GDM9AXKP042788'],
  ['aba-routing', '011000015'],
  ['uk-nino', 'AB 12 34 56 C'],
  ['uk-nhs', '943 476 5919'],
  ['ca-sin', '130 692 544'],
  ['es-dni-nie', '12345678Z'],
  ['es-dni-nie', 'X1234567L'],
  ['es-dni-nie', '1111111-G'],
  ['us-ssn', '078.05.1123'],
  ['phone-national', '09-7625400'],
  ['phone-national', '03-1234-5678'],
  ['phone-national', '(020) 7946 0958'],
  ['phone-national-open-plan', '030 901820'],
  ['phone-national-open-plan', '06 6982 1234'],
  ['it-codice-fiscale', 'RSSMRA85T10A562S'],
  ['fr-nir', '2 55 08 14 168 025 38'],
  ['de-tax-id', '86095742719'],
  ['de-id-card', 'T220001293'],
  ['nl-bsn', '111222333'],
  ['pl-pesel', '44051401359'],
  ['in-aadhaar', '2341 2341 2346'],
  ['in-pan', 'ABCPE1234F'],
  ['au-tfn', '123 456 782'],
  ['au-medicare', '2123 45670 1'],
  ['br-cpf', '529.982.247-25'],
  ['br-cnpj', '11.222.333/0001-81'],
  ['mx-curp', 'HEGG560427MVZRRL04'],
  ['sg-nric', 'S1234567D'],
  // M series (FINs since 2022): weighted sum 106 + 3 = 109, remainder 10, the last of its table.
  ['sg-nric', 'M1234567K'],
  ['sg-nric', 'M4332674T'],
  ['kr-rrn', '900101-1234567'],
  ['us-itin', '912-70-1234'],
  ['us-npi', '1234567893'],
  ['us-dea', 'AB1234563'],
];

/** Checks that catch every single-character substitution, with a valid value of each. */
const catchingEverySubstitution: [ValidatorName, string][] = [
  ['luhn', '4111111111111111'],
  ['verhoeff', '234123412346'],
  ['iso7064-mod11-10', '86095742719'],
  ['uk-nhs', '9434765919'],
  ['in-aadhaar', '234123412346'],
  ['fr-nir', '255081416802538'],
  ['br-cpf', '52998224725'],
  ['br-cnpj', '11222333000181'],
  ['pl-pesel', '44051401359'],
  ['aba-routing', '011000015'],
  ['us-npi', '1234567893'],
];

describe('validator registry', () => {
  it.each(valid)('%s accepts %s', (name, value) => {
    expect(validatorNamed(name)(value)).toBe(true);
  });

  it.each(catchingEverySubstitution)('%s rejects %s with any one digit changed (property)', (name, value) => {
    const isValid = validatorNamed(name);
    fc.assert(
      fc.property(fc.nat({ max: value.length - 1 }), fc.integer({ min: 1, max: 9 }), (index, shift) => {
        const digit = (Number(value.charAt(index)) + shift) % 10;
        expect(isValid(value.slice(0, index) + digit + value.slice(index + 1))).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('accepts an Aadhaar number grouped 4-4-4 by spaces, dashes or colons, or compact (generated)', () => {
    const isValid = validatorNamed('in-aadhaar');
    fc.assert(
      fc.property(
        fc.stringMatching(/^[2-9][0-9]{10}$/),
        fc.constantFrom('', ' ', '-', ':'),
        (body, separator) => {
          const digits = [...'0123456789']
            .map((check) => body + check)
            .find((value) => isValid(value)) as string;
          const grouped = [digits.slice(0, 4), digits.slice(4, 8), digits.slice(8)].join(separator);
          expect(isValid(grouped)).toBe(true);
          const wrong = `${grouped.slice(0, -1)}${(Number(grouped.slice(-1)) + 1) % 10}`;
          expect(isValid(wrong)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects identifiers of the right shape that break their structural rules', () => {
    expect(validatorNamed('uk-nino')('QQ 12 34 56 C')).toBe(false);
    expect(validatorNamed('ca-sin')('046 454 286')).toBe(false);
    expect(validatorNamed('in-pan')('ABCQE1234F')).toBe(false);
    expect(validatorNamed('kr-rrn')('901301-1234567')).toBe(false);
    expect(validatorNamed('us-itin')('912-40-1234')).toBe(false);
    for (const ssn of ['000.12.3456', '666.12.3456', '912.34.5678', '123.00.4567', '123.45.0000'])
      expect(validatorNamed('us-ssn')(ssn), ssn).toBe(false);
    expect(validatorNamed('es-dni-nie')('X123456L')).toBe(false);
    expect(validatorNamed('eip55')('0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed')).toBe(false);
    expect(validatorNamed('eip55')('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')).toBe(false);
  });

  it('rejects national phone numbers no trunk-0 numbering plan it tries admits', () => {
    const isPhone = validatorNamed('phone-national');
    // 00 starts an international call. SSN and date shapes (078-05-1123, 01-02-2024), which
    // Germany's and Italy's open plans admit, are left out by the phone-national patterns.
    for (const value of ['00-1234567', '0000 0000 000', '01-23', '01-2'])
      expect(isPhone(value), value).toBe(false);
    // Only Germany's and Italy's open plans admit these, which phone-national does not try.
    for (const value of ['0123-4567', '0123 45678']) expect(isPhone(value), value).toBe(false);
    const isOpenPlanPhone = validatorNamed('phone-national-open-plan');
    for (const value of ['00-1234567', '01-23', '0000 0000 000'])
      expect(isOpenPlanPhone(value), value).toBe(false);
  });

  it('tells placeholders, words, numbers and variable references from secrets', () => {
    const isSecret = validatorNamed('not-placeholder');
    for (const placeholder of [
      'changeme',
      'mySecretName',
      'DB_PASSWORD',
      '12345678',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable reference is the placeholder under test
      '${DB_PASSWORD}',
      '{{ .Values.token }}',
      '%TOKEN%',
      '$TOKEN',
      '<password>',
    ]) {
      expect(isSecret(placeholder), placeholder).toBe(false);
    }
    for (const secret of ['hunter22!', 'gSIdXdFfZBcxeZ', 'wJalrXUtnFEMI/K7MDENG'])
      expect(isSecret(secret), secret).toBe(true);
  });

  it('takes words as passwords, but not the words that describe one, stand-ins or masks', () => {
    const isPassword = validatorNamed('password');
    for (const secret of ['letmein', 'Sunshine', 'CorrectHorseBattery', 'password', 'changeme', 'banana'])
      expect(isPassword(secret), secret).toBe(true);
    for (const value of [
      'required',
      'INVALID',
      'Expired',
      'string',
      'SecureString',
      'fakesecret',
      'REDACTED',
    ])
      expect(isPassword(value), value).toBe(false);
    for (const mask of ['xxxxxx', 'XXXXXXXX', 'AKCxxxxxxxxx', '******', '------', '########'])
      expect(isPassword(mask), mask).toBe(false);
  });

  it('judges a value that is not letters only as not-placeholder does, masks of one character aside (property)', () => {
    const isPassword = validatorNamed('password');
    const isNotPlaceholder = validatorNamed('not-placeholder');
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 24 }).filter((value) => !/^[A-Za-z]+$/.test(value)),
        (value) => {
          const isMask = /^([^A-Za-z0-9])\1*$/.test(value);
          expect(isPassword(value), value).toBe(!isMask && isNotPlaceholder(value));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects code that reads a secret, values marked fake and demo runs, but keeps odd real values', () => {
    const isSecret = validatorNamed('not-placeholder');
    for (const placeholder of [
      'this.apiKey',
      'fs.readFileSync(',
      'foo(hey)you',
      "request.json_body['hey']",
      'password)',
      'a-fake-api-key',
      'xoxp-1234567890',
      '####################',
      'ops_eyJzaWduSW5BZGRyZXNzIjoiaHR0cHM6...',
      'sk-proj-4fQx…',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CI expression is the placeholder under test
      '${{ secrets.DEPLOY_TOKEN }}',
    ]) {
      expect(isSecret(placeholder), placeholder).toBe(false);
    }
    for (const secret of [
      // Braces and brackets that do not close: a password, not a template or an index.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a password that merely starts like a template
      '{{h}o)p${e]nob(ody[finds>-_$#thisone}}',
      '648973403315822863',
      'p4S;f7K,d2M<q9Wz',
    ])
      expect(isSecret(secret), secret).toBe(true);
  });
});

describe('sg-nric', () => {
  const series = fc.constantFrom('S', 'T', 'F', 'G', 'M');
  const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 7, maxLength: 7 });
  const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];

  it('accepts exactly one check letter for each number of each series, M among them (property)', () => {
    const isValid = validatorNamed('sg-nric');
    fc.assert(
      fc.property(series, digits, (prefix, number) => {
        const accepted = letters.filter((letter) => isValid(`${prefix}${number}${letter}`));
        expect(accepted).toHaveLength(1);
        // The M series draws its letters from its own table, which has J where F and G have M.
        const table =
          prefix === 'M' ? 'KLJNPQRTUWX' : prefix === 'F' || prefix === 'G' ? 'KLMNPQRTUWX' : 'ABCDEFGHIZJ';
        expect(table).toContain(accepted[0]);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects other series letters and a number of six or eight digits (generated near misses)', () => {
    const isValid = validatorNamed('sg-nric');
    fc.assert(
      fc.property(
        fc.constantFrom('A', 'B', 'N', 'X'),
        digits,
        fc.constantFrom(...letters),
        (prefix, number, letter) => {
          expect(isValid(`${prefix}${number}${letter}`)).toBe(false);
          expect(isValid(`M${number.slice(1)}${letter}`)).toBe(false);
          expect(isValid(`M${number}0${letter}`)).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('keccak256 and entropy', () => {
  it('hashes as Keccak-256 (the Ethereum padding)', () => {
    expect(keccak256(new Uint8Array())).toBe(
      'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    );
    expect(keccak256(new TextEncoder().encode('abc'))).toBe(
      '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45',
    );
  });

  it('measures Shannon entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(shannonEntropy('')).toBe(0);
  });

  it('measures entropy over code points, the same number as summing in order of first occurrence', () => {
    /** The definition: a count per code point, the terms added in order of first occurrence. */
    const reference = (text: string): number => {
      const counts = new Map<string, number>();
      for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
      const length = [...counts.values()].reduce((sum, count) => sum + count, 0);
      let bits = 0;
      for (const count of counts.values()) bits -= (count / length) * Math.log2(count / length);
      return bits;
    };
    const texts = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'ab01-_xyzXYZ') }),
      fc.string({ unit: 'grapheme-ascii', maxLength: 300 }),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('a', 'é', '😀', '\ud83d', '\ude00', '0') }),
    );
    fc.assert(
      fc.property(texts, (text) => Object.is(shannonEntropy(text), reference(text))),
      {
        numRuns: 2000,
      },
    );
    // A pair is one character, a lone surrogate one too.
    expect(shannonEntropy('😀😀')).toBe(0);
    expect(shannonEntropy('\ud83da')).toBe(1);
  });
});
