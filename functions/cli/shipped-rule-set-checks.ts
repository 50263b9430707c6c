import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  createLocalRuleSetSource,
  DEFAULT_RULES_DIR,
  loadRuleCatalog,
  PACKS_SUBDIR,
  type RuleFileKind,
  validatedRuleSetKey,
} from '../adapters/local-rule-set-source.ts';
import { compileRuleSet } from '../core/redaction/compile-rule-set.ts';
import { type AnchorFactsJson, builtAnchorFacts } from '../core/redaction/detectors/anchor-facts.ts';
import { type AutomataCache, builtAutomata } from '../core/redaction/detectors/anchor-search.ts';
import { detectorPackSchema } from '../core/redaction/pack-schema.ts';
import { resolveRuleSets } from '../core/redaction/rule-catalog.ts';
import { type RuleSetDocument, ruleSetSchema } from '../core/redaction/rule-schema.ts';
import { compileCheckKey } from '../core/rule-registry.ts';

/** Token keys for the check alone: any keys bind the actions alike. */
const CHECK_KEYS = { currentKeyId: 'check', keys: new Map([['check', new Uint8Array(32)]]) };

/**
 * The schema's output for each shipped rule file (`rules`) and pack file (`packs`) whose value in
 * `parsedRules` (what YAML reads from it, by the SHA-256 of its text) is valid: what
 * bin/cli-bundle.js writes to VALIDATED_RULES_FILE, run from a bundle of this module beside the
 * CLI's chunks, so with the schemas `serve` validates with. Invalid files, and outputs JSON cannot
 * carry exactly, are left out: they are validated, and reported, at start.
 */
export function validatedShippedRules(
  parsedRules: Readonly<Record<string, unknown>>,
  rulesDir = DEFAULT_RULES_DIR,
): Record<RuleFileKind, Record<string, unknown>> {
  const validated: Record<RuleFileKind, Record<string, unknown>> = { rules: {}, packs: {} };
  const dirs = [
    [rulesDir, 'rules', ruleSetSchema],
    [join(rulesDir, PACKS_SUBDIR), 'packs', detectorPackSchema],
  ] as const;
  for (const [dir, kind, schema] of dirs) {
    const names = existsSync(dir) ? readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)) : [];
    for (const name of names) {
      const hash = createHash('sha256')
        .update(readFileSync(join(dir, name), 'utf8'))
        .digest('hex');
      if (!Object.hasOwn(parsedRules, hash)) continue;
      const result = schema.safeParse(parsedRules[hash]);
      if (!result.success) continue;
      if (!isDeepStrictEqual(JSON.parse(JSON.stringify(result.data)), result.data)) continue;
      validated[kind][hash] = result.data;
    }
  }
  return validated;
}

/**
 * The schema's output for each shipped rule set with `extends` merged, by `validatedRuleSetKey` of
 * the merged document: the `ruleSets` entry of VALIDATED_RULES_FILE, worked out as
 * {@link shippedRuleSetChecks} is, after the files' entries are written, with the schema `serve`
 * validates with. Rules that do not load, and outputs JSON cannot carry exactly, are left out:
 * they are validated, and reported, at start.
 */
export async function validatedShippedRuleSets(
  rulesDir = DEFAULT_RULES_DIR,
): Promise<Record<string, unknown>> {
  const validated: Record<string, unknown> = {};
  const documents = new Map<string, RuleSetDocument>();
  const source = createLocalRuleSetSource(rulesDir);
  try {
    const [files, packs] = await Promise.all([source.load(), source.loadPacks()]);
    // Asked of every merged document before it is validated: none is known yet.
    const catalog = resolveRuleSets(files, packs, (document) => {
      documents.set(document.name, document);
      return undefined;
    });
    for (const [name, { ruleSet }] of catalog) {
      const document = documents.get(name);
      const key = document === undefined ? undefined : validatedRuleSetKey(document);
      if (key === undefined || !isDeepStrictEqual(JSON.parse(JSON.stringify(ruleSet)), ruleSet)) continue;
      validated[key] = ruleSet;
    }
  } catch {
    // Reported at start, with the file and line.
  }
  return validated;
}

/**
 * The shipped rule sets that compile without a problem, by `compileCheckKey` (the value names
 * the rule set, for a reader): what bin/cli-bundle.js writes to COMPILED_RULE_SETS_FILE, run as
 * {@link validatedShippedRules} is and after its file is written, so loading the rules here reads
 * the shipped-rule files `serve` reads and compiles with the code it runs. Rules that do not load,
 * and rule sets that do not compile, are left out, whatever the error: they are compiled, and
 * reported, at start.
 */
export async function shippedRuleSetChecks(rulesDir = DEFAULT_RULES_DIR): Promise<Record<string, string>> {
  const checks: Record<string, string> = {};
  let catalog: Awaited<ReturnType<typeof loadRuleCatalog>>;
  try {
    catalog = await loadRuleCatalog(rulesDir);
  } catch {
    return checks;
  }
  for (const [name, resolved] of catalog) {
    try {
      compileRuleSet(resolved.ruleSet, CHECK_KEYS, (path) => resolved.positionOf(path), resolved.packs);
    } catch {
      continue;
    }
    checks[compileCheckKey(resolved)] = name;
  }
  return checks;
}

/**
 * The anchor automata {@link shippedRuleSetChecks} built compiling the shipped rule sets, by their
 * anchors: what bin/cli-bundle.js writes to ANCHOR_AUTOMATA_FILE and its binary file, run after it in the same
 * module, with that file removed before so that every automaton is built by the code `serve`
 * runs, none read from an earlier build.
 */
export function shippedAnchorAutomata(): AutomataCache {
  return builtAutomata();
}

/**
 * The anchor facts {@link shippedRuleSetChecks} worked out compiling the shipped rule sets, by
 * `anchorFactsKey`: what bin/cli-bundle.js writes to ANCHOR_FACTS_FILE, with that file removed
 * before, as {@link shippedAnchorAutomata} is.
 */
export function shippedAnchorFacts(): Record<string, AnchorFactsJson> {
  return builtAnchorFacts();
}
