import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ruleSetSchema } from '../core/redaction/rule-schema.ts';

/** Where the published JSON Schema lives; rule files point at it with `# yaml-language-server: $schema=./schema.json`. */
export const schemaFile = fileURLToPath(new URL('../../redaction-rules/schema.json', import.meta.url));

/** The JSON Schema of a rule file (the input shape: keys with defaults are optional), as written to disk. */
export function renderRuleSetSchema(): string {
  const { $schema, ...schema } = z.toJSONSchema(ruleSetSchema, { io: 'input' });
  const document = {
    $schema,
    $id: 'urn:maskpoint:redaction-rules:rule-set',
    title: 'maskpoint rule set',
    description: 'A file in redaction-rules/: where a rule set applies and what it redacts.',
    ...schema,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Writes `redaction-rules/schema.json`; with `--check`, only compares and exits 1 when it is stale.
 * Run as `npm run schema` / `npm run schema:check`.
 */
async function main(args: readonly string[]): Promise<number> {
  const expected = renderRuleSetSchema();
  if (args.includes('--check')) {
    const actual = await readFile(schemaFile, 'utf8').catch(() => '');
    if (actual === expected) return 0;
    process.stderr.write('schema.json is stale: run npm run schema\n');
    return 1;
  }
  await writeFile(schemaFile, expected);
  process.stdout.write(`wrote ${schemaFile}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
