import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseObjectLambdaEvent,
  userRequestHeader,
  userRequestUrl,
} from '../../../functions/object-lambda/object-lambda-event.ts';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../fixtures/object-lambda/${name}`, import.meta.url), 'utf8'));
}

describe('parseObjectLambdaEvent', () => {
  it.each([
    ['get-object.json', 'getObjectContext'],
    ['head-object-iam-user.json', 'headObjectContext'],
    ['list-objects.json', 'listObjectsContext'],
    ['list-objects-v2.json', 'listObjectsV2Context'],
  ] as const)('accepts the recorded %s event', (name, context) => {
    const event = parseObjectLambdaEvent(fixture(name));

    expect(event[context]?.inputS3Url).toMatch(/^https:\/\/my-s3-ap-/);
  });

  it('reads the protected bucket from the access point payload', () => {
    const event = parseObjectLambdaEvent(fixture('head-object-iam-user.json'));

    expect(event.configuration.payload).toEqual({ bucket: 'example-bucket' });
  });

  it('accepts an IAM user identity without a session context', () => {
    const event = parseObjectLambdaEvent(fixture('head-object-iam-user.json'));

    expect(event.userIdentity).toMatchObject({
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/reader',
    });
    expect(event.userIdentity.sessionContext).toBeUndefined();
  });

  it('accepts a later minor protocol version and drops unknown fields', () => {
    const event = parseObjectLambdaEvent({
      ...fixture('get-object.json'),
      protocolVersion: '1.01',
      somethingNew: { nested: true },
    });

    expect(event.protocolVersion).toBe('1.01');
    expect(event).not.toHaveProperty('somethingNew');
  });

  it('resolves a relative userRequest.url such as the Powertools sample event', () => {
    const event = parseObjectLambdaEvent({
      ...fixture('get-object-powertools-sample.json'),
      configuration: {
        ...(fixture('get-object-powertools-sample.json').configuration as object),
        payload: '',
      },
    });

    expect(userRequestUrl(event).pathname).toBe('/s3.txt');
  });

  it('looks up the caller headers ignoring case', () => {
    const event = parseObjectLambdaEvent(fixture('get-object.json'));

    expect(userRequestHeader(event, 'X-AMZ-CHECKSUM-MODE')).toBe('ENABLED');
    expect(userRequestHeader(event, 'range')).toBeUndefined();
  });

  it('rejects a payload that is not JSON, saying what is allowed', () => {
    expect(() => parseObjectLambdaEvent(fixture('get-object-powertools-sample.json'))).toThrow(
      /configuration\.payload: JSON such as \{"bucket":"name"\}/,
    );
  });

  it('rejects protocol version 2.00', () => {
    expect(() => parseObjectLambdaEvent({ ...fixture('get-object.json'), protocolVersion: '2.00' })).toThrow(
      /protocolVersion: a 1\.xx protocol version/,
    );
  });

  it('rejects an event with two operation contexts', () => {
    const event = {
      ...fixture('get-object.json'),
      headObjectContext: { inputS3Url: 'https://example.com/a' },
    };

    expect(() => parseObjectLambdaEvent(event)).toThrow(
      /exactly one of .* \(found: getObjectContext, headObjectContext\)/,
    );
  });

  it('rejects an event without an operation context', () => {
    const { getObjectContext: _, ...event } = fixture('get-object.json');

    expect(() => parseObjectLambdaEvent(event)).toThrow(/found: none/);
  });

  it('rejects a GetObject context without an output token', () => {
    const event = fixture('get-object.json');
    const context = { ...(event.getObjectContext as object), outputToken: undefined };

    expect(() => parseObjectLambdaEvent({ ...event, getObjectContext: context })).toThrow(
      /getObjectContext\.outputToken/,
    );
  });
});
