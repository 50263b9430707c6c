import { createRequire } from 'node:module';
import type Libmime from 'libmime';

let libmime: typeof Libmime | undefined;

/**
 * libmime, loaded on first use. The CLI bundle (bin/cli-bundle.js) maps `libmime` to this module:
 * loading it (with iconv-lite and encoding-japanese, for the charsets of encoded-words) costs ~45
 * ms of CPU, and only a mail object's header fields need it, so `serve` and `redact` load it on
 * the first mail instead of at every start. Only what functions/core/redaction/formats/mail-*.ts
 * uses is here.
 */
function load(): typeof Libmime {
  libmime ??= createRequire(import.meta.url)('libmime') as typeof Libmime;
  return libmime;
}

export default {
  decodeWords: (value: string) => load().decodeWords(value),
  encodeWords: (...args: Parameters<typeof Libmime.encodeWords>) => load().encodeWords(...args),
  isPlainText: (...args: Parameters<typeof Libmime.isPlainText>) => load().isPlainText(...args),
  foldLines: (...args: Parameters<typeof Libmime.foldLines>) => load().foldLines(...args),
  parseHeaderValue: (...args: Parameters<typeof Libmime.parseHeaderValue>) =>
    load().parseHeaderValue(...args),
  buildHeaderValue: (...args: Parameters<typeof Libmime.buildHeaderValue>) =>
    load().buildHeaderValue(...args),
};
