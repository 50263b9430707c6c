import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalTokenKeyring } from '../../../functions/adapters/local-token-keyring.ts';
import { resolveMaskpointHome } from '../../../functions/adapters/maskpoint-home.ts';
import { KeyringError } from '../../../functions/core/errors.ts';
import { bindAction } from '../../../functions/core/redaction/actions/bind-action.ts';
import { detokenizeDigits, detokenizeText } from '../../../functions/core/redaction/actions/detokenize.ts';

const rule = { id: 'email', label: 'EMAIL' };

describe('createLocalTokenKeyring', () => {
  let root: string;
  let home: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'maskpoint-keyring-'));
    home = join(root, '.maskpoint');
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('creates a 0600 key file with one random 32-byte key k1 on first load', async () => {
    const keys = await createLocalTokenKeyring(home).load();

    const path = join(home, 'token-keys.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(keys.currentKeyId).toBe('k1');
    expect(keys.keys.get('k1')).toHaveLength(32);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    expect(Buffer.from(file.keys.k1, 'base64')).toEqual(Buffer.from(keys.keys.get('k1') as Uint8Array));
  });

  it('reloads the same key, from this or another keyring on the same home', async () => {
    const first = await createLocalTokenKeyring(home).load();
    const second = await createLocalTokenKeyring(home).load();

    expect(second.keys.get('k1')).toEqual(first.keys.get('k1'));
  });

  it('gives each home its own random key', async () => {
    const other = join(root, 'other');

    const a = await createLocalTokenKeyring(home).load();
    const b = await createLocalTokenKeyring(other).load();

    expect(b.keys.get('k1')).not.toEqual(a.keys.get('k1'));
  });

  it('agrees on one key when several loads race to create the file', async () => {
    const loaded = await Promise.all(Array.from({ length: 8 }, () => createLocalTokenKeyring(home).load()));

    const onDisk = await createLocalTokenKeyring(home).load();
    for (const keys of loaded) expect(keys.keys.get('k1')).toEqual(onDisk.keys.get('k1'));
  });

  it('rotates to a new current key, keeping old keys so old tokens still detokenize', async () => {
    const keyring = createLocalTokenKeyring(home);
    const before = await keyring.load();
    const sivToken = bindAction(
      { type: 'tokenize', mode: 'siv' },
      rule,
      before,
    )('alice@example.com') as string;
    const ff1Token = bindAction({ type: 'tokenize', mode: 'ff1' }, rule, before)('555-010-2345') as string;

    expect(await keyring.rotate()).toBe('k2');
    expect(await keyring.rotate()).toBe('k3');
    const after = await keyring.load();

    expect(after.currentKeyId).toBe('k3');
    expect([...after.keys.keys()]).toEqual(['k1', 'k2', 'k3']);
    expect(after.keys.get('k1')).toEqual(before.keys.get('k1'));
    expect(statSync(join(home, 'token-keys.json')).mode & 0o777).toBe(0o600);
    expect(detokenizeText(sivToken, after).text).toBe('alice@example.com');
    expect(detokenizeDigits(ff1Token, 'k1', after)).toBe('555-010-2345');
    expect(bindAction({ type: 'tokenize', mode: 'siv' }, rule, after)('alice@example.com')).toMatch(
      /^tok:k3:/,
    );
  });

  it('rejects a key file readable by group or others, telling the operator to chmod 600', async () => {
    await createLocalTokenKeyring(home).load();
    const path = join(home, 'token-keys.json');
    chmodSync(path, 0o644);

    await expect(createLocalTokenKeyring(home).load()).rejects.toThrow(KeyringError);
    await expect(createLocalTokenKeyring(home).load()).rejects.toThrow(`chmod 600 ${path}`);
    await expect(createLocalTokenKeyring(home).rotate()).rejects.toThrow(KeyringError);
  });

  it('rejects a key file whose current key id names no key', async () => {
    await createLocalTokenKeyring(home).load();
    const path = join(home, 'token-keys.json');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...file, currentKeyId: 'k2' }), { mode: 0o600 });

    await expect(createLocalTokenKeyring(home).load()).rejects.toThrow(
      /currentKeyId must name one of the keys/,
    );
  });

  it('rejects a key that is not 32 bytes, naming the key id and not the key', async () => {
    await createLocalTokenKeyring(home).load();
    const path = join(home, 'token-keys.json');
    const short = Buffer.alloc(16, 7).toString('base64');
    writeFileSync(path, JSON.stringify({ currentKeyId: 'k1', keys: { k1: short } }), { mode: 0o600 });

    const load = createLocalTokenKeyring(home).load();
    await expect(load).rejects.toThrow(/key "k1" is not 32 bytes/);
    await expect(load).rejects.not.toThrow(short);
  });
});

describe('resolveMaskpointHome', () => {
  it('uses $MASKPOINT_HOME when set', () => {
    expect(resolveMaskpointHome({ MASKPOINT_HOME: '/srv/maskpoint' }, '/work')).toBe('/srv/maskpoint');
  });

  it('defaults to .maskpoint in the working directory', () => {
    expect(resolveMaskpointHome({}, '/work')).toBe(join('/work', '.maskpoint'));
    expect(resolveMaskpointHome({ MASKPOINT_HOME: '' }, '/work')).toBe(join('/work', '.maskpoint'));
  });
});
