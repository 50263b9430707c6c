import { type CandidateSearch, needlesSearch, recordedSearch } from './candidate-search.ts';

/** The prefixes of AWS access key ids: long-term `AKIA`, temporary `ASIA`, and the older ones. */
export const AWS_KEY_ID_PREFIXES = ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3T'] as const;

/**
 * Where any of {@link AWS_KEY_ID_PREFIXES} occurs, recorded per text (see `recordedSearch`):
 * the access key id detector's candidates and the key ids the secret key detector takes for
 * context, found in one pass over the text for both, where each searched it on its own (the
 * secret key detector with one `indexOf` pass per prefix: 2.3 ms per 16 MB of the bench CSV).
 */
const prefixStarts = recordedSearch(needlesSearch(AWS_KEY_ID_PREFIXES));

/**
 * The search for where one of `prefixes` (some of {@link AWS_KEY_ID_PREFIXES}) occurs, read
 * from the pass shared by the AWS detectors.
 */
export function awsKeyIdPrefixSearch(
  prefixes: readonly (typeof AWS_KEY_ID_PREFIXES)[number][] = AWS_KEY_ID_PREFIXES,
): CandidateSearch {
  if (prefixes.length === AWS_KEY_ID_PREFIXES.length) return prefixStarts;
  return (text, from) => {
    for (let at = prefixStarts(text, from); at !== -1; at = prefixStarts(text, at + 1))
      for (const prefix of prefixes) if (text.startsWith(prefix, at)) return at;
    return -1;
  };
}
