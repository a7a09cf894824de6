import { describe, expect, it } from 'vitest';
import { redactKnownValues, redactSecrets } from '../../server/privacy/redact';

// Fake secrets are assembled at runtime so this file never contains a
// literal that secret scanners (or push protection) would flag.
const rep = (s: string, n: number): string => s.repeat(n);
const AWS_ID = 'AKIA' + 'IOSFODNN7EXAMPL3';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYz9q8w7e6r5'; // 40 chars
const OPENAI = 'sk-' + 'proj-' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';
const OPENAI_LEGACY = 'sk-' + 'T3BlbkFJ' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';
const ANTHROPIC = 'sk-' + 'ant-api03-' + 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe_dC-bA';
const GH_PAT = 'gh' + 'p_' + '16C7e42F292c6912E7710c838347Ae178B4a';
const GH_OAUTH = 'gh' + 'o_' + 'aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2';
const GH_FINE = 'github' + '_pat_' + '11ABCDEFG0123456789abc_' + 'defGHIJKLmnopQRSTuvwxYZ0123456789abcdefGHIJKLmnopQRSTuv';
const SLACK = 'xo' + 'xb-' + '123456789012-1234567890123-' + 'AbCdEfGhIjKlMnOpQrStUvWx';
const SLACK_HOOK_PATH = 'T0' + '0000000/B00000000/' + 'XXXXXXXXxxxxxxxxXXXXXXXX';
const JWT =
  'eyJ' +
  'hbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' +
  '.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ' +
  '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const GOOGLE = 'AI' + 'za' + 'SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY';
const STRIPE = 'sk' + '_live_' + '4eC39HqLyjWDarjtT1zdp7dc';
const STRIPE_TEST = 'sk' + '_test_' + '51HxYzAbCdEfGhIjKlMn0p';
const BEARER = 'abc123DEF456ghi789JKL0mn';
const PEM_BODY = [
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  'LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo',
];

const lines = (s: string): number => s.split('\n').length;

/** Redacts and checks the invariants every positive case must satisfy. */
function redactOk(input: string, secrets: readonly string[], kind: string): string {
  const r = redactSecrets(input);
  for (const s of secrets) expect(r.text).not.toContain(s);
  expect(lines(r.text)).toBe(lines(input));
  expect(r.count).toBeGreaterThan(0);
  expect(r.kinds).toContain(kind);
  // Idempotent: a second pass finds nothing and changes nothing.
  const again = redactSecrets(r.text);
  expect(again.text).toBe(r.text);
  expect(again.count).toBe(0);
  return r.text;
}

function unchanged(input: string): void {
  const r = redactSecrets(input);
  expect(r.text).toBe(input);
  expect(r.count).toBe(0);
  expect(r.kinds).toEqual([]);
}

