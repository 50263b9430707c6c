import { describe, expect, it } from 'vitest';
import { RuleValidationError } from '../../../functions/core/errors.ts';
import { compilePackFile, compilePackFiles } from '../../../functions/core/redaction/detector-pack.ts';

const file = 'redaction-rules/packs/acme.yaml';

/** A pack file with one pattern detector; `extra` lines are added to the detector. */
function packText(detector: Record<string, string>, name = 'acme', id = 'acme-id'): string {
  const lines = [
    `pack: ${name}`,
    'description: Acme ids.',
    'detectors:',
    `  - id: ${id}`,
    '    label: ACME_ID',
    '    description: Acme ids',
    ...Object.entries({ anchors: "['ACME-']", pattern: "'ACME-[0-9]{4}'", maxLength: '9', ...detector }).map(
      ([key, value]) => `    ${key}: ${value}`,
    ),
    '    examples:',
    "      - { input: 'id ACME-1234', output: 'id [ACME_ID]' }",
    "      - { survives: 'id ACME-12' }",
  ];
  return `${lines.join('\n')}\n`;
}

function problems(text: string): string[] {
  try {
    compilePackFile(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(RuleValidationError);
    return (error as RuleValidationError).message.split('\n');
  }
  throw new Error('expected the pack file to be rejected');
}

describe('compilePackFile', () => {
  it('compiles a pattern detector with its anchors and bounds', () => {
    const pack = compilePackFile(packText({}), file);

    expect(pack.name).toBe('acme');
    expect(pack.entries.map((entry) => entry.id)).toEqual(['acme-id']);
  });

  it('derives anchors from the literal start of a pattern that declares none and has no keywords', () => {
    const memberOf = (detector: Record<string, string>) => {
      const entry = compilePackFile(packText(detector), file).entries[0];
      if (entry?.kind !== 'member') throw new Error('expected a pattern detector');
      return entry.createMember();
    };
    // Each anchor is searched for with each digit that can follow it (see the next test).
    const digits = Array.from('0123456789');
    const derived = memberOf({ anchors: '[]', pattern: "'(?<![A-Z])(?:ACME|ACNE)-[0-9]{4}'" });
    expect(derived.anchors).toEqual(
      ['ACME-', 'ACNE-'].flatMap((anchor) => digits.map((digit) => anchor + digit)),
    );
    expect(derived.start).toBeUndefined();
    expect(memberOf({ anchors: '[]', pattern: "'acme-[0-9]{4}'", flags: 'i' }).anchors).toEqual(
      digits.map((digit) => `acme-${digit}`),
    );
    // Too short a literal, none at all, or keywords: the detector scans (or waits for a keyword).
    const short = memberOf({ anchors: '[]', pattern: "'A[0-9]{8}'" });
    expect(short.anchors).toEqual([]);
    expect(short.start?.sequences.length).toBe(1);
    expect(memberOf({ anchors: '[]', pattern: "'[A-Z]{4}-[0-9]{4}'" }).anchors).toEqual([]);
    expect(memberOf({ anchors: '[]', pattern: "'ACME-[0-9]{4}'", keywords: "['acme']" }).anchors).toEqual([]);
  });

  it('searches for an anchor with each of the few characters that can follow it, else as declared', () => {
    const anchorsOf = (pattern: string) => {
      const entry = compilePackFile(packText({ anchors: "['SK']", pattern, maxLength: '40' }), file)
        .entries[0];
      if (entry?.kind !== 'member') throw new Error('expected a pattern detector');
      return entry.createMember().anchors;
    };
    expect(anchorsOf("'SK[0-9a-fA-F]{32}'")).toEqual(
      Array.from('0123456789ABCDEFabcdef', (char) => `SK${char}`),
    );
    expect(anchorsOf("'SK(?:[0-9]{4}|_[a-z]{4})'")).toEqual(Array.from('0123456789_', (char) => `SK${char}`));
    // Too many characters, characters above U+007F or control characters: the anchor alone.
    expect(anchorsOf("'SK[0-9A-Za-z]{32}'")).toEqual(['SK']);
    expect(anchorsOf("'SK[0-9é]{4}'")).toEqual(['SK']);
    expect(anchorsOf("'SK\\s?[0-9]{4}'")).toEqual(['SK']);
    expect(anchorsOf("'SK'")).toEqual(['SK']);
  });

  it('rejects a pattern that can start without one of its anchors, naming file, line and column', () => {
    expect(problems(packText({ pattern: "'(?:ACME|ACNE)-[0-9]{4}'" }))).toEqual([
      `${file}:8:14: detectors[0] "acme-id": a match can start without one of its anchors ("ACME-"): "ACNE-"; list anchors every match starts with`,
    ]);
  });

  it('rejects anchors in another case than a pattern that does not ignore case', () => {
    expect(problems(packText({ anchors: "['acme-']" }))[0]).toMatch(
      /can start without one of its anchors \("acme-"\): "ACME-"/,
    );
  });

  it('rejects an unbounded pattern', () => {
    expect(problems(packText({ pattern: "'ACME-[0-9]+'" }))[0]).toMatch(/unbounded quantifier/);
  });

  it('rejects a pattern that could backtrack more than a constant per position', () => {
    expect(problems(packText({ pattern: "'ACME-(?:[0-9]|[0-9]){1,30}'", maxLength: '40' }))[0]).toMatch(
      /alternatives inside a repeated group/,
    );
  });

  it('rejects a value longer than maxLength', () => {
    expect(problems(packText({ maxLength: '8' }))[0]).toMatch(
      /can redact 9 characters, more than maxLength 8/,
    );
  });

  it('rejects keywords around a value without anchors', () => {
    expect(
      problems(
        packText({
          anchors: '[]',
          pattern: "'ACME-[0-9]{4}'",
          keywords: '[acme]',
          keywordPlacement: 'around',
        }),
      )[0],
    ).toMatch(/around needs anchors/);
  });

  it('rejects a YAML-document keyword scope without anchors', () => {
    expect(
      problems(
        packText({
          anchors: '[]',
          pattern: "'ACME-[0-9]{4}'",
          keywords: '[acme]',
          keywordScope: 'yaml-document',
        }),
      )[0],
    ).toMatch(/yaml-document needs anchors/);
  });

  it('rejects a field-name keyword scope with anchors or without keywords', () => {
    expect(problems(packText({ keywords: '[acme]', keywordScope: 'field-name' }))[0]).toMatch(
      /field-name needs keywords \(the field names\) and no anchors/,
    );
    expect(problems(packText({ anchors: '[]', keywordScope: 'field-name' }))[0]).toMatch(
      /field-name needs keywords \(the field names\) and no anchors/,
    );
  });

  it('rejects withoutKeyword on a detector whose keywords are field names', () => {
    expect(
      problems(
        packText({
          anchors: '[]',
          pattern: "'ACME-[0-9]{4}'",
          keywords: '[acme]',
          keywordScope: 'field-name',
          validator: 'luhn',
          withoutKeyword: 'possible',
        }),
      )[0],
    ).toMatch(
      /withoutKeyword: a detector with keywordScope: field-name finds values under its field names only/,
    );
  });

  it("finds a field-name detector's values under a field whose whole name is a keyword, in any case or convention, and nothing in text", () => {
    const entry = compilePackFile(
      packText({
        anchors: '[]',
        pattern: "'ACME-[0-9]{4}'",
        keywords: '[acme id]',
        keywordScope: 'field-name',
      }),
      file,
    ).entries[0];
    if (entry?.kind !== 'member') throw new Error('expected a pattern detector');
    const member = entry.createMember();

    expect(member.isFieldOnly).toBe(true);
    expect(member.findFrom('acme id ACME-1234', 0)).toBeUndefined();
    for (const name of ['acme id', 'ACME_ID', 'acmeId', ' Acme-id ']) {
      expect(member.named(name).findFrom('ACME-1234', 0), name).toEqual({ start: 0, end: 9 });
    }
    for (const name of ['old_acme_id', 'acme_id_2', 'acme', 'id']) {
      expect(member.named(name).findFrom('ACME-1234', 0), name).toBeUndefined();
    }
  });

  it('rejects a built-in reference to no built-in detector', () => {
    const text = [
      'pack: acme',
      'description: Acme.',
      'detectors:',
      '  - id: acme-token',
      '    builtIn: true',
      '    description: Acme tokens',
      '    examples: [{ input: x, output: x }, { survives: y }]',
      '',
    ].join('\n');

    expect(problems(text)[0]).toMatch(
      /^redaction-rules\/packs\/acme\.yaml:4:5: detectors\[0\]: "acme-token" is no built-in detector/,
    );
  });

  it('rejects a detector without a near-miss example', () => {
    const text = packText({}).replace(
      "      - { survives: 'id ACME-12' }\n",
      "      - { input: 'ACME-0000', output: '[ACME_ID]' }\n",
    );

    expect(problems(text)[0]).toMatch(
      /needs at least one \{ input, output \} and one \{ survives \} example/,
    );
  });

  it('rejects an unknown key listing the allowed keys', () => {
    expect(problems(packText({ validater: 'luhn' }))[0]).toMatch(
      /detectors\[0\]\.validater: unknown key; allowed keys: id, label, description, anchors, pattern/,
    );
  });
});

describe('compilePackFiles', () => {
  it('rejects a pack name or a detector id used twice, naming both places', () => {
    const call = () =>
      compilePackFiles([
        { file: 'packs/a.yaml', text: packText({}, 'acme', 'acme-id') },
        { file: 'packs/b.yaml', text: packText({}, 'acme', 'acme-id') },
      ]);

    expect(call).toThrow(RuleValidationError);
    expect(call).toThrow(/packs\/b\.yaml:1:7: pack: "acme" is already defined at packs\/a\.yaml:1:7/);
    expect(call).toThrow(
      /packs\/b\.yaml:4:9: detectors\[0\]\.id: "acme-id" is already used at packs\/a\.yaml:4:9/,
    );
  });
});
