import { isValidIbanText } from '../detectors/iban-checksum.ts';
import { isLuhnValid } from '../detectors/luhn.ts';
import { isBase58CheckValid } from './base58check.ts';
import { isBech32Valid } from './bech32.ts';
import { isEip55Valid } from './keccak256.ts';
import {
  isAuMedicareValid,
  isAuTfnValid,
  isBrCnpjValid,
  isBrCpfValid,
  isCaSinValid,
  isDeIdCardValid,
  isDeTaxIdCheckDigitValid,
  isDeTaxIdValid,
  isEsDniOrNieValid,
  isFrNirValid,
  isInAadhaarValid,
  isInPanLayoutValid,
  isInPanValid,
  isItCodiceFiscaleLayoutValid,
  isItCodiceFiscaleValid,
  isKrRrnValid,
  isMxCurpValid,
  isNlBsnValid,
  isPlPeselDateValid,
  isPlPeselValid,
  isSgNricLayoutValid,
  isSgNricValid,
  isUkNhsValid,
  isUkNinoValid,
  isUsDeaValid,
  isUsItinValid,
  isUsNpiValid,
  isUsSsnValid,
} from './national-id-checksums.ts';
import { isNationalPhoneNumberValid, isOpenPlanPhoneNumberValid } from './national-phone-number.ts';
import { isPassphrase } from './passphrase.ts';
import { passwordDescriptions } from './password-descriptions.ts';
import { hasPlaceholderRun } from './placeholder-run.ts';
import { isProseDescription } from './prose-descriptions.ts';
import { isVinValid } from './vehicle-identification-number.ts';
import { isVerhoeffValid } from './verhoeff.ts';
import {
  isAbaRoutingValid,
  isIcao9303Valid,
  isIso7064Mod11_10Valid,
  isIso7064Mod97_10Valid,
} from './weighted-checksums.ts';

/**
 * True for a value that can be a secret rather than a stand-in for one: not words (an
 * identifier such as `changeme`, `mySecretName`, `DB_PASSWORD`: letters whose words, split at
 * separators and camel humps, average three letters or more; random letters split into many
 * short ones), not a short number (a count, a port; ids of 16 digits or more can be secrets),
 * not a whole template or variable reference (`${DB_PASSWORD}`, `{{ token }}`, `%TOKEN%`,
 * `$TOKEN`, `<password>`, `${{ secrets.TOKEN }}`), not code that reads one (`this.apiKey`,
 * `fs.readFileSync(`, `foo(bar)`, `body['key']`), and not marked as fake (`fake`, `dummy`,
 * `placeholder`, `redacted`, a run such as `12345678`, `klmnopqr` or `########`: see
 * `hasPlaceholderRun`).
 */
function isNotPlaceholder(value: string): boolean {
  if (/^[0-9]{1,15}$/.test(value)) return false;
  if (/fake|dummy|placeholder|redacted|changeme/i.test(value) || hasPlaceholderRun(value)) return false;
  // Cut short for display (`ops_eyJzaWdu...`): the rest of the value is not there.
  if (/(?:\.\.\.|…)$/.test(value)) return false;
  // A call or an index written out (`foo(hey)you`, `body['hey']`) is code, not a value.
  if (/\([^()]*\)|\[[^[\]]*\]/.test(value)) return false;
  const bare = value.replace(/[()[\],;]+$/, '');
  // Member access (`this.apiKey`, `request.json_body[`): dotted words without digits.
  if (/^[A-Za-z_$]+(?:\.[A-Za-z_$]+)+$/.test(bare)) return false;
  if (/^[A-Za-z_.-]+$/.test(bare)) {
    const words = bare.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g) ?? [];
    const letters = words.reduce((sum, word) => sum + word.length, 0);
    if (words.length === 0 || letters / words.length >= 3) return false;
  }
  if (
    /^(?:\$\{[^{}]*\}|\$?\{\{[^{}]*\}\}|\$\([^()]*\)|\{\{[^{}]*\}\}|%[A-Za-z_][A-Za-z0-9_]*%|\$[A-Za-z_][A-Za-z0-9_]*|<[^<>]*>)$/.test(
      value,
    )
  )
    return false;
  return true;
}