describe('redactSecrets: token formats', () => {
  it('AWS access key ids (all prefixes)', () => {
    const out = redactOk(`const id = "${AWS_ID}";\nconsole.log(id);`, [AWS_ID], 'aws-access-key');
    expect(out).toBe('const id = "[REDACTED:aws-access-key]";\nconsole.log(id);');
    for (const prefix of ['ASIA', 'AGPA', 'AIDA', 'AROA', 'ANPA', 'ANVA', 'AIPA']) {
      const key = prefix + 'Q3EGXZ7MV2PLK9TB';
      expect(redactSecrets(`id: ${key}`).text).toBe('id: [REDACTED:aws-access-key]');
    }
  });

  it('AWS secret access keys in assignments', () => {
    const input = `[default]\naws_access_key_id = ${AWS_ID}\naws_secret_access_key = ${AWS_SECRET}\nregion = us-east-1\n`;
    const out = redactOk(input, [AWS_ID, AWS_SECRET], 'aws-secret-key');
    expect(out).toContain('aws_secret_access_key = [REDACTED:aws-secret-key]');
    expect(out).toContain('region = us-east-1');
    expect(redactSecrets(`"SecretAccessKey": "${AWS_SECRET}",`).text).toBe('"SecretAccessKey": "[REDACTED:aws-secret-key]",');
    expect(redactSecrets(`AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`).text).toBe('AWS_SECRET_ACCESS_KEY=[REDACTED:aws-secret-key]');
  });

  it('OpenAI / CometAPI style sk- keys, including project and admin keys', () => {
    const out = redactOk(`client = OpenAI(api_key="${OPENAI}")\nprint(client)`, [OPENAI], 'openai-key');
    expect(out).toBe('client = OpenAI(api_key="[REDACTED:openai-key]")\nprint(client)');
    redactOk(`OPENAI_API_KEY=${OPENAI_LEGACY}`, [OPENAI_LEGACY], 'openai-key');
    for (const p of ['sk-svcacct-', 'sk-admin-']) {
      const key = p + 'Q1w2E3r4T5y6U7i8O9p0AsDfGh';
      expect(redactSecrets(`const k = '${key}'`).text).toBe("const k = '[REDACTED:openai-key]'");
    }
  });

  it('Anthropic sk-ant- keys', () => {
    const out = redactOk(`headers = {"x-api-key": "${ANTHROPIC}"}`, [ANTHROPIC], 'anthropic-key');
    expect(out).toBe('headers = {"x-api-key": "[REDACTED:anthropic-key]"}');
  });

  it('GitHub tokens (classic prefixes and fine-grained)', () => {
    const out = redactOk(`git clone https://x:${GH_PAT}@github.com/o/r.git\nexport T=${GH_OAUTH}`, [GH_PAT, GH_OAUTH], 'github-token');
    expect(out).toContain('export T=[REDACTED:github-token]');
    for (const p of ['ghu_', 'ghs_', 'ghr_']) {
      const t = p + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
      expect(redactSecrets(`token: ${t}`).text).toBe('token: [REDACTED:github-token]');
    }
    expect(redactSecrets(`GH=${GH_FINE}`).text).toBe('GH=[REDACTED:github-token]');
  });

  it('Slack tokens and webhook URLs', () => {
    redactOk(`slack = WebClient(token="${SLACK}")`, [SLACK], 'slack-token');
    const out = redactOk(`url = "https://hooks.slack.com/services/${SLACK_HOOK_PATH}"`, [SLACK_HOOK_PATH], 'slack-webhook');
    expect(out).toBe('url = "https://hooks.slack.com/services/[REDACTED:slack-webhook]"');
    for (const p of ['xoxp-', 'xoxa-', 'xoxr-', 'xoxs-']) {
      expect(redactSecrets(`t = "${p}1234567890-abcdefABCDEF"`).text).toBe('t = "[REDACTED:slack-token]"');
    }
  });

  it('JWTs', () => {
    const out = redactOk(`const session = "${JWT}";\nverify(session);`, [JWT, JWT.split('.')[2] ?? 'x'], 'jwt');
    expect(out).toBe('const session = "[REDACTED:jwt]";\nverify(session);');
  });

  it('Google API keys', () => {
    expect(redactOk(`const maps = new Maps({ key: '${GOOGLE}' });`, [GOOGLE], 'google-api-key')).toBe(
      "const maps = new Maps({ key: '[REDACTED:google-api-key]' });",
    );
  });

  it('Stripe keys', () => {
    const out = redactOk(`stripe.api_key = "${STRIPE}"\nstripe_test = "${STRIPE_TEST}"`, [STRIPE, STRIPE_TEST], 'stripe-key');
    expect(out).toBe('stripe.api_key = "[REDACTED:stripe-key]"\nstripe_test = "[REDACTED:stripe-key]"');
  });

  it('Bearer tokens in Authorization headers', () => {
    const input = `curl https://api.example.com \\\n  -H "Authorization: Bearer ${BEARER}" \\\n  -d @body.json`;
    const out = redactOk(input, [BEARER], 'bearer-token');
    expect(out).toContain('-H "Authorization: Bearer [REDACTED:bearer-token]"');
    expect(redactSecrets(`headers: { Authorization: 'Bearer ${BEARER}' },`).text).toBe("headers: { Authorization: 'Bearer [REDACTED:bearer-token]' },");
    // A JWT bearer is reported as a JWT.
    expect(redactSecrets(`Authorization: Bearer ${JWT}`).text).toBe('Authorization: Bearer [REDACTED:jwt]');
  });

  it('Basic auth headers', () => {
    const b64 = Buffer.from('admin:Sup3rS3cret!').toString('base64');
    expect(redactOk(`"Authorization": "Basic ${b64}"`, [b64], 'basic-auth')).toBe('"Authorization": "Basic [REDACTED:basic-auth]"');
  });

  it('credentials in URLs keep the user and redact the password', () => {
    const out = redactOk('DATABASE_URL=postgres://admin:s3cr3tP4ss@db.internal:5432/app', ['s3cr3tP4ss'], 'url-credentials');
    expect(out).toBe('DATABASE_URL=postgres://admin:[REDACTED:url-credentials]@db.internal:5432/app');
    expect(redactSecrets('fetch("https://user:pass@host/x")').text).toBe('fetch("https://user:[REDACTED:url-credentials]@host/x")');
    expect(redactSecrets("redis = 'redis://:hunter2xyz@cache:6379/0'").text).toBe("redis = 'redis://:[REDACTED:url-credentials]@cache:6379/0'");
  });
});

