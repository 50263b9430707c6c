import { realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';

/**
 * The directory holding maskpoint's local state (token keys, gateway credentials):
 * `$MASKPOINT_HOME` when set and not empty, else `<cwd>/.maskpoint`.
 */
export function resolveMaskpointHome(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const home = env.MASKPOINT_HOME;
  return home !== undefined && home !== '' ? home : join(cwd, '.maskpoint');
}

/**
 * Whether serving `directory` as a bucket would expose the key home `home` (every gateway key's
 * secret, the token keys): the directory is the home, holds it at any depth, or lies inside it.
 * Both compare as real paths, symlinks resolved; a path that does not exist yet resolves through
 * its nearest existing ancestor, so a home created later is caught too.
 */
export async function exposesMaskpointHome(directory: string, home: string): Promise<boolean> {
  const [served, keys] = await Promise.all([realPathOf(resolve(directory)), realPathOf(resolve(home))]);
  return isWithin(keys, served) || isWithin(served, keys);
}

function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(ancestor.endsWith(sep) ? ancestor : ancestor + sep);
}

async function realPathOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(await realPathOf(parent), basename(path));
  }
}
