/**
 * Secret formats that are recognisable by their own shape, with no secret-looking name
 * nearby: one row per provider format, as data. Written for codex-lsp from each provider's
 * public description of its keys (the `source` note); gitleaks' public rule list served as an
 * index of which providers exist, not as a source of patterns.
 *
 * Each row:
 * - `keywords`: literal text every match contains (case-sensitive). The redactor looks for
 *   them first, in one pass, and only runs the rows whose keyword is present, so a file
 *   without any of them costs one scan.
 * - `shape`: the secret (regex source, bounded quantifiers only, no flags). The redactor
 *   adds the edges: no token character may touch either end.
 * - `keep`: text in front of the secret that is part of the match but stays readable
 *   (`AccountKey=`, a webhook's host and path).
 * - `entropy`: Shannon bits per character the secret must reach: a real key is random,
 *   a placeholder (`glpat-xxxxxxxxxxxxxxxxxxxx`) is not.
 */
export interface ProviderFormat {
  kind: string;
  keywords: readonly string[];
  shape: string;
  keep?: string;
  entropy: number;
  source: string;
  /** Token characters at the edges (regex class body); default `A-Za-z0-9_`. */
  edge?: string;
  /** Case-insensitive shape (connection-string keys). */
  ci?: boolean;
  /** Matches that are not keys after all (regex source, tested on the secret). */
  reject?: string;
}

const HEX = 'a-f0-9';
const B64URL = 'A-Za-z0-9_-';

