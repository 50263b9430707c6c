import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitFieldName } from '../../../functions/core/redaction/field-matcher.ts';
import { createFormatRedactor } from '../../../functions/core/redaction/formats/create-format-redactor.ts';
import type { TextFormat } from '../../../functions/core/redaction/formats/format-redactor.ts';
import { type CompiledRuleSet, Redactor } from '../../../functions/core/redaction/redactor.ts';
import { shippedRuleSet } from '../../support/shipped-rules.ts';
import { randomOver } from './shipped-text-redaction.ts';

// Personal field names in other languages: field-person-name, field-email, field-phone,
// field-ssn, field-date-of-birth and field-address of default.yaml (JSON keys, CSV headers).
const compiled = await shippedRuleSet('default');

function redact(text: string, format: TextFormat, ruleSet: CompiledRuleSet = compiled): string {
  const formatRedactor = createFormatRedactor(format, new Redactor(ruleSet));
  return formatRedactor.push(text) + formatRedactor.end();
}

/** Words the rules list, as people spell them (accents and all), with the label they get. */
const words: readonly (readonly [string, string])[] = [
  // Given, family and full names
  ...[
    'Vorname',
    'Nachname',
    'Familienname',
    'Zuname',
    'vollständiger Name',
    'prénom',
    'nom de famille',
    'nom complet',
    'nom de naissance',
    'apellido',
    'apellidos',
    'nombre completo',
    'primer nombre',
    'sobrenome',
    'apelido',
    'nome completo',
    'primeiro nome',
    'nome social',
    'cognome',
    'nome e cognome',
    'nominativo',
    'voornaam',
    'achternaam',
    'familienaam',
    'volledige naam',
    'förnamn',
    'efternamn',
    'fornavn',
    'etternavn',
    'etunimi',
    'sukunimi',
    'imię',
    'nazwisko',
    'křestní jméno',
    'příjmení',
    'vezetéknév',
    'keresztnév',
    'soyadı',
  ].map((word) => [word, '[NAME]'] as const),
  // Email
  ...[
    'courriel',
    'adresse électronique',
    'correo electrónico',
    'correo',
    'correio eletrônico',
    'posta elettronica',
    'emailadresse',
    'e-mailadres',
    'e-post',
    'e-postadress',
    'sähköposti',
    'e-posta',
  ].map((word) => [word, '[EMAIL]'] as const),
  // Phone
  ...[
    'Telefon',
    'Telefonnummer',
    'Mobiltelefon',
    'Handynummer',
    'Mobilnummer',
    'Rufnummer',
    'numéro de portable',
    'teléfono',
    'celular',
    'cellulare',
    'telefone',
    'telemóvel',
    'telefoon',
    'telefoonnummer',
    'mobiel nummer',
    'puhelinnumero',
    'numer telefonu',
    'telefonní číslo',
    'telefonszám',
  ].map((word) => [word, '[PHONE]'] as const),
  // Social security numbers
  ...[
    'SV-Nummer',
    'Rentenversicherungsnummer',
    'número de la seguridad social',
    'número de segurança social',
    'numero di previdenza sociale',
    'sofinummer',
    'burgerservicenummer',
    'personnummer',
    'CPR-nummer',
    'henkilötunnus',
    'fødselsnummer',
  ].map((word) => [word, '[SSN]'] as const),
  // Date of birth
  ...[
    'Geburtsdatum',
    'Geburtstag',
    'Geb.-Datum',
    'date de naissance',
    'fecha de nacimiento',
    'fecha nacimiento',
    'cumpleaños',
    'data de nascimento',
    'dt nascimento',
    'data di nascita',
    'compleanno',
    'geboortedatum',
    'verjaardag',
    'födelsedatum',
    'fødselsdato',
    'syntymäaika',
    'data urodzenia',
    'datum narození',
    'születési dátum',
    'doğum tarihi',
  ].map((word) => [word, '[DATE_OF_BIRTH]'] as const),
  // Address
  ...[
    'Adresse',
    'Anschrift',
    'Lieferadresse',
    'Postanschrift',
    'adresse postale',
    'dirección',
    'domicilio',
    'endereço',
    'morada',
    'logradouro',
    'indirizzo',
    'adres',
    'woonadres',
    'adress',
    'adresa',
    'osoite',
  ].map((word) => [word, '[ADDRESS]'] as const),
];

