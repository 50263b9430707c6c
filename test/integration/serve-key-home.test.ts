import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, NoSuchKey } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GATEWAY_KEYS_FILE } from '../../functions/adapters/local-credential-store.ts';
import { exposesMaskpointHome } from '../../functions/adapters/maskpoint-home.ts';
import { startServe } from '../../functions/cli/serve-command.ts';
import { UsageError } from '../../functions/cli/usage-error.ts';
import type { GatewayServer } from '../../functions/gateway/server.ts';
import { gatewayClient } from './gateway-client.ts';

const segmentName = fc.stringMatching(/^\.?[a-z0-9_-]{1,8}$/);
const segments = fc.array(segmentName, { minLength: 1, maxLength: 3 });

/**
 * A served directory and a key home that overlap: the home is the directory, lies under it at
 * some depth, or holds it; either may be named through a symlink or not exist yet.
 */
const overlapping = fc.record({
  shape: fc.constantFrom('home is the directory', 'home inside the directory', 'directory inside home'),
  path: segments,
  isDirectoryLinked: fc.boolean(),
  isHomeLinked: fc.boolean(),
  isHomeCreated: fc.boolean(),
});

interface Layout {
  readonly directory: string;
  readonly home: string;
}

/** Makes the layout under `base`: directories, the home when created, a symlink to each. */
function build(base: string, layout: typeof overlapping extends fc.Arbitrary<infer T> ? T : never): Layout {
  const served = join(base, 'served');
  const home =
    layout.shape === 'home is the directory'
      ? served
      : layout.shape === 'home inside the directory'
        ? join(served, ...layout.path)
        : join(base, 'keys');
  const directory = layout.shape === 'directory inside home' ? join(home, ...layout.path) : served;
  mkdirSync(directory, { recursive: true });
  if (layout.isHomeCreated || layout.shape !== 'home inside the directory')
    mkdirSync(home, { recursive: true });
  const linkedDirectory = join(base, 'directory-link');
  symlinkSync(directory, linkedDirectory);
  const linkedHome = join(base, 'home-link');
  symlinkSync(home, linkedHome);
  return {
    directory: layout.isDirectoryLinked ? linkedDirectory : directory,
    home: layout.isHomeLinked && existsSync(home) ? linkedHome : home,
  };
}

