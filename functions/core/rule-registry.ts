import { RuleValidationError } from './errors.ts';
import type { TokenKeys } from './ports/token-keyring.ts';
import { compileRuleSet } from './redaction/compile-rule-set.ts';
import type { CompiledRuleSet } from './redaction/redactor.ts';
import type { ResolvedRuleSet } from './redaction/rule-catalog.ts';
import type { RuleSet } from './redaction/rule-schema.ts';

/** Every rule set of a catalog, resolved and compiled, ready to choose from per request. */
export interface RuleRegistry {
  readonly ruleSets: readonly RuleSet[];
  readonly compiled: ReadonlyMap<string, CompiledRuleSet>;
}

/**
 * Compiles every rule set of a resolved catalog. All or nothing: the problems of every rule set
 * are reported together and no rule set is served when any fails.
 */
export function compileRegistry(
  catalog: ReadonlyMap<string, ResolvedRuleSet>,
  keys: TokenKeys,
): RuleRegistry {
  const compiled = new Map<string, CompiledRuleSet>();
  const problems: string[] = [];
  for (const [name, resolved] of catalog) {
    try {
      compiled.set(
        name,
        compileRuleSet(resolved.ruleSet, keys, (path) => resolved.positionOf(path), resolved.packs),
      );
    } catch (error) {
      if (!(error instanceof RuleValidationError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new RuleValidationError(problems.join('\n'));
  return { ruleSets: [...catalog.values()].map((resolved) => resolved.ruleSet), compiled };
}
