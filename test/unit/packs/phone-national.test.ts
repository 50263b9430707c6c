import fc from 'fast-check';
import type { CountryCode } from 'libphonenumber-js/max';
import { getExampleNumber, isValidPhoneNumber, parsePhoneNumber } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import { createDetectorGroup } from '../../../functions/core/redaction/detectors/detector-group.ts';
import {
  closedPlanCountries,
  openPlanCountries,
} from '../../../functions/core/redaction/validators/national-phone-number.ts';
import { findAll } from '../detectors/find-all.ts';
import { shippedMembers } from './shipped-packs.ts';

/** The two pack detectors that find national numbers, as the pii-core pack runs them. */
const phoneNational = createDetectorGroup(
  ['phone-national', 'phone-national-open-plan'].map((id) => {
    const member = shippedMembers.find(({ entry }) => entry.id === id);
    if (member === undefined) throw new Error(`no shipped pack detector ${id}`);
    return member.entry.createMember();
  }),
);

/** The European countries with a trunk prefix 0 whose national numbers the detector must find. */
const europeanCountries: readonly CountryCode[] = ['GB', 'DE', 'FR', 'IT', 'NL'];
/** Every country the detectors try: a number none of them admits must survive. */
const triedCountries: readonly CountryCode[] = [...closedPlanCountries, ...openPlanCountries];

/**
 * A 0-led run of `1 + minDigits` to `1 + maxDigits` digits, written with its area code (one to
 * four digits after the 0) cut off by one of `gaps`: `{ all, value }`, the digits and as written.
 */
function zeroLed(minDigits: number, maxDigits: number, gaps: readonly string[]) {
  return fc
    .tuple(
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: minDigits, maxLength: maxDigits }),
      fc.constantFrom(...gaps),
    )
    .map(([areaLength, digits, gap]) => {
      const all = `0${digits.join('')}`;
      return { all, value: `${all.slice(0, areaLength + 1)}${gap}${all.slice(areaLength + 1)}` };
    });
}

/**
 * National significant numbers to vary per country: libphonenumber's mobile example, and a
 * fixed-line one in the capital's area (Italian mobiles have no leading 0, so only its fixed line).
 */
const seeds: readonly { country: CountryCode; digits: string }[] = [
  ...europeanCountries
    .filter((country) => country !== 'IT')
    .map((country) => ({ country, digits: getExampleNumber(country, examples)?.nationalNumber ?? '' })),
  { country: 'GB', digits: '2079460958' },
  { country: 'DE', digits: '30901820' },
  { country: 'FR', digits: '142685300' },
  { country: 'IT', digits: '0669821234' },
  { country: 'IT', digits: '0212345678' },
  { country: 'NL', digits: '201234567' },
];

/** A valid national number of one of the countries, as libphonenumber formats it (`07400 123456`). */
const nationalNumber = fc
  .tuple(fc.constantFrom(...seeds), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 4, maxLength: 4 }))
  .map(([{ country, digits }, tail]) => ({ country, digits: digits.slice(0, -4) + tail.join('') }))
  .filter(({ country, digits }) => isValidPhoneNumber(digits, country))
  .map(({ country, digits }) => parsePhoneNumber(digits, country).formatNational());

const keyword = fc.constantFrom(
  'phone',
  'Phones',
  'tel',
  'Tel.',
  'TEL',
  'telephone',
  'Téléphone',
  'Telefon',
  'telefono',
  'Teléfono',
  'mobile',
  'Mobil',
  'Handy',
  'portable',
  'Móvil',
  'cell',
);
const separator = fc.constantFrom(' ', ': ', ' : ', ':\t', ' = ', ' no. ', ' (office) ');
const before = fc.constantFrom('', 'Kontakt: ', 'Call us, ', '"note": "');
const after = fc.constantFrom('', '.', ', thanks', ' (Mo-Fr)', '"', '\n');

