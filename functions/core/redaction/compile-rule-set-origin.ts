import { compileRuleSet } from './compile-rule-set.ts';
import type { CompiledPack } from './compiled-pack.ts';
import { compilePackFile } from './detector-pack.ts';
import type { PatternFactsLookup } from './pattern-facts.ts';
import type { CompiledRuleSet, RuleSetOrigin } from './redactor.ts';

/**
 * Compiles a rule set again from its `origin` (in a worker thread, which cannot receive the
 * compiled functions), with the pattern facts `cachedFacts` holds. A pack is taken as the schema's
 * output it already is, not parsed and validated again (YAML and zod were ~45 % of a worker's
 * start); its form written as JSON, which is YAML, only places a problem of its patterns.
 */
export function compileRuleSetOrigin(
  origin: RuleSetOrigin,
  cachedFacts?: PatternFactsLookup,
): CompiledRuleSet {
  const packs = new Map<string, CompiledPack>();
  for (const { file, pack } of origin.packs) {
    const compiled = compilePackFile(JSON.stringify(pack), file, pack, cachedFacts, pack);
    packs.set(compiled.name, compiled);
  }
  return compileRuleSet(origin.ruleSet, origin.keys, undefined, packs);
}
