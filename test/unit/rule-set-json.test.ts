import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DetectorPack } from '../../functions/core/redaction/pack-schema.ts';
import type { RuleSet } from '../../functions/core/redaction/rule-schema.ts';
import { ruleSetJson, updateWithRuleSetJson } from '../../functions/core/redaction/rule-set-json.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Objects of any JSON values, standing for rule sets and packs (only their JSON is read). */
const document = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 6 });

describe('ruleSetJson and updateWithRuleSetJson (the compile check key and the version hash)', () => {
  it('hash the bytes of JSON.stringify({ ruleSet, packs }), packs as packs or as [name, pack] pairs', () => {
    fc.assert(
      fc.property(document, fc.array(fc.tuple(fc.string(), document), { maxLength: 4 }), (ruleSet, named) => {
        const set = ruleSet as unknown as RuleSet;
        const packs = named.map(([, pack]) => pack as unknown as DetectorPack);
        const pairs = named.map(([name, pack]) => [name, pack as unknown as DetectorPack] as const);
        expect(updateWithRuleSetJson(createHash('sha256'), set, packs).digest('hex')).toBe(
          sha256(JSON.stringify({ ruleSet, packs })),
        );
        expect(updateWithRuleSetJson(createHash('sha256'), set, pairs).digest('hex')).toBe(
          sha256(JSON.stringify({ ruleSet, packs: pairs })),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('serialises each object once: the same object gives the same text, an equal copy its own', () => {
    fc.assert(
      fc.property(document, (value) => {
        const set = value as unknown as RuleSet;
        const json = ruleSetJson(set);
        expect(json).toBe(JSON.stringify(value));
        expect(ruleSetJson(set)).toBe(json);
        expect(ruleSetJson(structuredClone(value) as unknown as RuleSet)).toBe(json);
      }),
    );
  });
});