describe('phone-national (pii-core pack)', () => {
  it('finds a national number of GB, DE, FR, IT or NL after a phone keyword in a European language (property)', () => {
    fc.assert(
      fc.property(
        before,
        keyword,
        separator,
        nationalNumber,
        fc.boolean(),
        after,
        (head, lead, gap, spaced, isDashed, tail) => {
          const value = isDashed ? spaced.replaceAll(' ', '-') : spaced;
          expect(findAll(phoneNational, `${head}${lead}${gap}${value}${tail}`)).toEqual([value]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('finds a national number after a list of others under one phone keyword', () => {
    fc.assert(
      fc.property(keyword, nationalNumber, (lead, value) => {
        const text = `${lead}: 415-867-6088, 212.736.5957, +44 7911 123173, ${value}`;
        expect(findAll(phoneNational, text)).toEqual([value]);
      }),
      { numRuns: 100 },
    );
  });

  it('leaves dates, times, amounts, versions, postcodes, counts, order numbers and SSN shapes after a phone keyword (generated near misses)', () => {
    const day = fc.integer({ min: 1, max: 28 }).map((n) => String(n).padStart(2, '0'));
    const month = fc.integer({ min: 1, max: 12 }).map((n) => String(n).padStart(2, '0'));
    const year = fc.integer({ min: 1950, max: 2035 }).map(String);
    const hour = fc.integer({ min: 0, max: 23 }).map((n) => String(n).padStart(2, '0'));
    const nearMiss = fc.oneof(
      fc.tuple(day, month, year).map(([d, m, y]) => `${d}-${m}-${y}`),
      fc.tuple(day, month, year).map(([d, m, y]) => `${d}.${m}.${y}`),
      fc.tuple(day, month, year).map(([d, m, y]) => `${d} ${m} ${y}`),
      fc.tuple(month, year).map(([m, y]) => `${m}-${y}`),
      fc.tuple(year, month, day).map(([y, m, d]) => `${y}-${m}-${d}`),
      fc.tuple(hour, hour).map(([from, to]) => `hours ${from}:00-${to}:00`),
      fc.tuple(hour, hour).map(([from, to]) => `${from}:30 - ${to}:30`),
      fc.integer({ min: 0, max: 99999 }).map((n) => `EUR ${(n / 100).toFixed(2).replace('.', ',')}`),
      fc
        .tuple(fc.nat({ max: 9 }), fc.nat({ max: 30 }), fc.nat({ max: 30 }))
        .map((v) => `version ${v.join('.')}`),
      fc.integer({ min: 1000, max: 99999 }).map((n) => `postcode ${String(n).padStart(5, '0')}`),
      fc.integer({ min: 1, max: 99 }).map(String),
      year.map((y) => `model ${y}`),
      fc.integer({ min: 10_000_000, max: 99_999_999 }).map((n) => `order ${n}`),
      fc.integer({ min: 1_000_000, max: 99_999_999 }).map((n) => {
        const ssn = String(n).padStart(9, '0');
        return `SSN ${ssn.slice(0, 3)}-${ssn.slice(3, 5)}-${ssn.slice(5)}`;
      }),
    );
    fc.assert(
      fc.property(keyword, separator, nearMiss, (lead, gap, value) => {
        const text = `${lead}${gap}${value}`;
        expect(findAll(phoneNational, text), text).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('leaves a trunk-0 number that no country it tries admits (generated near misses)', () => {
    const rejected = zeroLed(7, 10, [' ', '-']).filter(
      ({ all }) => !triedCountries.some((country) => isValidPhoneNumber(all, country)),
    );
    fc.assert(
      fc.property(keyword, separator, rejected, (lead, gap, { value }) => {
        const text = `${lead}${gap}${value}`;
        expect(findAll(phoneNational, text), text).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('leaves 0-led digits only an open plan (Germany, Italy) admits after a generic keyword (generated near misses)', () => {
    const genericKeyword = fc.constantFrom(
      'number',
      'order number',
      'Customer Number',
      'contact',
      'Contact',
      'account no.',
      'call',
      'ref',
    );
    const openPlanOnly = zeroLed(6, 7, [' ', '-']).filter(
      ({ all }) => !closedPlanCountries.some((country) => isValidPhoneNumber(all, country)),
    );
    fc.assert(
      fc.property(genericKeyword, separator, openPlanOnly, (lead, gap, { value }) => {
        const text = `${lead}${gap}${value}`;
        expect(findAll(phoneNational, text), text).toEqual([]);
      }),
      { numRuns: 300 },
    );
    for (const text of ['order number 0123-4567', 'contact 0123 4567', 'customer number 030 031462'])
      expect(findAll(phoneNational, text), text).toEqual([]);
  });

  it('finds dashed 0-led digits only an open plan (Germany, Italy) admits after a phone-specific keyword (property)', () => {
    const openPlanOnly = zeroLed(6, 7, ['-'])
      // A date shape (01-2024) is left out on purpose.
      .filter(({ value }) => !/^0[1-9]-(?:19|20)[0-9]{2}$/.test(value))
      .filter(({ all }) => !closedPlanCountries.some((country) => isValidPhoneNumber(all, country)))
      .filter(({ all }) => openPlanCountries.some((country) => isValidPhoneNumber(all, country)));
    fc.assert(
      fc.property(keyword, separator, openPlanOnly, (lead, gap, { value }) => {
        expect(findAll(phoneNational, `${lead}${gap}${value}`)).toEqual([value]);
      }),
      { numRuns: 200 },
    );
  });
});
