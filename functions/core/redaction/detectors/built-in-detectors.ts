import type { Detector } from '../detector.ts';
import { createAwsAccessKeyIdDetector } from './aws-access-key-id-detector.ts';
import { createAwsSecretAccessKeyDetector } from './aws-secret-access-key-detector.ts';
import { createEmailDetector } from './email-detector.ts';
import { createGithubTokenDetector } from './github-token-detector.ts';
import { createIbanDetector } from './iban-detector.ts';
import { createIpv4Detector } from './ipv4-detector.ts';
import { createIpv6Detector } from './ipv6-detector.ts';
import { createJwtDetector } from './jwt-detector.ts';
import { createPaymentCardDetector } from './payment-card-detector.ts';
import { createPemPrivateKeyDetector } from './pem-private-key-detector.ts';
import { createPhoneDetector } from './phone-detector.ts';
import { createSlackTokenDetector } from './slack-token-detector.ts';
import { createStripeKeyDetector } from './stripe-key-detector.ts';
import { createUsSsnDetector } from './us-ssn-detector.ts';

/**
 * Factories by id, in the order a scanner should list them: when two detectors match the same
 * span, the one listed first wins, so the specific ones (keys, tokens) come before the generic.
 */
const factories: ReadonlyMap<string, () => Detector> = new Map([
  ['pem-private-key', createPemPrivateKeyDetector],
  ['jwt', createJwtDetector],
  ['aws-access-key-id', createAwsAccessKeyIdDetector],
  ['aws-secret-access-key', createAwsSecretAccessKeyDetector],
  ['github-token', createGithubTokenDetector],
  ['slack-token', createSlackTokenDetector],
  ['stripe-key', createStripeKeyDetector],
  ['email', createEmailDetector],
  ['iban', createIbanDetector],
  ['payment-card', createPaymentCardDetector],
  ['us-ssn', createUsSsnDetector],
  ['phone', createPhoneDetector],
  ['ipv6', createIpv6Detector],
  ['ipv4', createIpv4Detector],
]);

/** Ids of the built-in detectors, stable (they appear in logs and metrics), in scanner order. */
export const builtInDetectorIds: readonly string[] = [...factories.keys()];

/**
 * Built-in detectors that take no context: a match depends on no character past the line feeds
 * around it, before which (or after which) they behave as at the start (or end) of the text.
 * Their patterns look around only to refuse a match (`(?<![0-9])`), never to allow one, and
 * their checks read the match alone. Not `aws-secret-access-key`, `iban` and `us-ssn`, which
 * accept some values only after a keyword, nor `pem-private-key`, whose matches span lines.
 */
const lineLocalIds: ReadonlySet<string> = new Set([
  'jwt',
  'aws-access-key-id',
  'github-token',
  'slack-token',
  'stripe-key',
  'email',
  'payment-card',
  'phone',
  'ipv6',
  'ipv4',
]);

/** The instances {@link createBuiltInDetector} made of the {@link lineLocalIds}. */
const lineLocalDetectors = new WeakSet<Detector>();

/**
 * A new instance of the built-in detector `id`, or `undefined` when there is none.
 *
 * @example
 * const scanner = new Scanner(builtInDetectorIds.map((id) => createBuiltInDetector(id)!));
 */
export function createBuiltInDetector(id: string): Detector | undefined {
  const detector = factories.get(id)?.();
  if (detector !== undefined && lineLocalIds.has(id)) lineLocalDetectors.add(detector);
  return detector;
}

/**
 * True when `detector` finds in a line alone every match it finds inside that line within a
 * longer text (each line feed treated as the start or end of text): an instance of a built-in
 * that takes no context, as {@link createBuiltInDetector} returned it. A detector wrapping one
 * (an operator's keywords, see `withContext`) or copied from one is another object, and is not.
 */
export function isLineLocal(detector: Detector): boolean {
  return lineLocalDetectors.has(detector);
}
