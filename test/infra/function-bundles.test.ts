import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledGeoDatabasePath, functionBundling, REPOSITORY_ROOT } from '../../infra/lib/defaults.ts';

const run = promisify(execFile);

/** The handlers whose cold start compiles the rule set (the presigner reads no rules). */
const handlers = [
  {
    name: 'gateway',
    entry: 'functions/gateway/handler.ts',
    env: { MASKPOINT_BUCKETS: 'protected-bucket', AWS_REGION: 'us-east-1' },
  },
  { name: 'object-lambda', entry: 'functions/object-lambda/handler.ts', env: { AWS_REGION: 'us-east-1' } },
  {
    name: 'materializer',
    entry: 'functions/materializer/handler.ts',
    env: {
      MASKPOINT_BUCKET: 'protected-bucket',
      MASKPOINT_VIEWS_BUCKET: 'views-bucket',
      AWS_REGION: 'us-east-1',
    },
  },
] as const;

describe('Lambda function bundles', () => {
  let outDir: string;
  let home: string;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'maskpoint-bundles-'));
    home = await mkdtemp(join(tmpdir(), 'maskpoint-bundle-home-'));
  });
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  // The rule sets shipped in redaction-rules/ include a custom regex detector, whose linear-time
  // check (recheck) broke inside a bundle; importing the bundle runs the cold start that loads them.
  it.each(handlers)(
    'loads the rule sets at cold start from the $name bundle CDK builds',
    async (handler) => {
      const options = functionBundling({});
      const outfile = join(outDir, `${handler.name}.mjs`);
      await build({
        entryPoints: [join(REPOSITORY_ROOT, handler.entry)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: options.target,
        mainFields: options.mainFields,
        banner: { js: options.banner ?? '' },
        define: options.define,
        logLevel: 'silent',
      });
      const { stdout } = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          // The Lambda runtime's global for response streaming, which the gateway's module uses at load.
          `globalThis.awslambda = { streamifyResponse: (handler) => handler };
         const m = await import(${JSON.stringify(outfile)}); console.log(typeof m.handler);`,
        ],
        {
          env: {
            PATH: process.env.PATH,
            MASKPOINT_RULES_DIR: join(REPOSITORY_ROOT, 'redaction-rules'),
            MASKPOINT_HOME: home,
            MASKPOINT_GEO_DB: bundledGeoDatabasePath(),
            AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
            AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
            ...handler.env,
          },
          timeout: 120_000,
        },
      );
      expect(stdout.trim()).toBe('function');
    },
    180_000,
  );
});