describe('redactSecrets: private keys', () => {
  const pem = (type: string): string => [`-----BEGIN ${type}-----`, ...PEM_BODY, `-----END ${type}-----`].join('\n');

  it('replaces the body of every private-key variant and keeps the line count', () => {
    for (const type of ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']) {
      const input = `KEY = """\n${pem(type)}\n"""\nprint(KEY)`;
      const out = redactOk(input, PEM_BODY, 'private-key');
      expect(out).toBe(`KEY = """\n-----BEGIN ${type}-----\n[REDACTED:private-key]\n\n\n-----END ${type}-----\n"""\nprint(KEY)`);
    }
  });

  it('handles CRLF line endings and encrypted headers', () => {
    const input = [
      '-----BEGIN RSA PRIVATE KEY-----',
      'Proc-Type: 4,ENCRYPTED',
      'DEK-Info: AES-128-CBC,3F17F5316E2BAC89',
      '',
      ...PEM_BODY,
      '-----END RSA PRIVATE KEY-----',
      '',
    ].join('\r\n');
    const out = redactOk(input, [...PEM_BODY, '3F17F5316E2BAC89'], 'private-key');
    expect(out.split('\r\n')).toHaveLength(input.split('\r\n').length);
    expect(out.startsWith('-----BEGIN RSA PRIVATE KEY-----\r\n[REDACTED:private-key]\r\n')).toBe(true);
    expect(out.endsWith('-----END RSA PRIVATE KEY-----\r\n')).toBe(true);
  });

  it('handles keys embedded in one-line strings with \\n escapes', () => {
    const oneLine = `-----BEGIN PRIVATE KEY-----\\n${PEM_BODY.join('\\n')}\\n-----END PRIVATE KEY-----\\n`;
    const out = redactOk(`const k = "${oneLine}";`, PEM_BODY, 'private-key');
    expect(out).toBe('const k = "-----BEGIN PRIVATE KEY-----[REDACTED:private-key]-----END PRIVATE KEY-----\\n";');
    // Service-account JSON.
    const json = redactSecrets(`{"type": "service_account", "private_key": "${oneLine}"}`);
    expect(json.text).toBe('{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----[REDACTED:private-key]-----END PRIVATE KEY-----\\n"}');
  });

  it('redacts an unterminated key to the end of the text', () => {
    const input = `x = 1\n-----BEGIN OPENSSH PRIVATE KEY-----\n${PEM_BODY.join('\n')}`;
    const out = redactOk(input, PEM_BODY, 'private-key');
    expect(out).toBe('x = 1\n-----BEGIN OPENSSH PRIVATE KEY-----\n[REDACTED:private-key]\n\n');
  });

  it('does not touch code that merely mentions the markers', () => {
    unchanged("if (pem.startsWith('-----BEGIN RSA PRIVATE KEY-----')) {\n  return parsePkcs1(pem);\n}\nconst END = '-----END RSA PRIVATE KEY-----';");
    unchanged('-----BEGIN CERTIFICATE-----\n' + PEM_BODY.join('\n') + '\n-----END CERTIFICATE-----');
  });
});

