/**
 * codex-lsp's own secret corpus, built from the providers' public descriptions of their key
 * formats (prefix, alphabet, length), written independently of the redactor's table. Every
 * token body is random, drawn from a seeded generator, so the corpus is the same on every
 * run and no real key is in it. Nothing here is copied from another project's test data.
 *
 * - `neutralSamples`: each format in lines that give no hint (`const value = "…"`, prose).
 * - `assignmentSamples`: secrets recognisable by where they stand (names, forms, a
 *   service's name nearby).
 * - `falsePositiveSamples`: look-alikes that must stay as they are.
 */
import { rng } from './rng';

export interface Sample {
  family: string;
  name: string;
  text: string;
  /** What must not survive redaction (for look-alikes: nothing may change). */
  secret: string;
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const HEX = '0123456789abcdef';
const B64URL = ALNUM + '_-';
const B64 = ALNUM + '+/';
const UPALNUM = UPPER + DIGITS;
const LOWALNUM = LOWER + DIGITS;
const LETTERS = UPPER + LOWER;
const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';

type Part = string | [alphabet: string, length: number];

function draw(r: () => number, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

function build(r: () => number, parts: readonly Part[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : draw(r, p[0], p[1]))).join('');
}

const uuid = (r: () => number): string => `${draw(r, HEX, 8)}-${draw(r, HEX, 4)}-4${draw(r, HEX, 3)}-a${draw(r, HEX, 3)}-${draw(r, HEX, 12)}`;

interface Format {
  family: string;
  name: string;
  parts: readonly Part[];
  /** The part that must disappear, when a readable prefix (a webhook's host) may stay. */
  secretFrom?: string;
}

/** Formats as their providers describe them. */
// biome-ignore format: a table, one entry per line as written
const FORMATS: readonly Format[] = [
  // cloud
  { family: 'cloud', name: 'AWS access key id', parts: ['AKIA', [UPALNUM, 16]] },
  { family: 'cloud', name: 'AWS temporary key id', parts: ['ASIA', [UPALNUM, 16]] },
  { family: 'cloud', name: 'Google API key', parts: ['AIza', [B64URL, 35]] },
  { family: 'cloud', name: 'Google OAuth client secret', parts: ['GOCSPX-', [B64URL, 28]] },
  { family: 'cloud', name: 'Google OAuth access token', parts: ['ya29.', [B64URL, 120]] },
  { family: 'cloud', name: 'Azure storage connection string', parts: ['DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=', [B64, 86], '==;EndpointSuffix=core.windows.net'], secretFrom: 'AccountKey=' },
  { family: 'cloud', name: 'Azure Service Bus connection string', parts: ['Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=', [B64, 43], '='], secretFrom: 'SharedAccessKey=' },
  { family: 'cloud', name: 'Azure client secret', parts: [[ALNUM, 3], [DIGITS, 1], 'Q~', [ALNUM + '_~.-', 34]] },
  { family: 'cloud', name: 'DigitalOcean token', parts: ['dop_v1_', [HEX, 64]] },
  { family: 'cloud', name: 'DigitalOcean OAuth token', parts: ['doo_v1_', [HEX, 64]] },
  { family: 'cloud', name: 'Alibaba AccessKey id', parts: ['LTAI', [ALNUM, 20]] },
  { family: 'cloud', name: 'Tencent SecretId', parts: ['AKID', [ALNUM, 32]] },
  { family: 'cloud', name: 'Vault service token', parts: ['hvs.', [B64URL, 90]] },
  { family: 'cloud', name: 'HCP Terraform token', parts: [[ALNUM, 14], '.atlasv1.', [B64URL, 67]] },
  { family: 'cloud', name: 'Pulumi token', parts: ['pul-', [HEX, 40]] },
  { family: 'cloud', name: 'Doppler service token', parts: ['dp.st.', [ALNUM, 43]] },
  { family: 'cloud', name: 'Databricks token', parts: ['dapi', [HEX, 32]] },
  { family: 'cloud', name: 'Supabase access token', parts: ['sbp_', [HEX, 40]] },
  { family: 'cloud', name: 'PlanetScale password', parts: ['pscale_pw_', [B64URL, 43]] },
  { family: 'cloud', name: 'Fly.io token', parts: ['fo1_', [B64URL, 43]] },
  { family: 'cloud', name: 'Render API key', parts: ['rnd_', [ALNUM, 32]] },
  { family: 'cloud', name: 'Heroku API token', parts: ['HRKU-AA', [B64URL, 58]] },
  { family: 'cloud', name: 'Cloudflare Origin CA key', parts: ['v1.0-', [HEX, 24], '-', [HEX, 146]] },
  // source hosting, packages, CI
  { family: 'source & packages', name: 'GitHub classic token', parts: ['ghp_', [ALNUM, 36]] },
  { family: 'source & packages', name: 'GitHub app token', parts: ['ghs_', [ALNUM, 36]] },
  { family: 'source & packages', name: 'GitHub fine-grained token', parts: ['github_pat_', [ALNUM, 22], '_', [ALNUM, 59]] },
  { family: 'source & packages', name: 'GitLab personal token', parts: ['glpat-', [B64URL, 20]] },
  { family: 'source & packages', name: 'GitLab routable token', parts: ['glpat-', [B64URL, 40], '.01.', [LOWALNUM, 9]] },
  { family: 'source & packages', name: 'GitLab deploy token', parts: ['gldt-', [B64URL, 20]] },
  { family: 'source & packages', name: 'GitLab runner token', parts: ['glrt-', [B64URL, 20]] },
  { family: 'source & packages', name: 'Bitbucket app password', parts: ['ATBB', [ALNUM, 32]] },
  { family: 'source & packages', name: 'Atlassian API token', parts: ['ATATT3x', [B64URL, 180]] },
  { family: 'source & packages', name: 'Sourcegraph token', parts: ['sgp_', [HEX, 16], '_', [HEX, 40]] },
  { family: 'source & packages', name: 'npm token', parts: ['npm_', [ALNUM, 36]] },
  { family: 'source & packages', name: 'PyPI token', parts: ['pypi-AgEIcHlwaS5vcmc', [B64URL, 120]] },
  { family: 'source & packages', name: 'RubyGems key', parts: ['rubygems_', [HEX, 48]] },
  { family: 'source & packages', name: 'NuGet key', parts: ['oy2', [LOWALNUM, 43]] },
  { family: 'source & packages', name: 'Docker Hub token', parts: ['dckr_pat_', [B64URL, 27]] },
  { family: 'source & packages', name: 'JFrog API key', parts: ['AKCp', [ALNUM, 69]] },
  { family: 'source & packages', name: 'Buildkite token', parts: ['bkua_', [HEX, 40]] },
  { family: 'source & packages', name: 'SonarQube token', parts: ['squ_', [HEX, 40]] },
  { family: 'source & packages', name: 'Clojars token', parts: ['CLOJARS_', [LOWALNUM, 60]] },
  { family: 'source & packages', name: 'Postman API key', parts: ['PMAK-', [HEX, 24], '-', [HEX, 34]] },
  // AI
  { family: 'ai', name: 'OpenAI project key', parts: ['sk-proj-', [B64URL, 120]] },
  { family: 'ai', name: 'OpenAI legacy key', parts: ['sk-', [ALNUM, 20], 'T3BlbkFJ', [ALNUM, 20]] },
  { family: 'ai', name: 'Anthropic key', parts: ['sk-ant-api03-', [B64URL, 93], 'AA'] },
  { family: 'ai', name: 'Anthropic admin key', parts: ['sk-ant-admin01-', [B64URL, 93], 'AA'] },
  { family: 'ai', name: 'Hugging Face token', parts: ['hf_', [LETTERS, 34]] },
  { family: 'ai', name: 'Groq key', parts: ['gsk_', [ALNUM, 52]] },
  { family: 'ai', name: 'Replicate token', parts: ['r8_', [ALNUM, 37]] },
  { family: 'ai', name: 'Perplexity key', parts: ['pplx-', [ALNUM, 48]] },
  { family: 'ai', name: 'xAI key', parts: ['xai-', [ALNUM, 80]] },
  { family: 'ai', name: 'LangSmith key', parts: ['lsv2_pt_', [HEX, 32], '_', [HEX, 10]] },
  // messaging, mail
  { family: 'messaging', name: 'Slack bot token', parts: ['xoxb-', [DIGITS, 12], '-', [DIGITS, 13], '-', [ALNUM, 24]] },
  { family: 'messaging', name: 'Slack user token', parts: ['xoxp-', [DIGITS, 12], '-', [DIGITS, 12], '-', [DIGITS, 13], '-', [HEX, 32]] },
  { family: 'messaging', name: 'Slack webhook', parts: ['https://hooks.slack.com/services/T', [UPALNUM, 10], '/B', [UPALNUM, 10], '/', [ALNUM, 24]], secretFrom: 'services/' },
  { family: 'messaging', name: 'Discord webhook', parts: ['https://discord.com/api/webhooks/', [DIGITS, 19], '/', [B64URL, 68]], secretFrom: 'webhooks/' },
  { family: 'messaging', name: 'Teams webhook', parts: ['https://acme.webhook.office.com/webhookb2/', [HEX, 8], '-', [HEX, 4], '-', [HEX, 4], '-', [HEX, 4], '-', [HEX, 12], '@', [HEX, 8], '-', [HEX, 4], '-', [HEX, 4], '-', [HEX, 4], '-', [HEX, 12], '/IncomingWebhook/', [HEX, 32], '/', [HEX, 8], '-', [HEX, 4], '-', [HEX, 4], '-', [HEX, 4], '-', [HEX, 12]], secretFrom: 'webhookb2/' },
  { family: 'messaging', name: 'Power Automate trigger URL', parts: ['https://prod-12.westus.logic.azure.com:443/workflows/', [HEX, 32], '/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=', [B64URL, 43]], secretFrom: 'sig=' },
  { family: 'messaging', name: 'Telegram bot token', parts: [[DIGITS, 10], ':AA', [B64URL, 33]] },
  { family: 'messaging', name: 'SendGrid key', parts: ['SG.', [B64URL, 22], '.', [B64URL, 43]] },
  { family: 'messaging', name: 'Twilio API key', parts: ['SK', [HEX, 32]] },
  { family: 'messaging', name: 'Mailgun private key', parts: ['key-', [HEX, 32]] },
  { family: 'messaging', name: 'Mailchimp key', parts: [[HEX, 32], '-us', [DIGITS, 2]] },
  { family: 'messaging', name: 'Resend key', parts: ['re_', [ALNUM, 8], '_', [ALNUM, 24]] },
  // payments
  { family: 'payments', name: 'Stripe secret key', parts: ['sk_live_', [ALNUM, 99]] },
  { family: 'payments', name: 'Stripe restricted key', parts: ['rk_live_', [ALNUM, 24]] },
  { family: 'payments', name: 'Stripe webhook secret', parts: ['whsec_', [ALNUM, 32]] },
  { family: 'payments', name: 'Square access token', parts: ['sq0atp-', [B64URL, 22]] },
  { family: 'payments', name: 'Square application secret', parts: ['sq0csp-', [B64URL, 43]] },
  { family: 'payments', name: 'Square production token', parts: ['EAAA', [B64URL, 60]] },
  { family: 'payments', name: 'Shopify access token', parts: ['shpat_', [HEX, 32]] },
  { family: 'payments', name: 'Shopify shared secret', parts: ['shpss_', [HEX, 32]] },
  { family: 'payments', name: 'Shippo token', parts: ['shippo_live_', [HEX, 40]] },
  { family: 'payments', name: 'EasyPost key', parts: ['EZAK', [ALNUM, 54]] },
  { family: 'payments', name: 'Flutterwave secret key', parts: ['FLWSECK-', [HEX, 32], '-X'] },
  { family: 'payments', name: 'Plaid access token', parts: ['access-production-', [HEX, 8], '-', [HEX, 4], '-', [HEX, 4], '-', [HEX, 4], '-', [HEX, 12]] },
  { family: 'payments', name: 'Facebook access token', parts: ['EAA', [ALNUM, 180]] },
  // SaaS, observability, keys
  { family: 'saas', name: 'Notion token', parts: ['ntn_', [DIGITS, 11], [ALNUM, 35]] },
  { family: 'saas', name: 'Notion legacy secret', parts: ['secret_', [ALNUM, 43]] },
  { family: 'saas', name: 'Linear key', parts: ['lin_api_', [ALNUM, 40]] },
  { family: 'saas', name: 'New Relic user key', parts: ['NRAK-', [UPALNUM, 27]] },
  { family: 'saas', name: 'Sentry user token', parts: ['sntryu_', [HEX, 64]] },
  { family: 'saas', name: 'Grafana service account token', parts: ['glsa_', [ALNUM, 32], '_', [HEX, 8]] },
  { family: 'saas', name: 'Dynatrace token', parts: ['dt0c01.', [UPALNUM, 24], '.', [UPALNUM, 64]] },
  { family: 'saas', name: 'Figma token', parts: ['figd_', [B64URL, 40]] },
  { family: 'saas', name: 'Contentful token', parts: ['CFPAT-', [B64URL, 43]] },
  { family: 'saas', name: 'Mapbox secret token', parts: ['sk.eyJ1IjoiYWNtZSIsImEiOiJ', [B64URL, 40], '.', [B64URL, 22]] },
  { family: 'saas', name: 'Dropbox short-lived token', parts: ['sl.', [B64URL, 140]] },
  { family: 'saas', name: 'Adafruit IO key', parts: ['aio_', [ALNUM, 28]] },
  { family: 'saas', name: 'Typeform token', parts: ['tfp_', [ALNUM, 44]] },
  { family: 'saas', name: 'Prefect key', parts: ['pnu_', [ALNUM, 36]] },
  { family: 'saas', name: '1Password secret key', parts: ['A3-', [UPALNUM, 6], '-', [UPALNUM, 11], '-', [UPALNUM, 5], '-', [UPALNUM, 5], '-', [UPALNUM, 5]] },
  { family: 'saas', name: 'age secret key', parts: ['AGE-SECRET-KEY-1', [BECH32, 58]] },
  { family: 'saas', name: 'JWT', parts: ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ', [B64URL, 60], '.', [B64URL, 43]] },
];

/** Lines that say nothing about what they hold. */
// biome-ignore format: a table, one entry per line as written
const NEUTRAL: ReadonlyArray<(t: string) => string> = [
  (t) => `const value = "${t}";`,
  (t) => `print('${t}')`,
  (t) => `  - ${t}`,
  (t) => `Use ${t} for the nightly job.`,
  (t) => `{"value": "${t}", "enabled": true}`,
  (t) => `args = ["--target", "${t}"]`,
  (t) => `| staging | \`${t}\` |`,
  (t) => `fmt.Println("${t}")`,
];

export function neutralSamples(perFormat = 3): Sample[] {
  const r = rng(11);
  const out: Sample[] = [];
  for (const f of FORMATS) {
    for (let i = 0; i < perFormat; i++) {
      const token = build(r, f.parts);
      const secret = f.secretFrom ? token.slice(token.indexOf(f.secretFrom) + f.secretFrom.length).replace(/[=;].*$/s, '') : token;
      for (const line of NEUTRAL) out.push({ family: f.family, name: f.name, text: line(token), secret });
    }
  }
  return out;
}

/** Generic secret values of several shapes. */
// biome-ignore format: a table, one entry per line as written
const VALUES: ReadonlyArray<(r: () => number) => string> = [
  (r) => draw(r, ALNUM, 24),
  (r) => draw(r, B64, 40),
  (r) => draw(r, HEX, 32),
  (r) => `${draw(r, LETTERS, 4)}${draw(r, DIGITS, 2)}${draw(r, '#$%&!@', 1)}${draw(r, ALNUM, 7)}`,
  (r) => draw(r, B64URL, 48),
  (r) => uuid(r),
];

interface Form {
  family: string;
  name: string;
  make: (v: string, r: () => number) => string;
  /** The value to hide, derived from the drawn one (default: itself). */
  value?: (v: string, r: () => number) => string;
}

const base64 = (s: string): string => Buffer.from(s).toString('base64');

// biome-ignore format: a table, one entry per line as written
const FORMS: readonly Form[] = [
  { family: 'named assignments', name: 'env file', make: (v) => `API_TOKEN=${v}` },
  { family: 'named assignments', name: 'shell export', make: (v) => `export SERVICE_SECRET="${v}"` },
  { family: 'named assignments', name: 'JSON', make: (v) => `  "client_secret": "${v}",` },
  { family: 'named assignments', name: 'YAML', make: (v) => `  apiKey: ${v}` },
  { family: 'named assignments', name: 'code literal', make: (v) => `const dbPassword = '${v}';` },
  { family: 'named assignments', name: 'Go struct field', make: (v) => `\tPassword: "${v}",` },
  { family: 'named assignments', name: 'PHP array', make: (v) => `'auth_token' => '${v}',` },
  { family: 'named assignments', name: 'properties', make: (v) => `spring.datasource.password=${v}` },
  { family: 'named assignments', name: 'CLI flag', make: (v) => `deploy --api-key=${v} --region eu-west-1` },
  { family: 'named assignments', name: 'setter call', make: (v) => `user.setPassword("${v}");` },
  { family: 'named assignments', name: 'AWS secret key', make: (v) => `aws_secret_access_key = ${v}`, value: (_v, r) => draw(r, B64, 40) },
  // RFC 6750: a bearer token is a b64token, so no password-like symbols.
  { family: 'named assignments', name: 'Authorization header', make: (v) => `Authorization: Bearer ${v}`, value: (_v, r) => draw(r, B64URL + '.~', 40) },
  { family: 'named assignments', name: 'Basic auth header', make: (v) => `Authorization: Basic ${v}`, value: (v) => base64(`deploy:${v}`) },
  { family: 'forms', name: 'XML element', make: (v) => `<apiToken>${v}</apiToken>` },
  { family: 'forms', name: 'XML element, value on its own line', make: (v) => `<apiToken>\n    ${v}\n</apiToken>` },
  { family: 'forms', name: 'System.setProperty', make: (v) => `System.setProperty("X_TOKEN", "${v}");` },
  { family: 'forms', name: 'key-value call', make: (v) => `headers.put("client_secret", "${v}");` },
  { family: 'forms', name: 'KEY=value in a string with escaped newlines', make: (v) => `env = "A=1\\nX_TOKEN=${v}\\nB=1"` },
  { family: 'forms', name: 'curl -u', make: (v) => `curl -u admin:${v} https://ci.example.com/api/json` },
  { family: 'forms', name: 'curl --user', make: (v) => `curl --user "deploy:${v}" -X POST https://ci.example.com/job/build` },
  { family: 'forms', name: '--password value', make: (v) => `./deploy.sh --password ${v} --yes` },
  { family: 'forms', name: 'mysql -p', make: (v) => `mysqldump -h db -u backup -p${v} shop > shop.sql` },
  { family: 'forms', name: 'docker login -p', make: (v) => `docker login -u ci -p '${v}' registry.example.com` },
  { family: 'forms', name: 'Kubernetes Secret data', make: (v) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: ${v}\n`, value: (v) => base64(v) },
  { family: 'forms', name: 'Kubernetes Secret stringData', make: (v) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\nstringData:\n  token: "${v}"\n` },
  { family: 'forms', name: 'Azure secret starting with .', make: (v) => `AZURE_CLIENT_SECRET=.${v}`, value: (_v, r) => `${draw(r, ALNUM, 2)}8Q~${draw(r, ALNUM + '_.-', 34)}` },
  { family: 'forms', name: 'Azure secret starting with ~', make: (v) => `client_secret = ~${v}`, value: (_v, r) => `${draw(r, ALNUM, 2)}7Q~${draw(r, ALNUM + '_.~-', 34)}` },
  { family: 'forms', name: 'unquoted token that looks like an identifier', make: (v) => `hf_token = ${v}`, value: (_v, r) => `hf_${draw(r, LETTERS, 34)}` },
  // A password in a URL is percent-encoded: that is what a valid URL holds.
  { family: 'forms', name: 'database URL', make: (v) => `DATABASE_URL=postgres://app:${v}@db.internal:5432/app`, value: (v) => encodeURIComponent(v) },
  { family: 'forms', name: 'MongoDB URL', make: (v) => `const uri = "mongodb+srv://reader:${v}@cluster0.abcde.mongodb.net/?retryWrites=true";`, value: (v) => encodeURIComponent(v) },
  { family: 'forms', name: 'ADO.NET connection string', make: (v) => `"Server=tcp:db.example.net,1433;Database=app;User ID=sa;Password=${v};"` },
  { family: 'service name nearby', name: 'mailgun, quoted', make: (v) => `mailgun '${v}'` },
  { family: 'service name nearby', name: 'prose', make: (v) => `the hasura admin secret is ${v}` },
  { family: 'service name nearby', name: 'constant', make: (v) => `TWILIO_AUTH = "${v}"` },
  { family: 'service name nearby', name: 'constructor', make: (v) => `const client = new Algolia("AB12CD34EF", "${v}");` },
  { family: 'service name nearby', name: 'nested YAML', make: (v) => `sendgrid:\n  value: ${v}` },
  { family: 'service name nearby', name: 'config object', make: (v) => `datadog: { site: "datadoghq.eu", value: "${v}" },` },
  { family: 'service name nearby', name: 'Heroku UUID key', make: (v) => `heroku config:set HEROKU_API=${v}`, value: (_v, r) => uuid(r) },
];

export function assignmentSamples(perForm = 6): Sample[] {
  const r = rng(29);
  const out: Sample[] = [];
  for (const f of FORMS) {
    for (let i = 0; i < perForm; i++) {
      const drawn = (VALUES[i % VALUES.length] as (r: () => number) => string)(r);
      const value = f.value ? f.value(drawn, r) : drawn;
      out.push({ family: f.family, name: f.name, text: f.make(value, r), secret: value });
    }
  }
  return out;
}

/** Look-alikes: random-looking or secret-named text that is not a secret. */
// biome-ignore format: a table, one entry per line as written
const LOOK_ALIKES: ReadonlyArray<{ name: string; make: (r: () => number) => string }> = [
  { name: 'UUID id', make: (r) => `const requestId = "${uuid(r)}";` },
  { name: 'git commit', make: (r) => `commit = "${draw(r, HEX, 40)}"` },
  { name: 'git checkout', make: (r) => `git checkout ${draw(r, HEX, 40)}` },
  { name: 'pinned action', make: (r) => `      - uses: github/codeql-action/init@${draw(r, HEX, 40)}` },
  { name: 'lockfile integrity', make: (r) => `      "integrity": "sha512-${draw(r, B64, 86)}==",` },
  { name: 'image digest', make: (r) => `    image: docker.io/library/nginx@sha256:${draw(r, HEX, 64)}` },
  { name: 'GITHUB_SHA', make: (r) => `GITHUB_SHA=${draw(r, HEX, 40)}` },
  { name: 'checksum', make: (r) => `  checksum: ${draw(r, HEX, 64)}` },
  { name: 'CSS colour', make: (r) => `  color: #${draw(r, HEX, 6)};` },
  { name: 'data URI', make: (r) => `const dot = "data:image/png;base64,iVBORw0KGgo${draw(r, B64, 60)}";` },
  { name: 'CSRF hidden input', make: (r) => `<input type="hidden" name="csrf_token" value="${draw(r, B64URL, 43)}">` },
  { name: 'CSRF meta tag', make: (r) => `<meta name="csrf-token" content="${draw(r, B64URL, 86)}">` },
  { name: 'Rails authenticity token', make: (r) => `<input type="hidden" name="authenticity_token" value="${draw(r, B64, 86)}==" autocomplete="off" />` },
  { name: 'ASP.NET anti-forgery token', make: (r) => `<input name="__RequestVerificationToken" type="hidden" value="CfDJ8${draw(r, B64URL, 150)}" />` },
  { name: 'Django CSRF', make: (r) => `<input type="hidden" name="csrfmiddlewaretoken" value="${draw(r, ALNUM, 64)}">` },
  { name: 'Jenkins credentialsId', make: (r) => `        git credentialsId: '${uuid(r)}', url: 'https://git.example.com/app.git'` },
  { name: 'Jenkins withCredentials', make: (r) => `withCredentials([usernamePassword(credentialsId: '${uuid(r)}', usernameVariable: 'U', passwordVariable: 'P')]) {` },
  { name: 'UserSecretsId', make: (r) => `    <UserSecretsId>${uuid(r)}</UserSecretsId>` },
  { name: 'Authentication-Results header', make: (r) => `Authentication-Results: mx.google.com; dkim=pass header.i=@example.com header.s=s1 header.b=${draw(r, B64, 8)}; spf=pass smtp.mailfrom=a@example.com` },
  { name: 'ARC-Authentication-Results header', make: (r) => `ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=example.com; dmarc=pass action=none header.from=example.com; dkim=pass header.d=example.com; arc=none ${draw(r, DIGITS, 3)}` },
  { name: 'Exchange AuthSource header', make: (r) => `X-MS-Exchange-Organization-AuthSource: DM6PR11MB${draw(r, DIGITS, 4)}.namprd11.prod.outlook.com` },
  { name: 'Exchange AuthAs header', make: () => 'X-MS-Exchange-Organization-AuthAs: Anonymous' },
  { name: 'XML markup in a token variable', make: (r) => `token = "<Token><Id>${draw(r, DIGITS, 6)}</Id><Kind>session</Kind></Token>"` },
  { name: 'HTML in a token field', make: (r) => `authToken: '<span class="token-${draw(r, LOWER, 5)}">hidden</span>',` },
  { name: 'identifier with digits', make: (r) => `import { TwilioClient2FactorService${draw(r, DIGITS, 1)} } from './twilio';` },
  { name: 'Stripe object id', make: (r) => `const customer = await stripe.customers.retrieve('cus_${draw(r, ALNUM, 14)}');` },
  { name: 'Twilio account SID', make: (r) => `TWILIO_ACCOUNT_SID = "AC${draw(r, HEX, 32)}"` },
  { name: 'Hugging Face model id', make: (r) => `model = AutoModel.from_pretrained("meta-llama/Llama-3.${draw(r, DIGITS, 1)}-8B-Instruct")` },
  { name: 'hf_hub call', make: () => 'from huggingface_hub import hf_hub_download, snapshot_download' },
  { name: 'sk- CSS class', make: (r) => `<div class="sk-fading-circle sk-circle-${draw(r, DIGITS, 2)}"></div>` },
  { name: 'npm_config variable', make: (r) => `npm_config_cache=/tmp/npm-cache-${draw(r, DIGITS, 4)}` },
  { name: 'version string', make: (r) => `  "version": "3.${draw(r, DIGITS, 2)}.0-beta.4+build.20240101",` },
  { name: 'timestamp', make: (r) => `const createdAt = 17${draw(r, DIGITS, 11)};` },
  { name: 'phone number to Twilio', make: (r) => `await twilio.messages.create({ to: '+1555${draw(r, DIGITS, 7)}', body: 'Your code is ready' });` },
  { name: 'Slack channel', make: (r) => `slack_channel = "#deploy-notifications-${draw(r, LOWER, 4)}"` },
  { name: 'translated auth message', make: () => '"auth_error": "Die Anmeldung ist fehlgeschlagen. Bitte erneut versuchen."' },
  { name: 'long identifier', make: (r) => `const discordWebhookNotificationServiceFactory${draw(r, UPPER, 1)} = createFactory();` },
  { name: 'Sentry DSN', make: (r) => `dsn: "https://${draw(r, HEX, 32)}@o${draw(r, DIGITS, 6)}.ingest.sentry.io/${draw(r, DIGITS, 7)}",` },
  { name: 'site verification meta tag', make: (r) => `<meta name="google-site-verification" content="${draw(r, B64URL, 43)}" />` },
  { name: 'Google client id', make: (r) => `GOOGLE_CLIENT_ID=${draw(r, DIGITS, 12)}-${draw(r, LOWALNUM, 32)}.apps.googleusercontent.com` },
  { name: 'GitHub repository URL', make: (r) => `https://github.com/acme/app/commit/${draw(r, HEX, 40)}` },
  { name: 'password prompt', make: () => 'password = getpass.getpass("Password: ")' },
  { name: 'token from the environment', make: (r) => `const token = process.env.GITHUB_TOKEN_${draw(r, UPPER, 3)} ?? "";` },
  { name: 'placeholder token', make: () => 'GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' },
  { name: 'template variable', make: (r) => `api_key: "{{ .Values.apiKey${draw(r, UPPER, 1)} }}"` },
  { name: 'docker uid:gid', make: (r) => `docker run -u 1000:${draw(r, DIGITS, 4)} app` },
  { name: 'curl with a variable', make: () => 'curl -u "$CI_USER:$CI_PASSWORD" https://ci.example.com/api' },
  { name: 'Kubernetes ConfigMap', make: (r) => `kind: ConfigMap\ndata:\n  LOG_LEVEL: debug\n  REGION: eu-west-${draw(r, DIGITS, 1)}\n` },
  { name: 'random test fixture hash', make: (r) => `expect(md5(input)).toBe("${draw(r, HEX, 32)}");` },
  { name: 'HMAC call', make: (r) => `const sig${draw(r, DIGITS, 1)} = crypto.createHmac('sha256', key).update(body).digest('hex');` },
  { name: 'Slack user id', make: (r) => `slackUserId = "U0${draw(r, UPALNUM, 9)}"` },
  { name: 'Discord guild', make: (r) => `discord_guild = "${draw(r, DIGITS, 18)}"` },
  { name: 'Stripe price lookup', make: (r) => `  "stripe_price_lookup": "price_${draw(r, ALNUM, 24)}",` },
  { name: 'Mixpanel distinct id', make: (r) => `mixpanel.track("Signup", { distinct_id: "${uuid(r)}" });` },
  { name: 'Algolia index name', make: (r) => `const algoliaIndexName = "prod_products_${draw(r, LOWER, 6)}";` },
  { name: 'Sentry release', make: (r) => `sentry_release = "app@2.${draw(r, DIGITS, 1)}.0+${draw(r, HEX, 7)}"` },
  { name: 'pnpm packageManager', make: (r) => `  "packageManager": "pnpm@9.1.0+sha512.${draw(r, HEX, 128)}",` },
  { name: 'Cloudinary public id', make: (r) => `cloudinary.url("sample.jpg", { public_id: "${draw(r, B64URL, 20)}" });` },
  { name: 'Twilio Verify service SID', make: (r) => `twilio_verify_service = "VA${draw(r, HEX, 32)}"` },
  { name: 'Datadog trace id', make: (r) => `  "datadog_trace_id": "${draw(r, DIGITS, 19)}",` },
  { name: 'Okta issuer', make: (r) => `export const oktaIssuer = "https://dev-${draw(r, DIGITS, 8)}.okta.com/oauth2/default";` },
  { name: 'Firebase app id', make: (r) => `  appId: "1:${draw(r, DIGITS, 12)}:web:${draw(r, HEX, 22)}",` },
  { name: 'GitHub node id', make: (r) => `  "node_id": "MDEwOlJlcG9zaXRvcnk${draw(r, DIGITS, 8)}",` },
  { name: 'port and path flags', make: (r) => `mkdir -p build/out && ssh -p 22${draw(r, DIGITS, 2)} host && docker run -p 8080:80 app` },
  { name: 'mysql password prompt', make: (r) => `mysql -u root -p shop_${draw(r, LOWER, 4)}` },
  { name: 'AWS resource ids', make: (r) => `aws ec2 run-instances --image-id ami-0${draw(r, HEX, 16)} --subnet-id subnet-${draw(r, HEX, 17)}` },
  { name: 'flag naming an id', make: (r) => `heroku pipelines:promote --app-id ${draw(r, ALNUM, 24)}` },
  { name: 'webpack chunk name', make: (r) => `<script src="/static/js/main.${draw(r, HEX, 20)}.js"></script>` },
];

export function falsePositiveSamples(perKind = 3): Sample[] {
  const r = rng(47);
  const out: Sample[] = [];
  for (const l of LOOK_ALIKES) {
    for (let i = 0; i < perKind; i++) out.push({ family: 'look-alike', name: l.name, text: l.make(r), secret: '' });
  }
  return out;
}
