import { MaskpointError } from '../core/errors.ts';
import type { RuleRegistry } from '../core/rule-registry.ts';

/**
 * Compiles the rule sets `compileRegistry` left for their first use, one per turn of the event
 * loop, so that a gateway that listens early has them ready by its first requests without
 * holding up one that arrives meanwhile (a request for a rule set not yet compiled compiles it
 * itself). Lowest priority first: the catch-all rule set most requests fall to. Compiling one
 * the bundle's build compiled does not fail; should it, `report` says which, and each request
 * for it fails as it would have.
 */
export function compileRuleSetsWhenIdle(rules: RuleRegistry, report: (text: string) => void): void {
  const names = [...rules.ruleSets].sort((a, b) => a.priority - b.priority).map((ruleSet) => ruleSet.name);
  const compileNext = () => {
    const name = names.shift();
    if (name === undefined) return;
    try {
      rules.compiled.get(name);
    } catch (error) {
      // Domain errors carry safe messages; anything else is named by type only.
      const reason =
        error instanceof MaskpointError ? error.message : `unexpected ${(error as Error)?.name ?? 'error'}`;
      report(`maskpoint: rule set "${name}" did not compile: ${reason.replaceAll('\n', '\n  ')}\n`);
    }
    setImmediate(compileNext).unref();
  };
  setImmediate(compileNext).unref();
}
