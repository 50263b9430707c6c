/**
 * Which ends of a keyword must be the ends of a word: `end` keeps `kind: Secret` from counting
 * in `kind: SecretStore`, `start` keeps `aba` from counting in `database`. An end only needs
 * checking when the keyword's character there is a letter or digit: `kind: "Secret"` ends a
 * word whatever follows its quote.
 */
export type KeywordEdges = 'none' | 'start' | 'end' | 'both';

/** Letters and digits of any script: what a word is made of. */
const wordCharacter = /^[\p{L}\p{N}]$/u;

function isWordCharacter(character: string): boolean {
  return wordCharacter.test(character);
}

function checksStart(keyword: string, edges: KeywordEdges): boolean {
  return (
    (edges === 'start' || edges === 'both') &&
    isWordCharacter(String.fromCodePoint(keyword.codePointAt(0) ?? 0))
  );
}

function checksEnd(keyword: string, edges: KeywordEdges): boolean {
  const last = [...keyword].at(-1);
  return (edges === 'end' || edges === 'both') && last !== undefined && isWordCharacter(last);
}

const notAfterWord = '(?<![\\p{L}\\p{N}])';
const notBeforeWord = '(?![\\p{L}\\p{N}])';

/**
 * The regex source matching any of `keywords` (escaped in `escaped`, tried in that order) only
 * at the edges `edges` asks for: a lookbehind and a lookahead for a letter or digit. The regex
 * needs the `u` flag when this adds one. Keywords that all check the same edges share one
 * lookbehind and one lookahead around their alternation, which matches what each keyword with
 * its own would (the lookahead failing for one, the next is tried): V8 compiles each
 * `[\p{L}\p{N}]` into a large class, and ten of them took 25 ms to compile at the start of `serve`.
 */
export function keywordsEdgeSource(
  keywords: readonly string[],
  escaped: readonly string[],
  edges: KeywordEdges,
): string {
  const edgesOf = keywords.map((keyword) => [checksStart(keyword, edges), checksEnd(keyword, edges)]);
  const [first] = edgesOf;
  const isUniform = edgesOf.every(([start, end]) => start === first?.[0] && end === first?.[1]);
  if (isUniform && first !== undefined && (first[0] || first[1])) {
    return `${first[0] ? notAfterWord : ''}(?:${escaped.join('|')})${first[1] ? notBeforeWord : ''}`;
  }
  return escaped
    .map((source, index) => {
      const [start, end] = edgesOf[index] as boolean[];
      return `${start ? notAfterWord : ''}${source}${end ? notBeforeWord : ''}`;
    })
    .join('|');
}

/** True when `keyword`, found at `text[start, end)`, has no letter or digit beside it at the edges `edges` asks for. */
export function isAtKeywordEdges(
  text: string,
  start: number,
  end: number,
  keyword: string,
  edges: KeywordEdges,
): boolean {
  if (edges === 'none') return true;
  if (checksStart(keyword, edges) && start > 0) {
    const code = text.charCodeAt(start - 1);
    // The second half of a surrogate pair: the character is the pair.
    const from = code >= 0xdc00 && code <= 0xdfff && start > 1 ? start - 2 : start - 1;
    if (isWordCharacter(String.fromCodePoint(text.codePointAt(from) ?? 0))) return false;
  }
  if (checksEnd(keyword, edges) && end < text.length) {
    if (isWordCharacter(String.fromCodePoint(text.codePointAt(end) ?? 0))) return false;
  }
  return true;
}
