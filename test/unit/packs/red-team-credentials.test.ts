import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alphanumerics,
  base64,
  entropy,
  randomOver,
  redactAsText as redact,
} from './shipped-text-redaction.ts';

// Credential forms a red-team corpus found surviving the shipped `default` rule set (issue 11),
// redacted as a text object would be.
const passwordCharacters = `${alphanumerics}!@^*-_+.~`;

/** Passwords people write: letters, digits and punctuation, at least one letter and one digit. */
const password = randomOver(passwordCharacters, 10, 24).filter(
  (value) =>
    entropy(value) >= 3 &&
    /[0-9]/.test(value) &&
    /[A-Za-z]/.test(value) &&
    /^[A-Za-z0-9]/.test(value) &&
    !/(.)\1\1/.test(value),
);

/** A password holding &, ; or # with at least 6 characters on each side (the tail is what leaked). */
const passwordWithSeparator = fc
  .tuple(password, fc.constantFrom('&', ';', '#'), password)
  .map(([head, separator, tail]) => ({ value: `${head}${separator}${tail}`, tail }));

/** An STS session token: a known serialized-header start and a few hundred base64 characters. */
const sessionToken = fc
  .tuple(
    fc.constantFrom('FwoGZXIvYXdz', 'FQoGZXIvYXdz', 'FQoDYXdz', 'IQoJb3JpZ2lu'),
    randomOver(base64, 300, 1200),
  )
  .map(([start, body]) => `${start}${body}`);

/** Surrounding lines: none, a comment, another setting. */
const before = fc.constantFrom('', '# production\n', '[client]\n', 'LOG_LEVEL=info\n');
const after = fc.constantFrom('', '\n', '\nTIMEOUT=30\n', '\r\nnext=1');

function expectRedacted(text: string, secret: string): void {
  const out = redact(text);
  expect(out, text).not.toContain(secret);
  expect(out.split('\n').length, text).toBe(text.split('\n').length);
}

describe('AWS STS session tokens', () => {
  it('are redacted in credentials files, env dumps, headers and prose, longer than 256 characters', () => {
    const forms = fc.constantFrom(
      (token: string) => `aws_session_token = ${token}`,
      (token: string) => `aws_session_token=${token}`,
      (token: string) => `  AWS_SESSION_TOKEN=${token}`,
      (token: string) => `DEBUG aws request X-Amz-Security-Token: ${token}`,
      (token: string) => `export AWS_SECURITY_TOKEN="${token}"`,
      (token: string) => `the token ${token} expired`,
    );
    fc.assert(
      fc.property(sessionToken, forms, before, after, (token, form, head, tail) => {
        expectRedacted(`${head}${form(token)}${tail}`, token);
      }),
      { numRuns: 50 },
    );
  });

  it('are redacted URL-encoded (%2F, %2B) outside a query string', () => {
    fc.assert(
      fc.property(sessionToken, (token) => {
        const encoded = encodeURIComponent(token);
        expectRedacted(`token=${encoded} rejected`, encoded);
      }),
      { numRuns: 50 },
    );
  });
});

describe('passwords holding &, ; or #', () => {
  const names = fc.constantFrom(
    'password',
    'SMTP_PASSWORD',
    'spring.datasource.password',
    'db.passwd',
    'pwd',
  );
  const lineForms = fc.constantFrom(
    (name: string, value: string) => `${name} = ${value}`,
    (name: string, value: string) => `${name}=${value}`,
    (name: string, value: string) => `  ${name}=${value}`,
    (name: string, value: string) => `export ${name}=${value}`,
    (name: string, value: string) => `${name}: ${value}`,
  );

  it('are redacted whole on a line of their own (.ini, .properties, .env, env dumps)', () => {
    fc.assert(
      fc.property(
        passwordWithSeparator,
        names,
        lineForms,
        before,
        after,
        (secret, name, form, head, tail) => {
          expectRedacted(`${head}${form(name, secret.value)}${tail}`, secret.tail);
        },
      ),
    );
  });

  it('are redacted whole inside an XML element', () => {
    fc.assert(
      fc.property(
        passwordWithSeparator,
        fc.constantFrom('password', 'dbPassword', 'secret'),
        (secret, tag) => {
          expectRedacted(`<customer><${tag}>${secret.value}</${tag}></customer>`, secret.tail);
        },
      ),
    );
  });

  it('still end at & in URL query strings and at a space in log key=value lists', () => {
    fc.assert(
      fc.property(password, (value) => {
        const query = redact(`GET /login?user=alice&password=${value}&next=/home/reports`);
        expect(query).not.toContain(value);
        expect(query).toContain('&next=/home/reports');
        const list = redact(`INFO login password=${value} status=accepted region=eu`);
        expect(list).not.toContain(value);
        expect(list).toContain(' status=accepted region=eu');
      }),
    );
  });
});

