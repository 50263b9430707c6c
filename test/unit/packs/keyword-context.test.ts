import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import { compilePackFile } from '../../../functions/core/redaction/detector-pack.ts';
import { createDetectorGroup } from '../../../functions/core/redaction/detectors/detector-group.ts';
import { expectDecidedByNeighbourhood } from '../support/detector-contract.ts';
import { shippedMembers } from './shipped-packs.ts';

function memberDetector(id: string): Detector {
  const found = shippedMembers.find(({ entry }) => entry.id === id);
  if (found === undefined) throw new Error(`no shipped pack detector ${id}`);
  return createDetectorGroup([found.entry.createMember()]);
}

const sin = '130 692 544';

describe('keywords of pack detectors', () => {
  const caSin = memberDetector('ca-sin');

  it('count as a word of their own in any case convention', () => {
    for (const text of [`SIN ${sin}`, `customer_sin=${sin}`, `customerSin: ${sin}`, `sin:${sin}`]) {
      expect(caSin.findFrom(text, 0), text).toBeDefined();
    }
  });

  it('do not count inside a longer lower-case word', () => {
    for (const text of [`using ${sin}`, `business ${sin}`, `Austin ${sin}`, `sinus ${sin}`]) {
      expect(caSin.findFrom(text, 0), text).toBeUndefined();
    }
  });

  it('make a field name context only as whole words', () => {
    expect(caSin.named?.('customer_sin').findFrom(sin, 0)).toBeDefined();
    expect(caSin.named?.('SinNumber').findFrom(sin, 0)).toBeDefined();
    expect(caSin.named?.('business_name').findFrom(sin, 0)).toBeUndefined();
    expect(
      memberDetector('drivers-licence').named?.('password_last_changed').findFrom('2024-05-01T12', 0),
    ).toBeUndefined();
  });
});