describe('redactSecrets: secret-looking names', () => {
  it('keeps the name and the quotes', () => {
    expect(redactOk('password = "hunter2hunter2"', ['hunter2hunter2'], 'secret')).toBe('password = "[REDACTED:secret]"');
  });

  it.each([
    ['const password = "Tr0ub4dor&3";', 'const password = "[REDACTED:secret]";'],
    ["db_password: 'Tr0ub4dor&3'", "db_password: '[REDACTED:secret]'"],
    ['{"apiKey": "8f14e45fceea167a5a36dedd4bea2543"}', '{"apiKey": "[REDACTED:secret]"}'],
    ['  client_secret: 9d8f7a6b5c4e3d2f1a0b9c8d7e6f5a4b', '  client_secret: [REDACTED:secret]'],
    ['DB_PASSWORD=hunter2hunter2', 'DB_PASSWORD=[REDACTED:secret]'],
    ['export API_TOKEN=QwErTyUiOpAsDfGhJkLz', 'export API_TOKEN=[REDACTED:secret]'],
    ['  - POSTGRES_PASSWORD=pg_s3cret_2024', '  - POSTGRES_PASSWORD=[REDACTED:secret]'],
    ['password := "hunter2hunter2"', 'password := "[REDACTED:secret]"'],
    ['Password: "hunter2hunter2",', 'Password: "[REDACTED:secret]",'],
    [":password => 'hunter2hunter2'", ":password => '[REDACTED:secret]'"],
    ["'secret' => 'a8Fj2kLm9Qw3'", "'secret' => '[REDACTED:secret]'"],
    ['this.accessKey = `Zk2mQ9pL4xR7`;', 'this.accessKey = `[REDACTED:secret]`;'],
    ['const apiKey: string = "Zk2mQ9pL4xR7vN";', 'const apiKey: string = "[REDACTED:secret]";'],
    ['let auth_token: &str = "Zk2mQ9pL4xR7vN";', 'let auth_token: &str = "[REDACTED:secret]";'],
    ['os.environ["PRIVATE_KEY"] = "Zk2mQ9pL4xR7vN"', 'os.environ["PRIVATE_KEY"] = "[REDACTED:secret]"'],
    ['connect(user="app", password="Zk2mQ9pL4xR7vN")', 'connect(user="app", password="[REDACTED:secret]")'],
    ['<password>hunter2hunter2</password>', '<password>[REDACTED:secret]</password>'],
    ['spring.datasource.password=Zk2mQ9pL4xR7vN', 'spring.datasource.password=[REDACTED:secret]'],
    ['"Server=db;User Id=sa;Password=P@ssw0rd123;"', '"Server=db;User Id=sa;Password=[REDACTED:secret];"'],
    ['cb?code=1&access_token=ya29.a0AfH6SMBx1y2z3&state=2', 'cb?code=1&access_token=[REDACTED:secret]&state=2'],
    ['AUTH_REDIRECT=https://x.io/cb?access_token=ya29abcDEF123456&x=1', 'AUTH_REDIRECT=https://x.io/cb?access_token=[REDACTED:secret]&x=1'],
    ['credentials = "user:Zk2mQ9pL4xR7vN"', 'credentials = "[REDACTED:secret]"'],
    ['if (password === "hunter2hunter2") {', 'if (password === "[REDACTED:secret]") {'],
    ['user.setPassword("hunter2hunter2");', 'user.setPassword("[REDACTED:secret]");'],
    ['pin_secret = 90210577', 'pin_secret = [REDACTED:secret]'],
    ['passphrase = "correcthorsebatterystaple"', 'passphrase = "[REDACTED:secret]"'],
    ['# password: hunter2hunter2', '# password: [REDACTED:secret]'],
    ['password = "MySecretPassword"', 'password = "[REDACTED:secret]"'],
    ['PASSWORD=correcthorse', 'PASSWORD=[REDACTED:secret]'],
    ["urllib.request.HTTPPasswordMgr().add_password(passwd='geheim$parole')", "urllib.request.HTTPPasswordMgr().add_password(passwd='[REDACTED:secret]')"],
    ['  password: cGFzc3dvcmQxMjM=', '  password: [REDACTED:secret]'],
    ['//registry.npmjs.org/:_authToken=npm_AbCdEf0123456789AbCd', '//registry.npmjs.org/:_authToken=[REDACTED:secret]'],
    ['set PASSWORD=Zk2mQ9pL4xR7', 'set PASSWORD=[REDACTED:secret]'],
    ['$password = "Zk2mQ9pL4xR7";', '$password = "[REDACTED:secret]";'],
  ])('%s', (input, expected) => {
    const r = redactSecrets(input);
    expect(r.text).toBe(expected);
    expect(r.kinds).toEqual(['secret']);
    expect(redactSecrets(r.text).text).toBe(r.text);
  });

  it.each([
    'password = getPassword()',
    'token = req.headers.token',
    'secret: process.env.SECRET,',
    'apiKey: config.apiKey,',
    'password: string;',
    'apiKey?: string | undefined;',
    'private_key: Option<String>,',
    'if (token == other) {',
    'if (token != expected_token_value) {',
    'password = "${VAR}"',
    'password = "${DB_PASSWORD}"',
    'token: "{{ .Values.token }}"',
    'api_key = "<your-key>"',
    'api_key = "YOUR_API_KEY"',
    'password: "changeme"',
    'password = "xxxxxxxx"',
    'password = "********"',
    'password = "aaaaaaaaaaaaaaa"',
    'password: ""',
    'password: null',
    'password = None',
    'token = undefined;',
    'api_key = $API_KEY',
    'password = "password"',
    'DB_PASSWORD: "db_password"',
    'secret = SECRET_KEY_NAME',
    'token = other_token',
    'password = password2;',
    'secret_key = os.urandom(24)',
    'auth = HTTPBasicAuth(user, pwd)',
    'const token = await getToken(scope);',
    'authorName: "J. R. R. Tolkien"',
    'author = "Someone Important"',
    'passport = "X1234567"',
    'compass = "N12E45W6"',
    'max_tokens = 4096',
    'tokensUsed = 123456789',
    'tokenizer = "cl100k_base"',
    'token_url = "https://oauth2.googleapis.com/token"',
    'passwordMinLength = 12345678',
    'tokenType: "Bearer"',
    'secretName: my-app-tls-secret',
    'auth_mode: "client-credentials"',
    'private_key_path = "/etc/ssl/private/server.key"',
    'password_file = "/run/secrets/db_password"',
    '"password": "Password"',
    '"password_hint": "Must be at least 8 characters"',
    '"passwordLabel": "Enter your password"',
    '"password": "Please enter your password."',
    '<input type="password" autocomplete="current-password">',
    'Authorization: `Bearer ${token}`',
    "headers['Authorization'] = 'Bearer ' + token",
    'Authorization: Bearer YOUR_TOKEN_HERE',
    'export AUTH_DOMAIN=example.com',
    "return self.authenticate('CRAM-MD5', self._CRAM_MD5_AUTH)",
    '#password_encryption = scram-sha-256',
    'lastSignificantToken = "?NonExpressionParenKeyword";',
    'nextLastSignificantToken = "?InterpolationInJSX";',
    '"Unexpected_token_1012": "Token inesperado.",',
    '"Unexpected_token_expected_1179": "Neočekávaný token. Očekává se znak {.",',
    '"The_parser_expected_to_find_a_1_to_match_the_0_token_here_1007": "分析器预期在此处找到与“{0}”标记匹配的“{1}”。",',
    '"@aws-sdk/credential-provider-node": ">=3.972.0 <4",',
    "PWD: '/Users/maciej',",
    'const pass = !this.result.issues || this.result.issues.length === 0;',
    'pass: matchResult?.pass ?? false,',
    '/** Configure the client using bearer authentication. */',
    "jwt: 'urn:ietf:params:oauth:token-type:jwt',",
    '"You can avoid this error by creating an ephemeral session token:\\nhttps://platform.openai.com/docs\\n"',
    '"wasm": "wasm-opt x.wasm --asyncify --pass-arg=asyncify-imports@env.await_promise_sync -Oz"',
  ])('leaves code alone: %s', (input) => {
    unchanged(input);
  });
});

