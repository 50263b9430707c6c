import { join } from 'node:path';

/**
 * The directory holding maskpoint's local state (token keys, gateway credentials):
 * `$MASKPOINT_HOME` when set and not empty, else `<cwd>/.maskpoint`.
 */
export function resolveMaskpointHome(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const home = env.MASKPOINT_HOME;
  return home !== undefined && home !== '' ? home : join(cwd, '.maskpoint');
}