/**
 * Whole names only: the words for name alone would take file and product names as words, and
 * street names are whole names in English too.
 */
const wholeNames: readonly (readonly [string, string])[] = [
  ...['nom', 'nome', 'nombre', 'nombres', 'naam', 'jméno'].map((name) => [name, '[NAME]'] as const),
  ...['Handy', 'Mobil', 'móvil', 'mobiel'].map((name) => [name, '[PHONE]'] as const),
  ...['NSS', 'NISS', 'BSN', 'hetu'].map((name) => [name, '[SSN]'] as const),
  ...['Straße', 'Strasse', 'rue', 'calle', 'rua', 'straat', 'straatnaam'].map(
    (name) => [name, '[ADDRESS]'] as const,
  ),
];

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Whole-name spellings: as written, capitalized, upper and lower case. */
function caseSpellings(name: string): string[] {
  return [name, capitalized(name), name.toUpperCase(), name.toLowerCase()];
}

/** Word spellings: the case spellings, snake, upper snake, camel, and after a qualifier. */
function wordSpellings(word: string): string[] {
  const parts = word.split(/[ .-]+/);
  const snake = parts.join('_');
  const camel = parts.map((part, i) => (i === 0 ? part.toLowerCase() : capitalized(part))).join('');
  return [
    ...caseSpellings(word),
    snake,
    snake.toUpperCase(),
    camel,
    `cliente_${snake}`,
    `KUNDE_${snake.toUpperCase()}`,
    `contact${capitalized(camel)}`,
  ];
}

/** Every spelling of every name, once each, with its label. */
const planted: readonly (readonly [string, string])[] = [
  ...new Map([
    ...words.flatMap(([word, label]) => wordSpellings(word).map((name) => [name, label] as const)),
    ...wholeNames.flatMap(([name, label]) => caseSpellings(name).map((spelled) => [spelled, label] as const)),
  ]),
];

/** Letters no detector reads: a value only a field rule can change. */
const value = fc
  .tuple(randomOver('abcdefghijklmnopqrstuvwxyz', 6, 14), randomOver('abcdefghijklmnopqrstuvwxyz', 4, 10))
  .map(([first, second]) => `${capitalized(first)} ${second.toUpperCase()}`);

/** The members of one object: a value under every name, each value its own (the name's index after it). */
function members(secret: string): Record<string, string> {
  return Object.fromEntries(planted.map(([name], i) => [name, `${secret}${i}`]));
}

const labels: Record<string, string> = Object.fromEntries(planted);

