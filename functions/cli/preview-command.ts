import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { structuredPatch } from 'diff';
import { openRedactionStream } from '../adapters/node-redaction-stream.ts';
import { loadRules, RULES_OPTIONS } from './load-rules.ts';
import { UsageError } from './usage-error.ts';

/** Preview holds the sample and its redaction in memory. */
const MAX_PREVIEW_BYTES = 50 * 1024 * 1024;

/** `maskpoint preview FILE`: a diff of what redaction changes, with counts per rule id. */
export async function previewCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...RULES_OPTIONS, 'content-type': { type: 'string' } },
  });
  const path = positionals[0];
  if (path === undefined || positionals.length > 1) throw new UsageError('preview takes one FILE');
  if (statSync(path).size > MAX_PREVIEW_BYTES) {
    throw new UsageError(
      `preview is for samples up to ${MAX_PREVIEW_BYTES / 1024 / 1024} MB; use redact for ${path}`,
    );
  }
  const ruleSet = await loadRules(values);
  const stored = readFileSync(path);
  const redaction = await openRedactionStream(oneChunk(stored), {
    ruleSet,
    key: path,
    contentType: values['content-type'],
  });
  const chunks: Uint8Array[] = [];
  for await (const chunk of redaction.body) chunks.push(chunk);
  const isGzip = redaction.format?.isGzip ?? false;
  const isJson = redaction.format?.format === 'json';
  const before = readable(stored, isGzip, isJson);
  const after = readable(Buffer.concat(chunks), isGzip, isJson);

  const color = process.stdout.isTTY ? COLORS : NO_COLORS;
  const patch = structuredPatch(path, `${path} (redacted)`, before, after, '', '', { context: 1 });
  const out: string[] = [
    `${color.bold}--- ${path}\n+++ ${path} (redacted, rule set ${ruleSet.name})${color.reset}`,
  ];
  for (const hunk of patch.hunks) {
    out.push(`${color.cyan}@@ line ${hunk.oldStart} @@${color.reset}`);
    for (const line of hunk.lines) {
      if (line.startsWith('-')) out.push(`${color.red}${line}${color.reset}`);
      else if (line.startsWith('+')) out.push(`${color.green}${line}${color.reset}`);
      else out.push(line);
    }
  }
  if (patch.hunks.length === 0) out.push('(no changes)');
  out.push('', `${color.bold}changes per rule${color.reset}`);
  const counts = [...redaction.redactor.counts].sort(([a], [b]) => a.localeCompare(b));
  for (const [ruleId, count] of counts) out.push(`  ${ruleId.padEnd(28)} ${count}`);
  if (counts.length === 0) out.push('  (none)');
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

/** Text to diff: decompressed, and JSON laid out one value per line so changes line up. */
function readable(bytes: Uint8Array, isGzip: boolean, isJson: boolean): string {
  const text = Buffer.from(isGzip ? gunzipSync(bytes) : bytes).toString('utf8');
  return isJson ? `${JSON.stringify(JSON.parse(text), null, 2)}\n` : text;
}

const COLORS = { red: '\x1b[31m', green: '\x1b[32m', cyan: '\x1b[36m', bold: '\x1b[1m', reset: '\x1b[0m' };
const NO_COLORS = { red: '', green: '', cyan: '', bold: '', reset: '' };

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