describe('keywords in the YAML document of the value', () => {
  const secretData = memberDetector('kubernetes-secret-data');
  const kind = fc.constantFrom('kind: Secret', 'kind: "Secret"', "kind: 'Secret'");
  /** Lines of a manifest that are neither a keyword, nor data, nor a document marker. */
  const lines = fc.array(
    fc.constantFrom(
      'metadata:',
      '  name: db',
      '  labels: { app: web }',
      '# -----BEGIN CERTIFICATE-----',
      '----',
      '---x: 1',
      'type: Opaque',
      '',
    ),
    { maxLength: 4 },
  );
  const marker = fc.constantFrom('---', '--- # next', '--- !tag', '...', '---\r');
  const data = 'data:\n  password: ggvpXqaQ1QiUQZwl==';

  it('count across other lines but not across a --- or ... line, before or after the data (property)', () => {
    fc.assert(
      fc.property(
        kind,
        lines,
        lines,
        marker,
        fc.boolean(),
        (keyword, first, second, separator, isKindFirst) => {
          const [before, after] = isKindFirst ? [keyword, data] : [data, keyword];
          const together = [before, ...first, ...second, after].join('\n');
          expect(secretData.findFrom(together, 0), together).toBeDefined();
          const apart = [before, ...first, separator, ...second, after].join('\n');
          expect(secretData.findFrom(apart, 0), apart).toBeUndefined();
          expectDecidedByNeighbourhood(secretData, apart);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decide from the declared neighbourhood with a marker at the edge of the keyword window (property)', () => {
    // 1024 characters of keyword window: a comment line pads the keyword and the marker around its edge.
    const pad = fc.integer({ min: 990, max: 1040 }).map((length) => `#${' '.repeat(length)}`);
    fc.assert(
      fc.property(kind, pad, marker, fc.boolean(), (keyword, comment, separator, isMarkerFirst) => {
        const middle = isMarkerFirst ? [separator, keyword, comment] : [keyword, comment, separator];
        const text = [...middle, data].join('\n');
        // The keyword counts when it lies after the marker and wholly within the window before the value.
        const reach = `${keyword}\n${comment}\ndata:\n`.length;
        expect(secretData.findFrom(text, 0) !== undefined).toBe(isMarkerFirst && reach <= 1024);
        expectDecidedByNeighbourhood(secretData, text);
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * A detector of 9 digits after the keywords `keywords`, with `fields` added to it (YAML), as a
 * group of one: keyword-led without anchors, checking its keywords itself with them.
 */
function digitsAfter(keywords: string, fields: Record<string, string>): Detector {
  const lines = [
    'pack: acme',
    'description: Acme numbers.',
    'detectors:',
    '  - id: acme-number',
    '    label: ACME_NUMBER',
    '    description: Acme numbers',
    `    keywords: ${keywords}`,
    ...Object.entries({ pattern: "'(?<![0-9])[0-9]{9}(?![0-9])'", maxLength: '9', ...fields }).map(
      ([key, value]) => `    ${key}: ${value}`,
    ),
    '    examples:',
    "      - { input: 'x 123456789', output: 'x [ACME_NUMBER]' }",
    "      - { survives: 'x 12' }",
  ];
  const [entry] = compilePackFile(`${lines.join('\n')}\n`, 'acme.yaml').entries;
  if (entry?.kind !== 'member') throw new Error('expected a pattern detector');
  return createDetectorGroup([entry.createMember()]);
}

const number = '123456789';
/** Letters and digits of several scripts: none may touch an edge that must end a word. */
const wordCharacter = fc.constantFrom('a', 'Z', 'x', '7', '0', 'é', 'ß', 'Ж', '名');
/** What may stand beside a keyword at the end of a word. */
const separator = fc.constantFrom(' ', ':', '=', '_', '-', '.', '"', '\t', '/', '#');

describe('keywords that must end or start a word (keywordEdges)', () => {
  const anchored = fc.constantFrom<[string, Record<string, string>]>(
    ['[acme]', {}],
    ['[acme]', { anchors: "['NUM:']", pattern: "'NUM:(?<value>[0-9]{9})(?![0-9])'", maxLength: '15' }],
  );

  it('count only with no letter or digit past an end that must end a word, keyword-led or anchored (property)', () => {
    fc.assert(
      fc.property(
        anchored,
        wordCharacter,
        separator,
        fc.boolean(),
        ([keywords, fields], glued, apart, isUpper) => {
          const keyword = isUpper ? 'ACME' : 'acme';
          const value = 'anchors' in fields ? `NUM:${number}` : number;
          const edged = digitsAfter(keywords, { ...fields, keywordEdges: 'end' });
          const plain = digitsAfter(keywords, fields);
          const gluedText = `${keyword}${glued}${apart}${value}`;
          expect(edged.findFrom(gluedText, 0), gluedText).toBeUndefined();
          const apartText = `${keyword}${apart}${value}`;
          expect(edged.findFrom(apartText, 0), apartText).toBeDefined();
          // Without edges, the anchored detector finds its keyword inside the longer word.
          if ('anchors' in fields) expect(plain.findFrom(gluedText, 0), gluedText).toBeDefined();
          expectDecidedByNeighbourhood(edged, gluedText);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('count only with no letter or digit before a start that must start a word (property)', () => {
    fc.assert(
      fc.property(wordCharacter, separator, fc.constantFrom('start', 'both'), (glued, apart, edges) => {
        const edged = digitsAfter('[aba]', { keywordEdges: edges });
        expect(edged.findFrom(`data${glued}aba ${number}`, 0)).toBeUndefined();
        expect(edged.findFrom(`x${apart}aba ${number}`, 0)).toBeDefined();
        expect(edged.findFrom(`aba ${number}`, 0)).toBeDefined();
      }),
      { numRuns: 100 },
    );
  });

  it('leave an end that is no letter or digit unchecked', () => {
    const edged = digitsAfter('["acme:"]', { keywordEdges: 'both' });
    expect(edged.findFrom(`acme:x ${number}`, 0)).toBeDefined();
  });
});

describe('the kind of a Kubernetes Secret', () => {
  const secretData = memberDetector('kubernetes-secret-data');
  const data = 'data:\n  password: ggvpXqaQ1QiUQZwl==';
  const longerName = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/);

  it('is no keyword as the start of a longer kind name, before or after the data (property)', () => {
    fc.assert(
      fc.property(longerName, fc.boolean(), fc.constantFrom('', '"', "'"), (rest, isKindFirst, quote) => {
        const longer = `kind: ${quote}Secret${rest}${quote}`;
        const text = isKindFirst ? `${longer}\n${data}\n` : `${data}\n${longer}\n`;
        expect(secretData.findFrom(text, 0), text).toBeUndefined();
        expectDecidedByNeighbourhood(secretData, text);
        const kind = `kind: ${quote}Secret${quote}`;
        const whole = isKindFirst ? `${kind}  # kubectl\n${data}\n` : `${data}\n${kind}\r\n`;
        expect(secretData.findFrom(whole, 0), whole).toBeDefined();
        expectDecidedByNeighbourhood(secretData, whole);
      }),
      { numRuns: 200 },
    );
  });
});