describe('redactSecrets: ordinary code stays unchanged', () => {
  it('long identifiers, git SHAs, UUIDs, base64 images', () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const code = [
      "import { createAuthenticationMiddlewareFactory } from './auth/middleware';",
      'const authenticationMiddlewareFactoryProvider = createAuthenticationMiddlewareFactory(options);',
      'commit = "9fceb02d0ae598e95dc970b74767f19372d61af8"',
      'const sha = "3f786850e387550fdab836ed7e6dc881de23001b";',
      'id = "550e8400-e29b-41d4-a716-446655440000"',
      'const userId = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";',
      `const logo = "data:image/png;base64,${png}";`,
      `thumbnail: "${png.repeat(4)}",`,
      'const sessionCount = sessions.filter((s) => s.isActive).length;',
      'class TokenBucketRateLimiter implements RateLimiter {',
      '  private readonly tokensPerInterval: number;',
      '  constructor(private readonly passwordHasher: PasswordHasher) {}',
      'def authenticate(self, username: str, password: str) -> bool:',
      '    return bcrypt.checkpw(password.encode(), self.password_hash)',
      'const risk = "task-management-board-component-2024";',
      '.sk-fading-circle-child-element-container { color: red; }',
      'const url = "https://example.com/path?query=value&other=thing";',
      'ssh git@github.com:org/repo.git',
      'const re = /Bearer\\s+(\\S+)/;',
    ].join('\n');
    unchanged(code);
  });
});

