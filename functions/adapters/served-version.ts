import { NotImplementedError } from '../core/errors.ts';

/**
 * Refuses an object answered under another version than the one asked for. A store that ignores
 * `versionId` (an S3-compatible server without versioning, a URL that does not name it) would
 * otherwise have the current object served under the requested version's name. The `null`
 * version of an object written while versioning was off may come back without a version id.
 *
 * @throws NotImplementedError when `served` is not `requested`.
 */
export function checkServedVersion(requested: string | undefined, served: string | undefined): void {
  if (requested === undefined || requested === served) return;
  if (requested === 'null' && served === undefined) return;
  throw new NotImplementedError('the source bucket did not answer with the requested object version');
}
