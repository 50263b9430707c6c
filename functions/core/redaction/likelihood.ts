/**
 * How sure a pack detector must be before it redacts, after Google Cloud DLP's `minLikelihood`
 * and Presidio's score threshold: `likely` takes a value with its keyword (or under a field
 * named for one) or in a shape that needs none; `possible` also takes a value whose check digit
 * passes without a keyword, on the detectors that declare `withoutKeyword: possible`;
 * `unlikely` also takes values of the shape alone on the detectors that declare
 * `withoutKeyword: unlikely` (no keyword) or `withoutCheck: unlikely` (no check digit).
 * The levels, surest first. A module of its own, without the rule schema: detectors compare
 * levels at every start, which need not load zod (the schema's output is cached by the CLI bundle).
 */
export const likelihoods = ['likely', 'possible', 'unlikely'] as const;

export type Likelihood = (typeof likelihoods)[number];

/**
 * True when a rule set at `level` takes what a detector declares for `declared`: each level
 * takes what the surer ones before it take.
 *
 * @example
 * reachesLikelihood('unlikely', 'possible'); // true
 */
export function reachesLikelihood(level: Likelihood, declared: Likelihood): boolean {
  return likelihoods.indexOf(level) >= likelihoods.indexOf(declared);
}
