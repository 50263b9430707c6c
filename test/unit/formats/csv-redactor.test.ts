import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  LimitExceededError,
  MalformedObjectError,
  RuleValidationError,
} from '../../../functions/core/errors.ts';
import type { Detector } from '../../../functions/core/redaction/detector.ts';
import {
  builtInDetectorIds,
  createBuiltInDetector,
} from '../../../functions/core/redaction/detectors/built-in-detectors.ts';
import {
  isLocalPhone,
  isLoosePhone,
} from '../../../functions/core/redaction/formats/csv-column-inference.ts';
import { columnShapes, shapeName } from '../../../functions/core/redaction/formats/csv-column-shapes.ts';
import { createCsvRedactor } from '../../../functions/core/redaction/formats/csv-redactor.ts';
import type { FormatRedactor } from '../../../functions/core/redaction/formats/format-redactor.ts';
import { type CompiledFieldRule, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { Scanner } from '../../../functions/core/redaction/scanner.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';
import {
  compiledRuleSetOf,
  nameFieldRule,
  regexDetector,
  sampleDetectors,
} from '../support/compiled-rule-set.ts';
import { splitAt } from '../support/split-at.ts';
import { type ParsedCell, type ParsedRecord, parseCsv } from './parse-csv.ts';

function encodeCell(value: string, wasQuoted: boolean, delimiter: string): string {
  const needsQuotes = wasQuoted || [delimiter, '"', '\r', '\n'].some((special) => value.includes(special));
  return needsQuotes ? `"${value.replaceAll('"', '""')}"` : value;
}

const SNIFFED = [',', ';', '\t', '|'];

/**
 * The most frequent usual delimiter outside quotes in the first record of `text`; on a tie, the
 * tied one found as often in most of the next 7 records, then the most found in them, then the
 * first listed.
 */
function sniffDelimiter(text: string): string {
  const records: Map<string, number>[] = [];
  let counts = new Map<string, number>();
  let isQuoted = false;
  for (let i = 0; i < text.length && records.length < 8; i++) {
    const character = text[i] as string;
    if (character === '"') isQuoted = !isQuoted;
    else if (!isQuoted && (character === '\n' || character === '\r')) {
      if (text.startsWith('\r\n', i)) i++;
      records.push(counts);
      counts = new Map();
    } else if (!isQuoted && SNIFFED.includes(character))
      counts.set(character, (counts.get(character) ?? 0) + 1);
  }
  if (records.length < 8 && (counts.size > 0 || !/[\r\n]$/.test(text))) records.push(counts);
  const [first = new Map<string, number>(), ...rest] = records;
  const most = Math.max(...SNIFFED.map((candidate) => first.get(candidate) ?? 0));
  const tied = SNIFFED.filter((candidate) => (first.get(candidate) ?? 0) === most);
  const score = (candidate: string) => [
    rest.filter((record) => (record.get(candidate) ?? 0) === (first.get(candidate) ?? 0)).length,
    rest.reduce((sum, record) => sum + (record.get(candidate) ?? 0), 0),
  ];
  return tied.reduce((best, candidate) => {
    const [same, total] = score(candidate) as [number, number];
    const [bestSame, bestTotal] = score(best) as [number, number];
    return same > bestSame || (same === bestSame && total > bestTotal) ? candidate : best;
  });
}

/**
 * The semantics spelled out line by line and cell by cell: preamble lines (`sep=`, empty,
 * comments not naming a ruled column) are scanned as text; the first record is scanned and, unless
 * most of it looks like data, binds rules (no keep rule when any cell looks like data); detectors
 * see each decoded cell alone, under its header name as context (see `Scanner.named`), and in its
 * record line, whose other cells are context.
 */
function referenceRedact(redactor: Redactor, input: string, explicitDelimiter?: string): string {
  const bom = input.startsWith('\uFEFF') ? '\uFEFF' : '';
  let text = input.slice(bom.length);
  let out = bom;
  let delimiter = explicitDelimiter;
  for (let lineNumber = 0; ; lineNumber++) {
    const lineBreak = /\r\n|\r|\n/.exec(text);
    const line = lineBreak === null ? text : text.slice(0, lineBreak.index);
    const terminator = lineBreak?.[0] ?? '';
    const sep = lineNumber === 0 ? /^sep=([^"\r\n])$/i.exec(line) : null;
    if (sep !== null && (sep[1] as string).charCodeAt(0) < 0x80) delimiter = sep[1];
    const names = line.split(delimiter ?? sniffDelimiter(line));
    names[0] = (names[0] as string).replace(/^#+\s*/, '');
    const isPreamble =
      line === '' ||
      (sep !== null && delimiter === sep[1]) ||
      (line.startsWith('#') &&
        !(names.length > 1 && /^#[\p{L}\p{N}]/u.test(line)) &&
        names.every((name) => redactor.fieldRule([name]) === undefined));
    if (!isPreamble) {
      delimiter ??= sniffDelimiter(text);
      break;
    }
    out += redactor.redactText(line) + terminator;
    text = text.slice(line.length + terminator.length);
    if (text === '') return out;
  }
  const records = parseCsv(text, delimiter).records;
  // The header names of a file with a header: context for the detectors in their columns.
  let headerNames: string[] = [];
  /**
   * A cell alone, plus the matches of its record line (the record as written, each quote,
   * delimiter and terminator a line feed) that lie wholly inside it, overlap none of its own and,
   * in a quoted cell with doubled quotes, hold no quote (there they count once).
   */
  const detect = (cells: readonly ParsedCell[], terminator: string, column: number): string => {
    const cell = cells[column] as ParsedCell;
    const name = headerNames[column];
    const own = (name === undefined ? redactor.scanner : redactor.scanner.named(name)).scan(
      cell.value,
    ).matches;
    const written = cells.map((each) => (each.isQuoted ? `\n${each.raw.slice(1, -1)}\n` : each.raw));
    const offset =
      written.slice(0, column).reduce((sum, each) => sum + each.length + 1, 0) + (cell.isQuoted ? 1 : 0);
    const content = cell.isQuoted ? cell.raw.slice(1, -1) : cell.raw;
    const line = written.join('\n') + '\n'.repeat(terminator.length);
    const fromLine = redactor.scanner
      .scan(line)
      .matches.filter((found) => found.start >= offset && found.end <= offset + content.length)
      .filter((found) => !cell.isQuoted || !line.slice(found.start, found.end).includes('"'))
      .map((found) => {
        const doubled = cell.isQuoted ? (line.slice(offset, found.start).match(/""/g) ?? []).length : 0;
        return { ...found, start: found.start - offset - doubled, end: found.end - offset - doubled };
      })
      .filter((found) => own.every((mine) => mine.end <= found.start || mine.start >= found.end));
    const all = [...own, ...fromLine].sort((a, b) => a.start - b.start);
    const isWhole = all.some((found) => found.start === 0 && found.end === cell.value.length);
    if (isPhoneColumn[column] && !isWhole && isLoosePhone(cell.value))
      return redactor.replace(
        cell.value,
        [{ start: 0, end: cell.value.length, detector: phone }],
        0,
        cell.value.length,
      );
    return all.length === 0 ? cell.value : redactor.replace(cell.value, all, 0, cell.value.length);
  };
  // A file without a header: its phone columns, as the records of the first 16 KiB (64 at most)
  // show them: a whole phone number in a cell alone, and most filled cells one or loosely shaped;
  // or more than two thirds of them local numbers.
  const phone = redactor.ruleSet.detectorIds.indexOf('phone');
  let isPhoneColumn: boolean[] = [];
  const inferPhoneColumns = (): boolean[] => {
    const filled: number[] = [];
    const whole: number[] = [];
    const shaped: number[] = [];
    const local: number[] = [];
    let length = 0;
    for (const [index, { cells, terminator }] of records.entries()) {
      cells.forEach((cell, column) => {
        if (cell.value === '') return;
        filled[column] = (filled[column] ?? 0) + 1;
        const isPhone = redactor.scanner
          .scan(cell.value)
          .matches.some(
            (found) => found.start === 0 && found.end === cell.value.length && found.detector === phone,
          );
        if (isPhone) whole[column] = (whole[column] ?? 0) + 1;
        if (isPhone || isLoosePhone(cell.value)) shaped[column] = (shaped[column] ?? 0) + 1;
        if (isPhone || isLocalPhone(cell.value)) local[column] = (local[column] ?? 0) + 1;
      });
      length += cells.reduce((sum, cell) => sum + cell.raw.length + 1, -1) + terminator.length;
      if (index + 1 >= 64 || length >= 16 * 1024) break;
    }
    return filled.map(
      (count, column) =>
        ((whole[column] ?? 0) > 0 && (shaped[column] ?? 0) * 2 > count) ||
        (local[column] ?? 0) * 3 > count * 2,
    );
  };
  // And the columns the shapes of their cells name, as those records show them (cells a
  // detector takes whole left out).
  // The records of the window, and which of their cells the detectors take whole when run over
  // them all at once, each delimiter, quote and terminator a line feed (cells of a record before
  // are context, as in the engine's batch scan).
  const windowRecords: ParsedRecord[] = [];
  let windowLength = 0;
  for (const [index, record] of records.entries()) {
    windowRecords.push(record);
    windowLength +=
      record.cells.reduce((sum, cell) => sum + cell.raw.length + 1, -1) + record.terminator.length;
    if (index + 1 >= 64 || windowLength >= 16 * 1024) break;
  }
  const wholeCells = new Set<string>();
  {
    let batch = '';
    const spans: { key: string; start: number; end: number }[] = [];
    windowRecords.forEach(({ cells, terminator }, index) => {
      cells.forEach((cell, column) => {
        if (column > 0) batch += '\n';
        const content = cell.isQuoted ? cell.raw.slice(1, -1) : cell.raw;
        const start = batch.length + (cell.isQuoted ? 1 : 0);
        spans.push({ key: `${index},${column}`, start, end: start + content.length });
        batch += cell.isQuoted ? `\n${content}\n` : content;
      });
      batch += '\n'.repeat(terminator.length);
    });
    const matches = redactor.scanner.scan(batch).matches;
    for (const span of spans) {
      const found = matches.find((each) => each.end > span.start);
      if (found?.start === span.start && found.end === span.end && span.start < span.end)
        wholeCells.add(span.key);
    }
  }
  const windowValues = (from: number): string[][] => {
    const values: string[][] = [];
    windowRecords.forEach(({ cells }, index) => {
      cells.forEach((cell, column) => {
        if (index >= from && cell.value !== '' && !wholeCells.has(`${index},${column}`))
          values[column] = [...(values[column] ?? []), cell.value];
      });
    });
    return values;
  };
  const shapes = columnShapes(redactor);
  const inferNamedColumns = (): (CompiledFieldRule | undefined)[] =>
    Array.from(windowValues(0), (each) => {
      const name = each === undefined ? undefined : shapeName(each, shapes);
      return name === undefined ? undefined : redactor.fieldRule([name]);
    });
  // A header naming no rule is a first row of values when a later column's shape, a person's
  // name excepted, is its cell's too.
  const isFirstRowOfValues = (first: readonly ParsedCell[]): boolean =>
    Array.from(windowValues(1)).some((values, column) => {
      const value = first[column]?.value ?? '';
      if (values === undefined || value === '') return false;
      if (isLocalPhone(value) && values.filter(isLocalPhone).length * 3 > values.length * 2) return true;
      const shape = shapes.find((each) => each.name === shapeName(values, shapes));
      return shape !== undefined && shape.name !== 'name' && shape.cell(value);
    });
  const redactCell = (
    { cells, terminator }: ParsedRecord,
    column: number,
    rule: CompiledFieldRule | undefined,
  ): string => {
    const cell = cells[column] as ParsedCell;
    if (cell.value === '' || rule?.isKeep) return cell.raw;
    const value = rule ? (redactor.applyField(rule, cell.value) ?? '') : detect(cells, terminator, column);
    return value === cell.value ? cell.raw : encodeCell(value, cell.isQuoted, delimiter as string);
  };
  let columns: (CompiledFieldRule | undefined)[] | undefined;
  for (const record of records) {
    const { cells, terminator } = record;
    const ruled = columns ?? [];
    const redacted = cells.map((_, column) => redactCell(record, column, ruled[column]));
    if (columns === undefined) {
      const names = cells.map((cell, column) =>
        column === 0 ? cell.value.replace(/^#+\s*/, '') : cell.value,
      );
      const isDataLike = names.map(
        (name, column) =>
          redacted[column] !== cells[column]?.raw ||
          /^[^\p{L}]*\p{Nd}[^\p{L}]*$/u.test(name) ||
          /[^\s@]@[^\s@]/.test(name),
      );
      const dataLike = isDataLike.filter(Boolean).length;
      const filled = names.filter((name) => name !== '').length;
      const isUnnamed =
        filled > 0 &&
        shapes.length > 0 &&
        names.every((name, column) => isDataLike[column] || redactor.fieldRule([name]) === undefined);
      const isData = dataLike * 2 > filled || (isUnnamed && isFirstRowOfValues(cells));
      columns = isData
        ? inferNamedColumns()
        : names.map((name) => {
            const rule = redactor.fieldRule([name]);
            return dataLike > 0 && rule?.isKeep ? undefined : rule;
          });
      if (!isData) headerNames = names;
      if (isData && phone >= 0) {
        isPhoneColumn = inferPhoneColumns();
        cells.forEach((_, column) => {
          redacted[column] = redactCell(record, column, undefined);
        });
      }
      // A doubted header may be data: a cell naming a ruled column gets that rule itself.
      if (dataLike > 0 || isData) {
        columns.forEach((rule, column) => {
          const cell = cells[column];
          if (rule === undefined || cell === undefined) return;
          const byRule = redactCell(record, column, rule);
          if (byRule !== cell.raw) redacted[column] = byRule;
        });
      }
    }
    out += redacted.join(delimiter) + terminator;
  }
  return out;
}

function run(csv: FormatRedactor, chunks: readonly string[]): string {
  return chunks.map((chunk) => csv.push(chunk)).join('') + csv.end();
}

const keepRule = (id: string, names: string[]): CompiledFieldRule => ({
  ...nameFieldRule(id, names),
  isKeep: true,
  apply: (value) => value,
});

/** name → [NAME]; city → dropped; note → kept as is. */
function standardRedactor(maxRecordBytes?: number): Redactor {
  return new Redactor(
    compiledRuleSetOf(
      sampleDetectors(),
      [
        nameFieldRule('name', ['name']),
        nameFieldRule('city', ['city'], () => undefined),
        keepRule('note', ['note']),
      ],
      maxRecordBytes === undefined ? {} : { maxRecordBytes },
    ),
  );
}

/** Replacements that need quoting under any delimiter the properties use. */
function quotingRedactor(): Redactor {
  const ruleSet = compiledRuleSetOf(sampleDetectors(), [
    nameFieldRule('name', ['name'], (value) => `"${value.length}",; |\t-.\n`),
    nameFieldRule('city', ['city'], () => undefined),
    keepRule('note', ['note']),
  ]);
  return new Redactor({
    ...ruleSet,
    detectorActions: ruleSet.detectorActions.map((action, i) => (i === 0 ? () => 'e,;|\t -."\r\n' : action)),
  });
}

/**
 * Rules whose actions also take many values at once (`ValueAction.many`), as `hash` does, and
 * log each batch: `name` replaces a value, `city` drops one that holds an `a`.
 */
function batchingRedactor(batches: string[][] = []): Redactor {
  const batching = (apply: (value: string) => string | undefined) =>
    Object.assign(apply, {
      many(values: readonly string[]) {
        batches.push([...values]);
        return values.map(apply);
      },
    });
  return new Redactor(
    compiledRuleSetOf(sampleDetectors(), [
      nameFieldRule(
        'name',
        ['name'],
        batching((value) => `<${value.length}>`),
      ),
      nameFieldRule(
        'city',
        ['city'],
        batching((value) => (value.includes('a') ? undefined : `(${value})`)),
      ),
      keepRule('note', ['note']),
    ]),
  );
}

function redact(input: string, redactor = standardRedactor(), delimiter?: string): string {
  return run(createCsvRedactor(redactor, delimiter === undefined ? {} : { delimiter }), [input]);
}

function errorOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('createCsvRedactor', () => {
  it('passes quoted fields with delimiters, doubled quotes and line breaks through byte for byte', () => {
    const input =
      'id,comment,score\r\n1,"a, b",2\r\n2,"say ""hi""",3\r\n3,"two\r\nlines\nhere",4\r\n4,,""\r\n';

    expect(redact(input)).toBe(input);
  });

  it('keeps LF and CRLF terminators, a BOM, empty lines and a missing final newline', () => {
    const input = '\uFEFFid,email\n\n1,bob@example.com\r\n\r\n2,x\n3,carol@example.org';

    expect(redact(input)).toBe('\uFEFFid,email\n\n1,[EMAIL]\r\n\r\n2,x\n3,[EMAIL]');
  });

  it('keeps a U+FEFF that starts a later record as data', () => {
    const csv = createCsvRedactor(new Redactor(compiledRuleSetOf([regexDetector('seven', /7/, 1)])));

    expect(run(csv, ['id,n\n', '\uFEFFab,7\n'])).toBe('id,n\n\uFEFFab,[SEVEN]\n');
  });

  it('binds column rules by header: redacts, drops to an empty cell, keeps without detectors', () => {
    const input =
      'Name,"city",note,other\nAda,London,ada@example.com,bob@example.com\n"Bo",Paris,123-45-6789,x\n';

    expect(redact(input)).toBe(
      'Name,"city",note,other\n[NAME],,ada@example.com,[EMAIL]\n"[NAME]",,123-45-6789,x\n',
    );
  });

  it('uses the first non-empty record as the header', () => {
    expect(redact('\r\nname,email\r\nAda,x\r\n')).toBe('\r\nname,email\r\n[NAME],x\r\n');
  });

  it('redacts a header cell that holds a sensitive value and still binds the other columns', () => {
    expect(redact('admin@example.com,name\nx,Ada\n')).toBe('[EMAIL],[NAME]\nx,[NAME]\n');
  });

  it('lets no keep rule exempt a column when the header has a data-like cell', () => {
    expect(redact('note,2024\nbob@example.com,1\n')).toBe('note,2024\n[EMAIL],1\n');
    expect(redact('note,total\nbob@example.com,1\n')).toBe('note,total\nbob@example.com,1\n');
  });

  it('redacts the first row of a file without a header row', () => {
    expect(redact('bob@example.com,123-45-6789\ncarol@example.org,x\n')).toBe(
      '[EMAIL],[US_SSN]\n[EMAIL],x\n',
    );
  });

  it('takes a first row mostly of numbers or emails for data and binds no column rule from it', () => {
    const namesOnly = () => new Redactor(compiledRuleSetOf([], [nameFieldRule('name', ['name'])]));

    expect(redact('42,7,name\n8,7,Cy\n', namesOnly())).toBe('42,7,name\n8,7,Cy\n');
    expect(redact('42,a@b.c,name\n8,x,Cy\n', namesOnly())).toBe('42,a@b.c,name\n8,x,Cy\n');
    // One data-like cell in three: still a header (binding rules only ever redacts more).
    expect(redact('Ada,42,name\nBo,7,Cy\n', namesOnly())).toBe('Ada,42,[NAME]\nBo,7,[NAME]\n');
    expect(redact('Ada,b,name\nBo,x,Cy\n', namesOnly())).toBe('Ada,b,name\nBo,x,[NAME]\n');
  });

  it('keeps a sep= line, takes its delimiter and binds the next line as the header', () => {
    expect(redact('sep=;\r\nname;email\r\nAda;bob@example.com\r\n')).toBe(
      'sep=;\r\nname;email\r\n[NAME];[EMAIL]\r\n',
    );
  });

  it('scans comment lines before the header and binds the header after them', () => {
    expect(redact('# export for bob@example.com\n# v2 "draft\nname,city\nAda,Rome\n')).toBe(
      '# export for [EMAIL]\n# v2 "draft\nname,city\n[NAME],\n',
    );
  });

  it('takes a #-prefixed line that names a ruled column for the header', () => {
    expect(redact('#id,name\n1,Ada\n')).toBe('#id,name\n1,[NAME]\n');
    expect(redact('##format=x\n#name\tcity\nAda\tRome\n')).toBe('##format=x\n#name\tcity\n[NAME]\t\n');
  });

  it('splits records at CR-only line endings and keeps them', () => {
    expect(redact('name,email\rAda,bob@example.com\r"Bo","x\ry"\rCy,z')).toBe(
      'name,email\r[NAME],[EMAIL]\r"[NAME]","x\ry"\r[NAME],z',
    );
  });

  it('waits for the character after a CR to tell CR from CRLF', () => {
    const csv = createCsvRedactor(standardRedactor());

    expect(csv.push('name,id\rAda,1\r')).toBe('name,id\r');
    expect(csv.push('\nBo,2\r')).toBe('[NAME],1\r\n');
    expect(csv.end()).toBe('[NAME],2\r');
  });

  it('sniffs a semicolon, tab or pipe delimiter from the first line', () => {
    for (const delimiter of [';', '\t', '|']) {
      const input = `name${delimiter}"a,b"${delimiter}email\nAda${delimiter}x,y${delimiter}bob@example.com\n`;

      expect(run(createCsvRedactor(standardRedactor()), [input])).toBe(
        `name${delimiter}"a,b"${delimiter}email\n[NAME]${delimiter}x,y${delimiter}[EMAIL]\n`,
      );
    }
  });

  it('takes the delimiter from the next records when the first names several equally often', () => {
    for (const delimiter of [';', '\t', '|', ',']) {
      const first = ['a;b,c|d', 'a;b,c|d', 'x'].join(delimiter === ',' ? '\t' : delimiter);
      const input = `${first}\nbob@example.com${delimiter}"Ada"${delimiter}y\n`;
      // Split after each character as well, so a tie waiting for its records is chunked anywhere.
      for (const chunks of [[input], [...input]]) {
        const [, second] = run(createCsvRedactor(standardRedactor()), chunks).split('\n');
        expect(second?.split(delimiter)).toEqual(['[EMAIL]', '"Ada"', 'y']);
      }
    }
  });

  it('runs the detectors on cells without a rule, extra cells beyond the header included', () => {
    const input = 'id,name\n1,Ada,123-45-6789,"4111 1111 1111 1111"\n';

    expect(redact(input)).toBe('id,name\n1,[NAME],[US_SSN],"[PAYMENT_CARD]"\n');
  });

  it('leaves empty cells empty, even in ruled columns', () => {
    expect(redact('name,city\n,\n"",""\n')).toBe('name,city\n,\n"",""\n');
  });

  it('decodes doubled quotes before detection and keeps the quoted form', () => {
    expect(redact('id,text\n1,"say ""bob@example.com"" twice"\n')).toBe(
      'id,text\n1,"say ""[EMAIL]"" twice"\n',
    );
  });

  it('matches detectors against the decoded value of a cell with doubled quotes', () => {
    const redactor = new Redactor(compiledRuleSetOf([regexDetector('quoted-word', /x"y/, 3)]));

    expect(redact('id,text\n1,"a x""y b"\n', redactor)).toBe('id,text\n1,"a [QUOTED_WORD] b"\n');
  });

  it('finds a secret key after its key id in an earlier cell with doubled quotes, as near as the record is written', () => {
    // The key id starts 48 characters before the key as written (the detector's window), 50 once
    // the cell's quotes are decoded: the key is found, as in the record line.
    const redactor = new Redactor(
      compiledRuleSetOf(
        ['aws-access-key-id', 'aws-secret-access-key'].map((id) => createBuiltInDetector(id) as Detector),
      ),
    );
    const key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const input = `a,b,c\n"say ""hi"" AKIAIOSFODNN7EXAMPLE",x y x y x y x y x y x y x,${key}\n"say ""hi"" AKIAIOSFODNN7EXAMPLE","x y x y\nx y x y x y x y",${key}\n`;

    expect(redact(input, redactor)).toBe(
      'a,b,c\n"say ""hi"" [AWS_ACCESS_KEY_ID]",x y x y x y x y x y x y x,[AWS_SECRET_KEY]\n"say ""hi"" [AWS_ACCESS_KEY_ID]","x y x y\nx y x y x y x y",[AWS_SECRET_KEY]\n',
    );
  });

  it('quotes a replacement that contains the delimiter, a quote or a line break', () => {
    const input = 'name,email\nAda,bob@example.com\n';

    expect(redact(input, quotingRedactor())).toBe('name,email\n"""3"",; |\t-.\n","e,;|\t -.""\r\n"\n');
  });

  it('takes a quote inside an unquoted field literally, and quotes the cell when it changes', () => {
    expect(redact('id,text\n1,5" pipe\n2,x"bob@example.com\n')).toBe('id,text\n1,5" pipe\n2,"x""[EMAIL]"\n');
  });

  it('lets detectors see a cell alone, not a value spread over neighbouring cells', () => {
    expect(redact('a-b-c\n123-45-6789\n', standardRedactor(), '-')).toBe('a-b-c\n123-45-6789\n');
    expect(redact('a b c d\n4111 1111 1111 1111\n', standardRedactor(), ' ')).toBe(
      'a b c d\n4111 1111 1111 1111\n',
    );
    expect(redact('a.b\nbob@example.com\n', standardRedactor(), '.')).toBe('a.b\nbob@example.com\n');
  });

  it('scans a cell alone only when a match found in its record spills out of it or needs context from outside it, and cells with doubled quotes decoded, together', () => {
    const redactor = new Redactor(
      compiledRuleSetOf(['email', 'ipv4', 'us-ssn'].map((id) => createBuiltInDetector(id) as Detector)),
    );
    const scan = vi.spyOn(Scanner.prototype, 'scan');
    try {
      const output = redact(
        'id,text\n1,bob@example.com\n2,10.0.0.1 and bob@example.com\n3,SSN 219099999\n4,SSN,219099999\n5,"""x"" 10.0.0.2"\n6,"say ""hi"""\n',
        redactor,
      );

      expect(output).toBe(
        'id,text\n1,[EMAIL]\n2,[IP_ADDRESS] and [EMAIL]\n3,SSN [SSN]\n4,SSN,[SSN]\n5,"""x"" [IP_ADDRESS]"\n6,"say ""hi"""\n',
      );
      const texts = scan.mock.calls.map(([text]) => text);
      // Alone: the cell whose match took its keyword from the cell before.
      expect(texts.filter((text) => !text.includes('\n'))).toEqual(['219099999']);
      // The batch, the cells with doubled quotes decoded, and the record line of that cell.
      expect(texts.filter((text) => text.includes('\n'))).toHaveLength(3);
      expect(texts).toContain('"x" 10.0.0.2\nsay "hi"');
    } finally {
      scan.mockRestore();
    }
  });

  it('scans a cell under a header that is context with only the detectors the header changes when the others found all in its record, and not alone when the scan of its column found nothing in it', () => {
    const redactor = new Redactor(
      compiledRuleSetOf(['email', 'us-ssn'].map((id) => createBuiltInDetector(id) as Detector)),
    );
    const scan = vi.spyOn(Scanner.prototype, 'scan');
    try {
      const output = redact('id,social security\n1,bob@example.com\n2,219099999\n', redactor);

      expect(output).toBe('id,social security\n1,[EMAIL]\n2,[SSN]\n');
      // Each cell scanned alone, with the number of detectors scanning it: the email is the
      // batch's, and the column's scan with the SSN detector the header changes found nothing in it.
      const cells = scan.mock.calls.flatMap(([text], i) =>
        text.includes('\n') ? [] : [[text, (scan.mock.contexts[i] as Scanner).detectors.length]],
      );
      expect(cells).toEqual([['219099999', 1]]);
    } finally {
      scan.mockRestore();
    }
  });

  it('scans a cell under a header that is context alone with all its detectors, and no more, when the batch and the scan of its column both found something in it', () => {
    const redactor = new Redactor(
      compiledRuleSetOf(['email', 'us-ssn'].map((id) => createBuiltInDetector(id) as Detector)),
    );
    const scan = vi.spyOn(Scanner.prototype, 'scan');
    try {
      const output = redact('id,social security\n1,bob@example.com 219099999\n2,none\n', redactor);

      expect(output).toBe('id,social security\n1,[EMAIL] [SSN]\n2,none\n');
      const cells = scan.mock.calls.flatMap(([text], i) =>
        text.includes('\n') ? [] : [[text, (scan.mock.contexts[i] as Scanner).detectors.length]],
      );
      expect(cells).toEqual([['bob@example.com 219099999', 2]]);
    } finally {
      scan.mockRestore();
    }
  });

  it('scans the cells of a column whose header is context together, and alone only those it finds something in', () => {
    const redactor = new Redactor(
      compiledRuleSetOf(['email', 'us-ssn'].map((id) => createBuiltInDetector(id) as Detector)),
    );
    const scan = vi.spyOn(Scanner.prototype, 'scan');
    try {
      const output = redact('id,social security\n1,n/a\n2,219099999\n3,unknown\n', redactor);

      expect(output).toBe('id,social security\n1,n/a\n2,[SSN]\n3,unknown\n');
      const cells = scan.mock.calls.flatMap(([text]) => (text.includes('\n') ? [] : [text]));
      expect(cells).toEqual(['219099999']);
    } finally {
      scan.mockRestore();
    }
  });

  it('honours another delimiter', () => {
    expect(redact('name;email\nAda;bob@example.com\n', standardRedactor(), ';')).toBe(
      'name;email\n[NAME];[EMAIL]\n',
    );
  });

  it('produces output that re-parses to the same records and cells', () => {
    const input =
      'name,email,city\r\nAda,"bob@example.com",x\r\n"Lin, Mei",a@b.io,"Rome"\r\n\r\nZ,"q ""123-45-6789""",\n';
    const output = redact(input, quotingRedactor());
    const shape = (text: string) => parseCsv(text).records.map((record) => record.cells.length);

    expect(output).not.toBe(input);
    expect(shape(output)).toEqual(shape(input));
  });

  it('emits each record as soon as it is complete', () => {
    const csv = createCsvRedactor(standardRedactor());

    expect(csv.push('name,email\nAda,bob@exam')).toBe('name,email\n');
    expect(csv.push('ple.com\nBo')).toBe('[NAME],[EMAIL]\n');
    expect(csv.push(',x\n')).toBe('[NAME],x\n');
    expect(csv.end()).toBe('');
  });

  it('counts the values each rule changed', () => {
    const redactor = standardRedactor();
    redact('name,city,other\nAda,Rome,bob@example.com\nBo,,x\n', redactor);

    expect(Object.fromEntries(redactor.counts)).toEqual({ name: 2, city: 1, email: 1 });
  });

  it('hands a column whose action takes many values its non-empty cells of each push together', () => {
    const batches: string[][] = [];
    const redactor = batchingRedactor(batches);
    const csv = createCsvRedactor(redactor);

    expect(csv.push('name,city,note\nAda,Rome,x\n"B""o",,y\n')).toBe(
      'name,city,note\n<3>,(Rome),x\n"<3>",,y\n',
    );
    expect(csv.push('Lin,Paris,z\n,Oslo')).toBe('<3>,,z\n');
    expect(csv.end()).toBe(',(Oslo)');
    expect(batches).toEqual([['Ada', 'B"o'], ['Rome'], ['Lin'], ['Paris'], ['Oslo']]);
    expect(Object.fromEntries(redactor.counts)).toEqual({ name: 3, city: 3 });
  });

  it("passes a ruled column's unquoted cells seen in an earlier push to its rule no more, and counts them", () => {
    const batches: string[][] = [];
    const redactor = batchingRedactor(batches);
    const csv = createCsvRedactor(redactor);

    expect(csv.push('name,city\nAda,x\nAda,y\n')).toBe('name,city\n<3>,(x)\n<3>,(y)\n');
    expect(csv.push('Ada,x\n"Ada",y\nBo,x\n')).toBe('<3>,(x)\n"<3>",(y)\n<2>,(x)\n');
    expect(batches).toEqual([
      ['Ada', 'Ada'],
      ['x', 'y'],
      ['Ada', 'Bo'],
    ]);
    expect(Object.fromEntries(redactor.counts)).toEqual({ name: 5, city: 5 });
  });

  it('fails on a quote left open at the end, naming the record but not the value', () => {
    const error = errorOf(() => redact('id,ssn\n1,ok\n2,"123-45-6789\n'));

    expect(error).toBeInstanceOf(MalformedObjectError);
    expect((error as Error).message).toMatch(/record 3\b/);
    expect((error as Error).message).not.toContain('123-45-6789');
  });

  it('fails on characters after a closing quote, naming the record but not the value', () => {
    const error = errorOf(() => redact('id,email\n"1","bob@example.com"bob@example.com\n'));

    expect(error).toBeInstanceOf(MalformedObjectError);
    expect((error as Error).message).toMatch(/record 2\b/);
    expect((error as Error).message).not.toContain('bob');
  });

  it('fails on a record longer than maxRecordBytes, whatever the chunking', () => {
    const input = `id,text\n1,short\n2,${'secret '.repeat(200)}\n3,x\n`;
    const chunks = input.match(/[\s\S]{1,100}/g) ?? [];
    for (const pieces of [[input], chunks]) {
      const error = errorOf(() => run(createCsvRedactor(standardRedactor(1024)), pieces));

      expect(error).toBeInstanceOf(LimitExceededError);
      expect((error as Error).message).toMatch(/record 3\b/);
      expect((error as Error).message).not.toContain('secret');
    }
  });

  it('fails as soon as an unfinished record exceeds maxRecordBytes, before the end of input', () => {
    const csv = createCsvRedactor(standardRedactor(1024));
    csv.push('id,text\n1,');

    expect(() => csv.push('x'.repeat(1100))).toThrow(LimitExceededError);
  });

  it('reports the record limit rather than a malformed quote that lies past it, whatever the chunking', () => {
    const input = `id\n"${'x'.repeat(1100)}"a\n`;
    for (const pieces of [[input], [input.slice(0, 1050), input.slice(1050)]]) {
      expect(() => run(createCsvRedactor(standardRedactor(1024)), pieces)).toThrow(LimitExceededError);
    }
  });

  it('accepts a record of exactly maxRecordBytes, terminator included', () => {
    const record = `1,${'x'.repeat(1024 - 4)}\r\n`;

    expect(redact(`id,text\n${record}`, standardRedactor(1024))).toBe(`id,text\n${record}`);
  });

  it('rejects a delimiter that is a quote, a line break, not ASCII or longer than one character', () => {
    for (const delimiter of ['"', '\n', '\r', '', ';;', '§']) {
      expect(() => createCsvRedactor(standardRedactor(), { delimiter })).toThrow(RuleValidationError);
    }
  });
});

const delimiters = [',', ';', '\t', '|', ' ', '-', '.'];

const samplePlanted = [
  'bob@example.com',
  'a.b-c@mail.example.org',
  '123-45-6789',
  '4111 1111 1111 1111',
  // Hidden forms: escaped, full-width, with invisible characters or no-break spaces.
  'bob%40example.com',
  'bob&commat;example&#46;com',
  'ｂｏｂ＠ｅｘａｍｐｌｅ．ｃｏｍ',
  '12\u200b3-45-67\u00ad89',
  '4111\u00a01111\u202f1111\u20091111',
  '100% &amp; AT&T',
];
const builtInPlanted = [
  ...samplePlanted,
  'SSN 219099999',
  'IBAN gb82west12345698765432',
  '４１１１１１１１１１１１１１１１',
  '4111.1111.1111.1111',
  '555-234-5678',
  '(555) 234-5678',
  'DE89 3704 0044 0532 0130 00',
  '192.168.1.10',
  '2001:db8::1',
  'AKIAIOSFODNN7EXAMPLE',
  'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  // A secret key in a cell of its own: one of its record's cells before it may be context.
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'a"b wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'secret_access_key',
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.',
  'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
];

/**
 * A random well-formed CSV: BOM, `sep=` line, empty and comment lines (some planted, some naming
 * a ruled column), a header or a data record first, random quoting, LF/CRLF/CR terminators,
 * planted values; the delimiter given explicitly or left to the file.
 */
const headerNames = ['name', 'Name', 'city', 'note', 'email', 'id', 'other', '#name', '2024'];

const csvDocument = (planted: string[], names = headerNames) =>
  fc.constantFrom(...delimiters).chain((delimiter) => {
    const value = fc.oneof(
      fc.constantFrom(...planted),
      fc.constantFrom(
        '',
        'Ada',
        'x y',
        '12',
        '# x',
        '\uD83D',
        '"',
        'a""b',
        '\r\n',
        '\n',
        '\r',
        '4111-1111',
        '-1111-1111',
      ),
      fc.string({
        unit: fc.constantFrom(
          'a',
          '1',
          '2',
          ' ',
          '-',
          '.',
          '@',
          'e',
          'x',
          'é',
          '😀',
          '"',
          ',',
          ';',
          '\t',
          '|',
        ),
        maxLength: 14,
      }),
    );
    const cell = fc.tuple(value, fc.boolean()).map(([text, wantsQuotes]) => {
      const mustQuote =
        text.startsWith('"') || text.includes(delimiter) || text.includes('\n') || text.includes('\r');
      return wantsQuotes || mustQuote ? `"${text.replaceAll('"', '""')}"` : text;
    });
    const header = fc
      .array(fc.constantFrom(...names), {
        minLength: 1,
        maxLength: 5,
      })
      .map((names) => names.join(delimiter));
    const record = fc.oneof(
      {
        weight: 9,
        arbitrary: fc.array(cell, { minLength: 1, maxLength: 7 }).map((cells) => cells.join(delimiter)),
      },
      { weight: 1, arbitrary: fc.constant('') },
    );
    const terminator = fc.constantFrom('\n', '\r\n', '\r');
    const preambleLine = fc.oneof(
      fc.constant(''),
      fc.constantFrom(...planted).map((text) => `# exported by ${text}`),
      fc.constantFrom('# comment "quoted', `#id${delimiter}name`, '## meta'),
    );
    return fc
      .record({
        hasBom: fc.boolean(),
        hasSep: fc.boolean(),
        preamble: fc.array(fc.tuple(preambleLine, terminator), { maxLength: 3 }),
        first: fc.oneof(header, record),
        records: fc.array(fc.tuple(record, terminator), { maxLength: 8 }),
        last: record,
        firstTerminator: terminator,
        isExplicit: fc.boolean(),
      })
      .map(({ hasBom, hasSep, preamble, first, records, last, firstTerminator, isExplicit }) => {
        const lines = (pairs: [string, string][]) => pairs.map(([text, end]) => text + end).join('');
        // A delimiter that sniffing cannot find is declared or given.
        const isDeclared = hasSep || (!isExplicit && !SNIFFED.includes(delimiter));
        const input = `${hasBom ? '\uFEFF' : ''}${isDeclared ? `sep=${delimiter}\n` : ''}${lines(preamble)}${first}${firstTerminator}${lines(records)}${last}`;
        // The last record has no terminator; an empty one leaves the input ending in a newline.
        return { delimiter: isExplicit ? delimiter : undefined, input };
      });
  });

function csvRedactorOf(redactor: Redactor, delimiter: string | undefined): FormatRedactor {
  return createCsvRedactor(redactor, delimiter === undefined ? {} : { delimiter });
}

/** The output, or the kind of failure: the naive reader throws plain errors where the redactor throws MalformedObjectError. */
function outcome(produce: () => string): string {
  try {
    return produce();
  } catch (error) {
    return error instanceof MalformedObjectError || (error as Error).name === 'Error'
      ? 'malformed'
      : String(error);
  }
}

describe('createCsvRedactor properties', () => {
  it('gives the per-cell reference output for any split of the input', () => {
    fc.assert(
      fc.property(
        csvDocument(samplePlanted),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        ({ delimiter, input }, points, isQuoting) => {
          const newRedactor = isQuoting ? quotingRedactor : standardRedactor;
          const whole = newRedactor();
          const chunked = newRedactor();
          const reference = newRedactor();

          const expected = outcome(() => referenceRedact(reference, input, delimiter));
          expect(outcome(() => run(csvRedactorOf(whole, delimiter), [input]))).toBe(expected);
          expect(outcome(() => run(csvRedactorOf(chunked, delimiter), splitAt(input, points)))).toBe(
            expected,
          );
          if (expected !== 'malformed') {
            expect(whole.counts).toEqual(reference.counts);
            expect(chunked.counts).toEqual(reference.counts);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives the per-cell reference output for any split when column actions take many values at once', () => {
    fc.assert(
      fc.property(
        csvDocument(samplePlanted),
        fc.array(fc.nat(), { maxLength: 10 }),
        ({ delimiter, input }, points) => {
          const chunked = batchingRedactor();
          const reference = batchingRedactor();

          const expected = outcome(() => referenceRedact(reference, input, delimiter));
          expect(outcome(() => run(csvRedactorOf(chunked, delimiter), splitAt(input, points)))).toBe(
            expected,
          );
          if (expected !== 'malformed') expect(chunked.counts).toEqual(reference.counts);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives the per-cell reference output for any split when a column action gives one label for every value', () => {
    // The action declares its label (`ValueAction.constant`): its cells are written without being
    // decoded or passed to it, and counted in bulk. The reference calls it on every cell.
    const labelRedactor = (label: string) =>
      new Redactor(
        compiledRuleSetOf(sampleDetectors(), [
          nameFieldRule(
            'name',
            ['name'],
            Object.assign(() => label, { constant: label }),
          ),
          nameFieldRule('city', ['city'], () => undefined),
          keepRule('note', ['note']),
        ]),
      );
    fc.assert(
      fc.property(
        csvDocument(samplePlanted),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.constantFrom('[NAME]', '"3",; |\t-.\n', 'Ada', ''),
        ({ delimiter, input }, points, label) => {
          const chunked = labelRedactor(label);
          const reference = labelRedactor(label);

          const expected = outcome(() => referenceRedact(reference, input, delimiter));
          expect(outcome(() => run(csvRedactorOf(chunked, delimiter), splitAt(input, points)))).toBe(
            expected,
          );
          if (expected !== 'malformed') expect(chunked.counts).toEqual(reference.counts);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives the per-cell reference output with the built-in detectors', () => {
    const builtIns = () =>
      new Redactor(
        compiledRuleSetOf(
          builtInDetectorIds.map((id) => createBuiltInDetector(id) as Detector),
          [nameFieldRule('name', ['name']), keepRule('note', ['note'])],
        ),
      );
    fc.assert(
      fc.property(
        csvDocument(builtInPlanted),
        fc.array(fc.nat(), { maxLength: 4 }),
        ({ delimiter, input }, points) => {
          const expected = outcome(() => referenceRedact(builtIns(), input, delimiter));

          expect(outcome(() => run(csvRedactorOf(builtIns(), delimiter), splitAt(input, points)))).toBe(
            expected,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives the per-cell reference output with the shipped rules under headers that are context', async () => {
    const ruleSet = await shippedRuleSet('default');
    const planted = [
      ...builtInPlanted,
      '020 7946 0958',
      '0612345678',
      '030 1234567',
      '219099999',
      'tel 020 7946 0958',
      // A value any detector finds beside one only a header that is context lets be found.
      'bob@example.com 020 7946 0958',
      '192.168.1.10 0612345678',
    ];
    const contextNames = ['contact', 'social security', 'tel', 'number', 'mobile', 'note', 'id'];
    fc.assert(
      fc.property(
        csvDocument(planted, contextNames),
        fc.array(fc.nat(), { maxLength: 4 }),
        ({ delimiter, input }, points) => {
          const expected = outcome(() => referenceRedact(new Redactor(ruleSet), input, delimiter));

          expect(
            outcome(() => run(csvRedactorOf(new Redactor(ruleSet), delimiter), splitAt(input, points))),
          ).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the per-cell reference output for cells with doubled quotes, with the shipped rules, under any header', async () => {
    const ruleSet = await shippedRuleSet('default');
    // Values a detector finds alone, with a keyword, only under a header that is context, or in a
    // normalized form (its match carries the value it read), and values split by a quote.
    const values = [
      ...builtInPlanted,
      '020 7946 0958',
      '0612345678',
      '219099999',
      'bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
      'refund to IBAN DE89370400440532013000',
      'bob%40example.com',
      'bob@example"".com',
    ];
    const planted = values.flatMap((value) => [`"${value}"`, `say "hi" ${value}`, `${value} "x`]);
    const contextNames = ['contact', 'social security', 'tel', 'note', 'id', 'comment'];
    fc.assert(
      fc.property(
        csvDocument(planted, contextNames),
        fc.array(fc.nat(), { maxLength: 4 }),
        ({ delimiter, input }, points) => {
          const expected = outcome(() => referenceRedact(new Redactor(ruleSet), input, delimiter));

          expect(
            outcome(() => run(csvRedactorOf(new Redactor(ruleSet), delimiter), splitAt(input, points))),
          ).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the per-cell reference output for values whose context is in another cell of the record, one with doubled quotes or a quoted line break, with the shipped rules, under any header', async () => {
    // A key id or keyword in a cell with doubled quotes is as near a value in a later cell as the
    // record is written: within the secret key detector's 48-character window written, beyond it
    // once the quotes are decoded (what leaked when such cells were held decoded in the batch
    // scan, seed 762066936 of the property above). Filler cells move the value about that edge.
    const ruleSet = await shippedRuleSet('default');
    const contextWords = [
      'AKIAIOSFODNN7EXAMPLE',
      'ASIAIOSFODNN7EXAMPLE',
      'aws_secret_access_key',
      'secret_key',
      'SSN',
      'social security',
      'IBAN',
      'tel',
    ];
    const secrets = [
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY "x',
      '219099999',
      'DE89370400440532013000',
      '020 7946 0958',
    ];
    const quotes = fc.constantFrom('"', '""', 'say "hi"', '"x" ', 'a"b', '\n', '"\r\n"');
    const contextCell = fc
      .tuple(
        fc.array(quotes, { maxLength: 3 }),
        fc.constantFrom(...contextWords),
        fc.array(quotes, { maxLength: 3 }),
      )
      .map(([before, word, after]) => `${before.join(' ')} ${word}${after.join('')}`);
    const filler = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', ' ', '.', '1'), maxLength: 12 }),
      fc.constantFrom('', '\n', '\r\n', '"', 'x y', 'a"b"c'),
    );
    const value = fc.oneof(
      { weight: 3, arbitrary: contextCell },
      { weight: 3, arbitrary: filler },
      { weight: 2, arbitrary: fc.constantFrom(...secrets) },
    );
    const document = fc.constantFrom(',', ';', '.', '\t').chain((delimiter) => {
      const cell = fc
        .tuple(value, fc.boolean())
        .map(([text, wantsQuotes]) =>
          wantsQuotes || /["\r\n]/.test(text) || text.includes(delimiter)
            ? `"${text.replaceAll('"', '""')}"`
            : text,
        );
      const record = fc.array(cell, { minLength: 2, maxLength: 7 }).map((cells) => cells.join(delimiter));
      const header = fc
        .array(fc.constantFrom('contact', 'note', 'comment', 'id', 'tel', 'social security', 'a', 'b'), {
          minLength: 1,
          maxLength: 4,
        })
        .map((names) => names.join(delimiter));
      return fc
        .tuple(header, fc.array(record, { minLength: 1, maxLength: 4 }), fc.constantFrom('\n', '\r\n'))
        .map(([first, records, terminator]) => ({
          delimiter,
          input: [first, ...records].join(terminator) + terminator,
        }));
    });
    fc.assert(
      fc.property(document, fc.array(fc.nat(), { maxLength: 4 }), ({ delimiter, input }, points) => {
        const expected = outcome(() => referenceRedact(new Redactor(ruleSet), input, delimiter));

        expect(outcome(() => run(csvRedactorOf(new Redactor(ruleSet), delimiter), [input]))).toBe(expected);
        expect(
          outcome(() => run(csvRedactorOf(new Redactor(ruleSet), delimiter), splitAt(input, points))),
        ).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('fails the same way for any split of a malformed or oversized input', () => {
    const outcome = (chunks: readonly string[]) => {
      try {
        return run(createCsvRedactor(standardRedactor(1024)), chunks);
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    };
    const piece = fc.constantFrom('a', '"', ',', '\n', '\r', '\r\n', '""', 'x'.repeat(300), 'x'.repeat(700));
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 30 }).map((pieces) => pieces.join('')),
        fc.array(fc.nat(), { maxLength: 10 }),
        (input, points) => {
          expect(outcome(splitAt(input, points))).toBe(outcome([input]));
        },
      ),
      { numRuns: 500 },
    );
  });
});
