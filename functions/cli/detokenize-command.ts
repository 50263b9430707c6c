import { parseArgs } from 'node:util';
import { createLocalTokenKeyring } from '../adapters/local-token-keyring.ts';
import { resolveMaskpointHome } from '../adapters/maskpoint-home.ts';
import { detokenizeDigits, detokenizeText } from '../core/redaction/actions/detokenize.ts';
import { openInput } from './read-input.ts';
import { UsageError } from './usage-error.ts';

/** `maskpoint detokenize`: reverses SIV tokens in text, or one FF1 token given its key id. */
export async function detokenizeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ff1: { type: 'boolean', default: false }, 'key-id': { type: 'string' } },
  });
  const keys = await createLocalTokenKeyring(resolveMaskpointHome()).load();
  if (values.ff1) {
    const value = positionals[0];
    if (value === undefined || positionals.length > 1)
      throw new UsageError('detokenize --ff1 takes one VALUE');
    process.stdout.write(`${detokenizeDigits(value, values['key-id'] ?? keys.currentKeyId, keys)}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('detokenize takes one FILE, or - for standard input');
  const input = openInput(positionals[0] ?? '-');
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of input.stream) chunks.push(Buffer.from(chunk));
  } finally {
    await input.close();
  }
  const { text, count } = detokenizeText(Buffer.concat(chunks).toString('utf8'), keys);
  process.stdout.write(text);
  process.stderr.write(`detokenized ${count} token(s)\n`);
  return 0;
}
