import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLocalRuleSetSource,
  loadRuleCatalog,
  validatedRuleSetKey,
} from '../../../functions/adapters/local-rule-set-source.ts';
import { RuleValidationError } from '../../../functions/core/errors.ts';
import type { RuleSetDocument } from '../../../functions/core/redaction/rule-schema.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maskpoint-rules-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createLocalRuleSetSource', () => {
  it('reads every .yaml and .yml file in name order, not recursing', async () => {
    await writeFile(join(dir, 'b.yml'), 'name: b\n');
    await writeFile(join(dir, 'a.yaml'), 'name: a\n');
    await writeFile(join(dir, 'notes.md'), '# not a rule file\n');
    await mkdir(join(dir, 'nested'));
    await writeFile(join(dir, 'nested', 'c.yaml'), 'name: c\n');

    const files = await createLocalRuleSetSource(dir).load();

    expect(files.map((file) => [file.file, file.document.name])).toEqual([
      [join(dir, 'a.yaml'), 'a'],
      [join(dir, 'b.yml'), 'b'],
    ]);
  });

  it('fails whole when one file is bad, naming every problem', async () => {
    await writeFile(join(dir, 'a.yaml'), 'name: a\n');
    await writeFile(join(dir, 'b.yaml'), 'name: b\nfoo: 1\n');
    await writeFile(join(dir, 'c.yaml'), 'name: c\npriority: high\n');

    const load = createLocalRuleSetSource(dir).load();

    await expect(load).rejects.toThrow(RuleValidationError);
    await expect(load).rejects.toThrow(
      new RegExp(
        `^${join(dir, 'b.yaml')}:2:1: foo: unknown key.*\\n${join(dir, 'c.yaml')}:2:11: priority`,
        's',
      ),
    );
  });
});

describe('loadRuleCatalog', () => {
  it('resolves the rule sets of a directory by name', async () => {
    await writeFile(join(dir, 'base.yaml'), 'name: base\ndetectors:\n  - id: email\n');
    await writeFile(join(dir, 'child.yaml'), 'name: child\nextends: base\ndetectors:\n  - id: phone\n');

    const catalog = await loadRuleCatalog(dir);

    expect([...catalog.keys()]).toEqual(['base', 'child']);
    expect(catalog.get('child')?.ruleSet.detectors.map((rule) => rule.id)).toEqual(['email', 'phone']);
  });

  it('rejects a catalog whose files are valid alone but not together', async () => {
    await writeFile(join(dir, 'a.yaml'), 'name: a\nextends: nowhere\n');
    await writeFile(join(dir, 'b.yaml'), 'name: b\n');

    await expect(loadRuleCatalog(dir)).rejects.toThrow(/a\.yaml:2:10: extends: got "nowhere"/);
  });
});

describe('validatedRuleSetKey', () => {
  const keyOf = (value: unknown) => validatedRuleSetKey(value as RuleSetDocument);

  it('is the SHA-256 of the JSON of any document JSON carries exactly', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (document) => {
        const json = JSON.stringify(document);
        // JSON writes -0 as 0.
        expect(keyOf(document)).toBe(
          hasNegativeZero(document) ? undefined : createHash('sha256').update(json).digest('hex'),
        );
      }),
    );
  });

  it('has no key for a document with a value JSON would change under __proto__', () => {
    expect(keyOf(planted({}, ['__proto__'], undefined))).toBeUndefined();
  });

  it('has no key for a document JSON would change, wherever the change lies', () => {
    const notJson = fc.constantFrom<unknown>(
      undefined,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -0,
      new Date(0),
      /regex/,
      new Map(),
      () => 0,
      Symbol('s'),
      10n,
      new Array<number>(3).fill(1, 0, 1),
      Object.assign([1], { extra: true }),
      { [Symbol('key')]: 1 },
      Object.create({ inherited: 1 }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        // `length` names no place to plant in an array: its length holds only a count.
        fc.array(
          fc.oneof(
            fc.string().filter((key) => key !== 'length'),
            fc.nat({ max: 3 }),
          ),
          {
            maxLength: 4,
          },
        ),
        notJson,
        (document, path, value) => {
          expect(keyOf(planted(document, path, value))).toBeUndefined();
        },
      ),
    );
  });
});

/** `document` with `value` put at the end of `path` (object keys, array indexes), creating what is missing. */
function planted(
  document: Record<string, unknown>,
  path: readonly (string | number)[],
  value: unknown,
): unknown {
  const root: Record<string, unknown> = structuredClone(document);
  let at: Record<string | number, unknown> = root;
  for (const step of path) {
    const next = Object.hasOwn(at, step) ? at[step] : undefined;
    const child = typeof next === 'object' && next !== null ? next : typeof step === 'number' ? [] : {};
    // An own property whatever the name: assigning to `__proto__` would set the prototype instead
    // (JSON.parse makes such a key an own property too).
    Object.defineProperty(at, step, { value: child, writable: true, enumerable: true, configurable: true });
    at = child as Record<string | number, unknown>;
  }
  if (Array.isArray(at)) at.push(value);
  else at.planted = value;
  return root;
}

function hasNegativeZero(value: unknown): boolean {
  if (Object.is(value, -0)) return true;
  return typeof value === 'object' && value !== null && Object.values(value).some(hasNegativeZero);
}
