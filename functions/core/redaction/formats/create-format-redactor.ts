import type { Redactor } from '../redactor.ts';
import { createCsvRedactor } from './csv-redactor.ts';
import type { FormatRedactor, TextFormat } from './format-redactor.ts';
import { createJsonRedactor } from './json-redactor.ts';
import { createLdifRedactor } from './ldif-redactor.ts';
import { createMailRedactor } from './mail-redactor.ts';
import { createNdjsonRedactor } from './ndjson-redactor.ts';
import { createTextRedactor } from './text-redactor.ts';

/** The redaction state machine for a format; JSON bodies in base64 are read in their own format. */
export function createFormatRedactor(format: TextFormat, redactor: Redactor): FormatRedactor {
  const createPart = (part: TextFormat): FormatRedactor => createFormatRedactor(part, redactor);
  switch (format) {
    case 'csv':
      return createCsvRedactor(redactor);
    case 'ndjson':
      return createNdjsonRedactor(redactor, createPart);
    case 'json':
      return createJsonRedactor(redactor, createPart);
    case 'text':
      return createTextRedactor(redactor);
    case 'ldif':
      return createLdifRedactor(redactor);
    case 'mail':
      return createMailRedactor(redactor, createPart);
  }
}