describe('redactSecrets: structure and robustness', () => {
  it('keeps line count and surrounding code in a mixed file', () => {
    const input = [
      'import os',
      `AWS_KEY = "${AWS_ID}"`,
      `GITHUB = "${GH_PAT}"`,
      'def main():',
      `    jwt = "${JWT}"`,
      '    password = "hunter2hunter2"',
      '    return os.getenv("HOME")',
      '-----BEGIN EC PRIVATE KEY-----',
      ...PEM_BODY,
      '-----END EC PRIVATE KEY-----',
    ].join('\n');
    const r = redactSecrets(input);
    expect(lines(r.text)).toBe(lines(input));
    for (const s of [AWS_ID, GH_PAT, JWT, 'hunter2hunter2', ...PEM_BODY]) expect(r.text).not.toContain(s);
    expect(r.text.split('\n')[0]).toBe('import os');
    expect(r.text.split('\n')[3]).toBe('def main():');
    expect(r.text.split('\n')[6]).toBe('    return os.getenv("HOME")');
    expect(r.count).toBe(5);
    expect(r.kinds).toEqual(['aws-access-key', 'github-token', 'jwt', 'secret', 'private-key']);
  });

  it('overlapping detections do not corrupt the text', () => {
    const input = `token = "${OPENAI}"\nAuthorization: "Bearer ${JWT}"\nuri = "https://u:${GH_PAT}@github.com"`;
    const r = redactSecrets(input);
    expect(r.text).toBe('token = "[REDACTED:openai-key]"\nAuthorization: "Bearer [REDACTED:jwt]"\nuri = "https://u:[REDACTED:github-token]@github.com"');
  });

  it('is idempotent on already redacted text', () => {
    const once = redactSecrets(`a = "${AWS_ID}"\nsecret: "[REDACTED:secret]"\npassword = "[REDACTED]"`);
    expect(once.count).toBe(1);
    const twice = redactSecrets(once.text);
    expect(twice).toEqual({ text: once.text, count: 0, kinds: [] });
  });

  it('handles empty and secret-free input', () => {
    expect(redactSecrets('')).toEqual({ text: '', count: 0, kinds: [] });
    expect(redactSecrets('hello\nworld\n')).toEqual({ text: 'hello\nworld\n', count: 0, kinds: [] });
  });

  it('redacts a 1 MB mixed input correctly and without pathological slowdown', () => {
    const block = [
      "import { readFile } from 'node:fs/promises';",
      'export async function load(path: string): Promise<Config> {',
      "  const raw = await readFile(path, 'utf8');",
      '  const token = req.headers.authorization ?? "";',
      '  if (token == other) return authenticate(user, password);',
      '  const tokenizer = new Tokenizer({ maxTokens: 4096, passThrough: true });',
      `  const key = "${AWS_ID}";`,
      '  const password = "hunter2hunter2";',
      '  return { apiKey: config.apiKey, secret: process.env.SECRET };',
      '}',
      '',
    ].join('\n');
    const input = block.repeat(Math.ceil((1024 * 1024) / block.length));
    const blocks = input.length / block.length;
    const t0 = performance.now();
    const r = redactSecrets(input);
    const elapsed = performance.now() - t0;
    expect(r.text).not.toContain(AWS_ID);
    expect(r.text).not.toContain('hunter2hunter2');
    expect(r.count).toBe(blocks * 2);
    expect(lines(r.text)).toBe(lines(input));
    expect(elapsed).toBeLessThan(2000);
  });

  it.each([
    ['repeated markers', rep('-----BEGIN RSA PRIVATE KEY-----', 30_000)],
    ['repeated names', rep('password: ', 100_000)],
    ['unterminated strings', rep('token = "abc', 80_000)],
    ['one long token run', 'eyJ' + rep('a', 1_000_000)],
    ['url-ish runs', rep('https://a:', 100_000)],
    ['keyword soup', rep('passpasstokenauth', 60_000)],
    ['assignments inside one string', `x = "${rep('token=', 150_000)}"`],
    ['assignments inside one bare value', `x: ${rep('a=token=', 130_000)}`],
    ['service names before random values, no line break', rep('mailgun Zk2mQ9pL4xR7vN8w ', 40_000)],
    ['one run of key characters', 'x' + rep('aB3', 350_000)],
    ['a Secret with endless data', 'kind: Secret\n' + rep('data:\n  a: b\n', 80_000)],
    ['user flags', rep('-u a:b ', 150_000)],
    ['password flags', rep('mysql -p ', 110_000)],
    ['docker logins', rep('docker login -p ', 60_000)],
    ['key strings before commas', rep('"X_TOKEN", ', 90_000)],
    ['provider keywords', rep('SK AKIA sk- hf_ glpat- ', 45_000)],
    ['an XML element left open', '<apiToken>\n' + rep(' ', 1_000_000) + '</apiToken>'],
  ])('adversarial 1 MB input stays fast: %s', (_name, input) => {
    const t0 = performance.now();
    const r = redactSecrets(input);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(lines(r.text)).toBe(lines(input));
  });
});

