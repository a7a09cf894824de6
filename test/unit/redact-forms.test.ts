import { describe, expect, it } from 'vitest';
import { PROVIDER_FORMATS, PROVIDER_NAMES } from '../../server/privacy/providers';
import { redactSecrets } from '../../server/privacy/redact';

// Fake secrets, assembled at runtime so that secret scanners do not flag this file.
const V = 'Zk2mQ9pL4x' + 'R7vN8wB3tY';
const HF = 'hf_' + 'QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUi';
const AZ = '.Kx' + '8Q~' + 'Zr4Tq9Lm2Wp7Xc5Vb1Nn3Hh6Jj0Dd8Ff';

function masked(input: string, secret: string): string {
  const r = redactSecrets(input);
  expect(r.text, input).not.toContain(secret);
  expect(r.text.split('\n').length).toBe(input.split('\n').length);
  expect(redactSecrets(r.text).count).toBe(0);
  return r.text;
}

function unchanged(input: string): void {
  expect(redactSecrets(input).text).toBe(input);
}

describe('the provider table', () => {
  it('has, for every row, keywords, an entropy floor and a source note', () => {
    expect(PROVIDER_FORMATS.length).toBeGreaterThan(60);
    for (const f of PROVIDER_FORMATS) {
      expect(f.keywords.length, f.kind).toBeGreaterThan(0);
      expect(f.source.length, f.kind).toBeGreaterThan(5);
      expect(f.entropy, f.kind).toBeGreaterThanOrEqual(0);
      expect(() => new RegExp(f.shape), f.kind).not.toThrow();
    }
    expect(new Set(PROVIDER_NAMES).size).toBeGreaterThan(300);
  });

  it.each([
    ['GitLab', 'glpat-' + 'aB3dE5gH7jK9mN1pQ3sT'],
    ['Hugging Face', HF],
    ['SendGrid', 'SG.' + 'aB3dE5gH7jK9mN1pQ3sT5v' + '.' + 'wX7zA9cE1gI3kM5oQ7sU9wY1aC3eG5iK7mO9qS1uW3y'],
    ['DigitalOcean', 'dop_v1_' + 'a3f9'.repeat(4) + '0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b'.slice(0, 48)],
    ['npm', 'npm_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7xY9zA1bC3dE5'],
    ['Shopify', 'shpat_' + 'a3f9c2e1b4d5f6a7b8c9d0e1f2a3b4c5'],
    ['age', 'AGE-SECRET-KEY-1' + 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L'.repeat(2).slice(0, 58)],
    ['Square', 'sq0csp-' + 'aB3dE5gH7jK9mN1pQ3sT5vW7xY9zA1bC3dE5fG7hI9j'],
  ])('catches %s tokens with no name nearby', (_name, token) => {
    expect(masked(`const value = "${token}";`, token)).toContain('const value = "');
    masked(`Try ${token} in the staging shell.`, token);
  });

  it('leaves placeholders in a token format alone (low entropy)', () => {
    unchanged('GITLAB_TOKEN_EXAMPLE = glpat-xxxxxxxxxxxxxxxxxxxx');
  });

  it('may mask the well-known example AWS key', () => {
    expect(redactSecrets('id = AKIA' + 'IOSFODNN7EXAMPLE').count).toBe(1);
  });
});

describe('a provider name before a random value', () => {
  it.each([
    [`mailgun '${V}'`],
    [`the hasura admin secret is ${V}`],
    [`TWILIO_AUTH = "${V}"`],
    [`const client = new Algolia("AB12CD34EF", "${V}");`],
    [`sendgrid:\n  value: ${V}`],
  ])('%s', (input) => {
    masked(input, V);
  });

  it('not for public identifiers, hashes and plain words', () => {
    unchanged('TWILIO_ACCOUNT_SID = "AC3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"');
    unchanged('git checkout 9fceb02d0ae598e95dc970b74767f19372d61af8');
    unchanged('  - uses: github/codeql-action/init@9fceb02d0ae598e95dc970b74767f19372d61af8');
    unchanged('import { TwilioClient2FactorService } from "./twilio";');
    unchanged("stripe.customers.retrieve('cus_NffrFeUfNV2Hib')");
    unchanged('mailgun send --to ops@example.com --subject "Nightly build finished"');
  });
});

describe('assignment forms', () => {
  it.each([
    ['XML element with the value on its own line', `<apiToken>\n    ${V}\n</apiToken>`, `<apiToken>\n    [REDACTED:secret]\n</apiToken>`],
    ['System.setProperty', `System.setProperty("X_TOKEN", "${V}");`, 'System.setProperty("X_TOKEN", "[REDACTED:secret]");'],
    ['KEY=value in a string with escaped newlines', `env = "A=1\\nX_TOKEN=${V}\\nB=1"`, 'env = "A=1\\nX_TOKEN=[REDACTED:secret]\\nB=1"'],
    ['curl -u', `curl -u admin:${V} https://ci.example.com`, 'curl -u admin:[REDACTED:password] https://ci.example.com'],
    ['--password value', `deploy --password ${V} --yes`, 'deploy --password [REDACTED:password] --yes'],
    ['mysql -p', `mysql -u root -p${V} app`, 'mysql -u root -p[REDACTED:password] app'],
    ['docker login -p', `docker login -u ci -p '${V}' registry.example.com`, "docker login -u ci -p '[REDACTED:password]' registry.example.com"],
    ['a value starting with .', `AZURE_CLIENT_SECRET=${AZ}`, 'AZURE_CLIENT_SECRET=[REDACTED:azure-client-secret]'],
    ['an unquoted token that looks like an identifier', `xxx_token = ${HF}`, 'xxx_token = [REDACTED:huggingface-token]'],
    ['a password with & in it', 'db_password: Xk9&mP2vL5q7', 'db_password: [REDACTED:secret]'],
  ])('%s', (_name, input, expected) => {
    expect(redactSecrets(input).text).toBe(expected);
  });

  it('a value starting with ~, in any secret name', () => {
    masked(`client_secret = ~Rk7Q~${V}`, V);
  });

  it('Kubernetes Secret data and stringData values, short or not, and nothing else', () => {
    const yaml = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: db',
      'type: Opaque',
      'data:',
      '  password: cGFzcw==',
      '  user: YWRtaW4=',
      'stringData:',
      '  token: "s3cr3t"',
      '---',
      'kind: ConfigMap',
      'data:',
      '  LOG_LEVEL: debug',
      '',
    ].join('\n');
    const out = redactSecrets(yaml).text;
    for (const s of ['cGFzcw==', 'YWRtaW4=', 's3cr3t']) expect(out).not.toContain(s);
    expect(out).toContain('  name: db');
    expect(out).toContain('  LOG_LEVEL: debug');
  });

  it('keeps docker uid:gid, curl variables and query strings', () => {
    unchanged('docker run -u 1000:1000 app');
    unchanged('const fields = ["password", "confirmPassword", "newUsername", "rememberMe"];');
    unchanged('mkdir -p build/out && ssh -p 2222 host && docker run -p 8080:80 app');
    unchanged('mysql -u root -p app && mysql -p${DB_PASS} app');
    unchanged('curl -u "$CI_USER:$CI_PASSWORD" https://ci.example.com');
    expect(redactSecrets('cb?access_token=Zk2mQ9pL4xR7vN&state=abc').text).toBe('cb?access_token=[REDACTED:secret]&state=abc');
  });
});

