import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalDirectorySource } from '../../../functions/adapters/local-directory-source.ts';

const openDescriptors = () => readdirSync('/proc/self/fd').length;

describe('an abandoned source body', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maskpoint-abandoned-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.runIf(process.platform === 'linux')(
    'closes its file when it is closed before the first read (a view hit drops the source unread)',
    async () => {
      writeFileSync(join(dir, 'a.log'), 'line\n'.repeat(1000));
      const source = createLocalDirectorySource(new Map([['b', dir]]));
      const before = openDescriptors();
      for (let i = 0; i < 40; i++) {
        const object = await source.getObject({ bucket: 'b', key: 'a.log' }, {});
        await object.body[Symbol.asyncIterator]().return?.();
      }
      // Closing is asynchronous: give the file closes a bounded number of turns.
      for (let i = 0; i < 100 && openDescriptors() > before; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(openDescriptors()).toBeLessThanOrEqual(before);
    },
  );
});
