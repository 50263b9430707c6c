import type { CompiledPack } from './compiled-pack.ts';
import type { RuleFileDocument } from './rule-file.ts';
import { type RuleSet, type RuleSetDocument, ruleSetSchema } from './rule-schema.ts';
import { type ResolvedRuleSet, type RuleSetValidation, resolveRuleSetFiles } from './rule-set-resolution.ts';

/**
 * The schema's output for a merged rule set document when a cache of documents known valid holds
 * it (see `VALIDATED_RULES_FILE`), else `undefined`: the document is then validated.
 */
export type ValidatedRuleSetLookup = (document: RuleSetDocument) => RuleSet | undefined;

/**
 * Resolves a catalog of rule files into rule sets by name, with the detector packs they enable,
 * as {@link resolveRuleSetFiles} does, validating each merged document with the rule set schema
 * unless `validated` holds its output.
 *
 * @throws RuleValidationError listing every problem, one per line, each naming file:line:column.
 */
export function resolveRuleSets(
  files: readonly RuleFileDocument[],
  packs: readonly CompiledPack[] = [],
  validated: ValidatedRuleSetLookup = () => undefined,
): Map<string, ResolvedRuleSet> {
  const resolved = resolveRuleSetFiles(files, packs, (document) => {
    const cached = validated(document);
    return cached === undefined ? validateRuleSet(document) : { ruleSet: cached };
  });
  // Every document gets an answer here: only a validator that cannot tell stops the resolution.
  return resolved as Map<string, ResolvedRuleSet>;
}

/** What the rule set schema says of a merged document: its output, or its issues. */
export function validateRuleSet(document: RuleSetDocument): RuleSetValidation {
  const result = ruleSetSchema.safeParse(document);
  if (result.success) return { ruleSet: result.data };
  return {
    issues: result.error.issues.map((issue) => ({
      path: issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol'),
      message: issue.message,
    })),
  };
}
