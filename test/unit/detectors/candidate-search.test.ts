import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLASS_SEQUENCES_BUILD_CHARS,
  CLASS_SEQUENCES_MIN_CHARS,
  classSequenceSearch,
  firstCandidate,
  leadingRunSearch,
  madeAtFirstSearch,
  needleSearch,
  needleSearchByLast,
  needlesSearch,
  recordedSearch,
  shapeSearch,
  sharedShapeSearches,
} from '../../../functions/core/redaction/detectors/candidate-search.ts';
import { RUNS_BLOCK_CHARS } from '../../../functions/core/redaction/detectors/leading-runs.ts';
import { compileScanningRegex } from '../../../functions/core/redaction/detectors/scanning-regex.ts';
import { type LeadingRun, leadingRunOf } from '../../../functions/core/redaction/pattern-start-sequences.ts';
import { naiveSearch } from './naive-search.ts';

const shapes = { dash: /[0-9]-[0-9]/, pair: /[0-9][0-9]/, upper: /[A-Z][0-9]/ };

const textArbitrary = fc.string({ unit: fc.constantFrom(...'0123-A x'), maxLength: 30 });

describe('candidate searches', () => {
  it('find the least position at or after from where the shape matches', () => {
    const search = shapeSearch(/[0-9]-[0-9]/);
    expect(search('a 1-2 b 3-4', 0)).toBe(2);
    expect(search('a 1-2 b 3-4', 3)).toBe(8);
    expect(search('a 1-2 b 3-4', 9)).toBe(-1);
    expect(search('5-6', 0)).toBe(0);
  });

  it('report the position offset characters before a needle', () => {
    const search = needleSearch('yJ', 1);
    expect(search('x eyJa eyJb', 0)).toBe(2);
    expect(search('x eyJa eyJb', 3)).toBe(7);
    expect(search('x eyJa', 3)).toBe(-1);
  });

  it('take the least candidate of several searches', () => {
    const search = firstCandidate(needleSearch('gh'), needleSearch('_pat_', 6));
    expect(search('x github_pat_1 ghp_2', 0)).toBe(2);
    expect(search('x github_pat_1 ghp_2', 3)).toBe(15);
  });

  it('find the first of several needles sharing a first character as a search per needle does, whatever the order of texts and positions (property)', () => {
    const text = fc.string({
      unit: fc.constantFrom(
        'A',
        'K',
        'I',
        'S',
        '3',
        'T',
        'AKIA',
        'A3T',
        'x',
        'k',
        '_',
        'k_',
        'k_l',
        'k_live_',
        'test_',
      ),
      maxLength: 30,
    });
    // The second set shares `k_`, searched for whole.
    const needleSets = fc.constantFrom(
      ['AKIA', 'ASIA', 'A3T'],
      ['k_live_', 'k_test_'],
      ['k_l', 'k_li', 'k_t'],
    );
    fc.assert(
      fc.property(
        needleSets,
        fc.array(fc.tuple(text, fc.nat()), { maxLength: 8 }),
        fc.nat(3),
        (needles, queries, offset) => {
          const shared = needlesSearch(needles, offset);
          const apart = firstCandidate(...needles.map((needle) => needleSearch(needle, offset)));
          for (const [text, seed] of queries) {
            const from = seed % (text.length + 1);
            expect(shared(text, from)).toBe(apart(text, from));
          }
        },
      ),
    );
  });

  it('find a needle by its last character as the search by the whole needle does, whatever the order of texts and positions (property)', () => {
    const text = fc.string({
      unit: fc.constantFrom('e', 'y', 'J', 'yJ', 'eyJ', 'ab', 'b', 'x'),
      maxLength: 30,
    });
    fc.assert(
      fc.property(
        fc.constantFrom(['yJ', 1], ['yJ', 0], ['J', 0], ['eyJ', 2], ['abb', 0]),
        fc.array(fc.tuple(text, fc.nat()), { maxLength: 8 }),
        ([needle, offset], queries) => {
          const byLast = needleSearchByLast(needle as string, offset as number);
          const whole = needleSearch(needle as string, offset as number);
          for (const [text, seed] of queries) {
            const from = seed % (text.length + 1);
            expect(byLast(text, from)).toBe(whole(text, from));
          }
        },
      ),
    );
  });

  it('fails to make a search of needles not all starting with one character', () => {
    expect(() => needlesSearch(['AKIA', 'xox'])).toThrow(/one character/);
    expect(() => needlesSearch(['A', 'AB'])).toThrow(/one character/);
  });

  it('skip no match of a pattern when they look first for the run its matches start with (property)', () => {
    const patterns = [
      '[13][1-9A-HJ-NP-Za-km-z]{5,8}',
      '[0-9a-f]{6}',
      'x[0-9]{4}-?[0-9]',
      '(?<![0-9])[0-9]{3} ?[0-9]{2}',
      '[0-3ab]{3}',
    ];
    const text = fc.string({ unit: fc.constantFrom(...'0123abfxOl -é'), maxLength: 60 });
    fc.assert(
      fc.property(fc.constantFrom(...patterns), text, fc.nat(), (pattern, text, seed) => {
        const run = leadingRunOf(pattern, '') as LeadingRun;
        const search = leadingRunSearch(run, new RegExp(pattern));
        const from = seed % (text.length + 1);
        const leftmost = naiveSearch(new RegExp(pattern), text, from);
        const candidate = search(text, from);

        expect(candidate).toBe(leftmost);
      }),
      { numRuns: 2000 },
    );
  });

  it('skip no match of a pattern with a long leading run, in texts of runs of every length around it (property)', () => {
    // The Bitcoin address pattern: a run of 26 base58 characters, looked back on from its last.
    const pattern = '(?<![A-Za-z0-9])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])';
    const run = leadingRunOf(pattern, '') as LeadingRun;
    // Runs a few characters long or about the run's length, so that a run also ends or starts
    // among the characters looked back on from a run's last.
    const inRun = fc.constantFrom(...'113aZk');
    const runLength = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 20, max: 34 }));
    const part = fc.tuple(
      runLength.chain((length) => fc.string({ unit: inRun, minLength: length, maxLength: length })),
      fc.constantFrom(...' -0Oé'),
    );
    const text = fc
      .array(part, { maxLength: 12 })
      .map((parts) => parts.map(([chars, end]) => chars + end).join(''));
    fc.assert(
      fc.property(text, fc.nat(), (text, seed) => {
        const search = leadingRunSearch(run, new RegExp(pattern));
        const from = seed % (text.length + 1);

        expect(search(text, from), `from ${from} in ${JSON.stringify(text)}`).toBe(
          naiveSearch(new RegExp(pattern), text, from),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('skip no match of a pattern with a long leading run in texts long enough for the WebAssembly kernel, across its blocks (property)', () => {
    // The Bitcoin address, whose matches start where runs do, and one matching inside runs.
    const patterns = [
      '(?<![A-Za-z0-9])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])',
      '[1-9A-HJ-NP-Za-km-z]{26}[13]Z',
    ];
    // Runs around the run's length, between characters out of the set, some of them above U+00FF
    // (\u0131 and \u8031 have the low byte of `1`) or astral; long stretches of the set's
    // characters or of others; stretches that end a few characters before the end of a block
    // read from where they start, so that a run goes on past it.
    const part = fc.oneof(
      fc
        .tuple(
          fc
            .integer({ min: 20, max: 36 })
            .chain((length) =>
              fc.string({ unit: fc.constantFrom(...'113aZk'), minLength: length, maxLength: length }),
            ),
          fc.constantFrom(...' -0Oé\u0131\u8031😀'),
        )
        .map(([chars, end]) => chars + end),
      fc
        .tuple(fc.constantFrom(...'1a -\u0131'), fc.integer({ min: 1, max: RUNS_BLOCK_CHARS }))
        .map(([unit, count]) => unit.repeat(count)),
      fc.integer({ min: 0, max: 40 }).map((short) => ' '.repeat(RUNS_BLOCK_CHARS - short)),
    );
    const text = fc
      .array(part, { minLength: 1, maxLength: 8 })
      .map((parts) => parts.join('').padEnd(600, '-'));
    fc.assert(
      fc.property(
        fc.constantFrom(...patterns),
        text,
        fc.array(fc.nat(), { maxLength: 3 }),
        (pattern, text, seeds) => {
          const search = leadingRunSearch(leadingRunOf(pattern, '') as LeadingRun, new RegExp(pattern));
          for (const seed of [0, ...seeds]) {
            // From there, and on after each candidate, as a recorded search asks.
            let from = seed % (text.length + 1);
            for (let step = 0; step < 4 && from <= text.length; step++) {
              const candidate = search(text, from);

              expect(candidate, `from ${from} in a text of ${text.length}`).toBe(
                naiveSearch(new RegExp(pattern), text, from),
              );
              if (candidate === -1) break;
              from = candidate + 1;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('search a text too short for the kernel with the search given for short texts, skipping no match in any text (property)', () => {
    // The Brazilian CPF: a run of 14 characters of digits, `.` and `-`.
    const pattern = '(?<![A-Za-z0-9])[0-9]{3}\\.[0-9]{3}\\.[0-9]{3}-[0-9]{2}(?![0-9])';
    const shape = new RegExp(pattern);
    const part = fc.oneof(
      fc.constantFrom(
        '123.456.789-09',
        '123.456.789-0',
        '1.123.456.789-09',
        '123.456.789-091',
        'x123.456.789-09',
      ),
      fc.string({ unit: fc.constantFrom(...'0123456789.- xé\u0131'), maxLength: 20 }),
      fc.integer({ min: 1, max: 2000 }).map((count) => ' '.repeat(count)),
    );
    const text = fc.array(part, { maxLength: 10 }).map((parts) => parts.join(' '));
    fc.assert(
      fc.property(text, fc.nat(), (text, seed) => {
        const asked: number[] = [];
        const short = shapeSearch(shape);
        const search = leadingRunSearch(leadingRunOf(pattern, '') as LeadingRun, shape, (text, from) => {
          asked.push(text.length);
          return short(text, from);
        });
        const from = seed % (text.length + 1);

        expect(search(text, from), `from ${from} in ${JSON.stringify(text)}`).toBe(
          naiveSearch(shape, text, from),
        );
        if (text.length < 100) expect(asked).toEqual([text.length]);
        if (text.length > 5000) expect(asked).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('try the shape only at the starts of runs of the leading set, however far the next match lies (property)', () => {
    const pattern = '[13][1-9A-HJ-NP-Za-km-z]{5,8}';
    const shape = new RegExp(pattern);
    const run = leadingRunOf(pattern, '') as LeadingRun;
    /** The positions of `text` at which the search tries the shape, from `from`. */
    const triedIn = (text: string, from: number): number[] => {
      const search = leadingRunSearch(run, shape);
      const tried: number[] = [];
      const exec = RegExp.prototype.exec;
      RegExp.prototype.exec = function (this: RegExp, string: string) {
        // A search that is not sticky reads on from there: a position no run starts at.
        if (this.source === shape.source) tried.push(this.sticky ? this.lastIndex : -1);
        return exec.call(this, string);
      };
      try {
        search(text, from);
      } finally {
        RegExp.prototype.exec = exec;
      }
      return tried;
    };
    expect(triedIn('ab 2abcdef 0 3abcde', 0)).toEqual([3, 4, 13]);
    const isRunStart = (text: string, at: number): boolean =>
      at >= 0 &&
      at + run.length <= text.length &&
      Array.from(text.slice(at, at + run.length)).every((char) => run.chars.has(char.charCodeAt(0)));
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'13abOl -'), maxLength: 200 }),
        fc.nat(),
        (text, seed) => {
          for (const at of triedIn(text, seed % (text.length + 1))) {
            expect(isRunStart(text, at), `tried at ${at} in ${JSON.stringify(text)}`).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('answer every query as a fresh search would, whatever the order of texts and positions (property)', () => {
    const searches = sharedShapeSearches(shapes);
    const single = shapeSearch(shapes.dash);
    const needle = needleSearch('1-');
    fc.assert(
      fc.property(
        fc.array(textArbitrary, { minLength: 1, maxLength: 3 }),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.nat(),
            fc.constantFrom('dash', 'pair', 'upper') as fc.Arbitrary<keyof typeof shapes>,
          ),
          {
            maxLength: 40,
          },
        ),
        (texts, queries) => {
          for (const [which, at, name] of queries) {
            const text = texts[which % texts.length] as string;
            const from = at % (text.length + 1);
            expect(searches[name](text, from), `${name} in ${JSON.stringify(text)} from ${from}`).toBe(
              naiveSearch(shapes[name], text, from),
            );
            expect(single(text, from)).toBe(naiveSearch(shapes.dash, text, from));
            expect(needle(text, from)).toBe(text.indexOf('1-', from));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('a recorded search', () => {
  it('answers callers asking from different positions of one text by scanning it once', () => {
    const asked: number[] = [];
    const search = recordedSearch((text, from) => {
      asked.push(from);
      const found = text.slice(from).search(/[0-9]/);
      return found === -1 ? -1 : from + found;
    });
    const text = 'a1 b2 c3';
    for (const from of [0, 0, 2, 2, 5, 5, 8, 8]) search(text, from);
    expect([0, 2, 5, 8].map((from) => search(text, from))).toEqual([1, 4, 7, -1]);
    expect(asked).toEqual([0, 2, 5, 8]);
  });

  it('answers every query as the search it records would, whatever the order of texts and positions (property)', () => {
    const shape = /[0-9]-[0-9]/;
    const search = recordedSearch(shapeSearch(shape));
    fc.assert(
      fc.property(
        fc.array(textArbitrary, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 40 }),
        (texts, queries) => {
          for (const [which, at] of queries) {
            const text = texts[which % texts.length] as string;
            const from = at % (text.length + 1);
            expect(search(text, from), `in ${JSON.stringify(text)} from ${from}`).toBe(
              naiveSearch(shape, text, from),
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('a search made at its first call', () => {
  it('is made once, at the first call, and answers two callers taking turns as the search made before would (property)', () => {
    const shape = /[0-9]-[0-9]|ab/;
    fc.assert(
      fc.property(
        fc.array(textArbitrary, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 30 }),
        (texts, queries) => {
          let made = 0;
          const lazy = madeAtFirstSearch(() => {
            made++;
            return shapeSearch(shape);
          });
          const other = recordedSearch(lazy);
          expect(made).toBe(0);
          for (const [which, at] of queries) {
            const text = texts[which % texts.length] as string;
            const from = at % (text.length + 1);
            expect(lazy(text, from)).toBe(naiveSearch(shape, text, from));
            expect(other(text, from)).toBe(naiveSearch(shape, text, from));
          }
          expect(made).toBe(queries.length === 0 ? 0 : 1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fails every call while it cannot be made, never answering without a search', () => {
    let calls = 0;
    const search = madeAtFirstSearch(() => {
      calls++;
      throw new Error('no search');
    });
    expect(() => search('a1', 0)).toThrow('no search');
    expect(() => search('a1', 0)).toThrow('no search');
    expect(calls).toBe(2);
  });
});

describe('a shape of alternatives', () => {
  const textOf = fc.string({ unit: fc.constantFrom(...'01A:-.x ('), maxLength: 40 });

  // Searched one alternative at a time (each has a position of few characters, none all have),
  // then as one regex (all start with `0` or `(`, one holds a group).
  it.each([
    /(?:[0-9][0-9][:-][0-9]|[0-9A][0-9A][0-9A]\.[0-9]|x)/,
    /(?:(?:\(0[0-9]|0[0-9])|0[1-9] [0-9]|0[1-9]-[0-9])/,
    /(?:[0-9][0-9] [0-9]|[0-9][0-9]-[0-9])/,
  ])('finds the candidates the alternation %s finds (property)', (alternatives) => {
    const search = shapeSearch(alternatives);
    fc.assert(
      fc.property(
        fc.array(textOf, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 30 }),
        (texts, queries) => {
          for (const [which, at] of queries) {
            const text = texts[which % texts.length] as string;
            const from = at % (text.length + 1);
            expect(search(text, from), `in ${JSON.stringify(text)} from ${from}`).toBe(
              naiveSearch(alternatives, text, from),
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** {@link naiveSearch} keeping the shape's flags (`i`). */
function naiveSearchWithFlags(shape: RegExp, text: string, from: number): number {
  const sticky = new RegExp(shape.source, `${shape.flags}y`);
  for (let position = from; position <= text.length; position++) {
    sticky.lastIndex = position;
    if (sticky.test(text)) return position;
  }
  return -1;
}

describe('a class-sequence search', () => {
  const shapes = [
    /[A-Z][A-Z][0-9][0-9] ?[0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]/,
    /[a-z][a-z][0-9][0-9] ?[0-9a-z][0-9a-z][0-9a-z][0-9a-z]/,
    /secret_key|aws-secret|secret access key|ssn/i,
    /x[0-9]{2,}/,
  ];
  // Characters of the shapes in both cases, others above U+007F (`œ` and `Ł` have the low bytes
  // of `S` and `A`) and an astral character.
  const piece = fc.constantFrom(
    ...['GB82', 'WEST', 'gb82 west', '1234', ' ', 'SeCrEt', '_key', 'aws-', 'secret access KEY', 'SSN', 'x7'],
    ...['œ', 'Ł', 'é', '😀', 'Q', '9'],
  );
  // Long enough for the kernel (CLASS_SEQUENCES_MIN_CHARS) and for several of its blocks.
  const text = fc
    .tuple(fc.array(piece, { maxLength: 40 }), fc.array(piece, { minLength: 1, maxLength: 6 }), fc.nat(8000))
    .map(
      ([head, filler, times]) => `${head.join('')}${filler.join('').repeat(times)}${head.reverse().join('')}`,
    );

  it('finds the least position at or after from where the shape matches, in long and short texts, before and after it makes the kernel (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...shapes),
        text,
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.nat(2 * CLASS_SEQUENCES_MIN_CHARS),
        (shape, text, seeds, buildAfterChars) => {
          const search = classSequenceSearch(shape, shapeSearch(shape), buildAfterChars);
          for (const seed of seeds) {
            const from = seed % (text.length + 1);

            expect(search(text, from), `${shape} from ${from} of ${text.length}`).toBe(
              naiveSearchWithFlags(shape, text, from),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads a long text with the kernel and a short one with the short search', () => {
    const shape = /[A-Z][A-Z][0-9][0-9]/;
    const short = (): number => -1;
    const search = classSequenceSearch(shape, short, 0);
    const long = `${'x'.repeat(CLASS_SEQUENCES_MIN_CHARS)}DE89`;

    expect(search(long, 0)).toBe(CLASS_SEQUENCES_MIN_CHARS);
    expect(search('DE89', 0)).toBe(-1);
  });

  it('leaves long texts to the short search until it had CLASS_SEQUENCES_BUILD_CHARS characters of them ahead', () => {
    const shape = /[A-Z][A-Z][0-9][0-9]/;
    const short = (): number => -1;
    const search = classSequenceSearch(shape, short);
    const long = `${'x'.repeat(CLASS_SEQUENCES_MIN_CHARS)}DE89`;
    const readsBeforeKernel = Math.ceil(CLASS_SEQUENCES_BUILD_CHARS / long.length);

    // Each text unlike the one before, which the search remembers.
    const texts = [`y${long.slice(1)}`, `z${long.slice(1)}`];
    for (let read = 0; read < readsBeforeKernel; read++)
      expect(search(texts[read % 2] as string, 0)).toBe(-1);
    expect(search(long, 0)).toBe(CLASS_SEQUENCES_MIN_CHARS);
  });
});

describe('compileScanningRegex', () => {
  it('returns a global regex with the pattern and flags, ready at index 0', () => {
    const regex = compileScanningRegex(/secret/i, 'no match here ');
    expect(regex.flags).toBe('gi');
    expect(regex.lastIndex).toBe(0);
    expect(regex.exec('my SECRET is')?.index).toBe(3);
  });
});
