import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLocalTokenKeyring } from '../../../functions/adapters/local-token-keyring.ts';
import { tokenKeysCommand } from '../../../functions/cli/token-keys-command.ts';
import { UsageError } from '../../../functions/cli/usage-error.ts';
import { sivDetokenize, sivTokenize } from '../../../functions/core/redaction/actions/siv-token.ts';
import { tokenSubkeys } from '../../../functions/core/redaction/actions/token-subkeys.ts';

describe('tokenKeysCommand', () => {
  let root: string;
  let stdout: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'maskpoint-token-keys-'));
    vi.stubEnv('MASKPOINT_HOME', root);
    stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    rmSync(root, { recursive: true, force: true });
  });

  it('rotates to a new current key while earlier tokens still reverse', async () => {
    const before = await createLocalTokenKeyring(root).load();
    const token = sivTokenize('jane@example.com', 'k1', tokenSubkeys(before, 'k1').siv);
    expect(await tokenKeysCommand(['rotate'])).toBe(0);
    expect(stdout).toBe('current token key: k2\n');
    const after = await createLocalTokenKeyring(root).load();
    expect(after.currentKeyId).toBe('k2');
    expect(sivDetokenize(token, after)).toBe('jane@example.com');
  });

  it('lists key ids and marks the current one, never key material', async () => {
    await tokenKeysCommand(['rotate']);
    stdout = '';
    expect(await tokenKeysCommand(['list'])).toBe(0);
    expect(stdout).toBe('k1\nk2 (current)\n');
    const material = Object.values(
      JSON.parse(readFileSync(join(root, 'token-keys.json'), 'utf8')).keys,
    ) as string[];
    for (const key of material) expect(stdout).not.toContain(key);
  });

  it('rejects an unknown action', async () => {
    await expect(tokenKeysCommand(['delete'])).rejects.toBeInstanceOf(UsageError);
  });
});
