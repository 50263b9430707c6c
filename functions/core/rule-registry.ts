import { createHash } from 'node:crypto';
import { RuleValidationError } from './errors.ts';
import type { TokenKeys } from './ports/token-keyring.ts';
import { compileRuleSet } from './redaction/compile-rule-set.ts';
import type { CompiledRuleSet } from './redaction/redactor.ts';
import type { RuleSet } from './redaction/rule-schema.ts';
import { updateWithRuleSetJson } from './redaction/rule-set-json.ts';
import type { ResolvedRuleSet } from './redaction/rule-set-resolution.ts';

/** Every rule set of a catalog, resolved and compiled, ready to choose from per request. */
export interface RuleRegistry {
  readonly ruleSets: readonly RuleSet[];
  readonly compiled: ReadonlyMap<string, CompiledRuleSet>;
}

/**
 * Compiles every rule set of a resolved catalog. All or nothing: the problems of every rule set
 * are reported together and no rule set is served when any fails.
 *
 * A rule set whose {@link compileCheckKey} `isKnownToCompile` accepts (one the same code compiled
 * without a problem before, as the CLI bundle's build does for the shipped rules) cannot fail
 * here, so it is compiled when `compiled` is first asked for it instead: a start does not pay for
 * rule sets its first requests do not use. The others are compiled, and checked, now.
 */
export function compileRegistry(
  catalog: ReadonlyMap<string, ResolvedRuleSet>,
  keys: TokenKeys,
  isKnownToCompile: (key: string) => boolean = () => false,
): RuleRegistry {
  const compiled = new CompiledOnFirstUse(catalog, keys);
  const problems: string[] = [];
  for (const [name, resolved] of catalog) {
    if (isKnownToCompile(compileCheckKey(resolved))) continue;
    try {
      compiled.get(name);
    } catch (error) {
      if (!(error instanceof RuleValidationError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new RuleValidationError(problems.join('\n'));
  return { ruleSets: [...catalog.values()].map((resolved) => resolved.ruleSet), compiled };
}

/**
 * What compiling a resolved rule set reads, as a SHA-256 of the JSON of the rule set and the packs
 * it enables (each serialised once, see `ruleSetJson`). Two rule sets with the same key compile
 * alike (the token keys only bind actions).
 */
export function compileCheckKey(resolved: ResolvedRuleSet): string {
  const packs = [...resolved.packs].map(([name, pack]) => [name, pack.pack] as const);
  return updateWithRuleSetJson(createHash('sha256'), resolved.ruleSet, packs).digest('hex');
}

/** The rule sets of a catalog by name, each compiled the first time it is asked for, once. */
class CompiledOnFirstUse implements ReadonlyMap<string, CompiledRuleSet> {
  readonly #catalog: ReadonlyMap<string, ResolvedRuleSet>;
  readonly #keys: TokenKeys;
  readonly #compiled = new Map<string, CompiledRuleSet>();

  constructor(catalog: ReadonlyMap<string, ResolvedRuleSet>, keys: TokenKeys) {
    this.#catalog = catalog;
    this.#keys = keys;
  }

  get size(): number {
    return this.#catalog.size;
  }

  has(name: string): boolean {
    return this.#catalog.has(name);
  }

  get(name: string): CompiledRuleSet | undefined {
    const done = this.#compiled.get(name);
    if (done !== undefined) return done;
    const resolved = this.#catalog.get(name);
    if (resolved === undefined) return undefined;
    const compiled = compileRuleSet(
      resolved.ruleSet,
      this.#keys,
      (path) => resolved.positionOf(path),
      resolved.packs,
    );
    this.#compiled.set(name, compiled);
    return compiled;
  }

  keys(): MapIterator<string> {
    return this.#catalog.keys();
  }

  *values(): MapIterator<CompiledRuleSet> {
    for (const [, compiled] of this.entries()) yield compiled;
  }

  *entries(): MapIterator<[string, CompiledRuleSet]> {
    for (const name of this.#catalog.keys()) yield [name, this.get(name) as CompiledRuleSet];
  }

  [Symbol.iterator](): MapIterator<[string, CompiledRuleSet]> {
    return this.entries();
  }

  forEach(
    callback: (value: CompiledRuleSet, key: string, map: ReadonlyMap<string, CompiledRuleSet>) => void,
    thisArg?: unknown,
  ): void {
    for (const [name, compiled] of this.entries()) callback.call(thisArg, compiled, name, this);
  }
}
