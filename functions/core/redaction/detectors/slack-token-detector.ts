import type { Detector } from '../detector.ts';
import { needleSearch } from './candidate-search.ts';
import { createRegexDetector } from './regex-detector.ts';

/**
 * Bot, user, app-level, refresh and legacy tokens: `xox` + type letter + `-`, an optional version
 * digit, then a numeric team or user id of six digits or more and the rest of the token, or (for
 * configuration tokens) 100 or more base64 characters. Requiring the id keeps placeholders such as
 * `xoxb-abcdef-abcdef` or `xoxp-1234-1234` out. A token ends in a letter or digit: one whose
 * secret part is written as a fill (`xoxp-<ids>-#####`) is no token, rather than a token cut
 * short before the fill, which would redact the ids and leave the fill.
 */
const slackTokenPattern =
  /(?<![A-Za-z0-9_-])xox[abeoprs]-(?:[0-9]-)?(?:[0-9]{6,20}-[A-Za-z0-9-]{5,229}[A-Za-z0-9]|[A-Za-z0-9]{100,240})(?![A-Za-z0-9-])/;

/** Slack API tokens. */
export function createSlackTokenDetector(): Detector {
  return createRegexDetector(slackTokenPattern, {
    id: 'slack-token',
    label: 'SLACK_TOKEN',
    minLength: 15,
    maxLength: 255,
    lookbehind: 1,
    lookahead: 1,
    candidates: needleSearch('xox'),
  });
}
