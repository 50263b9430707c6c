import { isEncodedFieldName } from '../encoded-value.ts';
import type { CompiledFieldRule, CompiledRuleSet, Redactor } from '../redactor.ts';
import type { Scanner } from '../scanner.ts';
import { isNamedField, isNamingField } from './sibling-names.ts';

/** What a CSV header binds, per column and for the passes over the data records. */
export interface CsvColumnBinding {
  /** The field rule of each column, if one applies. */
  readonly rules: readonly (CompiledFieldRule | undefined)[];
  /** The scanner of each column: its names are context for the detectors (see `Scanner.named`). */
  readonly scanners: readonly Scanner[];
  /**
   * Columns redacted whatever the batch scan found, ascending: those whose rule can change a
   * cell (not `keep`), and unruled ones whose names are context, which the batch scan lacks.
   */
  readonly ruledColumns: readonly number[];
  /**
   * Unruled columns whose names are context and leave base64 alone: their cells that the batch
   * scan vouches for are scanned together, with the detectors the names change.
   */
  readonly contextColumns: readonly number[];
  /** A `name,value` layout: the column whose cell names what the named columns hold, or -1 (see sibling-names.ts). */
  readonly namingColumn: number;
  readonly namedColumns: readonly number[];
}

/** Bindings remembered per rule set: the objects a process redacts at once, or one object's segments. */
const MAX_BINDINGS = 4;
/** A longer header is bound anew each time: a remembered one holds its key and a scanner per column. */
const MAX_KEY_CHARS = 64 * 1024;

interface RememberedBinding {
  readonly key: string;
  readonly binding: CsvColumnBinding;
}

/**
 * The last headers bound with each rule set, most recent first: every segment of an object (see
 * `redact-segment.ts`) binds the object's header again, and naming a scanner per column was most
 * of what redacting the head again cost a segment (0.27-0.33 ms on the bench CSV's 20 columns,
 * 0.015-0.03 with the binding remembered).
 */
const recent = new WeakMap<CompiledRuleSet, RememberedBinding[]>();

/**
 * Binds each column, known by `columnNames` (its header, a declared name, or both), to the
 * first field rule one of its names names (a `keep` rule only with `isKeepBound`) and to the
 * scanner its names make (see `Scanner.named`). The binding depends on the rule set, the names
 * and `isKeepBound` alone, so one made for the same three before is returned again.
 */
export function bindCsvColumns(
  redactor: Redactor,
  columnNames: readonly (readonly string[])[],
  isKeepBound: boolean,
): CsvColumnBinding {
  const key = JSON.stringify([isKeepBound, columnNames]);
  const remembered = recent.get(redactor.ruleSet) ?? [];
  const index = remembered.findIndex((each) => each.key === key);
  if (index >= 0) {
    const [found] = remembered.splice(index, 1) as [RememberedBinding];
    remembered.unshift(found);
    return found.binding;
  }
  const binding = bind(redactor, columnNames, isKeepBound);
  if (key.length <= MAX_KEY_CHARS) {
    remembered.unshift({ key, binding });
    remembered.length = Math.min(remembered.length, MAX_BINDINGS);
    recent.set(redactor.ruleSet, remembered);
  }
  return binding;
}

function bind(
  redactor: Redactor,
  columnNames: readonly (readonly string[])[],
  isKeepBound: boolean,
): CsvColumnBinding {
  const scanner = redactor.scanner;
  const rules = columnNames.map((each) => {
    for (const name of each) {
      const rule = redactor.fieldRule([name]);
      if (rule !== undefined && (isKeepBound || !rule.isKeep)) return rule;
    }
    return undefined;
  });
  const scanners: Scanner[] = [];
  const ruledColumns: number[] = [];
  const contextColumns: number[] = [];
  let namingColumn = -1;
  const namedColumns: number[] = [];
  columnNames.forEach((each, column) => {
    const rule = rules[column];
    const columnScanner = each.reduce((named, name) => named.named(name), scanner);
    if (rule === undefined ? columnScanner !== scanner : !rule.isKeep) ruledColumns.push(column);
    if (rule === undefined && columnScanner !== scanner && !each.some(isEncodedFieldName))
      contextColumns.push(column);
    scanners.push(columnScanner);
    if (namingColumn < 0 && each.some(isNamingField)) namingColumn = column;
    else if (rule === undefined && each.some(isNamedField)) namedColumns.push(column);
  });
  return { rules, scanners, ruledColumns, contextColumns, namingColumn, namedColumns };
}
