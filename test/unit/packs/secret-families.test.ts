import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alphanumerics, entropy, randomOver, redactAsText as redact } from './shipped-text-redaction.ts';

// New secret families, redacted by the shipped `default` rule set as a text object would be.
const base64Url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Random keys that look random: mixed letters and digits, no long run of one character. */
const keyLike = (alphabet: string, minLength: number, maxLength = minLength) =>
  randomOver(alphabet, minLength, maxLength).filter(
    (value) => entropy(value) >= 3.2 && /[0-9]/.test(value) && /[A-Za-z]/.test(value),
  );

/** A Discord bot token: base64 of a numeric bot id, a 6-character timestamp and an HMAC. */
const discordToken = fc
  .tuple(
    fc.constantFrom('M', 'N', 'O'),
    fc.constantFrom('D', 'T', 'j', 'z'),
    randomOver(base64Url, 22, 24),
    randomOver(base64Url, 6),
    randomOver(base64Url, 27, 38),
  )
  .map(([first, second, rest, timestamp, hmac]) => `${first}${second}${rest}.${timestamp}.${hmac}`)
  .filter((token) => entropy(token) >= 4);

const hex = '0123456789abcdef';
const mailchimpKey = fc
  .tuple(keyLike(hex, 32), fc.integer({ min: 1, max: 21 }))
  .map(([key, dataCentre]) => `${key}-us${dataCentre}`);
const hexToken = keyLike(hex, 40);

/** Surrounding text: log words, times, a line break, none. */
const context = fc.constantFrom('', 'INFO ', '2024-05-01T12:00:00Z ', '# deploy\n', 'step 3: ');
const trailer = fc.constantFrom('', '\n', ' # rotated monthly', ';', '\nnext line');

/** Quoting: unquoted, double-quoted, single-quoted. */
const quoting = fc.constantFrom(
  (value: string) => value,
  (value: string) => `"${value}"`,
  (value: string) => `'${value}'`,
);

/** Forms a named value takes in configuration and code. */
const namedForms = fc.constantFrom(
  (name: string, value: string) => `${name}=${value}`,
  (name: string, value: string) => `export ${name}=${value}`,
  (name: string, value: string) => `${name}: ${value}`,
  (name: string, value: string) => `"${name}": ${value}`,
  (name: string, value: string) => `${name} := ${value}`,
);

/**
 * Checks none of `labels` appears in the redacted `text`. Near misses are checked by label: random
 * digits in them may still be, say, a card number that the default rule set masks.
 */
function expectNotFoundAs(text: string, labels: readonly string[]): void {
  const out = redact(text);
  for (const label of labels) expect(out, text).not.toContain(`[${label}]`);
}

function expectRedacted(text: string, secret: string): void {
  const out = redact(text);
  expect(out, text).not.toContain(secret);
  expect(out.split('\n').length, text).toBe(text.split('\n').length);
}

describe('Discord bot tokens', () => {
  it('are redacted near a Discord or bot-token word, quoted or not, whatever surrounds them', () => {
    const forms = fc.constantFrom(
      (value: string) => `client.login(${value})`,
      (value: string) => `bot token ${value} loaded`,
      (value: string) => `DISCORD=${value}`,
      (value: string) => `import discord\nclient.run(${value})`,
      (value: string) => `discord:\n  token: ${value}`,
    );
    fc.assert(
      fc.property(discordToken, forms, quoting, context, trailer, (token, form, quote, before, after) => {
        expectRedacted(`${before}${form(quote(token))}${after}`, token);
      }),
    );
  });

  it('are not looked for without a keyword (two-letter anchors would cost too much CPU)', () => {
    fc.assert(
      fc.property(discordToken, fc.constantFrom('value', 'blob', 'id'), (token, word) => {
        expectNotFoundAs(`${word} ${token}`, ['DISCORD_BOT_TOKEN']);
      }),
    );
  });

  it('leave dotted base64-looking words whose segments have other lengths or starts', () => {
    fc.assert(
      fc.property(
        randomOver(base64Url, 22, 24),
        randomOver(base64Url, 6),
        randomOver(base64Url, 27, 38),
        fc.constantFrom('P', 'A', 'y'),
        (rest, timestamp, hmac, wrongStart) => {
          for (const token of [
            `${wrongStart}T${rest}.${timestamp}.${hmac}`,
            `MT${rest}.${timestamp.slice(1)}.${hmac}`,
            `MT${rest}.${timestamp}.${hmac.slice(0, 26 - hmac.length)}`,
          ]) {
            expectNotFoundAs(`discord ${token}`, ['DISCORD_BOT_TOKEN']);
          }
        },
      ),
    );
  });
});