/**
 * True for a value that can be the password a password name is assigned: a value of letters
 * only is a word people choose as one (`letmein`, `sunshine`, `CorrectHorseBattery`) unless it
 * describes a password instead (`required`, `invalid`, `hidden`, `string`: see
 * `passwordDescriptions`), is marked as a stand-in (`fakesecret`, `dummypassword`,
 * `placeholder`, `REDACTED`) or masks one (`xxxxxx`, `AKCxxxxxxxx`: four x in a row, which no
 * word holds); a run of one character that is no letter or digit (`******`) masks one too;
 * any other value passes as it passes `not-placeholder`.
 */
function isPasswordValue(value: string): boolean {
  if (/^([^A-Za-z0-9])\1*$/.test(value)) return false;
  if (/^[A-Za-z]+$/.test(value))
    return (
      !/fake|dummy|placeholder|redacted|xxxx/i.test(value) && !passwordDescriptions.has(value.toLowerCase())
    );
  return isNotPlaceholder(value);
}

const digits = (value: string): string => value.replace(/[^0-9]/g, '');
const alphanumerics = (value: string): string => value.replace(/[^A-Za-z0-9]/g, '').toUpperCase();

/**
 * Checks a matched value must pass, by the name a rule or pack writes (`validator: luhn`).
 * Each takes the matched text as it stands and drops the separators it does not check.
 */
const validators = {
  luhn: (value) => isLuhnValid(digits(value)),
  'not-placeholder': isNotPlaceholder,
  password: isPasswordValue,
  passphrase: isPassphrase,
  'prose-password': (value) => !isProseDescription(value) && isPasswordValue(value),
  'no-placeholder-run': (value) => !hasPlaceholderRun(value),
  iban: isValidIbanText,
  mod97: (value) => isIso7064Mod97_10Valid(alphanumerics(value)),
  'iso7064-mod11-10': (value) => isIso7064Mod11_10Valid(digits(value)),
  'icao-9303': (value) => isIcao9303Valid(alphanumerics(value)),
  verhoeff: (value) => isVerhoeffValid(digits(value)),
  base58check: isBase58CheckValid,
  bech32: isBech32Valid,
  eip55: isEip55Valid,
  vin: (value) => isVinValid(value.toUpperCase()),
  'aba-routing': (value) => isAbaRoutingValid(digits(value)),
  'phone-national': isNationalPhoneNumberValid,
  'phone-national-open-plan': isOpenPlanPhoneNumberValid,
  'uk-nino': isUkNinoValid,
  'uk-nhs': isUkNhsValid,
  'ca-sin': isCaSinValid,
  'es-dni-nie': isEsDniOrNieValid,
  'it-codice-fiscale': isItCodiceFiscaleValid,
  'fr-nir': isFrNirValid,
  'de-tax-id': isDeTaxIdValid,
  'de-id-card': isDeIdCardValid,
  'nl-bsn': isNlBsnValid,
  'pl-pesel': isPlPeselValid,
  'in-aadhaar': isInAadhaarValid,
  'in-pan': isInPanValid,
  'au-tfn': isAuTfnValid,
  'au-medicare': isAuMedicareValid,
  'br-cpf': isBrCpfValid,
  'br-cnpj': isBrCnpjValid,
  'mx-curp': isMxCurpValid,
  'sg-nric': isSgNricValid,
  'kr-rrn': isKrRrnValid,
  'us-itin': isUsItinValid,
  'us-ssn': isUsSsnValid,
  'us-npi': isUsNpiValid,
  'us-dea': isUsDeaValid,
} satisfies Record<string, (value: string) => boolean>;

export type ValidatorName = keyof typeof validators;

/** Every validator name, for the rule and pack schemas. */
export const validatorNames = Object.keys(validators) as [ValidatorName, ...ValidatorName[]];

