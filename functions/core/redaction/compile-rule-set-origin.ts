import { compileRuleSet } from './compile-rule-set.ts';
import type { CompiledPack } from './compiled-pack.ts';
import { compilePackFile } from './detector-pack.ts';
import type { CompiledRuleSet, RuleSetOrigin } from './redactor.ts';

/**
 * Compiles a rule set again from its `origin` (in a worker thread, which cannot receive the
 * compiled functions). A pack is compiled from its parsed form written as JSON, which is YAML.
 */
export function compileRuleSetOrigin(origin: RuleSetOrigin): CompiledRuleSet {
  const packs = new Map<string, CompiledPack>();
  for (const { file, pack } of origin.packs) {
    const compiled = compilePackFile(JSON.stringify(pack), file);
    packs.set(compiled.name, compiled);
  }
  return compileRuleSet(origin.ruleSet, origin.keys, undefined, packs);
}