describe('redactKnownValues', () => {
  const key = 'sk-' + 'live-configured-key-0123456789';

  it('replaces every occurrence of each value', () => {
    const log = `POST /v1/chat with key ${key}\nretry with ${key}; header: Bearer ${key}`;
    expect(redactKnownValues(log, [key])).toBe('POST /v1/chat with key [REDACTED]\nretry with [REDACTED]; header: Bearer [REDACTED]');
  });

  it('ignores short or empty values and handles several values', () => {
    expect(redactKnownValues('short abc and 1234567', ['abc', '', '1234567'])).toBe('short abc and 1234567');
    expect(redactKnownValues('a=12345678 b=abcdefgh', ['12345678', 'abcdefgh'])).toBe('a=[REDACTED] b=[REDACTED]');
  });

  it('hides a value that contains another value completely', () => {
    expect(redactKnownValues(`k=${key}`, [key.slice(0, 10), key])).toBe('k=[REDACTED]');
  });

  it('treats values literally (no regex) and trims configured values', () => {
    expect(redactKnownValues('a.b*c+d?e(f) and axb*c+d?e(f)', ['a.b*c+d?e(f)'])).toBe('[REDACTED] and axb*c+d?e(f)');
    expect(redactKnownValues(`x ${key} y`, [`  ${key}\n`])).toBe('x [REDACTED] y');
  });

  it('returns the text unchanged with no values', () => {
    expect(redactKnownValues('nothing here', [])).toBe('nothing here');
    expect(redactKnownValues('', [key])).toBe('');
  });
});
