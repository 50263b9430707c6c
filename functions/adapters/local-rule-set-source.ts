import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleSetSource } from '../core/ports/rule-set-source.ts';
import { type ResolvedRuleSet, resolveRuleSets } from '../core/redaction/rule-catalog.ts';
import { parseRuleFiles } from '../core/redaction/rule-file.ts';

/** The project's own rule sets (`redaction-rules/`), used when no directory is given. */
export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../redaction-rules/', import.meta.url));

/**
 * A rule set source reading every `*.yaml` and `*.yml` file directly in `dir` (not its
 * subdirectories), in name order. Files are reported by their path as given (`dir/name.yaml`).
 */
export function createLocalRuleSetSource(dir: string): RuleSetSource {
  return {
    async load() {
      const names = (await readdir(dir, { withFileTypes: true }))
        .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
        .map((entry) => entry.name)
        .sort();
      const sources = await Promise.all(
        names.map(async (name) => {
          const file = join(dir, name);
          return { file, text: await readFile(file, 'utf8') };
        }),
      );
      return parseRuleFiles(sources);
    },
  };
}

/**
 * Loads and resolves the rule sets in `dir`, by name.
 *
 * @throws RuleValidationError when any file is invalid; the catalog is never partly loaded.
 */
export async function loadRuleCatalog(dir: string): Promise<Map<string, ResolvedRuleSet>> {
  return resolveRuleSets(await createLocalRuleSetSource(dir).load());
}
