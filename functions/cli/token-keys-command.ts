import { parseArgs } from 'node:util';
import { createLocalTokenKeyring } from '../adapters/local-token-keyring.ts';
import { resolveMaskpointHome } from '../adapters/maskpoint-home.ts';
import { UsageError } from './usage-error.ts';

/**
 * `maskpoint token-keys list|rotate`: the local token keys in `$MASKPOINT_HOME`. `rotate` makes
 * a new key current for new tokens; old keys stay, so earlier tokens still reverse. Key material
 * is never printed.
 */
export async function tokenKeysCommand(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [action] = positionals;
  if ((action !== 'list' && action !== 'rotate') || positionals.length > 1) {
    throw new UsageError('token-keys takes list or rotate');
  }
  const keyring = createLocalTokenKeyring(resolveMaskpointHome());
  if (action === 'rotate') {
    process.stdout.write(`current token key: ${await keyring.rotate()}\n`);
    return 0;
  }
  const keys = await keyring.load();
  for (const keyId of keys.keys.keys()) {
    process.stdout.write(`${keyId}${keyId === keys.currentKeyId ? ' (current)' : ''}\n`);
  }
  return 0;
}