/**
 * Validators that verify a check digit or check letter computed over the value (a random value of
 * the right shape passes about one time in ten or less). The others check a format, ranges, a
 * birth date alone or a numbering plan: `uk-nino` (prefix letters), `in-pan` (holder type),
 * `kr-rrn` (numbers issued since October 2020 carry no check digit), `us-itin` and `us-ssn`
 * (ranges), the phone plans, `not-placeholder`. Only these make a match without its keyword
 * meaningful (pack detectors' `withoutKeyword`).
 */
export const checkDigitValidatorNames = [
  'luhn',
  'iban',
  'mod97',
  'iso7064-mod11-10',
  'icao-9303',
  'verhoeff',
  'base58check',
  'bech32',
  'eip55',
  'vin',
  'aba-routing',
  'uk-nhs',
  'ca-sin',
  'es-dni-nie',
  'it-codice-fiscale',
  'fr-nir',
  'de-tax-id',
  'de-id-card',
  'nl-bsn',
  'pl-pesel',
  'in-aadhaar',
  'au-tfn',
  'au-medicare',
  'br-cpf',
  'br-cnpj',
  'mx-curp',
  'sg-nric',
  'us-npi',
  'us-dea',
] as const satisfies readonly ValidatorName[];

/**
 * Validators that check something an issuer fixes (a check digit, ranges, a birth date, prefix
 * letters, a numbering plan): all but `not-placeholder`, `password`, `passphrase`,
 * `prose-password` and `no-placeholder-run`, which only keep stand-ins and descriptions out. A keyword-only pack
 * detector may take bare values at `unlikely` (`withoutKeyword: unlikely`) only with one of these
 * or a `bareValue` pattern of its own.
 */
export const issuerRuleValidatorNames = validatorNames.filter(
  (name) =>
    name !== 'not-placeholder' &&
    name !== 'password' &&
    name !== 'passphrase' &&
    name !== 'prose-password' &&
    name !== 'no-placeholder-run',
);

/**
 * What a validator still asks of a value at likelihood `unlikely` on a pack detector that declares
 * `withoutCheck: unlikely`: the value's layout and dates without the rule that a mistyped or
 * made-up number breaks. PESEL keeps its birth date, the codice fiscale its layout and month
 * letter, the NRIC / FIN its series letter, the PAN its layout without the holder type; the German
 * tax id drops the rule that exactly one of its first ten digits repeats (test data such as
 * `12345678903` has ten distinct digits) and keeps its check digit, since its shape alone is any
 * eleven digits.
 */
const uncheckedValidators = {
  'pl-pesel': isPlPeselDateValid,
  'it-codice-fiscale': isItCodiceFiscaleLayoutValid,
  'sg-nric': isSgNricLayoutValid,
  'in-pan': isInPanLayoutValid,
  'de-tax-id': isDeTaxIdCheckDigitValid,
} satisfies Partial<Record<ValidatorName, (value: string) => boolean>>;

/** Validators that have a form without their check (see {@link uncheckedValidatorNamed}). */
export const uncheckedValidatorNames = Object.keys(uncheckedValidators) as [
  keyof typeof uncheckedValidators,
  ...(keyof typeof uncheckedValidators)[],
];

/**
 * The validator named `name` as it applies without its check at likelihood `unlikely`, or
 * `undefined` when it has no such form.
 *
 * @example
 * uncheckedValidatorNamed('pl-pesel')?.('11111111114'); // true: a birth date, the check digit wrong
 */
export function uncheckedValidatorNamed(name: ValidatorName): ((value: string) => boolean) | undefined {
  return (uncheckedValidators as Partial<Record<ValidatorName, (value: string) => boolean>>)[name];
}

/**
 * The check named `name`: true when a matched value passes it.
 *
 * @example
 * validatorNamed('luhn')('4111 1111 1111 1111'); // true
 */
export function validatorNamed(name: ValidatorName): (value: string) => boolean {
  return validators[name];
}
