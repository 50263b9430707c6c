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
 * A new instance of the built-in detector `id`, or `undefined` when there is none.
 *
 * @example
 * const scanner = new Scanner(builtInDetectorIds.map((id) => createBuiltInDetector(id)!));
 */
export function createBuiltInDetector(id: string): Detector | undefined {
  return factories.get(id)?.();
}