describe('exposesMaskpointHome', () => {
  it('is true for every layout where the served directory and the key home overlap', async () => {
    await fc.assert(
      fc.asyncProperty(overlapping, async (layout) => {
        const base = mkdtempSync(join(tmpdir(), 'maskpoint-home-'));
        try {
          const { directory, home } = build(base, layout);

          expect(await exposesMaskpointHome(directory, home)).toBe(true);
        } finally {
          rmSync(base, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });

  it('is false for a home beside the directory, even one whose name starts with the directory’s', async () => {
    await fc.assert(
      fc.asyncProperty(segmentName, fc.constantFrom('-keys', '.d', '0', ''), async (name, suffix) => {
        const base = mkdtempSync(join(tmpdir(), 'maskpoint-home-'));
        try {
          const directory = join(base, name);
          mkdirSync(directory);
          const home = suffix === '' ? join(base, 'elsewhere', '.maskpoint') : `${directory}${suffix}`;

          expect(await exposesMaskpointHome(directory, home)).toBe(false);
        } finally {
          rmSync(base, { recursive: true, force: true });
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('maskpoint serve and the key home', () => {
  let base: string;
  let previousHome: string | undefined;
  const servers: GatewayServer[] = [];

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'maskpoint-serve-home-'));
    previousHome = process.env.MASKPOINT_HOME;
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    if (previousHome === undefined) delete process.env.MASKPOINT_HOME;
    else process.env.MASKPOINT_HOME = previousHome;
    rmSync(base, { recursive: true, force: true });
  });

  async function serve(args: string[]): Promise<{ server: GatewayServer; output: string }> {
    let output = '';
    const server = await startServe(['--port', '0', ...args], (text) => {
      output += text;
    });
    servers.push(server);
    return { server, output };
  }

  it('refuses to start, creating no key, when a bucket directory overlaps the key home', async () => {
    await fc.assert(
      fc.asyncProperty(overlapping, async (layout) => {
        rmSync(base, { recursive: true, force: true });
        mkdirSync(base);
        const { directory, home } = build(base, layout);
        process.env.MASKPOINT_HOME = home;

        await expect(serve(['--bucket', `data=${directory}`])).rejects.toThrow(UsageError);
        await expect(serve(['--bucket', `data=${directory}`])).rejects.toThrow(/would serve the key home/);
        expect(existsSync(join(home, GATEWAY_KEYS_FILE))).toBe(false);
      }),
      { numRuns: 25 },
    );
  });

  it('refuses `--bucket data=.` run beside the default ./.maskpoint', async () => {
    const project = join(base, 'project');
    mkdirSync(join(project, '.maskpoint'), { recursive: true });
    process.env.MASKPOINT_HOME = join(project, '.maskpoint');

    await expect(serve(['--bucket', `data=${project}`])).rejects.toThrow(/would serve the key home/);
  });

  it('starts for a directory beside the key home', async () => {
    const directory = join(base, 'data');
    mkdirSync(directory);
    process.env.MASKPOINT_HOME = join(base, 'data-keys');

    const { output } = await serve(['--bucket', `data=${directory}`]);

    expect(output).toContain(`bucket data → ${directory}`);
  });

  it('serves dot-files only from a bucket named by --allow-dot-files', async () => {
    const directory = join(base, 'data');
    mkdirSync(join(directory, '.hidden'), { recursive: true });
    writeFileSync(join(directory, '.hidden', 'people.csv'), 'name,email\nAda,ada@example.com\n');
    process.env.MASKPOINT_HOME = join(base, 'home');
    const first = await serve(['--bucket', `data=${directory}`]);
    const key = {
      accessKeyId: /access key id: +(\S+)/.exec(first.output)?.[1] ?? '',
      secretAccessKey: /secret access key: +(\S+)/.exec(first.output)?.[1] ?? '',
    };
    const allowed = await serve(['--bucket', `data=${directory}`, '--allow-dot-files', 'data']);
    const get = (server: GatewayServer) => {
      const client = gatewayClient(server.url, key, { maxAttempts: 1 });
      return client
        .send(new GetObjectCommand({ Bucket: 'data', Key: '.hidden/people.csv' }))
        .then((object) => object.Body?.transformToString())
        .finally(() => client.destroy());
    };

    await expect(get(first.server)).rejects.toBeInstanceOf(NoSuchKey);
    const served = await get(allowed.server);
    expect(served).toContain('[EMAIL]');
    expect(served).not.toContain('ada@example.com');
    expect(allowed.output).toContain('(dot-files served)');
  });

  it('refuses to start when a --views directory overlaps a served bucket, whatever the layout', async () => {
    await fc.assert(
      fc.asyncProperty(overlapping, async (layout) => {
        rmSync(base, { recursive: true, force: true });
        mkdirSync(base);
        const { directory, home: views } = build(base, layout);
        process.env.MASKPOINT_HOME = join(base, 'maskpoint-home');

        await expect(serve(['--bucket', `data=${directory}`, '--views', views])).rejects.toThrow(
          /would serve the view directory/,
        );
      }),
      { numRuns: 25 },
    );
  });

  it('keeps owner-only views in the key home by default, so HEAD and LIST give sizes; --no-views keeps none', async () => {
    const directory = join(base, 'data');
    mkdirSync(directory);
    writeFileSync(join(directory, 'people.csv'), 'name,email\nAda,ada@example.com\n');
    const home = join(base, 'home');
    process.env.MASKPOINT_HOME = home;
    const first = await serve(['--bucket', `data=${directory}`]);
    const key = {
      accessKeyId: /access key id: +(\S+)/.exec(first.output)?.[1] ?? '',
      secretAccessKey: /secret access key: +(\S+)/.exec(first.output)?.[1] ?? '',
    };
    const without = await serve(['--bucket', `data=${directory}`, '--no-views']);
    const sizes = async (server: GatewayServer) => {
      const client = gatewayClient(server.url, key, { maxAttempts: 1 });
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: 'data', Key: 'people.csv' }));
        const body = await object.Body?.transformToString();
        const head = await client.send(new HeadObjectCommand({ Bucket: 'data', Key: 'people.csv' }));
        const page = await client.send(new ListObjectsV2Command({ Bucket: 'data' }));
        return { body, head: head.ContentLength, listed: page.Contents?.[0]?.Size };
      } finally {
        client.destroy();
      }
    };

    const withViews = await sizes(first.server);
    expect(withViews.head).toBe(Buffer.byteLength(withViews.body ?? ''));
    expect(withViews.listed).toBe(withViews.head);
    expect(first.output).toContain(`views ${join(home, 'views')}`);
    const views = join(home, 'views');
    expect(statSync(views).mode & 0o777).toBe(0o700);
    const files = readdirSync(views);
    expect(files).toHaveLength(1);
    for (const name of files) expect(statSync(join(views, name)).mode & 0o777).toBe(0o600);

    rmSync(views, { recursive: true, force: true });
    const storeless = await sizes(without.server);
    expect(storeless.head).toBe(withViews.head);
    expect(storeless.listed).toBeUndefined();
    expect(existsSync(views)).toBe(false);
    expect(without.output).toContain('views none (--no-views)');
  });

  it('rejects --allow-dot-files for a name that is not a local bucket', async () => {
    process.env.MASKPOINT_HOME = join(base, 'home');

    await expect(serve(['--bucket', `data=${base}/data`, '--allow-dot-files', 'other'])).rejects.toThrow(
      UsageError,
    );
  });
});
