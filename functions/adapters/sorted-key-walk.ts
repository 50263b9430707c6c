import { isUtf8 } from 'node:buffer';
import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** A key the walk found, with the stats of its regular file. */
export interface WalkedFile {
  readonly key: string;
  readonly stats: Stats;
}

/**
 * The keys a listing has passed: every key up to and including `key` in UTF-8 byte order and,
 * when `isPrefixPassed`, every key that starts with `key` (a common prefix already returned).
 */
export interface KeyFloor {
  readonly key: string;
  readonly isPrefixPassed: boolean;
}

export interface SortedKeyWalkOptions {
  /** Only keys starting with this are walked; directories that cannot hold one are not read. */
  readonly prefix: string;
  /** Read before every entry: the listing raises it as it goes, and what it covers is skipped. */
  readonly floor: () => KeyFloor | undefined;
  /** Names starting with `.` are walked too (never by default). */
  readonly allowDotFiles: boolean;
}

const SLASH = Buffer.from('/');

/**
 * The regular files under `root` as keys, lazily, in S3's order (UTF-8 bytes). Each directory
 * is read once, when the walk reaches it, and its entries are ordered by their name's bytes,
 * with `/` appended to directories: that is the order of the keys under them (`a-b` < `a/x`
 * < `a0`, as `-` < `/` < `0`). Subtrees outside the prefix or below the floor are never read,
 * and only files the walk yields are stat'ed, so a page costs the directories on its way plus
 * its own entries, not the tree.
 *
 * Skipped: names starting with `.` (unless allowed), names that are not UTF-8 (no key can
 * name them), FIFOs, sockets and devices, symlinks that do not resolve to a regular file inside
 * `root` through visible names. Symlinked directories are not entered: a link to an ancestor
 * cannot loop the walk. `root` must be a real path.
 */
export async function* walkSortedKeys(
  root: string,
  options: SortedKeyWalkOptions,
): AsyncGenerator<WalkedFile> {
  yield* walkDirectory(root, '', options);
}

interface Entry {
  readonly name: string;
  readonly order: Buffer;
  readonly isDirectory: boolean;
  readonly isSymbolicLink: boolean;
}

async function* walkDirectory(
  root: string,
  directoryKey: string,
  options: SortedKeyWalkOptions,
): AsyncGenerator<WalkedFile> {
  for (const entry of await sortedEntries(join(root, directoryKey), options.allowDotFiles)) {
    // A common prefix returned meanwhile may cover the rest of this directory.
    if (directoryKey !== '' && isSpanPassed(directoryKey, options.floor())) return;
    const span = `${directoryKey}${entry.name}${entry.isDirectory ? '/' : ''}`;
    if (entry.isDirectory) {
      const canHoldPrefix = span.startsWith(options.prefix) || options.prefix.startsWith(span);
      if (canHoldPrefix && !isSpanPassed(span, options.floor())) yield* walkDirectory(root, span, options);
      continue;
    }
    if (!span.startsWith(options.prefix) || isKeyPassed(span, options.floor())) continue;
    const stats = await listableStats(root, span, entry.isSymbolicLink, options.allowDotFiles);
    if (stats !== undefined) yield { key: span, stats };
  }
}

async function sortedEntries(directory: string, allowDotFiles: boolean): Promise<Entry[]> {
  let dirents: Dirent<Buffer>[];
  try {
    dirents = await readdir(directory, { withFileTypes: true, encoding: 'buffer' });
  } catch {
    // A directory removed or unreadable while walking lists as empty, as its keys are gone.
    return [];
  }
  const entries: Entry[] = [];
  for (const dirent of dirents) {
    const bytes = dirent.name;
    if (!isUtf8(bytes) || (!allowDotFiles && bytes[0] === 0x2e)) continue;
    const isDirectory = dirent.isDirectory();
    if (!isDirectory && !dirent.isFile() && !dirent.isSymbolicLink()) continue;
    entries.push({
      name: bytes.toString('utf8'),
      order: isDirectory ? Buffer.concat([bytes, SLASH]) : bytes,
      isDirectory,
      isSymbolicLink: dirent.isSymbolicLink(),
    });
  }
  return entries.sort((a, b) => Buffer.compare(a.order, b.order));
}

/** Whether every key starting with `span` (a directory's keys) is already passed. */
function isSpanPassed(span: string, floor: KeyFloor | undefined): boolean {
  if (floor === undefined) return false;
  if (floor.isPrefixPassed && span.startsWith(floor.key)) return true;
  return compareKeys(span, floor.key) < 0 && !floor.key.startsWith(span);
}

function isKeyPassed(key: string, floor: KeyFloor | undefined): boolean {
  if (floor === undefined) return false;
  return compareKeys(key, floor.key) <= 0 || (floor.isPrefixPassed && key.startsWith(floor.key));
}

/** The stats of a regular file, following a symlink only to a visible file inside the root. */
async function listableStats(
  root: string,
  key: string,
  isSymbolicLink: boolean,
  allowDotFiles: boolean,
): Promise<Stats | undefined> {
  try {
    const path = join(root, key);
    let stats: Stats;
    if (isSymbolicLink) {
      const target = await realpath(path);
      if (!isVisibleInside(root, target, allowDotFiles)) return undefined;
      stats = await stat(target);
    } else {
      stats = await lstat(path);
    }
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the real `path` lies inside the real `root` with no segment starting with `.` on the
 * way (unless allowed): a symlink may not lead where a key cannot.
 */
export function isVisibleInside(root: string, path: string, allowDotFiles: boolean): boolean {
  if (!path.startsWith(root + sep)) return false;
  return (
    allowDotFiles ||
    !relative(root, path)
      .split(sep)
      .some((segment) => segment.startsWith('.'))
  );
}

/** S3 orders keys by their UTF-8 bytes, which differs from JavaScript's UTF-16 order above U+FFFF. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
