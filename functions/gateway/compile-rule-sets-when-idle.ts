import { MaskpointError } from '../core/errors.ts';
import type { RuleRegistry } from '../core/rule-registry.ts';
import type { ServerActivity } from './server-activity.ts';

/** A server that never answers: work waits for nothing. */
const ALWAYS_IDLE: ServerActivity = { isIdle: true, whenIdle: async () => {} };

/**
 * Compiles the rule sets `compileRegistry` left for their first use, one per turn of the event
 * loop and only while `activity` says the server is idle, so that a gateway that listens early has
 * them ready by its first requests without holding up one that arrives meanwhile (a request for a
 * rule set not yet compiled compiles it itself): a request whose connection is accepted during a
 * compile is answered before the next one starts. Lowest priority first: the catch-all rule set
 * most requests fall to. Compiling one the bundle's build compiled does not fail; should it,
 * `report` says which, and each request for it fails as it would have.
 */
export function compileRuleSetsWhenIdle(
  rules: RuleRegistry,
  report: (text: string) => void,
  activity: ServerActivity = ALWAYS_IDLE,
): void {
  const names = [...rules.ruleSets].sort((a, b) => a.priority - b.priority).map((ruleSet) => ruleSet.name);
  const compileNext = () => {
    if (names.length === 0) return;
    if (!activity.isIdle) {
      // Checked again a turn later: the last response's close may come before a new connection's accept.
      void activity.whenIdle().then(() => setImmediate(compileNext).unref());
      return;
    }
    const name = names.shift() as string;
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
