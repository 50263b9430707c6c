import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeSearch } from '../../../functions/core/redaction/detectors/shape-search.ts';
import {
  leadingRunOf,
  type StartSequences,
  startSequencesOf,
} from '../../../functions/core/redaction/pattern-start-sequences.ts';
import type { CharSet } from '../../../functions/core/redaction/regex-char-sets.ts';

/** The ASCII members of a set, with `…` when it holds characters above U+007F. */
function members(set: CharSet): string {
  let text = '';
  for (let code = 0; code < 128; code++) if (set.has(code)) text += String.fromCharCode(code);
  return set.has(0x100) ? `${text}…` : text;
}

function sequencesOf(start: StartSequences | undefined): string[][] | undefined {
  return start?.sequences.map((sequence) => sequence.map(members));
}

/** True when `sequence` matches `text` at `start`. */
function matchesAt(sequence: readonly CharSet[], text: string, start: number): boolean {
  return (
    start + sequence.length <= text.length &&
    sequence.every((set, offset) => set.has(text.charCodeAt(start + offset)))
  );
}

/** Every start at or after `from` of every shape, by brute force: a sequence matches, the character before is not excluded. */
function naiveOccurrences(
  shapes: readonly StartSequences[],
  text: string,
  from: number,
): [number, number[]][] {
  const found: [number, number[]][] = [];
  for (let start = from; start < text.length; start++) {
    const here = shapes.flatMap((shape, index) =>
      shape.sequences.some((sequence) => matchesAt(sequence, text, start)) &&
      (start === 0 || !shape.excludedBefore.has(text.charCodeAt(start - 1)))
        ? [index]
        : [],
    );
    if (here.length > 0) found.push([start, here]);
  }
  return found;
}

function walk(search: ShapeSearch, text: string, from: number): [number, number[]][] {
  const found: [number, number[]][] = [];
  for (
    let occurrence = search.next(text, from);
    occurrence !== undefined;
    occurrence = search.next(text, occurrence.start + 1)
  ) {
    found.push([occurrence.start, [...occurrence.shapes].sort((a, b) => a - b)]);
  }
  return found;
}

/** Patterns of the kinds pack detectors are written in: classes, counted repeats, alternatives, leading lookbehinds. */
const pieceArbitrary = fc.constantFrom(
  '[0-9]',
  '[0-9]{2}',
  '[0-9]{1,3}',
  'a',
  '[ab]',
  '[A-C]',
  '-',
  '[ -]?',
  '(?:[0-9]{2}|a-)',
  '(?:ab|[0-9])',
  '.',
  '[^a]',
  '\\w',
  '\\d{2}',
  '(?![0-9])',
  '(?<=[0-9])',
  'é',
);
const leadArbitrary = fc.constantFrom(
  '',
  '(?<![A-Za-z0-9])',
  '(?<![0-9-])',
  '(?<![0-9][ -])',
  '(?<!a|[0-9])',
  '(?<!.)',
  '(?<!\\d)',
  '(?<![^ ])',
);
const patternArbitrary = fc
  .tuple(leadArbitrary, fc.array(pieceArbitrary, { minLength: 1, maxLength: 5 }), fc.constantFrom('', 'i'))
  .map(([lead, pieces, flags]) => ({ pattern: lead + pieces.join(''), flags }));
const textArbitrary = fc.string({
  unit: fc.constantFrom('0', '1', '9', 'a', 'A', 'b', 'B', 'c', '-', ' ', '\n', 'é', 'É', 'ab', '12'),
  maxLength: 40,
});

