import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Detector } from '../../functions/core/redaction/detector.ts';
import { createFieldAssignmentDetector } from '../../functions/core/redaction/detectors/field-assignment-detector.ts';
import { withContext } from '../../functions/core/redaction/detectors/with-context.ts';
import { type ScanMatch, Scanner } from '../../functions/core/redaction/scanner.ts';
import { nameFieldRule, regexDetector, sampleDetectors } from './support/compiled-rule-set.ts';

const spans = (text: string, matches: readonly ScanMatch[]) =>
  matches.map((match) => [text.slice(match.start, match.end), match.detector]);

describe('Scanner', () => {
  it('is its own named scanner under a field name that is context for no detector', () => {
    const scanner = new Scanner([
      withContext(regexDetector('pin', /\d{4}/, 4), ['pin'], 8),
      regexDetector('digits', /\d{6}/, 6),
    ]);

    expect(scanner.named('account')).toBe(scanner);
    expect(scanner.named('account').scan('1234').matches).toEqual([]);
  });

  it('under a field name holding a keyword, accepts matches of that detector without one', () => {
    const scanner = new Scanner([
      regexDetector('digits', /\d{6}/, 6),
      withContext(regexDetector('pin', /\d{4}/, 4), ['pin'], 8),
    ]);
    const named = scanner.named('cardPin');

    expect(spans('1234', named.scan('1234').matches)).toEqual([['1234', 1]]);
    expect(spans('123456', named.scan('123456').matches)).toEqual([['123456', 0]]);
    expect(scanner.scan('1234').matches).toEqual([]);
  });

  it('under a field name, reads a whole value as written too, where a decoded escape cuts what the name makes a match', () => {
    const scanner = new Scanner([withContext(regexDetector('word', /^\S{6,}$/m, 32), ['pass'], 8)]);
    const named = scanner.named('pass');

    // The view reads a line break and five letters; as written it is one word of eight.
    expect(spans('%0aaaaaa', named.scan('%0aaaaaa').matches)).toEqual([['%0aaaaaa', 0]]);
    expect(spans('%0aaaaaa', named.scanNamedOnly('%0aaaaaa').matches)).toEqual([['%0aaaaaa', 0]]);
    // The view's match, inside the value as written, gives way to it.
    expect(spans('aaaaaa%0a', named.scan('aaaaaa%0a').matches)).toEqual([['aaaaaa%0a', 0]]);
    expect(scanner.scan('%0aaaaaa').matches).toEqual([]);
  });

  it('scans a text its unnamed scanner finds nothing in with only the detectors the names changed, as with all (property)', () => {
    // The context detectors sit before and after an ordinary one, so their rule indices are not
    // their places among the detectors the names change; a root that decodes base64 too.
    const detectors = [
      withContext(regexDetector('pin', /\d{4}/, 4), ['pin'], 8),
      regexDetector('digits', /\d{6}/, 6),
      withContext(regexDetector('code', /[a-z]\d{3}/, 4), ['code'], 8),
    ];
    const roots = [new Scanner(detectors), new Scanner(detectors, { decodesBase64: true })];
    const names = fc.array(fc.constantFrom('cardPin', 'code', 'pinCode', 'notes', 'pin_b64', 'codeBase64'), {
      minLength: 1,
      maxLength: 3,
    });
    const plain = fc
      .array(fc.constantFrom('1', '2', '3', 'a', ' ', '-', 'pin', 'code', '%31', '%0a', '&amp;'), {
        maxLength: 16,
      })
      .map((parts) => parts.join(''));
    // Whole values in base64, which a decoding scanner reads decoded.
    const text = fc.oneof(
      plain,
      plain.map((value) => Buffer.from(value).toString('base64')),
    );
    let vouched = 0;
    fc.assert(
      fc.property(fc.constantFrom(...roots), names, text, (scanner, path, input) => {
        const named = path.reduce((current, name) => current.named(name), scanner);
        if (scanner.scan(input).matches.length > 0) return;
        vouched++;
        expect(named.scanNamedOnly(input)).toEqual(named.scan(input));
      }),
      { numRuns: 1000 },
    );
    expect(vouched).toBeGreaterThan(200);
  });

  it('accepts the leftmost match, whichever detector finds it', () => {
    const scanner = new Scanner([regexDetector('word', /bbb/, 3), regexDetector('digits', /\d+/, 10)]);
    const text = 'a 12 bbb';

    expect(spans(text, scanner.scan(text).matches)).toEqual([
      ['12', 1],
      ['bbb', 0],
    ]);
  });

  it('prefers the longest of the matches that start at the same place', () => {
    const scanner = new Scanner([regexDetector('short', /ab/, 2), regexDetector('long', /abcd/, 4)]);

    expect(spans('xabcd', scanner.scan('xabcd').matches)).toEqual([['abcd', 1]]);
  });

  it('prefers the detector listed first when two matches are equal', () => {
    const scanner = new Scanner([regexDetector('first', /\d{3}/, 3), regexDetector('second', /\d{3}/, 3)]);

    expect(spans('a 123', scanner.scan('a 123').matches)).toEqual([['123', 0]]);
  });

  it('resumes after an accepted match, so matches never overlap', () => {
    const scanner = new Scanner([regexDetector('pair', /\d\d/, 2), regexDetector('letter-digit', /x\d/, 2)]);
    const text = '12x345';

    expect(spans(text, scanner.scan(text).matches)).toEqual([
      ['12', 0],
      ['x3', 1],
      ['45', 0],
    ]);
  });

  it('accepts only matches that start before the limit and resumes at the end of one that crosses it', () => {
    const scanner = new Scanner(sampleDetectors());
    const text = 'id 123-45-6789 and 987-65-4321';

    const first = scanner.scan(text, 0, 5);
    expect(spans(text, first.matches)).toEqual([['123-45-6789', 1]]);
    expect(first.next).toBe(14);

    const second = scanner.scan(text, first.next, 18);
    expect(second.matches).toEqual([]);
    expect(second.next).toBe(18);
  });

  it('does not ask a detector to search text too short for its shortest match', () => {
    const searchedFrom: number[] = [];
    const fiveDigits = {
      ...regexDetector('five-digits', /\d{5}/, 5),
      minLength: 5,
      findFrom(_text: string, from: number) {
        searchedFrom.push(from);
        return undefined;
      },
    };
    const scanner = new Scanner([fiveDigits]);

    scanner.scan('1234');
    scanner.scan('12345', 1);
    expect(searchedFrom).toEqual([]);
    scanner.scan('12345');
    expect(searchedFrom).toEqual([0]);
  });

  it('gives a detector the text only as far as its reach past the limit, however far a wider one needs', () => {
    const lengths: number[] = [];
    const digits = regexDetector('digits', /[0-9]{3}/, 3);
    const spy = {
      ...digits,
      findFrom(text: string, from: number) {
        lengths.push(text.length);
        return digits.findFrom(text, from);
      },
    };
    const wide = regexDetector('block', /<[^>]{0,20000}>/, 20_000);
    const text = `a 123 b 456 ${'x '.repeat(10_000)}789`;
    const scanner = new Scanner([spy, wide]);

    expect(spans(text, scanner.scan(text, 0, 100).matches)).toEqual([
      ['123', 0],
      ['456', 0],
    ]);
    expect(lengths.length).toBeGreaterThan(0);
    for (const length of lengths) expect(length).toBeLessThanOrEqual(100 + 1024);
  });

  it('gives a detector that bounds its search at the limit itself the whole text, not a cut', () => {
    const texts: string[] = [];
    const digits = regexDetector('digits', /[0-9]{3}/, 3);
    const bounded = {
      ...digits,
      isLimitBounded: true,
      findFrom(text: string, from: number, limit?: number) {
        texts.push(text);
        const found = digits.findFrom(text, from);
        return found !== undefined && found.start < (limit ?? text.length) ? found : undefined;
      },
    };
    const wide = regexDetector('block', /<[^>]{0,20000}>/, 20_000);
    const text = `a 123 b 456 ${'x '.repeat(10_000)}789`;
    const scanner = new Scanner([bounded, wide]);

    expect(spans(text, scanner.scan(text, 0, 100).matches)).toEqual([
      ['123', 0],
      ['456', 0],
    ]);
    expect(texts.length).toBeGreaterThan(0);
    for (const given of texts) expect(given).toBe(text);
  });

  it('finds before a limit what one pass over the whole text finds there, with detectors of every reach (property)', () => {
    const scanner = new Scanner([
      ...sampleDetectors(),
      regexDetector('block', /<[^<>]{0,3000}>/, 3002),
      regexDetector('word', /[a-z]{2,8}(?![a-z])/, 8),
    ]);
    const part = fc.oneof(
      fc.constantFrom('bob@example.com', '123-45-6789', '4111 1111 1111 1111', '<', '>', ' '),
      // Long gaps, so that the text goes on far past the limit.
      fc.integer({ min: 0, max: 1500 }).map((length) => ' '.repeat(length)),
      fc.string({ unit: fc.constantFrom('a', '1', '-', ' ', '@', '.', 'é', '\n'), maxLength: 400 }),
    );
    const text = fc.array(part, { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      // The limit falls near the start of some match, where cutting the text short would show.
      fc.property(text, fc.nat(), fc.nat(), fc.integer({ min: -3, max: 3 }), (input, a, b, offset) => {
        const whole = scanner.scan(input).matches;
        const near = whole[b % Math.max(1, whole.length)]?.start ?? b;
        const limit = Math.min(input.length, Math.max(0, near + offset));
        const from = a % (limit + 1);
        const resumeAt = whole.find((match) => match.start < from && match.end > from)?.end ?? from;
        const expected = whole.filter((match) => match.start >= resumeAt && match.start < limit);

        expect(scanner.scan(input, resumeAt, Math.max(resumeAt, limit)).matches).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('matches in the normalized view and reports the original span, with the value as the detectors saw it', () => {
    const scanner = new Scanner(sampleDetectors());
    const text = 'to jane%40example.com, ｂｏｂ＠ｅｘａｍｐｌｅ．ｃｏｍ and 123-45-6789';

    expect(scanner.scan(text).matches).toEqual([
      { start: 3, end: 21, detector: 0, value: 'jane@example.com' },
      { start: 23, end: 38, detector: 0, value: 'bob@example.com' },
      { start: 43, end: 54, detector: 1 },
    ]);
  });

  it('stops short of the limit when escapes crowd the text after it, and resumes to the one-pass matches', () => {
    const scanner = new Scanner(sampleDetectors());
    const escaped = [...'bob@example.com'].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    const text = `${'a '.repeat(200)}${escaped} ${'%41'.repeat(scanner.reachLength)} 123-45-6789`;
    const limit = text.length - scanner.reachLength;

    const first = scanner.scan(text, 0, limit);
    expect(first.next).toBeLessThan(limit);
    const rest = scanner.scan(text, first.next);
    expect([...first.matches, ...rest.matches]).toEqual(scanner.scan(text).matches);
    expect(scanner.scan(text).matches.map((match) => match.value)).toEqual(['bob@example.com', undefined]);
  });

  it('gives the same matches when resumed at next as in one pass (property)', () => {
    const scanner = new Scanner(sampleDetectors());
    const text = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            'bob@example.com',
            'a.b@c.io',
            '123-45-6789',
            '4111-1111-1111-1111',
            '4111111111111111',
            'bob%40example.com',
            'bob&commat;example.com',
            'ｂｏｂ＠ｅｘａｍｐｌｅ．ｃｏｍ',
            '4111\u00a01111\u00a01111\u00a01111',
            '12\u200b3-45-6789',
          ),
          fc.string({
            unit: fc.constantFrom(
              'a',
              '1',
              '-',
              ' ',
              '@',
              '.',
              'é',
              '%40',
              '%',
              '&#64;',
              '&',
              '\u200b',
              '１',
            ),
            maxLength: 10,
          }),
        ),
        { maxLength: 30 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 10 }), (input, points) => {
        const limits = points.map((point) => point % (input.length + 1)).sort((a, b) => a - b);
        const resumed: ScanMatch[] = [];
        let from = 0;
        for (const limit of [...limits, input.length]) {
          const result = scanner.scan(input, from, limit);
          resumed.push(...result.matches);
          from = result.next;
        }

        expect(resumed).toEqual(scanner.scan(input).matches);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps its whole context before text that escapes, folds or drops characters, only its lookbehind before text as written', () => {
    const fields = createFieldAssignmentDetector([nameFieldRule('password', ['password'])]) as Detector;
    const scanner = new Scanner([fields, ...sampleDetectors()]);
    const plain = 'lorem ipsum '.repeat(scanner.contextLength);
    const at = plain.length - 100;
    const short = scanner.contextBefore(plain, at);

    expect(short).toBeGreaterThan(scanner.lookbehind);
    expect(short).toBeLessThan(scanner.contextLength / 10);
    for (const hidden of ['%40', '&amp;', '\\u0040', '\u00a0', '\u200b']) {
      const text = `${plain.slice(0, at - short)}${hidden}${plain.slice(at - short + hidden.length)}`;
      expect(scanner.contextBefore(text, at), hidden).toBe(scanner.contextLength);
    }
    expect(scanner.contextBefore(plain, short - 1)).toBe(scanner.contextLength);
  });

  it('finds from a resume point, given only the context it keeps before it, what it finds with all the text before it (property)', () => {
    const fields = createFieldAssignmentDetector([
      nameFieldRule('password', ['password', 'user']),
    ]) as Detector;
    const scanner = new Scanner([fields, ...sampleDetectors()]);
    const part = fc.oneof(
      fc.constantFrom(
        'user=bob ',
        'password: hunter2',
        '  - password: "s3cret"',
        'bob@example.com',
        '123-45-6789',
        '=',
        ':',
        ' ',
        '\n',
        '%41',
        'bob%40example.com',
        '&amp;',
        '\\u0040',
        '\\',
        'u200b',
        '\u200b',
        '\u00a0',
        // What the field detector reads back farthest: indentation, a long key, a wide gap.
        `\n${' '.repeat(250)}password: x`,
        `x${' '.repeat(250)}password: x`,
        `${'k'.repeat(120)}user=bob`,
        `password${' '.repeat(60)}= x`,
      ),
      // Long runs as written, so that the context kept is cut short.
      fc.integer({ min: 0, max: 1500 }).map((length) => 'lorem ipsum '.repeat(length >> 4)),
    );
    const text = fc.array(part, { maxLength: 60 }).map((parts) => parts.join(''));
    fc.assert(
      // Resume points just before a `:` or `=`, where the field detector reads farthest back.
      fc.property(text, fc.nat(), fc.integer({ min: -700, max: 4 }), (input, point, offset) => {
        const whole = scanner.scan(input).matches;
        const anchors = [...input.matchAll(/[:=]/g)].map((anchor) => anchor.index);
        const near = anchors.length === 0 ? point : (anchors[point % anchors.length] as number) + offset;
        const at = Math.max(0, near) % (input.length + 1);
        const resumeAt = whole.find((match) => match.start < at && match.end > at)?.end ?? at;
        const keepFrom = Math.max(0, resumeAt - scanner.contextBefore(input, resumeAt));
        const kept = scanner
          .scan(input.slice(keepFrom), resumeAt - keepFrom)
          .matches.map((match) => ({ ...match, start: match.start + keepFrom, end: match.end + keepFrom }));

        expect(kept).toEqual(whole.filter((match) => match.start >= resumeAt));
      }),
      { numRuns: 500 },
    );
  });
});
