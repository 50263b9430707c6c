import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { createLocalRuleSetSource, DEFAULT_RULES_DIR } from '../adapters/local-rule-set-source.ts';
import { detectorPackSchema } from '../core/redaction/pack-schema.ts';
import { ruleSetSchema } from '../core/redaction/rule-schema.ts';
import { renderPackTable, replacePackTable } from './render-pack-table.ts';

/** Where the published JSON Schema lives; rule files point at it with `# yaml-language-server: $schema=./schema.json`. */
export const schemaFile = fileURLToPath(new URL('../../redaction-rules/schema.json', import.meta.url));

/** The JSON Schema of pack files, beside them: `# yaml-language-server: $schema=./schema.json`. */
export const packSchemaFile = fileURLToPath(
  new URL('../../redaction-rules/packs/schema.json', import.meta.url),
);

/** The operator README, whose table of pack detectors is generated from the pack files. */
export const rulesReadmeFile = fileURLToPath(new URL('../../redaction-rules/README.md', import.meta.url));

/** The JSON Schema of a rule file (the input shape: keys with defaults are optional), as written to disk. */
export function renderRuleSetSchema(): string {
  return renderSchema(ruleSetSchema, {
    $id: 'urn:maskpoint:redaction-rules:rule-set',
    title: 'maskpoint rule set',
    description: 'A file in redaction-rules/: where a rule set applies and what it redacts.',
  });
}

/** The JSON Schema of a detector pack file, as written to disk. */
export function renderPackSchema(): string {
  return renderSchema(detectorPackSchema, {
    $id: 'urn:maskpoint:redaction-rules:detector-pack',
    title: 'maskpoint detector pack',
    description: 'A file in redaction-rules/packs/: detectors that rule sets enable by pack name.',
  });
}

/** The operator README with its pack table generated from the shipped pack files. */
export async function renderRulesReadme(): Promise<string> {
  const packs = await createLocalRuleSetSource(DEFAULT_RULES_DIR).loadPacks();
  return replacePackTable(await readFile(rulesReadmeFile, 'utf8'), renderPackTable(packs));
}

function renderSchema(
  schema: z.ZodType,
  header: { $id: string; title: string; description: string },
): string {
  const { $schema, ...rest } = z.toJSONSchema(schema, { io: 'input' });
  return `${JSON.stringify({ $schema, ...header, ...rest }, null, 2)}\n`;
}

/**
 * Writes `redaction-rules/schema.json`, `redaction-rules/packs/schema.json` and the pack table of
 * `redaction-rules/README.md`; with `--check`, only compares and exits 1 when one is stale.
 * Run as `npm run schema` / `npm run schema:check`.
 */
async function main(args: readonly string[]): Promise<number> {
  const outputs: [string, string][] = [
    [schemaFile, renderRuleSetSchema()],
    [packSchemaFile, renderPackSchema()],
    [rulesReadmeFile, await renderRulesReadme()],
  ];
  if (args.includes('--check')) {
    let stale = 0;
    for (const [file, expected] of outputs) {
      if ((await readFile(file, 'utf8').catch(() => '')) === expected) continue;
      process.stderr.write(`${file} is stale: run npm run schema\n`);
      stale++;
    }
    return stale === 0 ? 0 : 1;
  }
  for (const [file, text] of outputs) {
    await writeFile(file, text);
    process.stdout.write(`wrote ${file}\n`);
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
