import { parseArgs } from 'node:util';
import { openRedactionStream } from '../adapters/node-redaction-stream.ts';
import { loadRules, RULES_OPTIONS } from './load-rules.ts';
import { startProgress } from './progress.ts';
import { openInput } from './read-input.ts';
import { UsageError } from './usage-error.ts';
import { writeToStdout } from './write-to-stdout.ts';

/** `maskpoint redact FILE|-`: writes the redacted object to stdout. */
export async function redactCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...RULES_OPTIONS, 'content-type': { type: 'string' } },
  });
  const path = positionals[0];
  if (path === undefined || positionals.length > 1)
    throw new UsageError('redact takes one FILE, or - for standard input');
  const ruleSet = await loadRules(values);
  const input = openInput(path);
  const redaction = await openRedactionStream(input.stream, {
    ruleSet,
    key: path === '-' ? undefined : path,
    contentType: values['content-type'],
  });
  const stopProgress = startProgress(() => redaction.bytes.in, input.sizeBytes);
  try {
    await writeToStdout(redaction.body);
  } finally {
    stopProgress();
  }
  return 0;
}
