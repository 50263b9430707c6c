/** One cell of a CSV record as {@link parseCsv} reads it. */
export interface ParsedCell {
  /** As written, quotes included. */
  readonly raw: string;
  readonly value: string;
  readonly isQuoted: boolean;
}

export interface ParsedRecord {
  readonly cells: ParsedCell[];
  /** `\n`, `\r\n`, `\r`, or empty for a last record without one. */
  readonly terminator: string;
}

/**
 * A deliberately naive RFC 4180 reader, independent of the one under test: records end at LF,
 * CRLF or CR outside quotes; a quote inside an unquoted cell is literal.
 */
export function parseCsv(input: string, delimiter = ','): { bom: string; records: ParsedRecord[] } {
  const bom = input.startsWith('\uFEFF') ? '\uFEFF' : '';
  const text = input.slice(bom.length);
  const records: ParsedRecord[] = [];
  let cells: ParsedCell[] = [];
  let i = 0;
  while (i < text.length) {
    let raw = '';
    let value = '';
    const isQuoted = text[i] === '"';
    if (isQuoted) {
      raw = '"';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unclosed quote');
        if (text[i] === '"' && text[i + 1] === '"') {
          raw += '""';
          value += '"';
          i += 2;
        } else if (text[i] === '"') {
          raw += '"';
          i++;
          break;
        } else {
          raw += text[i];
          value += text[i];
          i++;
        }
      }
    } else {
      while (i < text.length && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r')
        raw += text[i++];
      value = raw;
    }
    cells.push({ raw, value, isQuoted });
    if (i >= text.length) break;
    if (text[i] === delimiter) {
      i++;
      if (i === text.length) cells.push({ raw: '', value: '', isQuoted: false });
      continue;
    }
    const terminator = text.startsWith('\r\n', i) ? '\r\n' : text[i];
    if (terminator !== '\r\n' && terminator !== '\r' && terminator !== '\n') {
      throw new Error('text after a closing quote');
    }
    i += terminator.length;
    records.push({ cells, terminator });
    cells = [];
  }
  if (cells.length > 0) records.push({ cells, terminator: '' });
  return { bom, records };
}

/** Rows and cells per row of a CSV text: what redaction must keep. */
export function csvShape(text: string, delimiter: string): string[] {
  return parseCsv(text, delimiter).records.map((record) => `${record.cells.length}${record.terminator}`);
}