describe('Mailchimp keys', () => {
  // Names without a secret word: only the vendor tells what the value is.
  const names = fc.constantFrom('mailchimp', 'MAILCHIMP', 'Mailchimp', 'mc_api', 'mailchimp_dc');

  it('are redacted under a Mailchimp name in every assignment form and quoting', () => {
    fc.assert(
      fc.property(
        mailchimpKey,
        names,
        namedForms,
        quoting,
        context,
        trailer,
        (key, name, form, quote, before, after) => {
          expectRedacted(`${before}${form(name, quote(key))}${after}`, key);
        },
      ),
    );
  });

  it('survive without a Mailchimp word nearby (an -us suffix alone is no key)', () => {
    fc.assert(
      fc.property(mailchimpKey, fc.constantFrom('etag', 'build', 'checksum of'), (key, word) => {
        expectNotFoundAs(`${word} ${key}`, ['MAILCHIMP_API_KEY', 'SECRET']);
      }),
    );
  });
});

describe('GitHub Enterprise and legacy 40-hex tokens', () => {
  const names = fc.constantFrom('GHE_TOKEN', 'github_token', 'GITHUB_API_KEY', 'git-pat', 'gh_pw', 'ghe_pat');

  it('are redacted after a GitHub token name in every assignment form and quoting', () => {
    fc.assert(
      fc.property(
        hexToken,
        names,
        namedForms,
        quoting,
        context,
        trailer,
        (token, name, form, quote, before, after) => {
          expectRedacted(`${before}${form(name, quote(token))}${after}`, token);
        },
      ),
    );
  });

  it('leave commit ids after git, github, sha or commit words', () => {
    const commitContexts = fc.constantFrom(
      (sha: string) => `git checkout ${sha}`,
      (sha: string) => `github commit ${sha}`,
      (sha: string) => `GIT_SHA=${sha}`,
      (sha: string) => `"commit": "${sha}"`,
      (sha: string) => `Merge ${sha} into main`,
    );
    fc.assert(
      fc.property(hexToken, commitContexts, (sha, form) => {
        expectNotFoundAs(form(sha), ['GITHUB_TOKEN', 'SECRET']);
      }),
    );
  });
});

describe('API keys on the command line', () => {
  const flags = fc.constantFrom(
    '--api-key',
    '--apikey',
    '--x-api-key',
    '--softlayer-api-key',
    '--auth-token',
    '--access-token',
  );
  const separators = fc.constantFrom(' ', '=', '  ');
  const value = keyLike(alphanumerics, 16, 40);

  it('are redacted after a key flag, with a space or =, quoted or not, between other flags', () => {
    fc.assert(
      fc.property(
        value,
        flags,
        separators,
        quoting,
        fc.constantFrom('', ' --region eu-west-1', ' | jq .'),
        (key, flag, sep, quote, rest) => {
          expectRedacted(`mycli deploy ${flag}${sep}${quote(key)}${rest}`, key);
        },
      ),
    );
  });

  it('are redacted in an X-Api-Key request header', () => {
    fc.assert(
      fc.property(value, fc.constantFrom('-H', '--header'), quoting, (key, option, quote) => {
        expectRedacted(
          `curl ${option} ${quote(`X-Api-Key: ${key}`).replace(/^(?!["'])(.*)$/, '"$1"')} https://api.example.com`,
          key,
        );
      }),
    );
  });

  it('leave variables, files and prose after a key flag', () => {
    for (const text of [
      'mycli --api-key "$API_KEY"',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable reference is the near miss
      'mycli --api-key=${API_KEY}',
      'mycli --api-key-file /run/secrets/api_key',
      'pass the --api-key option to authenticate',
      'mycli --api-key <your-api-key>',
    ]) {
      expect(redact(text), text).toBe(text);
    }
  });
});

describe('api key assignments without a space after the colon', () => {
  const names = fc.constantFrom('apikey', 'api_key', 'theApiKey', 'ibm_api_key', 'X-API-KEY');

  it('are redacted as apikey:value', () => {
    fc.assert(
      fc.property(keyLike(alphanumerics, 16, 40), names, context, trailer, (key, name, before, after) => {
        expectRedacted(`${before}${name}:${key}${after}`, key);
      }),
    );
  });

  it('leave other names directly followed by a colon (ARNs, scopes, URLs)', () => {
    for (const text of [
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-Xy12Ab',
      'scope=token:read token:write',
      'apikey://internal.example.com/keys',
      'theapikeyforfoo:hopenobodyfindsthisone',
    ]) {
      expect(redact(text), text).toBe(text);
    }
  });
});
