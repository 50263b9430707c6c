import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLocalRuleSetSource,
  loadRuleCatalog,
} from '../../../functions/adapters/local-rule-set-source.ts';
import { RuleValidationError } from '../../../functions/core/errors.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maskpoint-rules-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createLocalRuleSetSource', () => {
  it('reads every .yaml and .yml file in name order, not recursing', async () => {
    await writeFile(join(dir, 'b.yml'), 'name: b\n');
    await writeFile(join(dir, 'a.yaml'), 'name: a\n');
    await writeFile(join(dir, 'notes.md'), '# not a rule file\n');
    await mkdir(join(dir, 'nested'));
    await writeFile(join(dir, 'nested', 'c.yaml'), 'name: c\n');

    const files = await createLocalRuleSetSource(dir).load();

    expect(files.map((file) => [file.file, file.document.name])).toEqual([
      [join(dir, 'a.yaml'), 'a'],
      [join(dir, 'b.yml'), 'b'],
    ]);
  });

  it('fails whole when one file is bad, naming every problem', async () => {
    await writeFile(join(dir, 'a.yaml'), 'name: a\n');
    await writeFile(join(dir, 'b.yaml'), 'name: b\nfoo: 1\n');
    await writeFile(join(dir, 'c.yaml'), 'name: c\npriority: high\n');

    const load = createLocalRuleSetSource(dir).load();

    await expect(load).rejects.toThrow(RuleValidationError);
    await expect(load).rejects.toThrow(
      new RegExp(
        `^${join(dir, 'b.yaml')}:2:1: foo: unknown key.*\\n${join(dir, 'c.yaml')}:2:11: priority`,
        's',
      ),
    );
  });
});

describe('loadRuleCatalog', () => {
  it('resolves the rule sets of a directory by name', async () => {
    await writeFile(join(dir, 'base.yaml'), 'name: base\ndetectors:\n  - id: email\n');
    await writeFile(join(dir, 'child.yaml'), 'name: child\nextends: base\ndetectors:\n  - id: phone\n');

    const catalog = await loadRuleCatalog(dir);

    expect([...catalog.keys()]).toEqual(['base', 'child']);
    expect(catalog.get('child')?.ruleSet.detectors.map((rule) => rule.id)).toEqual(['email', 'phone']);
  });

  it('rejects a catalog whose files are valid alone but not together', async () => {
    await writeFile(join(dir, 'a.yaml'), 'name: a\nextends: nowhere\n');
    await writeFile(join(dir, 'b.yaml'), 'name: b\n');

    await expect(loadRuleCatalog(dir)).rejects.toThrow(/a\.yaml:2:10: extends: got "nowhere"/);
  });
});
