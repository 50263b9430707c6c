import type { Detector } from '../detector.ts';
import { firstCandidate, needleSearch } from './candidate-search.ts';
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
    candidates: firstCandidate(needleSearch('gh'), needleSearch('_pat_', 6)),
  });
}
