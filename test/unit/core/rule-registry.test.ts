import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RuleValidationError } from '../../../functions/core/errors.ts';
import { resolveRuleSets } from '../../../functions/core/redaction/rule-catalog.ts';
import { parseRuleFile } from '../../../functions/core/redaction/rule-file.ts';
import { compileCheckKey, compileRegistry } from '../../../functions/core/rule-registry.ts';
import { testTokenKeys } from '../actions/test-token-keys.ts';

const keys = testTokenKeys('k1');

/** Rule sets that compile, and one (`broken`) that resolves but does not compile. */
const files: Record<string, string> = {
  'base.yaml': 'name: base\ndetectors:\n  - id: email\n  - id: phone\n',
  'child.yaml': 'name: child\nextends: base\npriority: 5\ndetectors:\n  - id: ipv4\n',
  'other.yaml': 'name: other\nfields:\n  - id: field-secrets\n    names: [password]\n',
  'broken.yaml': 'name: broken\ndetectors:\n  - id: email\n  - id: no-such-detector\n',
};

function catalogOf(names: readonly string[]) {
  return resolveRuleSets(names.map((name) => parseRuleFile(files[`${name}.yaml`] as string, `${name}.yaml`)));
}

/** What a compiled rule set does, for comparing two compilations of it. */
function behaviour(registry: ReturnType<typeof compileRegistry>, name: string) {
  const compiled = registry.compiled.get(name);
  return compiled && { versionHash: compiled.versionHash, detectorIds: compiled.detectorIds };
}

describe('compileRegistry', () => {
  it('compiles every rule set a check does not vouch for, reporting the problems of all at once', () => {
    const catalog = catalogOf(['base', 'broken']);

    expect(() => compileRegistry(catalog, keys)).toThrow(RuleValidationError);
    expect(() => compileRegistry(catalog, keys)).toThrow(
      /broken\.yaml:4:5: unknown built-in detector "no-such-detector"/,
    );
  });

  it('compiles a rule set the check vouches for on first use, once, and as it would have at once', () => {
    fc.assert(
      fc.property(
        fc.subarray(['base', 'child', 'other']),
        fc.subarray(['base', 'child', 'other']),
        (known, asked) => {
          const catalog = catalogOf(['base', 'child', 'other']);
          const knownKeys = new Set(known.map((name) => compileCheckKey(catalog.get(name) as never)));
          const eager = compileRegistry(catalog, keys);
          const registry = compileRegistry(catalog, keys, (key) => knownKeys.has(key));

          expect(registry.compiled.size).toBe(3);
          expect([...registry.compiled.keys()]).toEqual(['base', 'child', 'other']);
          for (const name of asked) {
            const first = registry.compiled.get(name);
            expect(registry.compiled.get(name)).toBe(first);
            expect(behaviour(registry, name)).toEqual(behaviour(eager, name));
          }
          expect([...registry.compiled.values()].map((compiled) => compiled.name)).toEqual([
            'base',
            'child',
            'other',
          ]);
          expect(registry.compiled.get('missing')).toBeUndefined();
          expect(registry.compiled.has('missing')).toBe(false);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('leaves a rule set the check vouches for unchecked until it is used', () => {
    const catalog = catalogOf(['base', 'broken']);
    const brokenKey = compileCheckKey(catalog.get('broken') as never);

    const registry = compileRegistry(catalog, keys, (key) => key === brokenKey);

    expect(registry.compiled.get('base')?.name).toBe('base');
    expect(() => registry.compiled.get('broken')).toThrow(/unknown built-in detector "no-such-detector"/);
  });
});

describe('compileCheckKey', () => {
  it('differs for rule sets that differ, and for the packs they enable; equal for the same rule set read twice', () => {
    const [first, second] = [catalogOf(['base', 'child', 'other']), catalogOf(['base', 'child', 'other'])];
    const keysOf = (catalog: ReturnType<typeof catalogOf>) =>
      [...catalog.values()].map((resolved) => compileCheckKey(resolved));

    expect(keysOf(first)).toEqual(keysOf(second));
    expect(new Set(keysOf(first)).size).toBe(3);
    const base = first.get('base');
    if (base === undefined) throw new Error('no base');
    expect(compileCheckKey({ ...base, packs: new Map([['p', { pack: { pack: 'p' } } as never]]) })).not.toBe(
      compileCheckKey(base),
    );
  });
});