describe('names ending in pass', () => {
  const qualified = fc.constantFrom('MAIL_PASS', 'DB_PASS', 'smtp.pass', 'redis-pass', 'ldap_bind_pass');
  const forms = fc.constantFrom(
    (name: string, value: string) => `${name}=${value}`,
    (name: string, value: string) => `${name} = ${value}`,
    (name: string, value: string) => `      ${name}: ${value}`,
    (name: string, value: string) => `      - ${name}=${value}`,
    (name: string, value: string) => `export ${name}="${value}"`,
  );

  it('are secrets after a qualifier, and a bare pass key at the start of a line', () => {
    fc.assert(
      fc.property(password, qualified, forms, before, after, (value, name, form, head, tail) => {
        expectRedacted(`${head}${form(name, value)}${tail}`, value);
      }),
    );
    fc.assert(
      fc.property(password, before, after, (value, head, tail) => {
        expectRedacted(`${head}pass = ${value}${tail}`, value);
      }),
    );
  });

  it('leave proxy_pass, boarding_pass, bypass and prose', () => {
    for (const text of [
      'proxy_pass=http://backend.internal:8080',
      'fastcgi_pass: unix-socket-php-fpm',
      'boarding_pass: BP2024XK8842QZ',
      'bypass=cache-control-headers',
      'tests pass = 142 of 150',
      'you pass: Kq8wN2xL5v to the helper',
    ]) {
      expect(redact(text), text).toBe(text);
    }
  });
});

describe('passwords on the command line', () => {
  const forms = fc.constantFrom(
    (value: string) => `mysql -u root -p${value} -h 10.1.2.3 prod`,
    (value: string) => `mysqldump -uroot -p${value} shop > shop.sql`,
    (value: string) => `mysql --password=${value} shop`,
    (value: string) => `docker login -u deploy -p ${value} registry.example.com`,
    (value: string) => `docker login --username deploy --password ${value} registry.example.com`,
    (value: string) => `sshpass -p '${value}' ssh admin@bastion`,
    (value: string) => `PGPASSWORD=${value} psql -h db -U app`,
  );

  it('are redacted after -p, --password and PGPASSWORD=', () => {
    fc.assert(
      fc.property(password, forms, (value, form) => {
        expectRedacted(`$ ${form(value)}\n`, value);
      }),
    );
  });

  it('leave -p that is no password and variables', () => {
    for (const text of [
      'mkdir -p /var/lib/mysql',
      'docker run -p 8080:80 nginx',
      'echo "$TOKEN" | docker login --password-stdin registry.example.com',
      'docker login -u deploy -p "$REGISTRY_PASSWORD" registry.example.com',
      'mysql -u root -p -h db.internal prod',
    ]) {
      expect(redact(text), text).toBe(text);
    }
  });
});

describe('Kubernetes and compose env lists', () => {
  it('redact the value line under a - name: holding a secret word', () => {
    fc.assert(
      fc.property(
        password,
        fc.constantFrom('DB_PASSWORD', 'API_TOKEN', 'STRIPE_API_KEY', 'SMTP_PASS', 'client_secret'),
        fc.constantFrom('', '"', "'"),
        fc.integer({ min: 0, max: 8 }),
        (value, name, quote, indent) => {
          const pad = ' '.repeat(indent);
          expectRedacted(
            `${pad}env:\n${pad}- name: ${name}\n${pad}  value: ${quote}${value}${quote}\n`,
            value,
          );
        },
      ),
    );
  });

  it('leave file paths and valueFrom references', () => {
    for (const text of [
      '- name: DB_PASSWORD_FILE\n  value: /run/secrets/db_password\n',
      '- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db\n',
      '- name: LOG_LEVEL\n  value: verbose-debugging\n',
    ]) {
      expect(redact(text), text).toBe(text);
    }
  });
});

describe('other credential forms', () => {
  const secret = randomOver(alphanumerics, 32, 40).filter(
    (value) => entropy(value) >= 3.5 && /[0-9]/.test(value) && !/(.)\1\1/.test(value),
  );
  const forms = fc.constantFrom(
    (value: string) => `machine api.heroku.com login ops@example.com password ${value}`,
    (value: string) =>
      `{"auths":{"registry.example.com":{"auth":"${Buffer.from(`deploy:${value}`).toString('base64')}"}}}`,
    (value: string) => `headers={'Authorization': 'none', 'Cookie': 'sid=${value}'}`,
    (value: string) => `Set-Cookie: session=${value}; Path=/; HttpOnly`,
    (value: string) => `Cookie: lang=en; JSESSIONID=${value}`,
    (value: string) => `STRIPE_WEBHOOK=whsec_${value}`,
    (value: string) => `<input type="hidden" name="api_key" value="${value}">`,
  );

  it('are redacted: .netrc, docker auths, session cookies, Stripe webhook secrets, HTML inputs', () => {
    fc.assert(
      fc.property(secret, forms, (value, form) => {
        const text = form(value);
        const out = redact(text);
        const base64Auth = /"auth":"([^"]+)"/.exec(text)?.[1];
        expect(out, text).not.toContain(base64Auth ?? value);
      }),
    );
  });

  it('leave cookies that hold no session, other inputs and CSRF tokens', () => {
    for (const text of [
      'Cookie: lang=en-US; theme=dark',
      '<input name="username" value="Kq8wN2xL5vT3rY7pQ1zM">',
      '<input type="hidden" name="authenticity_token" value="Kq8wN2xL5vT3rY7pQ1zM" />',
      'the machine learning login page has a password field',
    ]) {
      expect(redact(text), text).toBe(text);
    }
  });
});
