/**
 * The index of `search` in `text` at or after `from`, or the text's length when it is not there:
 * the form the format readers keep their next delimiter, line break or backslash in, so that a
 * search is made again only once it has been passed.
 */
export function indexOrLength(text: string, search: string, from: number): number {
  const index = text.indexOf(search, from);
  return index < 0 ? text.length : index;
}
