import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKernelModule, KERNELS } from '../../../bin/build-kernels.js';

const ROOT = join(import.meta.dirname, '../../..');

describe('WebAssembly kernels', () => {
  it.each(KERNELS.map((kernel) => [kernel.source, kernel] as const))(
    'ships the module that bin/build-kernels.js builds from %s',
    async (_source, kernel) => {
      const committed = await readFile(join(ROOT, kernel.module), 'utf8');

      expect(committed).toBe(await buildKernelModule(kernel));
    },
  );
});
