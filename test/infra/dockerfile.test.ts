import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BUNDLE, CLI_BUNDLE_DIR } from '../../bin/cli-bundle.js';
import { HEALTH_CHECK_PATH } from '../../functions/gateway/health-check.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

interface Stage {
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** The Dockerfile's stages, each with its instructions (continuation lines joined, comments dropped). */
function stagesOf(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: { name: string | undefined; instructions: Instruction[] }[] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      stages.push({ name: /\bAS\s+(\S+)$/i.exec(args)?.[1], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/**
 * What is wrong with a Dockerfile for the gateway image, one line per problem: the final stage
 * must run as a user other than root, hold no dev dependency (no npm install without
 * --omit=dev, no node_modules from a stage that installed them), run `serve` from the bundle,
 * and probe /healthz; the stage that builds the bundle must hold the rules the image ships (the
 * build caches what YAML reads from them and the checks of their patterns beside the chunks).
 */
function dockerfileProblems(text: string): string[] {
  const stages = stagesOf(text);
  const final = stages.at(-1);
  if (final === undefined) return ['no stage'];
  const problems: string[] = [];
  const of = (keyword: string) => final.instructions.filter((instruction) => instruction.keyword === keyword);
  const user = of('USER').at(-1)?.args.split(':')[0];
  if (user === undefined || user === 'root' || user === '0')
    problems.push(`runs as ${user ?? 'root (no USER)'}`);
  const installsAll = (instructions: readonly Instruction[]) =>
    instructions.some(
      ({ keyword, args }) =>
        keyword === 'RUN' && /\bnpm (ci|install|i)\b/.test(args) && !/--omit=dev\b/.test(args),
    );
  if (installsAll(final.instructions)) problems.push('installs dev dependencies in the final stage');
  for (const { args } of of('COPY')) {
    const from = /--from=(\S+)/.exec(args)?.[1];
    const source = stages.find((stage) => stage.name === from);
    if (source !== undefined && /node_modules/.test(args) && installsAll(source.instructions)) {
      problems.push(`copies node_modules from ${from}, which installs dev dependencies`);
    }
    if (/node_modules\/(\.bin\/)?(esbuild|typescript|vitest|aws-cdk)/.test(args))
      problems.push(`copies a dev tool: ${args}`);
  }
  const entry = of('ENTRYPOINT').at(-1)?.args ?? '';
  const command = of('CMD').at(-1)?.args ?? '';
  if (!entry.includes(CLI_BUNDLE.replace(/^dist\//, '/app/dist/'))) {
    problems.push(`the entry point does not run the bundle ${CLI_BUNDLE}`);
  }
  if (!/"serve"/.test(entry) && !/"serve"/.test(command)) problems.push('the entry point does not run serve');
  const health = of('HEALTHCHECK').at(-1)?.args ?? '';
  if (!health.includes(HEALTH_CHECK_PATH)) problems.push(`no HEALTHCHECK on ${HEALTH_CHECK_PATH}`);
  const rulesCopy = (stage: Stage) =>
    stage.instructions.find(
      ({ keyword, args }) =>
        keyword === 'COPY' && !args.includes('--from=') && /\.\/redaction-rules$/.test(args),
    )?.args;
  const builder = stages.find((stage) =>
    stage.instructions.some(({ keyword, args }) => keyword === 'RUN' && /\bnpm run build\b/.test(args)),
  );
  const shipped = rulesCopy(final);
  if (builder !== undefined && shipped !== undefined && rulesCopy(builder) !== shipped) {
    problems.push(`the build stage does not hold the rules the image ships (${shipped})`);
  }
  return problems;
}

describe('the Dockerfile', () => {
  it('builds an image that runs serve from the bundle as a non-root user, without dev dependencies, probing /healthz', () => {
    expect(dockerfileProblems(DOCKERFILE)).toEqual([]);
    expect(
      stagesOf(DOCKERFILE)
        .at(-1)
        ?.instructions.some((i) => i.keyword === 'VOLUME'),
    ).toBe(true);
  });

  it('fails the check for each way an image could go wrong', () => {
    const mutations: [string, (text: string) => string, RegExp][] = [
      ['no USER', (text) => text.replace(/^USER .*$/m, ''), /runs as root/],
      ['USER root', (text) => text.replace(/^USER .*$/m, 'USER root'), /runs as root/],
      ['USER 0', (text) => text.replace(/^USER .*$/m, 'USER 0:0'), /runs as 0/],
      [
        'npm ci in the final stage',
        (text) => text.replace(/^WORKDIR \/app$/m, 'WORKDIR /app\nRUN npm ci'),
        /installs dev dependencies in the final stage/,
      ],
      [
        'node_modules from the build stage',
        (text) =>
          text.replace(
            '--from=production-dependencies /build/node_modules',
            '--from=build /build/node_modules',
          ),
        /copies node_modules from build/,
      ],
      [
        'production install without --omit=dev',
        (text) => text.replace('npm ci --omit=dev', 'npm ci'),
        /copies node_modules from production-dependencies/,
      ],
      ['no serve', (text) => text.replace('"serve"]', '"redact"]'), /does not run serve/],
      [
        'the sources, not the bundle',
        (text) => text.replace('/app/dist/cli/maskpoint.mjs', '/app/bin/maskpoint.js'),
        /does not run the bundle/,
      ],
      ['a health check elsewhere', (text) => text.replace('/healthz', '/'), /no HEALTHCHECK on \/healthz/],
      [
        'a build stage without the rules',
        (text) => text.replace(/^COPY \$\{RULES_DIR\} \.\/redaction-rules\n(?=RUN npm run build)/m, ''),
        /the build stage does not hold the rules/,
      ],
    ];
    for (const [label, mutate, problem] of mutations) {
      const mutated = mutate(DOCKERFILE);
      expect(mutated, label).not.toBe(DOCKERFILE);
      expect(dockerfileProblems(mutated).join('\n'), label).toMatch(problem);
    }
  });

  it('keeps the build context to what the image needs (.dockerignore)', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
    expect(ignore).toMatch(/^\*\*$/m);
    for (const copied of ['package.json', 'package-lock.json', 'functions/', 'bin/', 'redaction-rules/']) {
      expect(ignore).toContain(`!${copied}`);
    }
    expect(ignore).not.toMatch(/^!(node_modules|\.maskpoint|test|cdk\.out)/m);
  });
});

describe('the serve bundle (npm run build)', () => {
  let appDir: string;
  let served: ChildProcessWithoutNullStreams | undefined;

  beforeAll(async () => {
    await run('npm', ['run', 'build'], { cwd: ROOT });
    // The image's layout: /app/dist/cli, /app/node_modules, /app/redaction-rules.
    appDir = mkdtempSync(join(tmpdir(), 'maskpoint-image-'));
    cpSync(CLI_BUNDLE_DIR, join(appDir, 'dist/cli'), { recursive: true });
    cpSync(join(ROOT, 'redaction-rules'), join(appDir, 'redaction-rules'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(appDir, 'node_modules'));
    mkdirSync(join(appDir, 'home'));
  }, 60_000);

  afterAll(() => {
    if (served?.exitCode === null) served.kill('SIGKILL');
    rmSync(appDir, { recursive: true, force: true });
  });

  it('prints its usage with --help, serve and its production flags included', async () => {
    const { stderr } = await run(process.execPath, [join(appDir, CLI_BUNDLE), '--help']);
    expect(stderr).toContain('maskpoint serve');
    expect(stderr).toContain('--workers N');
    expect(stderr).toContain('--rate-limit-store');
  });

  it('serves from the image layout with two workers configured by the environment, answers /healthz, and stops on SIGTERM', async () => {
    served = spawn(
      process.execPath,
      [join(appDir, CLI_BUNDLE), 'serve', '--bucket', `example=${ROOT}examples/bucket`],
      {
        cwd: appDir,
        env: {
          PATH: process.env.PATH,
          MASKPOINT_HOME: join(appDir, 'home'),
          MASKPOINT_RULES_DIR: join(appDir, 'redaction-rules'),
          MASKPOINT_HOST: '127.0.0.1',
          MASKPOINT_PORT: '0',
          MASKPOINT_WORKERS: '2',
          MASKPOINT_DRAIN_SECONDS: '5',
        },
      },
    );
    let output = '';
    const child = served;
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('/dev/stdout')) resolve();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
    });
    expect(output).toContain('workers 2 · drain 5 s');
    expect(output).toContain(`rules ${join(appDir, 'redaction-rules')}`);
    const url = /listening on (\S+)/.exec(output)?.[1];
    const health = await fetch(`${url}${HEALTH_CHECK_PATH}`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
