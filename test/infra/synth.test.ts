import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import demo from '../../infra/buckets/demo.ts';
import { createMaskpointApp } from '../../infra/lib/maskpoint-app.ts';
import { nagAcknowledgements } from '../../infra/lib/nag-acknowledgements.ts';
import { defineProtectedBucket } from '../../infra/lib/protected-bucket-config.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

describe('cdk synth', () => {
  it('synthesizes the shipped app with the CLI, without AWS credentials', async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'maskpoint-cli-'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
    await run('npm', ['run', 'synth', '--', '--quiet', '--no-notices', '--output', outdir], {
      cwd: ROOT,
      env: { ...env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true', HOME: outdir },
    });
    const template = JSON.parse(await readFile(join(outdir, 'Maskpoint-demo.template.json'), 'utf8'));
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::S3ObjectLambda::AccessPoint', 'AWS::Lambda::Url']));
    await rm(outdir, { recursive: true, force: true });
  }, 120_000);

  it('fails on an invalid rule file, naming the file and line', async () => {
    const rulesDir = await mkdtemp(join(tmpdir(), 'maskpoint-rules-'));
    await writeFile(
      join(rulesDir, 'broken.yaml'),
      'name: broken\npriority: 0\ndetectors:\n  - id: no-such-detector\n    action: { type: redact }\n',
    );
    const config = defineProtectedBucket({ ...demo, rulesDir });
    await expect(createMaskpointApp([config])).rejects.toThrow(
      `${join(rulesDir, 'broken.yaml')}:4:5: unknown built-in detector "no-such-detector"`,
    );
  });

  it('fails on an empty rule directory', async () => {
    const rulesDir = await mkdtemp(join(tmpdir(), 'maskpoint-rules-'));
    await expect(createMaskpointApp([defineProtectedBucket({ ...demo, rulesDir })])).rejects.toThrow(
      `no rule sets (*.yaml, *.yml) in ${rulesDir}`,
    );
  });
});

describe('bucket configs', () => {
  it('rejects a config without a front door, naming the field', () => {
    expect(() => defineProtectedBucket({ ...demo, frontDoors: {} })).toThrow(
      'invalid protected bucket config "demo":\n  frontDoors: at least one front door: objectLambda, gateway or both',
    );
  });

  it('rejects a wildcard read prefix', () => {
    expect(() => defineProtectedBucket({ ...demo, readPrefixes: ['exports/*'] })).toThrow(
      'readPrefixes.0: a key prefix ending in "/"',
    );
  });

  it('rejects a presigner for a front door the bucket does not have', () => {
    expect(() =>
      defineProtectedBucket({
        ...demo,
        frontDoors: { gateway: {} },
        presigner: {
          frontDoor: 'objectLambda',
          callers: [{ principal: 'arn:aws:iam::111122223333:role/r', prefixes: [''], maxExpiresSeconds: 60 }],
        },
      }),
    ).toThrow(
      'presigner.frontDoor: the presigner signs for the objectLambda front door, which this bucket does not have',
    );
  });
});

describe('cdk-nag acknowledgements', () => {
  it('are all made in nag-acknowledgements.ts', async () => {
    const libDir = join(ROOT, 'infra/lib');
    const callers: string[] = [];
    for (const name of await readdir(libDir)) {
      if ((await readFile(join(libDir, name), 'utf8')).includes('.acknowledge(')) callers.push(name);
    }
    expect(callers).toEqual(['nag-acknowledgements.ts']);
  });

  it('each carry a reason', async () => {
    const { stacks } = await createMaskpointApp([demo], { context: { 'aws:cdk:bundling-stacks': [] } });
    const acknowledgements = stacks.flatMap((stack) => nagAcknowledgements(stack));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledgements) {
      expect(reason.length, id).toBeGreaterThan(40);
    }
  });
});
