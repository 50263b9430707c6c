/** Keys and array indexes from the root of a rule file, e.g. `['detectors', 2, 'action', 'type']`. */
export type RulePath = readonly (string | number)[];

const maxValueChars = 60;

/** Renders a path as written in messages: `detectors[2].action.type`. */
export function formatRulePath(path: RulePath): string {
  if (path.length === 0) return '(document)';
  return path
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`))
    .join('');
}

/** A value as shown in messages: JSON, cut to about 60 characters. */
export function formatRuleValue(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > maxValueChars ? `${json.slice(0, maxValueChars - 1)}…` : json;
}
