import type { Detector } from '../detector.ts';
import { type CandidateSearch, remembering } from './candidate-search.ts';
import { createRegexDetector } from './regex-detector.ts';

/**
 * Classic tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and 36 alphanumerics; longer ones are
 * accepted up to GitHub's documented 255 characters) and fine-grained `github_pat_` tokens. A
 * body starting with eight x is a documentation placeholder (`ghp_xxxx…`), not a token.
 */
const githubTokenPattern =
  /(?<![A-Za-z0-9_])(?:gh[pousr]_(?![xX]{8})[A-Za-z0-9]{36,251}|github_pat_(?![xX]{8})[A-Za-z0-9_]{22,244})(?![A-Za-z0-9_])/;

/** GitHub access tokens. */
export function createGithubTokenDetector(): Detector {
  return createRegexDetector(githubTokenPattern, {
    id: 'github-token',
    label: 'GITHUB_TOKEN',
    minLength: 33,
    maxLength: 255,
    lookbehind: 1,
    lookahead: 1,
    candidates: findUnderscoreLed,
  });
}

/**
 * Where a token may start: `gh` three characters before a `_`, or `github_pat_` six before one,
 * in text order (no `_` lies inside `github`, so a later `_` never gives an earlier start). The
 * text is read for `_` rather than for `gh`, at whose every `g` `indexOf` stopped: `_` is rare
 * in prose and NDJSON values (~850 per 16 MB of the bench NDJSON's scan text, against 75,000 `g`).
 * The detector alone per 16 MB, CPU time, median of 22 alternating rounds: NDJSON scan text
 * 5.68 -> 4.74 ms (19/22), log 10.90 -> 10.11 (15/22; its 122,000 `_` against 133,000 `g`),
 * CSV 9.44 -> 7.73 (20/22). Its last answer is remembered, as the needle searches' were.
 */
const findUnderscoreLed: CandidateSearch = remembering((text, from) => {
  for (let at = text.indexOf('_', from + 3); at !== -1; at = text.indexOf('_', at + 1)) {
    if (at - 6 >= from && text.startsWith('github_pat_', at - 6)) return at - 6;
    if (text.charCodeAt(at - 3) === 0x67 && text.charCodeAt(at - 2) === 0x68) return at - 3;
  }
  return -1;
});
