import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDetectorGroup } from '../../../functions/core/redaction/detectors/detector-group.ts';
import { findAll } from '../detectors/find-all.ts';
import { shippedMembers } from './shipped-packs.ts';

const member = shippedMembers.find(({ entry }) => entry.id === 'de-id-card-number');
if (member === undefined) throw new Error('no shipped pack detector de-id-card-number');
const idCardNumber = createDetectorGroup([member.entry.createMember()]);

const firstLetters = [...'CFGHJKLMNPRTVWXYZ'];
const cardCharacters = [...'CFGHJKLMNPRTVWXYZ0123456789'];
const keyword = fc.constantFrom('Personalausweis:', 'Ausweisnummer', 'Ausweis Nr.', 'ID card no.');
/** A printed identity card number: a letter of the card alphabet, eight more with a digit among them. */
const cardNumber = fc
  .tuple(
    fc.constantFrom(...firstLetters),
    fc.array(fc.constantFrom(...cardCharacters), { minLength: 7, maxLength: 7 }),
    fc.constantFrom(...'0123456789'),
    fc.nat({ max: 7 }),
  )
  .map(([first, rest, digit, at]) => first + [...rest.slice(0, at), digit, ...rest.slice(at)].join(''));

describe('de-id-card-number (pii-eu pack)', () => {
  it('finds a nine-character card number after an identity card keyword (property)', () => {
    fc.assert(
      fc.property(keyword, cardNumber, (lead, value) => {
        expect(findAll(idCardNumber, `${lead} ${value} gültig`)).toEqual([value]);
      }),
      { numRuns: 200 },
    );
  });

  it('leaves numbers with a letter off the card alphabet, one character more or less, and no keyword (generated near misses)', () => {
    fc.assert(
      fc.property(
        keyword,
        cardNumber,
        fc.constantFrom(...'ABDEIOQSU'),
        fc.nat({ max: 8 }),
        (lead, value, off, at) => {
          const withOff = value.slice(0, at) + off + value.slice(at + 1);
          for (const text of [
            `${lead} ${withOff}`,
            `${lead} ${value.slice(0, 8)}`,
            `${lead} ${value}7`,
            `Ticket ${value}`,
            `${lead} ${value.toLowerCase()}`,
          ])
            expect(findAll(idCardNumber, text), text).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});
