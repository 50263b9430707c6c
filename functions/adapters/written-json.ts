/** A time as `Date#toISOString` writes it for the years 0000–9999, each of which `z.iso.datetime()` takes. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Whether `value` is a time as `toISOString` writes a real date. What the stores write is read
 * with this instead of a zod schema, which a start of `serve` would load for it.
 */
export function isIsoTimestamp(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    ISO_TIMESTAMP.test(value) &&
    !Number.isNaN(Date.parse(value)) &&
    new Date(value).toISOString() === value
  );
}

/** Whether `value` is a plain object (as JSON.parse gives) with no key outside `allowed`. */
export function hasOnlyKeys(value: unknown, allowed: readonly string[]): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).every((key) => allowed.includes(key))
  );
}
