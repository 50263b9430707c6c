import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rulesCommand } from '../../../functions/cli/rules-command.ts';

let dir: string;
let output: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maskpoint-rules-command-'));
  await mkdir(join(dir, 'packs'));
  await writeFile(join(dir, 'base.yaml'), 'name: base\npacks: [acme]\n');
  output = '';
  vi.stubEnv('MASKPOINT_HOME', join(dir, 'home'));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    output += String(chunk);
    return true;
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

/** A pack with one detector; `expected` is what its example claims `ACME-1234` becomes. */
function packFile(expected: string): string {
  return [
    'pack: acme',
    'description: Acme ids.',
    'detectors:',
    '  - id: acme-id',
    '    label: ACME_ID',
    '    description: Acme ids',
    "    anchors: ['ACME-']",
    "    pattern: 'ACME-[0-9]{4}'",
    '    maxLength: 9',
    '    examples:',
    `      - { input: 'id ACME-1234', output: '${expected}' }`,
    "      - { survives: 'id ACME-12' }",
    '',
  ].join('\n');
}

describe('maskpoint rules test', () => {
  it('runs the examples of every pack and passes when they hold', async () => {
    await writeFile(join(dir, 'packs', 'acme.yaml'), packFile('id [ACME_ID]'));

    expect(await rulesCommand(['test', '--rules', dir])).toBe(0);
    expect(output).toContain('rule examples: 2 passed, 0 failed');
  });

  it('fails naming the pack, the detector and the example that does not hold', async () => {
    await writeFile(join(dir, 'packs', 'acme.yaml'), packFile('id ACME-1234'));

    expect(await rulesCommand(['test', '--rules', dir])).toBe(1);
    expect(output).toContain('FAIL pack acme acme-id example 1: "id ACME-1234" became "id [ACME_ID]"');
    expect(output).toContain('rule examples: 1 passed, 1 failed');
  });

  it('passes on the shipped rules and packs', async () => {
    expect(await rulesCommand(['test'])).toBe(0);
    expect(output).toMatch(/rule examples: \d+ passed, 0 failed/);
  });
});
