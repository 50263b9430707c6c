import { normalizeFieldName } from '../field-matcher.ts';

/**
 * Members of an object that hold a table as a list of column names beside a list of rows:
 * pandas `DataFrame.to_json(orient="split")` (`{"columns": […], "index": […], "data": [[…]]}`),
 * `{"fields": […], "rows": [[…]]}`, `{"header": […], "values": [[…]]}`, result sets of query
 * APIs. The names are strings, or objects whose `name` member holds one (`{"name": "ssn",
 * "type": "string"}`). Compared as field names are (see `normalizeFieldName`).
 */
const COLUMN_LISTS = new Set(['header', 'headers', 'columnnames', 'colnames', 'names', 'keys']);
/** Lists of column names whose objects describe columns (a schema's `fields`, `columns`). */
const COLUMN_SCHEMAS = new Set(['columns', 'fields']);
const ROWS = new Set(['data', 'rows', 'values', 'records']);

/** Columns of a list of column names read at most; a longer list binds nothing. */
export const MAX_COLUMNS = 4096;

/**
 * What a member so named holds when its value is an array: a list of column names (`list`), a
 * list of them whose objects describe columns (`schema`), or neither.
 */
export function columnListRole(key: string): 'list' | 'schema' | undefined {
  const name = normalizeFieldName(key);
  if (COLUMN_SCHEMAS.has(name)) return 'schema';
  return COLUMN_LISTS.has(name) ? 'list' : undefined;
}

/** True when a member so named holds the rows of a table beside a list of column names. */
export function isRowsMember(key: string): boolean {
  return ROWS.has(normalizeFieldName(key));
}

/** True when a member of a column's description so named holds the column's name. */
export function isColumnNameKey(key: string | undefined): boolean {
  return key !== undefined && normalizeFieldName(key) === 'name';
}