describe('startSequencesOf', () => {
  it('spells out what every match starts with, repeats written out and alternatives expanded', () => {
    const start = startSequencesOf('(?<![A-Za-z0-9])[0-9]{2}(?:-|\\.)[a-b]{1,3}x', '');
    expect(sequencesOf(start)).toEqual([
      ['0123456789', '0123456789', '-', 'ab'],
      ['0123456789', '0123456789', '.', 'ab'],
    ]);
    expect(members(start?.excludedBefore as CharSet)).toBe(
      '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    );
    expect(sequencesOf(startSequencesOf('5019', ''))).toEqual([['5', '0', '1', '9']]);
    expect(sequencesOf(startSequencesOf('ab', 'i'))).toEqual([['Aa', 'Bb']]);
    // An optional element: both ways on, so `[ -]?` between digit groups does not end the sequence.
    expect(sequencesOf(startSequencesOf('[0-9]{2}[ -]?[0-9]', ''))).toEqual([
      ['0123456789', '0123456789', '0123456789'],
      ['0123456789', '0123456789', ' -', '0123456789'],
    ]);
    expect(sequencesOf(startSequencesOf('a?b', ''))).toEqual([['b'], ['a', 'b']]);
  });

  it('excludes before a match only what one-character lookbehinds at its start exclude exactly', () => {
    const excluded = (pattern: string): string =>
      members(startSequencesOf(pattern, '')?.excludedBefore as CharSet);
    expect(excluded('(?<![0-9])(?<!-)a')).toBe('-0123456789');
    expect(excluded('(?<!a|[0-9]|bc)x')).toBe('0123456789a');
    expect(excluded('(?<!.)a')).toBe('');
    expect(excluded('(?<![0-9][ -])a')).toBe('');
    expect(excluded('a(?<![0-9])b')).toBe('');
    expect(excluded('(?<![0-9])a|b')).toBe('');
  });

  it('excludes before a match every character a positive lookbehind at its start cannot end with', () => {
    const allowed = (pattern: string, flags = ''): string => {
      const excluded = startSequencesOf(pattern, flags)?.excludedBefore as CharSet;
      return Array.from({ length: 128 }, (_, code) =>
        excluded.has(code) ? '' : String.fromCharCode(code),
      ).join('');
    };
    expect(allowed('(?<=[0-9])a')).toBe('0123456789');
    expect(allowed('(?<=[a-c][_.-]?)(?<!x[_.-]?)key', 'i')).toBe('-.ABC_abc');
    expect(allowed('(?<=x|[0-9]y)a')).toBe('xy');
    // Some alternative may end otherwise (nothing, a group, any character): all are allowed.
    expect(allowed('(?<=^|[0-9])a').length).toBe(128);
    expect(allowed('(?<=[0-9]?)a').length).toBe(128);
    expect(allowed('(?<=(?:ab)+)a').length).toBe(128);
    expect(allowed('(?<=.)a').length).toBe(128);
  });

  it('gives nothing when a match can start with no mandatory character, or in Unicode mode', () => {
    expect(startSequencesOf('a*b', '')).toBeUndefined();
    expect(startSequencesOf('a{0,2}b', '')).toBeUndefined();
    expect(startSequencesOf('(?:a|b?)c', '')).toBeUndefined();
    expect(startSequencesOf('[0-9]{3}', 'u')).toBeUndefined();
    expect(startSequencesOf('[0-9a-f]{6}', 'i')).toBeDefined();
    expect(startSequencesOf('(?:[ab]|[cd]){7}', '')).toBeUndefined();
  });

  it('holds at every start of a match of the pattern (property)', () => {
    fc.assert(
      fc.property(patternArbitrary, textArbitrary, ({ pattern, flags }, text) => {
        const start = startSequencesOf(pattern, flags);
        if (start === undefined) return;
        const regex = new RegExp(pattern, `${flags}y`);
        for (let position = 0; position <= text.length; position++) {
          regex.lastIndex = position;
          if (!regex.test(text)) continue;
          const where = `${pattern}/${flags} at ${position} of ${JSON.stringify(text)}`;
          expect(
            start.sequences.some((sequence) => matchesAt(sequence, text, position)),
            where,
          ).toBe(true);
          if (position > 0)
            expect(start.excludedBefore.has(text.charCodeAt(position - 1)), where).toBe(false);
        }
      }),
      { numRuns: 600 },
    );
  });
});

describe('leadingRunOf', () => {
  it('gives the run every match starts with, past 12 characters and into a varying repeat', () => {
    const bitcoin = leadingRunOf('(?<![A-Za-z0-9])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])', '');
    expect(bitcoin?.length).toBe(26);
    expect(members(bitcoin?.chars as CharSet)).toBe(
      '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz',
    );
    const dashed = leadingRunOf('(?<![0-9])[0-9]{3}(?<x>-)[0-9]{4,6}z', '');
    expect([dashed?.length, members(dashed?.chars as CharSet)]).toEqual([8, '-0123456789']);
    expect(members(leadingRunOf('ab', 'i')?.chars as CharSet)).toBe('ABab');
  });

  it('gives nothing for several alternatives, a first element that can be empty or is a group repeated, or in Unicode mode', () => {
    expect(leadingRunOf('a|b', '')).toBeUndefined();
    expect(leadingRunOf('a?b', '')).toBeUndefined();
    expect(leadingRunOf('(?:ab){3}', '')).toBeUndefined();
    expect(leadingRunOf('[0-9]{30}', 'u')).toBeUndefined();
    expect(leadingRunOf('a(?:b|c)d', '')?.length).toBe(1);
  });

  it('holds at every start of a match of the pattern (property)', () => {
    fc.assert(
      fc.property(patternArbitrary, textArbitrary, ({ pattern, flags }, text) => {
        const run = leadingRunOf(pattern, flags);
        if (run === undefined) return;
        const regex = new RegExp(pattern, `${flags}y`);
        for (let position = 0; position <= text.length; position++) {
          regex.lastIndex = position;
          if (!regex.test(text)) continue;
          const where = `${pattern}/${flags} at ${position} of ${JSON.stringify(text)}`;
          expect(position + run.length <= text.length, where).toBe(true);
          for (let offset = 0; offset < run.length; offset++)
            expect(run.chars.has(text.charCodeAt(position + offset)), where).toBe(true);
        }
      }),
      { numRuns: 600 },
    );
  });
});

describe('ShapeSearch', () => {
  const shapesArbitrary = fc
    .array(patternArbitrary, { minLength: 1, maxLength: 6 })
    .map((patterns) =>
      patterns.flatMap(({ pattern, flags }) => {
        const start = startSequencesOf(pattern, flags);
        return start === undefined ? [] : [start];
      }),
    )
    .filter((shapes) => shapes.length > 0);

  it('finds every start of every shape in start order, from any position (property)', () => {
    fc.assert(
      fc.property(shapesArbitrary, textArbitrary, fc.nat(), (shapes, text, seed) => {
        const search = ShapeSearch.create(shapes) as ShapeSearch;
        const from = text.length === 0 ? 0 : seed % text.length;
        expect(walk(search, text, from)).toEqual(naiveOccurrences(shapes, text, from));
      }),
      { numRuns: 500 },
    );
  });

  it('answers calls on several texts in any order the same as a fresh search (property)', () => {
    fc.assert(
      fc.property(
        shapesArbitrary,
        fc.array(textArbitrary, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 30 }),
        (shapes, texts, queries) => {
          const search = ShapeSearch.create(shapes) as ShapeSearch;
          for (const [which, at] of queries) {
            const text = texts[which % texts.length] as string;
            const from = at % (text.length + 1);
            const first = naiveOccurrences(shapes, text, from)[0];
            const occurrence = search.next(text, from);
            expect(occurrence && [occurrence.start, [...occurrence.shapes].sort((a, b) => a - b)]).toEqual(
              first,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('cuts sequences short when the full automaton would be too big, still finding every start (property)', () => {
    const long = startSequencesOf('[0-9a]{3}[0-9]{2}-[a-c]{5}x[0-9]', '') as StartSequences;
    const other = startSequencesOf('(?<![0-9])[0-9]a[0-9]{6}b', '') as StartSequences;
    // The full sequences need 45 states; at most 24 they are cut to six characters, at most 16 to three.
    expect(ShapeSearch.create([long, other], 12)).toBeUndefined();
    const cut = ShapeSearch.create([long, other], 24) as ShapeSearch;
    expect(walk(cut, '00000-', 0)).toEqual([[0, [0]]]);
    expect(naiveOccurrences([long, other], '00000-', 0)).toEqual([]);
    fc.assert(
      fc.property(textArbitrary, fc.constantFrom(16, 24, 45), (text, maxStates) => {
        const search = ShapeSearch.create([long, other], maxStates) as ShapeSearch;
        const found = walk(search, text, 0).map(([start]) => start);
        for (const [start] of naiveOccurrences([long, other], text, 0))
          expect(found, JSON.stringify(text)).toContain(start);
      }),
      { numRuns: 300 },
    );
  });
});
