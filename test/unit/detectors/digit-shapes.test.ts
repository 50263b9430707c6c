import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digitShapes } from '../../../functions/core/redaction/detectors/digit-shapes.ts';
import { naiveSearch } from './naive-search.ts';

/** Each search's shape as its own regex, as the detectors' patterns need them. */
const shapes: Record<keyof typeof digitShapes, RegExp> = {
  nanpCore: /[ .)-][2-9][0-9]{2}[ .-][0-9]{4}(?![0-9])/,
  ssn: /[0-9]{3}[ -][0-9]{2}[ -][0-9]{4}/,
  compactSsn: /(?<![0-9])[0-8][0-9]{8}(?![0-9])/,
  card: /(?<![0-9])[2-6][0-9]{3}(?:[0-9]{9}|[ .-][0-9]{4}[ .-][0-9]{4}[ .-][0-9]|[ .-][0-9]{6}[ .-][0-9]{4})/,
  ipv4Core: /[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]/,
};
const names = Object.keys(shapes) as (keyof typeof digitShapes)[];

/** Text made of what the shapes are made of: digits, their separators, a letter and a line feed. */
const digitText = fc.string({ unit: fc.constantFrom(...'0123456789.-) (x\n'), maxLength: 60 });

describe('digit shapes', () => {
  it('find where cards, SSNs, phone numbers and IPv4 addresses can be', () => {
    const text = 'call (555) 234-5678, ssn 123-45-6789 or 219099999, card 4111 1111 1111 1111 from 10.1.2.3';
    // The space before `234-5678`, not the `)`: the exchange must follow the separator.
    expect(digitShapes.nanpCore(text, 0)).toBe(10);
    expect(digitShapes.ssn(text, 0)).toBe(25);
    expect(digitShapes.compactSsn(text, 0)).toBe(40);
    expect(digitShapes.card(text, 0)).toBe(56);
    // The digit before the first dot of `10.1.2.3`, and none after it.
    expect(digitShapes.ipv4Core(text, 0)).toBe(82);
    expect(digitShapes.ipv4Core(text, 83)).toBe(-1);
  });

  it('answer every query as a fresh search of its shape would, whatever the order of texts, shapes and positions (property)', () => {
    fc.assert(
      fc.property(
        fc.array(digitText, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...names)), { maxLength: 40 }),
        (texts, queries) => {
          for (const [which, at, name] of queries) {
            const text = texts[which % texts.length] as string;
            const from = at % (text.length + 1);
            expect(digitShapes[name](text, from), `${name} in ${JSON.stringify(text)} from ${from}`).toBe(
              naiveSearch(shapes[name], text, from),
            );
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('give every position of every shape, each search walking its own from one to the next (property)', () => {
    fc.assert(
      fc.property(digitText, (text) => {
        const walks = names.map((name) => ({ name, at: digitShapes[name](text, 0), found: [] as number[] }));
        // The searches interleave, as the detectors sharing the positions do.
        const isOn = (walk: { at: number }): boolean => walk.at !== -1;
        for (let active = walks.filter(isOn); active.length > 0; active = active.filter(isOn)) {
          for (const walk of active) {
            walk.found.push(walk.at);
            walk.at = digitShapes[walk.name](text, walk.at + 1);
          }
        }
        for (const { name, found } of walks) {
          const expected: number[] = [];
          for (
            let at = naiveSearch(shapes[name], text, 0);
            at !== -1;
            at = naiveSearch(shapes[name], text, at + 1)
          ) {
            expected.push(at);
          }
          expect(found, `${name} in ${JSON.stringify(text)}`).toEqual(expected);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