// biome-ignore format: a table, one entry per line as written
export const PROVIDER_FORMATS: readonly ProviderFormat[] = [
  // --- cloud platforms
  { kind: 'aws-access-key', keywords: ['AKIA', 'ASIA', 'AGPA', 'AIDA', 'AROA', 'ANPA', 'ANVA', 'AIPA', 'ABIA', 'ACCA'], shape: '(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}', entropy: 2.5, source: 'AWS IAM docs: unique ID prefixes' },
  { kind: 'google-api-key', keywords: ['AIza'], shape: `AIza[${B64URL}]{35}`, entropy: 3, source: 'Google Cloud docs: API keys' },
  { kind: 'google-oauth-secret', keywords: ['GOCSPX-'], shape: `GOCSPX-[${B64URL}]{28}`, entropy: 3, source: 'Google Identity docs: client secrets' },
  { kind: 'google-access-token', keywords: ['ya29.'], shape: `ya29\\.[${B64URL}]{30,2000}`, entropy: 3, source: 'Google OAuth 2.0 docs: access tokens' },
  { kind: 'firebase-server-key', keywords: ['APA91b'], shape: `AAAA[${B64URL}]{7}:APA91b[${B64URL}]{120,160}`, entropy: 3, source: 'Firebase Cloud Messaging docs: legacy server keys' },
  { kind: 'azure-storage-key', keywords: ['AccountKey=', 'accountkey=', 'ACCOUNTKEY='], keep: 'AccountKey=', shape: '[A-Za-z0-9+/]{86}==', entropy: 4, ci: true, edge: 'A-Za-z0-9+/=', source: 'Azure Storage docs: connection strings' },
  { kind: 'azure-shared-access-key', keywords: ['SharedAccessKey=', 'sharedaccesskey='], keep: 'SharedAccessKey=', shape: '[A-Za-z0-9+/]{43}=', entropy: 4, ci: true, edge: 'A-Za-z0-9+/=', source: 'Azure Service Bus / Event Hubs docs: connection strings' },
  { kind: 'azure-sas-signature', keywords: ['sig='], keep: '[?&;]sig=', shape: '[A-Za-z0-9%+/_-]{40,120}={0,2}', entropy: 3.5, edge: 'A-Za-z0-9%+/=_-', source: 'Azure docs: shared access signature URLs, Logic Apps / Power Automate trigger URLs' },
  { kind: 'azure-client-secret', keywords: ['Q~'], shape: '[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}', entropy: 3.5, edge: 'A-Za-z0-9_~.-', source: 'Microsoft Entra docs: application client secrets' },
  { kind: 'digitalocean-token', keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'], shape: `do[por]_v1_[${HEX}]{64}`, entropy: 3, source: 'DigitalOcean docs: personal access tokens' },
  { kind: 'alibaba-access-key', keywords: ['LTAI'], shape: 'LTAI[A-Za-z0-9]{12,20}', entropy: 3, source: 'Alibaba Cloud docs: AccessKey IDs' },
  { kind: 'tencent-secret-id', keywords: ['AKID'], shape: 'AKID[A-Za-z0-9]{32}', entropy: 3, source: 'Tencent Cloud docs: SecretId' },
  { kind: 'cloudflare-origin-ca-key', keywords: ['v1.0-'], shape: `v1\\.0-[${HEX}]{24}-[${HEX}]{146}`, entropy: 3, source: 'Cloudflare docs: Origin CA keys' },
  { kind: 'heroku-key', keywords: ['HRKU-'], shape: `HRKU-[${B64URL}]{40,80}`, entropy: 3, source: 'Heroku docs: API tokens' },
  { kind: 'fly-token', keywords: ['fo1_', 'fm2_'], shape: `fo1_[${B64URL}]{43}|fm2_[A-Za-z0-9+/=_-]{60,2000}`, entropy: 3, edge: 'A-Za-z0-9_+/=', source: 'Fly.io docs: access tokens' },
  { kind: 'render-key', keywords: ['rnd_'], shape: 'rnd_[A-Za-z0-9]{32}', entropy: 3, source: 'Render docs: API keys' },
  { kind: 'netlify-token', keywords: ['nfp_'], shape: 'nfp_[A-Za-z0-9]{36,40}', entropy: 3, source: 'Netlify docs: personal access tokens' },
  { kind: 'vault-token', keywords: ['hvs.', 'hvb.'], shape: `hv[sb]\\.[${B64URL}]{24,200}`, entropy: 3.5, source: 'HashiCorp Vault docs: token prefixes' },
  { kind: 'terraform-token', keywords: ['.atlasv1.'], shape: `[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,80}`, entropy: 3.5, source: 'HCP Terraform docs: API tokens' },
  { kind: 'pulumi-token', keywords: ['pul-'], shape: `pul-[${HEX}]{40}`, entropy: 3, source: 'Pulumi docs: access tokens' },
  { kind: 'doppler-token', keywords: ['dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.', 'dp.scim.', 'dp.audit.'], shape: 'dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9_.-]{40,64}', entropy: 3.5, source: 'Doppler docs: token formats' },
  { kind: 'databricks-token', keywords: ['dapi'], shape: `dapi[${HEX}]{32}(?:-[0-9])?`, entropy: 3, source: 'Databricks docs: personal access tokens' },
  { kind: 'supabase-key', keywords: ['sbp_', 'sb_secret_'], shape: `sbp_[${HEX}]{40}|sb_secret_[${B64URL}]{24,64}`, entropy: 3, source: 'Supabase docs: access tokens and secret keys' },
  { kind: 'planetscale-token', keywords: ['pscale_'], shape: 'pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}', entropy: 3.5, source: 'PlanetScale docs: service tokens and passwords' },
  { kind: 'openshift-token', keywords: ['sha256~'], shape: `sha256~[${B64URL}]{43}`, entropy: 3.5, source: 'OpenShift docs: OAuth access tokens' },
  // --- source hosting, packages, CI
  { kind: 'github-token', keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'], shape: 'gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}', entropy: 3, source: 'GitHub docs: token prefixes' },
  { kind: 'gitlab-token', keywords: ['glpat-', 'gldt-', 'glptt-', 'glrt-', 'glcbt-', 'glimt-', 'glagent-', 'gloas-', 'glsoat-', 'glffct-', 'GR1348941'], shape: `(?:glpat|gldt|glptt|glrt|glcbt|glimt|glagent|gloas|glsoat|glffct)-[${B64URL}]{20,300}(?:\\.[0-9a-z]{9})?|GR1348941[${B64URL}]{20}`, entropy: 3, source: 'GitLab docs: token prefixes' },
  { kind: 'bitbucket-token', keywords: ['ATBB', 'ATCTT3', 'ATATT3'], shape: 'AT(?:BB|CTT3|ATT3)[A-Za-z0-9_=.-]{32,300}', entropy: 3.5, source: 'Atlassian docs: API tokens and app passwords' },
  { kind: 'sourcegraph-token', keywords: ['sgp_'], shape: `sgp_(?:local_)?(?:[${HEX}]{16}_)?[${HEX}]{40}`, entropy: 3, source: 'Sourcegraph docs: access tokens' },
  { kind: 'npm-token', keywords: ['npm_'], shape: 'npm_[A-Za-z0-9]{36}', entropy: 3, source: 'npm docs: access tokens' },
  { kind: 'pypi-token', keywords: ['pypi-AgE'], shape: `pypi-AgE[${B64URL}]{50,1000}`, entropy: 3, source: 'PyPI docs: API tokens (macaroons)' },
  { kind: 'rubygems-key', keywords: ['rubygems_'], shape: `rubygems_[${HEX}]{48}`, entropy: 3, source: 'RubyGems docs: API keys' },
  { kind: 'clojars-token', keywords: ['CLOJARS_'], shape: 'CLOJARS_[a-z0-9]{60}', entropy: 3, source: 'Clojars docs: deploy tokens' },
  { kind: 'nuget-key', keywords: ['oy2'], shape: 'oy2[a-z0-9]{43}', entropy: 3.5, source: 'NuGet docs: API keys' },
  { kind: 'docker-token', keywords: ['dckr_pat_', 'dckr_oat_'], shape: `dckr_(?:pat|oat)_[${B64URL}]{27,40}`, entropy: 3, source: 'Docker docs: access tokens' },
  { kind: 'jfrog-key', keywords: ['AKCp', 'cmVmdGtu'], shape: 'AKCp[A-Za-z0-9]{69}|cmVmdGtu[A-Za-z0-9]{56}', entropy: 3.5, source: 'JFrog docs: API keys and reference tokens' },
  { kind: 'buildkite-token', keywords: ['bkua_'], shape: `bkua_[${HEX}]{40}`, entropy: 3, source: 'Buildkite docs: API access tokens' },
  { kind: 'sonar-token', keywords: ['squ_', 'sqp_', 'sqa_'], shape: `sq[upa]_[${HEX}]{40}`, entropy: 3, source: 'SonarQube docs: token types' },
  { kind: 'octopus-key', keywords: ['API-'], shape: 'API-[A-Z0-9]{26,32}', entropy: 3, source: 'Octopus Deploy docs: API keys' },
  { kind: 'harness-token', keywords: ['pat.', 'sat.'], shape: `(?:pat|sat)\\.[${B64URL}]{22}\\.[${HEX}]{24}\\.[A-Za-z0-9]{20}`, entropy: 3, source: 'Harness docs: API tokens' },
  { kind: 'infracost-key', keywords: ['ico-'], shape: 'ico-[A-Za-z0-9]{32}', entropy: 3, source: 'Infracost docs: API keys' },
  { kind: 'scalingo-token', keywords: ['tk-us-'], shape: `tk-us-[${B64URL}]{48}`, entropy: 3, source: 'Scalingo docs: API tokens' },
  // --- AI providers
  { kind: 'anthropic-key', keywords: ['sk-ant-'], shape: `sk-ant-(?:api|admin|sid)[0-9]{2}-[${B64URL}]{20,200}`, entropy: 3, source: 'Anthropic docs: API keys' },
  { kind: 'openai-key', keywords: ['sk-'], shape: `sk-[${B64URL}]{20,1000}`, entropy: 3, reject: '^sk-[a-z]+(?:[-_][a-z]+)+$', source: 'OpenAI docs: API keys (also CometAPI, DeepSeek)' },
  { kind: 'huggingface-token', keywords: ['hf_', 'api_org_'], shape: '(?:hf|api_org)_[A-Za-z0-9]{30,40}', entropy: 3.5, source: 'Hugging Face docs: user access tokens' },
  { kind: 'groq-key', keywords: ['gsk_'], shape: 'gsk_[A-Za-z0-9]{48,56}', entropy: 3.5, source: 'Groq docs: API keys' },
  { kind: 'replicate-token', keywords: ['r8_'], shape: 'r8_[A-Za-z0-9]{37}', entropy: 3.5, source: 'Replicate docs: API tokens' },
  { kind: 'perplexity-key', keywords: ['pplx-'], shape: 'pplx-[A-Za-z0-9]{40,56}', entropy: 3.5, source: 'Perplexity docs: API keys' },
  { kind: 'xai-key', keywords: ['xai-'], shape: 'xai-[A-Za-z0-9]{70,90}', entropy: 3.5, source: 'xAI docs: API keys' },
  { kind: 'langsmith-key', keywords: ['lsv2_'], shape: `lsv2_(?:pt|sk)_[${HEX}]{32}_[${HEX}]{10}`, entropy: 3, source: 'LangSmith docs: API keys' },
  // --- chat, mail, messaging
  { kind: 'slack-token', keywords: ['xoxa-', 'xoxb-', 'xoxp-', 'xoxr-', 'xoxs-', 'xoxe', 'xapp-'], shape: 'xox[abprs]-[A-Za-z0-9-]{10,250}|xoxe(?:\\.xox[bp])?-[0-9]-[A-Za-z0-9-]{40,250}|xapp-[0-9]-[A-Za-z0-9-]{10,250}', entropy: 3, edge: 'A-Za-z0-9_-', source: 'Slack docs: token types' },
  { kind: 'slack-webhook', keywords: ['hooks.slack.com'], keep: 'hooks\\.slack\\.com/(?:services|workflows|triggers)/', shape: '[A-Za-z0-9_/+-]{8,300}', entropy: 0, ci: true, source: 'Slack docs: incoming webhooks (the URL is the secret, masked whatever it holds)' },
  { kind: 'discord-webhook', keywords: ['/api/webhooks/'], keep: 'discord(?:app)?\\.com/api/webhooks/[0-9]{15,22}/', shape: `[${B64URL}]{60,80}`, entropy: 3.5, ci: true, source: 'Discord developer docs: webhooks' },
  { kind: 'teams-webhook', keywords: ['webhook.office.com', 'office.com/webhook', 'office365.com/webhook'], keep: '(?:[a-z0-9-]{1,63}\\.webhook\\.office\\.com/webhookb2/|outlook\\.office(?:365)?\\.com/webhook/)', shape: `[${HEX}-]{36}@[${HEX}-]{36}/IncomingWebhook/[${HEX}]{32}/[${HEX}-]{36}(?:/[${B64URL}]{20,80})?`, entropy: 3, ci: true, source: 'Microsoft Teams docs: incoming webhook URLs' },
  { kind: 'telegram-bot-token', keywords: [':AA'], shape: `[0-9]{8,10}:AA[${B64URL}]{33}`, entropy: 3.5, source: 'Telegram Bot API docs: bot tokens' },
  { kind: 'sendgrid-key', keywords: ['SG.'], shape: `SG\\.[${B64URL}]{22}\\.[${B64URL}]{43}`, entropy: 3.5, source: 'Twilio SendGrid docs: API keys' },
  { kind: 'twilio-key', keywords: ['SK'], shape: 'SK[0-9a-fA-F]{32}', entropy: 3, source: 'Twilio docs: API keys (SID prefix SK)' },
  { kind: 'mailgun-key', keywords: ['key-'], shape: `key-[${HEX}]{32}`, entropy: 3, source: 'Mailgun docs: private API keys' },
  { kind: 'mailchimp-key', keywords: ['-us'], shape: `[${HEX}]{32}-us[0-9]{1,2}`, entropy: 3, source: 'Mailchimp docs: API keys with data center suffix' },
  { kind: 'postmark-token', keywords: ['X-Postmark-Server-Token'], keep: 'X-Postmark-Server-Token["\']?:[ \\t]*["\']?', shape: `[${HEX}-]{36}`, entropy: 3, source: 'Postmark docs: server tokens' },
  { kind: 'resend-key', keywords: ['re_'], shape: 're_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}', entropy: 3.5, source: 'Resend docs: API keys' },
  // --- payments, commerce
  { kind: 'stripe-key', keywords: ['sk_live_', 'rk_live_', 'sk_test_', 'rk_test_', 'whsec_'], shape: '(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,250}|whsec_[A-Za-z0-9+/=]{20,250}', entropy: 3, source: 'Stripe docs: API keys and webhook secrets' },
  { kind: 'square-token', keywords: ['sq0atp-', 'sq0csp-', 'EAAA'], shape: `sq0atp-[${B64URL}]{22}|sq0csp-[${B64URL}]{43}|EAAA[${B64URL}]{60}`, entropy: 3.5, source: 'Square docs: access tokens and application secrets' },
  { kind: 'shopify-token', keywords: ['shpat_', 'shpss_', 'shpca_', 'shppa_'], shape: 'shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}', entropy: 3, source: 'Shopify docs: access tokens and shared secrets' },
  { kind: 'shippo-token', keywords: ['shippo_live_', 'shippo_test_'], shape: `shippo_(?:live|test)_[${HEX}]{40}`, entropy: 3, source: 'Shippo docs: API tokens' },
  { kind: 'easypost-key', keywords: ['EZAK', 'EZTK'], shape: 'EZ[AT]K[A-Za-z0-9]{54}', entropy: 3.5, source: 'EasyPost docs: API keys' },
  { kind: 'flutterwave-key', keywords: ['FLWSECK'], shape: `FLWSECK(?:_TEST)?-[${HEX}]{32}-X`, entropy: 3, source: 'Flutterwave docs: secret keys' },
  { kind: 'duffel-token', keywords: ['duffel_live_', 'duffel_test_'], shape: `duffel_(?:live|test)_[A-Za-z0-9_=-]{43}`, entropy: 3.5, source: 'Duffel docs: access tokens' },
  { kind: 'plaid-token', keywords: ['access-sandbox-', 'access-development-', 'access-production-'], shape: `access-(?:sandbox|development|production)-[${HEX}]{8}-[${HEX}]{4}-[${HEX}]{4}-[${HEX}]{4}-[${HEX}]{12}`, entropy: 3, source: 'Plaid docs: access tokens' },
  { kind: 'facebook-token', keywords: ['EAA'], shape: 'EAA[A-Za-z0-9]{100,400}', entropy: 3.5, source: 'Meta for developers: access tokens' },
  // --- observability, productivity, other SaaS
  { kind: 'newrelic-key', keywords: ['NRAK-', 'NRJS-', 'NRII-'], shape: `NRAK-[A-Z0-9]{27}|NRJS-[${HEX}]{19}|NRII-[${B64URL}]{32}`, entropy: 3, source: 'New Relic docs: API key types' },
  { kind: 'sentry-token', keywords: ['sntrys_', 'sntryu_'], shape: `sntrys_eyJ[A-Za-z0-9+/=_-]{50,400}|sntryu_[${HEX}]{64}`, entropy: 3.5, edge: 'A-Za-z0-9_+/=', source: 'Sentry docs: auth tokens' },
  { kind: 'grafana-token', keywords: ['glc_', 'glsa_'], shape: `glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[${HEX}]{8}`, entropy: 3.5, edge: 'A-Za-z0-9_+/=', source: 'Grafana docs: cloud and service account tokens' },
  { kind: 'dynatrace-token', keywords: ['dt0c01.'], shape: 'dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}', entropy: 3.5, source: 'Dynatrace docs: access token format' },
  { kind: 'linear-key', keywords: ['lin_api_', 'lin_oauth_'], shape: 'lin_(?:api|oauth)_[A-Za-z0-9]{40,64}', entropy: 3.5, source: 'Linear docs: API keys' },
  { kind: 'notion-token', keywords: ['ntn_', 'secret_'], shape: 'ntn_[A-Za-z0-9]{40,50}|secret_[A-Za-z0-9]{43}', entropy: 3.5, source: 'Notion docs: integration tokens' },
  { kind: 'figma-token', keywords: ['figd_', 'figu_'], shape: `fig[du]_[${B64URL}]{38,64}`, entropy: 3.5, source: 'Figma docs: personal access tokens' },
  { kind: 'postman-key', keywords: ['PMAK-'], shape: `PMAK-[${HEX}]{24}-[${HEX}]{34}`, entropy: 3, source: 'Postman docs: API keys' },
  { kind: 'contentful-token', keywords: ['CFPAT-'], shape: `CFPAT-[${B64URL}]{43}`, entropy: 3.5, source: 'Contentful docs: personal access tokens' },
  { kind: 'mapbox-secret-token', keywords: ['sk.eyJ'], shape: `sk\\.eyJ[${B64URL}]{40,300}\\.[${B64URL}]{20,40}`, entropy: 3.5, source: 'Mapbox docs: secret access tokens' },
  { kind: 'dropbox-token', keywords: ['sl.'], shape: `sl\\.[${B64URL}]{130,1400}`, entropy: 3.5, source: 'Dropbox docs: short-lived access tokens' },
  { kind: 'adafruit-key', keywords: ['aio_'], shape: 'aio_[A-Za-z0-9]{28}', entropy: 3.5, source: 'Adafruit IO docs: keys' },
  { kind: 'readme-key', keywords: ['rdme_'], shape: 'rdme_[a-z0-9]{70}', entropy: 3.5, source: 'ReadMe docs: API keys' },
  { kind: 'prefect-key', keywords: ['pnu_', 'pnb_'], shape: 'pn[ub]_[A-Za-z0-9]{36}', entropy: 3.5, source: 'Prefect docs: API keys' },
  { kind: 'typeform-token', keywords: ['tfp_'], shape: 'tfp_[A-Za-z0-9_.=-]{40,64}', entropy: 3.5, source: 'Typeform docs: personal tokens' },
  { kind: 'twitter-bearer-token', keywords: ['AAAAAAAAAAAAAAAAAAAAA'], shape: 'A{20,24}[A-Za-z0-9%]{60,140}', entropy: 3, source: 'X (Twitter) API docs: app-only bearer tokens' },
  { kind: '1password-token', keywords: ['ops_eyJ', 'A3-'], shape: 'ops_eyJ[A-Za-z0-9+/=_-]{100,2000}|A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}', entropy: 3, edge: 'A-Za-z0-9_+/=', source: '1Password docs: service account tokens, secret keys' },
  { kind: 'age-secret-key', keywords: ['AGE-SECRET-KEY-1'], shape: 'AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}', entropy: 3, source: 'age specification: bech32 secret keys' },
];

/**
 * Services whose name, standing right before a high-entropy value, marks that value as
 * its key: `mailgun 'gRtZ…'`, `HASURA_ADMIN = "…"`, `new Twilio(sid, "…")`. Lower case,
 * matched in any case at a word edge. Broad on purpose: most leaked keys sit next to the
 * name of their service, and developers use hundreds of them.
 */
// biome-ignore format: a table, one entry per line as written
export const PROVIDER_NAMES: readonly string[] = [
  // cloud, hosting, infrastructure
  'aws', 'azure', 'gcp', 'gcloud', 'firebase', 'supabase', 'heroku', 'vercel', 'netlify', 'render', 'railway',
  'flyio', 'digitalocean', 'linode', 'akamai', 'vultr', 'hetzner', 'scaleway', 'ovh', 'cloudflare', 'fastly', 'bunny', 'bunnycdn',
  'alibaba', 'aliyun', 'tencent', 'yandex', 'openstack', 'rackspace', 'backblaze', 'wasabi', 'minio', 'upstash',
  'planetscale', 'cockroach', 'cockroachdb', 'redislabs', 'algolia',
  'meilisearch', 'typesense', 'pinecone', 'weaviate', 'qdrant', 'milvus', 'snowflake', 'databricks', 'bigquery', 'fauna', 'faunadb',
  'hasura', 'appwrite', 'xata', 'turso', 'airtable', 'contentful', 'strapi', 'prismic', 'storyblok', 'datocms',
  'terraform', 'pulumi', 'doppler', 'infisical', 'onepassword', '1password', 'bitwarden', 'lastpass',
  'dockerhub', 'jfrog', 'artifactory', 'sonatype', 'cloudinary', 'imgix',
  'uploadcare', 'filestack', 'vimeo', 'wistia',
  // source, CI, developer tools
  'github', 'gitlab', 'bitbucket', 'atlassian', 'jira', 'confluence', 'trello', 'sourcegraph', 'gitea', 'codecov', 'coveralls',
  'circleci', 'buildkite', 'teamcity', 'bamboo', 'appveyor', 'codeship', 'harness',
  'octopus', 'argocd', 'sonar', 'sonarqube', 'sonarcloud', 'snyk', 'veracode', 'checkmarx', 'npm', 'npmjs', 'pypi', 'rubygems',
  'nuget', 'packagist', 'cratesio', 'clojars', 'cocoapods', 'postman', 'readme', 'swagger', 'stoplight',
  'figma', 'zeplin', 'webflow', 'infracost', 'scalingo', 'platformsh', 'okteto', 'gitpod', 'replit', 'glitch',
  // AI
  'openai', 'anthropic', 'claude', 'cohere', 'mistral', 'huggingface', 'replicate', 'groq', 'perplexity',   'deepseek', 'gemini', 'bedrock', 'xai', 'grok', 'midjourney', 'elevenlabs', 'assemblyai', 'deepgram',
  'langsmith', 'wandb', 'cometapi', 'openrouter',   'clarifai', 'runpod', 'baseten', 'azureopenai',
  // messaging, mail, communication
  'slack', 'discord', 'telegram', 'twilio', 'vonage', 'nexmo', 'plivo', 'messagebird', 'sinch', 'telnyx',
  'sendgrid', 'mailgun', 'mailchimp', 'mandrill', 'mailjet', 'postmark', 'sparkpost', 'sendinblue', 'brevo', 'resend',   'mailtrap', 'sendpulse', 'customerio', 'klaviyo', 'iterable', 'braze', 'onesignal', 'pusher', 'ably', 'pubnub',   'getstream', 'sendbird', 'agora', 'zoom', 'webex', 'intercom', 'zendesk', 'freshdesk', 'helpscout',   'mattermost', 'rocketchat', 'gitter', 'wechat', 'whatsapp', 'viber',   // payments, commerce, finance
  'stripe', 'paypal', 'braintree', 'adyen', 'squareup', 'razorpay', 'paystack', 'flutterwave', 'mollie',
  'klarna', 'afterpay', 'affirm', 'transferwise', 'plaid', 'dwolla', 'coinbase', 'binance', 'kraken', 'kucoin', 'bitfinex',
  'bitstamp', 'gemini', 'alpaca', 'finnhub', 'quandl', 'shopify', 'bigcommerce', 'woocommerce', 'magento',
  'gumroad', 'paddle', 'lemonsqueezy', 'chargebee', 'recurly', 'zuora', 'shippo', 'easypost', 'shipstation', 'duffel', 'amadeus',
  'avalara', 'taxjar', 'quickbooks', 'xero', 'freshbooks',   // analytics, monitoring, marketing
  'datadog', 'newrelic', 'sentry', 'bugsnag', 'rollbar', 'honeybadger', 'raygun', 'airbrake', 'logrocket', 'fullstory', 'hotjar',
  'mixpanel', 'amplitude', 'posthog', 'plausible', 'kissmetrics', 'launchdarkly', 'optimizely',
  'splitio', 'statsig', 'flagsmith', 'grafana', 'loggly', 'papertrail', 'logdna', 'mezmo', 'sumologic', 'splunk',
  'dynatrace', 'appdynamics', 'honeycomb', 'lightstep', 'pagerduty', 'opsgenie', 'victorops', 'statuspage', 'pingdom',
  'uptimerobot', 'hubspot', 'salesforce', 'marketo', 'pardot', 'pipedrive', 'zoho', 'freshsales', 'clearbit',   // identity, productivity, social, maps, misc SaaS
  'auth0', 'okta', 'onelogin', 'keycloak', 'cognito', 'clerk', 'stytch', 'workos', 'descope', 'fusionauth',   'notion', 'asana', 'clickup', 'linear', 'basecamp', 'todoist', 'evernote', 'dropbox', 'onedrive',
  'sharepoint', 'gdrive', 'docusign', 'hellosign', 'pandadoc', 'typeform', 'jotform', 'surveymonkey', 'calendly', 'eventbrite',
  'twitter', 'facebook', 'instagram', 'linkedin', 'reddit', 'youtube', 'twitch', 'tiktok', 'pinterest', 'snapchat', 'tumblr',
  'mastodon', 'soundcloud', 'giphy', 'unsplash', 'pexels', 'mapbox', 'tomtom', 'opencage', 'ipinfo', 'ipstack',
  'ipgeolocation', 'openweather', 'openweathermap', 'weatherapi', 'newsapi', 'nytimes', 'rapidapi', 'zapier', 'ifttt',   'integromat', 'n8n', 'pipedream', 'retool', 'adafruit', 'arduino', 'tuya', 'smartthings',   'frameio', 'contentstack', 'prefect', 'dagster', 'fivetran', 'rudderstack',
  'mparticle', 'heroku', 'adobe', 'autodesk', 'freshservice', 'servicenow', 'workday', 'bamboohr', 'gusto', 'rippling',
  'deel', 'greenhouse', 'trustpilot', 'foursquare', 'doordash', 'instacart', 'etsy',   'aftership', 'sheety', 'smartsheet', 'canva', 'vidyard', 'wordpress',   'substack', 'discourse', 'disqus', 'recaptcha', 'hcaptcha', 'turnstile', 'captcha', 'maxmind', 'abstractapi',
];