describe('personal field names in other languages', () => {
  it('fold to the words the field rules list, accents taken off', () => {
    expect(splitFieldName('příjmení')).toEqual(['prijmeni']);
    expect(splitFieldName('nom_de_famille')).toEqual(['nom', 'de', 'famille']);
    expect(splitFieldName('correoElectrónico')).toEqual(['correo', 'electronico']);
    expect(splitFieldName('Doğum Tarihi')).toEqual(['dogum', 'tarihi']);
    expect(splitFieldName('Születési dátum')).toEqual(['szuletesi', 'datum']);
    // No accent to take off: ß, ø and the dotless ı drop out, the same in the rule and the name.
    expect(splitFieldName('Straße')).toEqual(['stra', 'e']);
    expect(splitFieldName('fødselsdato')).toEqual(['f', 'dselsdato']);
    expect(splitFieldName('Soyadı')).toEqual(['soyad']);
    expect(splitFieldName('SOYADI')).toEqual(['soyadi']);
  });

  it('redact a value under every spelling of every name as JSON members, at the top and nested (property)', () => {
    fc.assert(
      fc.property(value, fc.boolean(), (secret, isNested) => {
        const record = members(secret);
        const text = JSON.stringify(isNested ? { id: 7, kunde: record, n: 3 } : { id: 7, ...record });
        const out = redact(text, 'json');
        expect(out).not.toContain(secret);
        expect(JSON.parse(out)).toEqual(isNested ? { id: 7, kunde: labels, n: 3 } : { id: 7, ...labels });
      }),
      { numRuns: 40 },
    );
  });

  it('redact a value under every spelling of every name in an NDJSON record (property)', () => {
    fc.assert(
      fc.property(value, (secret) => {
        const text = `${JSON.stringify(members(secret))}\n{"id":2}\n`;
        const out = redact(text, 'ndjson');
        expect(out).not.toContain(secret);
        expect(JSON.parse(out.split('\n')[0] as string)).toEqual(labels);
      }),
      { numRuns: 40 },
    );
  });

  it('redact the columns headed by every spelling of every name in CSV, comma or semicolon separated (property)', () => {
    fc.assert(
      fc.property(value, fc.constantFrom(',', ';'), (secret, separator) => {
        const header = ['id', ...planted.map(([name]) => name), 'status'].join(separator);
        const row = (n: number) =>
          [String(n), ...planted.map((_, i) => `${secret}${n}x${i}`), 'ok'].join(separator);
        const text = `${header}\n${row(1)}\n${row(2)}\n`;
        const out = redact(text, 'csv');
        expect(out).not.toContain(secret);
        const redactedRow = (n: number) =>
          [String(n), ...planted.map(([, label]) => label), 'ok'].join(separator);
        expect(out).toBe(`${header}\n${redactedRow(1)}\n${redactedRow(2)}\n`);
      }),
      { numRuns: 40 },
    );
  });

  it('redacts the leaked records: German, Spanish and French headers', () => {
    const csv = 'Vorname;Nachname;Geburtsdatum;IBAN\nJan;Müller;12.03.1985;DE89370400440532013000\n';
    expect(redact(csv, 'csv')).toBe(
      'Vorname;Nachname;Geburtsdatum;IBAN\n[NAME];[NAME];[DATE_OF_BIRTH];******************3000\n',
    );
    const spanish =
      '{"nombre":"Juan","apellidos":"García López","direccion":"Calle Mayor 5","telefono":"612345678"}';
    expect(JSON.parse(redact(spanish, 'json'))).toEqual({
      nombre: '[NAME]',
      apellidos: '[NAME]',
      direccion: '[ADDRESS]',
      telefono: '[PHONE]',
    });
    const french =
      '{"prénom":"Jean","nom":"Dupont","adresse":"12 rue de la Paix","date_de_naissance":"1985-03-12"}';
    expect(JSON.parse(redact(french, 'json'))).toEqual({
      prénom: '[NAME]',
      nom: '[NAME]',
      adresse: '[ADDRESS]',
      date_de_naissance: '[DATE_OF_BIRTH]',
    });
  });

  /**
   * Names that only look like one: the words for name before file or product, Dutch voornaamste
   * (main), telephony and a call, places of birth, and what English does not name either
   * (postal codes, cities, tax ids, a user name), or describes (adresse_type).
   */
  const nearMiss = fc.constantFrom(
    'nome_arquivo',
    'nom_fichier',
    'nombre_archivo',
    'nome_file',
    'naam_bestand',
    'jmeno_souboru',
    'nom_produit',
    'produto_nome',
    'nombreProducto',
    'Dateiname',
    'bestandsnaam',
    'Benutzername',
    'voornaamste_reden',
    'Telefonie',
    'telefonie_kosten',
    'Telefonat',
    'Geburtsort',
    'lieu_de_naissance',
    'luogo_di_nascita',
    'Postleitzahl',
    'code_postal',
    'codigo_postal',
    'Ort',
    'ville',
    'ciudad',
    'cidade',
    'Steuer-ID',
    'adresse_type',
    'nomination',
    'renome',
  );

  it('leave the values under names that only look like one alone, in JSON, NDJSON and CSV (property)', () => {
    fc.assert(
      fc.property(nearMiss, value, fc.constantFrom(',', ';'), (name, kept, separator) => {
        const json = JSON.stringify({ id: 7, [name]: kept });
        expect(redact(json, 'json'), json).toBe(json);
        const ndjson = `${json}\n{"id":8}\n`;
        expect(redact(ndjson, 'ndjson'), ndjson).toBe(ndjson);
        const csv = `${['id', name, 'status'].join(separator)}\n${['1', kept, 'ok'].join(separator)}\n`;
        expect(redact(csv, 'csv'), csv).toBe(csv);
      }),
      { numRuns: 300 },
    );
  });

  it('tokenize an email under its name in other languages for the analytics partner, as under email', async () => {
    const partner = await shippedRuleSet('analytics-partner');
    for (const name of ['courriel', 'correo_electronico', 'Emailadresse', 'e-mailadres', 'e-post']) {
      const json = JSON.stringify({ [name]: 'ana at example' });
      const out = JSON.parse(redact(json, 'json', partner)) as Record<string, string>;
      expect(out[name], name).toMatch(/^tok:/);
    }
  });
});
