import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RuleValidationError } from '../../../functions/core/errors.ts';
import {
  resolveRuleSets,
  type ValidatedRuleSetLookup,
} from '../../../functions/core/redaction/rule-catalog.ts';
import { parseRuleFile } from '../../../functions/core/redaction/rule-file.ts';
import type { RuleSet } from '../../../functions/core/redaction/rule-schema.ts';

/** Resolves rule files given as `{ 'file.yaml': text }`. */
function resolve(files: Record<string, string>, validated?: ValidatedRuleSetLookup) {
  return resolveRuleSets(
    Object.entries(files).map(([file, text]) => parseRuleFile(text, file)),
    [],
    validated,
  );
}

function failure(files: Record<string, string>): string[] {
  try {
    resolve(files);
  } catch (error) {
    expect(error).toBeInstanceOf(RuleValidationError);
    return (error as RuleValidationError).message.split('\n');
  }
  throw new Error('expected the catalog to be rejected');
}

const base = `name: base
priority: 1
description: the base
scope:
  buckets: [data-*]
detectors:
  - id: email
  - id: phone
    action: { type: mask }
  - id: ipv4
fields:
  - id: field-secrets
    names: [password]
geo:
  deny: [KP]
`;

describe('resolveRuleSets', () => {
  it('applies defaults to a rule set without extends', () => {
    const ruleSet = resolve({ 'base.yaml': base }).get('base')?.ruleSet;

    expect(ruleSet?.scope).toEqual({ buckets: ['data-*'], keys: ['**'], callers: ['*'] });
    expect(ruleSet?.detectors[0]).toMatchObject({ id: 'email', enabled: true, action: { type: 'redact' } });
    expect(ruleSet?.detectors[1]?.action).toEqual({
      type: 'mask',
      char: '*',
      keepFirst: 0,
      keepLast: 4,
      keepSeparators: true,
    });
  });

  it('replaces an inherited detector with the child entry of the same id, in place', () => {
    const child =
      'name: child\nextends: base\ndetectors:\n  - id: phone\n    action: { type: hash }\n  - id: iban\n';
    const ruleSet = resolve({ 'base.yaml': base, 'child.yaml': child }).get('child')?.ruleSet;

    expect(ruleSet?.detectors.map((rule) => [rule.id, rule.action.type])).toEqual([
      ['email', 'redact'],
      ['phone', 'hash'],
      ['ipv4', 'redact'],
      ['iban', 'redact'],
    ]);
  });

  it('removes an inherited entry that the child disables', () => {
    const child =
      'name: child\nextends: base\ndetectors:\n  - id: ipv4\n    enabled: false\nfields:\n  - id: field-secrets\n    enabled: false\n';
    const ruleSet = resolve({ 'base.yaml': base, 'child.yaml': child }).get('child')?.ruleSet;

    expect(ruleSet?.detectors.map((rule) => rule.id)).toEqual(['email', 'phone']);
    expect(ruleSet?.fields).toEqual([]);
  });

  it('lets the child override scalar keys and inherit the rest', () => {
    const child = 'name: child\nextends: base\npriority: 5\nscope:\n  callers: [partner]\n';
    const ruleSet = resolve({ 'base.yaml': base, 'child.yaml': child }).get('child')?.ruleSet;

    expect(ruleSet?.name).toBe('child');
    expect(ruleSet?.priority).toBe(5);
    expect(ruleSet?.description).toBe('the base');
    expect(ruleSet?.geo).toEqual({ deny: ['KP'] });
    // The child's scope replaces the parent's whole, and defaults fill it afterwards.
    expect(ruleSet?.scope).toEqual({ buckets: ['*'], keys: ['**'], callers: ['partner'] });
  });

  it('applies defaults after merging, so a default never hides an inherited value', () => {
    const child = 'name: child\nextends: base\n';
    const ruleSet = resolve({ 'base.yaml': base, 'child.yaml': child }).get('child')?.ruleSet;

    expect(ruleSet?.priority).toBe(1);
    expect(ruleSet?.scope.buckets).toEqual(['data-*']);
  });

  it('resolves a chain of extends parent first, whatever the file order', () => {
    const resolved = resolve({
      'c.yaml': 'name: c\nextends: b\ndetectors:\n  - id: jwt\n',
      'b.yaml': 'name: b\nextends: base\ndetectors:\n  - id: email\n    action: { type: drop }\n',
      'base.yaml': base,
    }).get('c');

    expect(resolved?.files).toEqual(['base.yaml', 'b.yaml', 'c.yaml']);
    expect(resolved?.ruleSet.detectors.map((rule) => `${rule.id}:${rule.action.type}`)).toEqual([
      'email:drop',
      'phone:mask',
      'ipv4:redact',
      'jwt:redact',
    ]);
  });

  it('names the file and line where each merged entry was written', () => {
    const child = 'name: child\nextends: base\ndetectors:\n  - id: iban\n';
    const resolved = resolve({ 'base.yaml': base, 'child.yaml': child }).get('child');

    expect(resolved?.positionOf(['detectors', 1, 'action', 'type'])).toBe('base.yaml:9:21');
    expect(resolved?.positionOf(['detectors', 3, 'id'])).toBe('child.yaml:4:9');
    expect(resolved?.positionOf(['geo'])).toBe('base.yaml:15:3');
  });

  it('fails on a rule set name defined twice', () => {
    expect(failure({ 'a.yaml': 'name: shared\n', 'b.yaml': 'name: shared\n' })).toEqual([
      'b.yaml:1:7: name: rule set "shared" is already defined at a.yaml:1:7; names must be unique',
    ]);
  });

  it('fails on an unknown extends target, listing the known names', () => {
    expect(failure({ 'base.yaml': base, 'child.yaml': 'name: child\nextends: bsae\n' })).toEqual([
      'child.yaml:2:10: extends: got "bsae"; no rule set has that name; known: base',
    ]);
  });

  it('fails on a cycle of extends, naming the cycle once', () => {
    expect(
      failure({
        'a.yaml': 'name: a\nextends: c\n',
        'b.yaml': 'name: b\nextends: a\n',
        'c.yaml': 'name: c\nextends: b\n',
        'd.yaml': 'name: d\nextends: a\n',
      }),
    ).toEqual(['a.yaml:2:10: extends: cycle a → c → b → a; a rule set cannot extend itself']);
  });

  it('fails on a rule set extending itself', () => {
    expect(failure({ 'a.yaml': 'name: a\nextends: a\n' })).toEqual([
      'a.yaml:2:10: extends: cycle a → a; a rule set cannot extend itself',
    ]);
  });

  it('fails on a detector id repeated within a file', () => {
    expect(
      failure({ 'a.yaml': 'name: a\ndetectors:\n  - id: email\n  - id: phone\n  - id: email\n' }),
    ).toEqual([
      'a.yaml:5:9: detectors[2].id: got "email"; already used by detectors[0] at a.yaml:3:9; ids must be unique',
    ]);
  });

  it('fails on a field rule id repeated within a file', () => {
    const text = 'name: a\nfields:\n  - id: field-x\n    names: [x]\n  - id: field-x\n    names: [y]\n';

    expect(failure({ 'a.yaml': text })).toEqual([
      'a.yaml:5:9: fields[1].id: got "field-x"; already used by fields[0] at a.yaml:3:9; ids must be unique',
    ]);
  });

  it('fails on a field rule sharing its id with a detector, even across extends', () => {
    const child = 'name: child\nextends: base\nfields:\n  - id: email\n    names: [email]\n';

    expect(failure({ 'base.yaml': base, 'child.yaml': child })).toEqual([
      'child.yaml:4:9: fields[1].id: got "email"; rule set "child" already has a detector with that id at base.yaml:7:9; detector and field rule ids must differ (e.g. "field-email")',
    ]);
  });

  it('fails whole, reporting the problems of every file together', () => {
    const lines = failure({
      'a.yaml': 'name: a\nextends: missing\n',
      'b.yaml': base,
      'c.yaml': 'name: base\n',
    });

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^c\.yaml:1:7: name: rule set "base" is already defined/);
    expect(lines[1]).toMatch(/^a\.yaml:2:10: extends: got "missing"/);
  });

  it('inherits csv from the parent, and a child csv replaces it whole', () => {
    const parent = `${base}csv:\n  columns: [name, email]\n  header: absent\n`;
    const inheriting = 'name: inheriting\nextends: base\n';
    const replacing = 'name: replacing\nextends: base\ncsv: { header: present }\n';
    const resolved = resolve({ 'base.yaml': parent, 'a.yaml': inheriting, 'b.yaml': replacing });

    expect(resolved.get('inheriting')?.ruleSet.csv).toEqual({ columns: ['name', 'email'], header: 'absent' });
    expect(resolved.get('replacing')?.ruleSet.csv).toEqual({ header: 'present' });
    expect(resolved.get('replacing')?.positionOf(['csv'])).toBe('b.yaml:3:6');
    expect(resolve({ 'base.yaml': base }).get('base')?.ruleSet).not.toHaveProperty('csv');
  });

  describe('with a cache of validated merged documents', () => {
    it("takes the cache's output for a merged document instead of validating it", () => {
      const cached = { name: 'from the cache' } as unknown as RuleSet;
      const child = 'name: child\nextends: base\ndetectors:\n  - id: iban\n';
      const asked: unknown[] = [];
      const resolved = resolve({ 'base.yaml': base, 'child.yaml': child }, (document) => {
        asked.push(document);
        return document.name === 'child' ? cached : undefined;
      });

      expect(resolved.get('child')?.ruleSet).toBe(cached);
      expect(resolved.get('base')?.ruleSet.name).toBe('base');
      expect(asked).toContainEqual(expect.objectContaining({ name: 'child', extends: 'base' }));
      expect(resolved.get('child')?.positionOf(['detectors', 3])).toBe('child.yaml:4:5');
    });

    it('fails on an id shared by a detector and a field rule even when the cache holds the merged document', () => {
      const child = 'name: child\nextends: base\nfields:\n  - id: email\n    names: [email]\n';
      const cacheOfAll: ValidatedRuleSetLookup = (document) =>
        ({ name: document.name }) as unknown as RuleSet;

      expect(() => resolve({ 'base.yaml': base, 'child.yaml': child }, cacheOfAll)).toThrow(
        /already has a detector with that id at base\.yaml:7:9/,
      );
    });

    it('resolves every merged rule set to what validating it gives, from a cache of earlier outputs by their JSON', () => {
      const actions = ['redact', 'mask', 'hash', 'drop', 'keep'] as const;
      const detectorIds = ['email', 'phone', 'ipv4', 'iban', 'ssn'] as const;
      const childFile = fc.record({
        priority: fc.integer({ min: 0, max: 100 }),
        detectors: fc.uniqueArray(
          fc.record({ id: fc.constantFrom(...detectorIds), action: fc.constantFrom(...actions) }),
          { selector: (entry) => entry.id, maxLength: detectorIds.length },
        ),
        disabled: fc.subarray([...detectorIds]),
      });
      fc.assert(
        fc.property(fc.array(childFile, { maxLength: 4 }), (children) => {
          const files: Record<string, string> = { 'base.yaml': base };
          children.forEach((child, i) => {
            const detectors = [
              ...child.detectors.map(({ id, action }) => `  - id: ${id}\n    action: { type: ${action} }\n`),
              ...child.disabled
                .filter((id) => !child.detectors.some((entry) => entry.id === id))
                .map((id) => `  - id: ${id}\n    enabled: false\n`),
            ].join('');
            files[`child-${i}.yaml`] =
              `name: child-${i}\nextends: ${i === 0 ? 'base' : `child-${i - 1}`}\npriority: ${child.priority}\n` +
              (detectors === '' ? '' : `detectors:\n${detectors}`);
          });
          const outputs = new Map<string, RuleSet>();
          const documents = new Map<string, unknown>();
          const validated = resolve(files, (document) => {
            documents.set(document.name, document);
            return undefined;
          });
          for (const [name, { ruleSet }] of validated)
            outputs.set(JSON.stringify(documents.get(name)), ruleSet);
          let hits = 0;
          const cached = resolve(files, (document) => {
            const output = outputs.get(JSON.stringify(document));
            if (output !== undefined) hits++;
            return output;
          });

          expect(hits).toBe(validated.size);
          for (const [name, resolved] of validated) {
            expect(cached.get(name)?.ruleSet).toBe(resolved.ruleSet);
          }
          expect([...cached.keys()]).toEqual([...validated.keys()]);
        }),
      );
    });
  });
});