describe('false alarms that stay quiet', () => {
  it.each([
    '<input type="hidden" name="csrf_token" value="Zk2mQ9pL4xR7vN8wB3tYZk2mQ9pL4xR7vN8wB3t">',
    '<meta name="csrf-token" content="Zk2mQ9pL4xR7vN8wB3tYZk2mQ9pL4xR7vN8wB3t">',
    '<input type="hidden" name="authenticity_token" value="Zk2mQ9pL4xR7vN8wB3tY+Zk2mQ9pL4x==">',
    '<input name="__RequestVerificationToken" type="hidden" value="CfDJ8Zk2mQ9pL4xR7vN8wB3tY">',
    "git credentialsId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', url: 'https://git.example.com/app.git'",
    '<UserSecretsId>a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d</UserSecretsId>',
    'Authentication-Results: mx.google.com; dkim=pass header.i=@example.com header.b=Zk2mQ9pL; spf=pass',
    'X-MS-Exchange-Organization-AuthSource: DM6PR11MB4321.namprd11.prod.outlook.com',
    'X-MS-Exchange-Organization-AuthAs: Anonymous',
    'Authentication-Results: BN8NAM12FT033.mail.protection.outlook.com; dkim=none (message not signed)',
    'token = "<Token><Id>123456</Id><Kind>session</Kind></Token>"',
  ])('%s', (input) => {
    unchanged(input);
  });
});
