import type { Detector } from '../detector.ts';
import { needleSearch } from './candidate-search.ts';
import { createRegexDetector } from './regex-detector.ts';

/** Bot, user, app-level, refresh and legacy tokens: `xox` + type letter + `-` + 10–250 characters. */
const slackTokenPattern = /(?<![A-Za-z0-9_-])xox[abeoprs]-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])/;

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
