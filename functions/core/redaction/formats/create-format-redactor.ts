import type { Redactor } from '../redactor.ts';
import { createCsvRedactor } from './csv-redactor.ts';
import type { FormatRedactor, TextFormat } from './format-redactor.ts';
import { createJsonRedactor } from './json-redactor.ts';
import { createLdifRedactor } from './ldif-redactor.ts';
import { createMailRedactor } from './mail-redactor.ts';
import { createNdjsonRedactor } from './ndjson-redactor.ts';
import { createTextRedactor } from './text-redactor.ts';

/** The redaction state machine for a format. */
export function createFormatRedactor(format: TextFormat, redactor: Redactor): FormatRedactor {
  switch (format) {
    case 'csv':
      return createCsvRedactor(redactor);
    case 'ndjson':
      return createNdjsonRedactor(redactor);
    case 'json':
      return createJsonRedactor(redactor);
    case 'text':
      return createTextRedactor(redactor);
    case 'ldif':
      return createLdifRedactor(redactor);
    case 'mail':
      return createMailRedactor(redactor, (part) => createFormatRedactor(part, redactor));
  }
}
