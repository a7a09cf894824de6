import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listing, openAIError, type FakeHandler, type RecordedRequest } from '../support/fake-openai';
import { useFake } from '../support/session';
import { SERVER_BIN } from '../support/paths';
import { cliEnv, IS_ROOT, runCli, type CliRun } from '../support/cli-run';

const session = useFake();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A run's environment: the test key, the fake, a cache and home outside the project, then `env`. */
function env(cwd: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { HOME: path.join(cwd, '..'), ...extra };
}

/** Runs `codex-lsp review` in `cwd` against the fake; `unprivileged` drops root's power over file modes, so they bite. */
function cli(args: string[], cwd: string, extra: Record<string, string | undefined> = {}, unprivileged = false): Promise<CliRun> {
  return runCli(session.fake, args, cwd, { env: env(cwd, extra), unprivileged });
}

/** A project folder (inside a holder that also keeps the cache) with the given files. */
function project(files: Record<string, string>, git = false): string {
  const holder = mkdtempSync(path.join(tmpdir(), 'codex-cli-'));
  dirs.push(holder);
  chmodSync(holder, 0o755);
  const root = path.join(holder, 'repo');
  mkdirSync(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  if (git) {
    const g = (...a: string[]): void => void execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...a], { cwd: root, stdio: 'ignore' });
    g('init', '-q');
    g('add', '-A');
    g('commit', '-qm', 'first');
  }
  return root;
}

const reviews = (): RecordedRequest[] => session.fake.requests.filter((r) => r.schemaName === 'diagnostics');

/** The fake reviewer: flags `a = 1` in conditions (error, with a fix) and `console.log` (warning). */
function reviewer(): FakeHandler {
  const review: FakeHandler = (r) => {
    const diagnostics: unknown[] = [];
    for (const [n, t] of listing(r)) {
      if (t.includes('if (a = 1)'))
        diagnostics.push({ line: n, quote: 'a = 1', severity: 'error', message: 'Assignment in condition', replacement: 'a === 1' });
      if (t.includes('console.log')) diagnostics.push({ line: n, quote: 'console.log', severity: 'warning', message: 'Leftover logging', replacement: null });
    }
    return { json: { diagnostics }, usage: { input: 1000, cached: 200, output: 100 } };
  };
  session.fake.setDefault(review);
  return review;
}

const BUGGY = 'export function f(a: number): number {\n  if (a = 1) return 0;\n  return a;\n}\n';
const NOISY = 'export function g(x: string): void {\n  console.log(x);\n}\n';
const CLEAN = 'export const h = (n: number): number => n * 2;\n';

describe('codex-lsp review: output', () => {
  it('prints path:line:col severity message, a summary with tokens and cost, and exits 1 on an error', async () => {
    reviewer();
    const root = project({ 'src/a.ts': BUGGY, 'src/b.ts': NOISY, 'src/c.ts': CLEAN });
    const r = await cli(['src'], root);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('src/a.ts:2:7 error Assignment in condition');
    expect(r.stdout).toContain('src/b.ts:2:3 warning Leftover logging');
    expect(r.stdout).toMatch(/3 files.*2 problems \(1 error, 1 warning\); 3 model calls; 3,000 tokens in \(600 cached\), 300 out; about \$0\.0/);
    // No colour codes when stdout is not a terminal, and no progress line either.
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stderr).not.toContain('\r');
  });

  it('--fail-on: warnings pass by default, fail with --fail-on warning', async () => {
    reviewer();
    const root = project({ 'b.ts': NOISY });
    expect((await cli([], root)).code).toBe(0);
    expect((await cli(['--fail-on', 'warning'], root)).code).toBe(1);
    expect((await cli(['--fail-on=hint', 'b.ts'], root)).code).toBe(1);
  });

  it('--format json: findings with 1-based positions and the summary', async () => {
    reviewer();
    const root = project({ 'a.ts': BUGGY });
    const r = await cli(['--format', 'json'], root);
    const j = JSON.parse(r.stdout) as {
      version: number;
      summary: { modelCalls: number; failed: boolean };
      files: Array<{ path: string; findings: Array<{ line: number; column: number; endColumn: number; severity: string; replacement?: string }> }>;
    };
    expect(j.version).toBe(1);
    expect(j.summary).toMatchObject({ modelCalls: 1, failed: true });
    expect(j.files[0]!.findings[0]).toMatchObject({ line: 2, column: 7, endColumn: 12, severity: 'error', replacement: 'a === 1' });
  });

  it('--format sarif: valid SARIF 2.1.0 with rules, regions and fixes', async () => {
    reviewer();
    const root = project({ 'src/a.ts': BUGGY, 'src/b.ts': NOISY });
    const r = await cli(['--format', 'sarif'], root);
    const s = JSON.parse(r.stdout) as {
      version: string;
      $schema: string;
      runs: Array<{
        tool: { driver: { name: string; version: string; rules: Array<{ id: string }> } };
        columnKind: string;
        results: Array<{
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
          locations: Array<{
            physicalLocation: {
              artifactLocation: { uri: string; uriBaseId: string };
              region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
            };
          }>;
          fixes?: Array<{ artifactChanges: Array<{ replacements: Array<{ deletedRegion: object; insertedContent: { text: string } }> }> }>;
        }>;
      }>;
    };
    expect(s.version).toBe('2.1.0');
    expect(s.$schema).toMatch(/sarif-2\.1\.0/);
    const run = s.runs[0]!;
    expect(run.tool.driver.name).toBe('codex-lsp');
    expect(run.columnKind).toBe('utf16CodeUnits');
    expect(run.results.length).toBe(2);
    for (const res of run.results) {
      expect(run.tool.driver.rules[res.ruleIndex]!.id).toBe(res.ruleId);
      expect(['error', 'warning', 'note', 'none']).toContain(res.level);
      expect(res.message.text.length).toBeGreaterThan(0);
      const loc = res.locations[0]!.physicalLocation;
      expect(loc.artifactLocation.uri.startsWith('/')).toBe(false);
      expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
      expect(loc.region.startColumn).toBeGreaterThanOrEqual(1);
    }
    const err = run.results.find((x) => x.level === 'error')!;
    expect(err.locations[0]!.physicalLocation.artifactLocation.uri).toBe('src/a.ts');
    expect(err.locations[0]!.physicalLocation.region).toEqual({ startLine: 2, startColumn: 7, endLine: 2, endColumn: 12 });
    expect(err.fixes![0]!.artifactChanges[0]!.replacements[0]!.insertedContent.text).toBe('a === 1');
  });
});

describe('codex-lsp review: cost', () => {
  it('a second run on unchanged files makes no model call', async () => {
    reviewer();
    const root = project({ 'a.ts': BUGGY, 'b.ts': NOISY });
    await cli([], root);
    const n = session.fake.requests.length;
    expect(n).toBe(2);
    const again = await cli(['--format', 'json'], root);
    expect(session.fake.requests.length).toBe(n);
    expect(JSON.parse(again.stdout).summary).toMatchObject({ modelCalls: 0, cacheHits: 2 });
    expect(JSON.parse(again.stdout).files.find((f: { path: string }) => f.path === 'a.ts').findings.length).toBe(1);
  });

  it('--changed reviews only changed files, and in them only the parts with changed lines', async () => {
    reviewer();
    const big: string[] = [];
    for (let f = 0; big.length < 1500; f++) {
      big.push(`export function load${f}(n: number): number {`);
      for (let k = 0; k < 4 + (f % 7); k++) big.push(`  const v${k} = n * ${k} + ${f};`);
      big.push('  return n;', '}', '');
    }
    const root = project({ 'big.ts': big.join('\n'), 'other.ts': CLEAN, 'b.ts': NOISY }, true);
    // Committed: nothing changed, nothing reviewed.
    const none = await cli(['--changed'], root);
    expect(none.code).toBe(0);
    expect(reviews().length).toBe(0);
    writeFileSync(path.join(root, 'big.ts'), big.join('\n').replace('const v2 = n * 2 + 40;', 'const v2 = n * 2 + 41;'));
    writeFileSync(path.join(root, 'new.ts'), BUGGY);
    const r = await cli(['--changed', '--format', 'json'], root);
    const files = (JSON.parse(r.stdout) as { files: Array<{ path: string }> }).files.map((f) => f.path);
    expect(files.sort()).toEqual(['big.ts', 'new.ts']);
    const sent = reviews();
    // One part of big.ts (the changed one) and the untracked file.
    expect(sent.length).toBe(2);
    expect(sent.some((q) => q.prompt.includes('n * 2 + 41'))).toBe(true);
    expect(r.code).toBe(1);
    // Against a base: what changed since that commit.
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qam', 'second'], { cwd: root });
    session.fake.reset();
    reviewer();
    const sinceFirst = await cli(['--changed', 'HEAD~1', '--format', 'json'], root);
    expect((JSON.parse(sinceFirst.stdout) as { files: Array<{ path: string }> }).files.map((f) => f.path).sort()).toEqual(['big.ts', 'new.ts']);
    expect(session.fake.requests.length).toBe(0);
  });
});

describe('codex-lsp review: --fix', () => {
  it('--dry-run prints a unified diff that applies, and changes nothing', async () => {
    reviewer();
    const root = project({ 'a.ts': BUGGY }, true);
    const r = await cli(['--fix', '--dry-run'], root);
    expect(r.stdout).toContain('--- a/a.ts');
    expect(r.stdout).toContain('-  if (a = 1) return 0;');
    expect(r.stdout).toContain('+  if (a === 1) return 0;');
    expect(readFileSync(path.join(root, 'a.ts'), 'utf8')).toBe(BUGGY);
    writeFileSync(path.join(root, '..', 'fix.patch'), r.stdout);
    execFileSync('git', ['apply', '--check', path.join(root, '..', 'fix.patch')], { cwd: root });
  });

  it('--fix applies the replacements in place and reports what is left', async () => {
    reviewer();
    const root = project({ 'a.ts': BUGGY, 'b.ts': NOISY });
    const r = await cli(['--fix'], root);
    expect(readFileSync(path.join(root, 'a.ts'), 'utf8')).toBe(BUGGY.replace('a = 1', 'a === 1'));
    expect(readFileSync(path.join(root, 'b.ts'), 'utf8')).toBe(NOISY);
    expect(r.stderr).toContain('fixed 1 finding in a.ts');
    // The fixed error is no longer reported; the warning (no fix) still is.
    expect(r.stdout).not.toContain('Assignment in condition');
    expect(r.stdout).toContain('b.ts:2:3 warning Leftover logging');
    expect(r.code).toBe(0);
  });
});

describe('codex-lsp review: --fix, the hard cases', () => {
  it('an overlapping fix is left and still reported (and fails the run)', async () => {
    session.fake.setDefault(() => ({
      json: {
        diagnostics: [
          { line: 1, quote: '"OVERLAP one two"', severity: 'error', message: 'first', replacement: '"A"' },
          { line: 1, quote: 'one two', severity: 'error', message: 'second', replacement: 'B' },
        ],
      },
    }));
    const root = project({ 'ov.ts': 'const s = "OVERLAP one two";\n' });
    const r = await cli(['--fix'], root);
    expect(readFileSync(path.join(root, 'ov.ts'), 'utf8')).toBe('const s = "A";\n');
    expect(r.stderr).toContain('(1 overlapping, left)');
    expect(r.stdout).toContain('second');
    expect(r.code).toBe(1);
  });

  it('keeps the bytes it does not understand, the mode, and symbolic links', async () => {
    reviewer();
    const root = project({ 'a.ts': BUGGY });
    writeFileSync(path.join(root, 'latin1.ts'), Buffer.concat([Buffer.from(BUGGY), Buffer.from('// caf\xe9\n', 'latin1')]));
    chmodSync(path.join(root, 'a.ts'), 0o664);
    symlinkSync('a.ts', path.join(root, 'link.ts'));
    const r = await cli(['--fix'], root);
    expect(r.stderr).toMatch(/latin1\.ts is not valid UTF-8; not fixed/);
    expect(readFileSync(path.join(root, 'latin1.ts')).includes(Buffer.from([0xe9]))).toBe(true);
    expect(readFileSync(path.join(root, 'a.ts'), 'utf8')).toBe(BUGGY.replace('a = 1', 'a === 1'));
    expect(statSync(path.join(root, 'a.ts')).mode & 0o777).toBe(0o664);
    expect(lstatSync(path.join(root, 'link.ts')).isSymbolicLink()).toBe(true);
    // The linked file was reviewed once, not twice.
    expect(reviews().filter((q) => q.prompt.includes('if (a = 1)')).length).toBe(2);
  });

  it('a dry run from a subfolder prints a diff with paths from the top of the repository, as git applies it', async () => {
    reviewer();
    const root = project({ 'top.ts': BUGGY, 'sub/x.ts': CLEAN }, true);
    const r = await cli(['--fix', '--dry-run', '../top.ts'], path.join(root, 'sub'));
    expect(r.stdout).toContain('--- a/top.ts');
    writeFileSync(path.join(root, '..', 'sub.patch'), r.stdout);
    execFileSync('git', ['apply', '--check', path.join(root, '..', 'sub.patch')], { cwd: root });
    // The findings are still shown, on stderr.
    expect(r.stderr).toContain('top.ts:2:7 error');
  });

  it('keeps a byte-order mark and reports columns as editors count them', async () => {
    reviewer();
    const root = project({ 'bom.ts': '\uFEFF' + BUGGY });
    const r = await cli(['--fix'], root);
    expect(readFileSync(path.join(root, 'bom.ts'), 'utf8')).toBe('\uFEFF' + BUGGY.replace('a = 1', 'a === 1'));
    expect(r.code).toBe(0);
  });
});

describe('codex-lsp review: monorepos', () => {
  it('takes the .codex-lsp.json above the paths asked for', async () => {
    reviewer();
    const root = project(
      { 'packages/web/.codex-lsp.json': JSON.stringify({ ignore: ['fixtures/**'] }), 'packages/web/fixtures/dump.ts': NOISY, 'packages/web/src/a.ts': CLEAN },
      true,
    );
    await cli(['packages/web'], root);
    expect(session.fake.requests.length).toBe(1);
    expect(session.fake.requests[0]!.prompt).toContain('File: packages/web/src/a.ts');
  });
});

describe("codex-lsp review: a package's ignore globs", () => {
  it('keep an imported file out of the context sent, as they keep it out of the review', async () => {
    reviewer();
    const root = project(
      {
        // Anchored: relative to the package's folder, where its .codex-lsp.json is.
        'packages/web/.codex-lsp.json': JSON.stringify({ ignore: ['/secrets/**'], model: 'codex-mini' }),
        'packages/web/src/a.ts':
          "import { readToken } from '../secrets/keys';\nimport { helper } from './util';\nexport const f = (v: 'x'): string => helper(readToken(v));\n",
        'packages/web/src/util.ts': 'export function helper(s: string): string {\n  return s.trim();\n}\n',
        // Without the glob, this signature would go with a.ts's prompt, as the context of a call.
        'packages/web/secrets/keys.ts': "export function readToken(vault: 'VAULT_PATH_1234'): string {\n  return vault;\n}\n",
      },
      true,
    );
    const r = await cli(['packages/web/src/a.ts'], root);
    expect(r.code, r.stderr).toBe(0);
    // The model a project file chooses is said (a cloned repository decides it).
    expect(r.stderr).toContain(`codex-lsp review: model "codex-mini" (from ${path.join(root, 'packages', 'web', '.codex-lsp.json')})`);
    expect(reviews().length).toBe(1);
    const prompt = reviews()[0]!.prompt;
    // The context is there (the control), and the ignored file is not in it.
    expect(prompt).toContain('export function helper(s: string): string');
    expect(prompt).not.toContain('VAULT_PATH_1234');
  });
});

describe('codex-lsp review: privacy and bad input', () => {
  it('never sends ignored files (built-in and .codex-lsp.json globs), and reports explicitly named ones as skipped', async () => {
    reviewer();
    const root = project({ '.env': 'TOKEN=abc\n', 'fixtures/dump.ts': NOISY, 'a.ts': CLEAN, '.codex-lsp.json': JSON.stringify({ ignore: ['fixtures/**'] }) });
    const r = await cli(['--format', 'json'], root);
    expect(session.fake.requests.length).toBe(1);
    expect(session.fake.requests[0]!.prompt).toContain('File: a.ts');
    const named = await cli(['fixtures/dump.ts'], root);
    expect(named.stdout).toContain('fixtures/dump.ts: skipped');
    expect(session.fake.requests.length).toBe(1);
    expect(r.code).toBe(0);
  });

  it.skipIf(!IS_ROOT && process.platform === 'win32')('an unreadable file is reported and the rest still run', async () => {
    reviewer();
    const root = project({ 'a.ts': BUGGY, 'secret.ts': CLEAN });
    chmodSync(path.join(root, 'secret.ts'), 0o000);
    const r = await cli([], root, {}, true);
    expect(r.stdout).toMatch(/secret\.ts: not reviewed: .*(EACCES|permission denied)/i);
    expect(r.stdout).toContain('a.ts:2:7 error');
    expect(r.code).toBe(1);
  });
});

describe('codex-lsp review: exit codes', () => {
  it('2 for usage errors, a missing path, or a broken project file', async () => {
    const root = project({ 'a.ts': CLEAN });
    const bad = await cli(['--format', 'xml'], root);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be text, json or sarif/);
    const missing = await cli(['nope.ts'], root);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.ts/);
    writeFileSync(path.join(root, '.codex-lsp.json'), '{"diagnostics": {"trigger": "never"}}');
    const conf = await cli([], root);
    expect(conf.code).toBe(2);
    expect(conf.stderr).toMatch(/\.codex-lsp\.json: setting "diagnostics\.trigger"/);
    expect(session.fake.requests.length).toBe(0);
  });

  it('2 for a problem in .codex-lsp.json whatever CODEX_LSP_LOG says: each problem said once, nothing sent', async () => {
    const root = project({ 'a.ts': CLEAN });
    const cases = [
      { file: '{\n  "ignore": ["a",]\n}\n', said: /configuration error: .*\.codex-lsp\.json: not valid JSON at line 2/g },
      {
        file: '{"diagnostics": {"trigger": "never"}, "logLevel": "error"}',
        said: /configuration error: .*\.codex-lsp\.json: setting "diagnostics\.trigger" must be/g,
      },
    ];
    for (const level of [undefined, 'debug', 'error']) {
      for (const c of cases) {
        writeFileSync(path.join(root, '.codex-lsp.json'), c.file);
        const r = await cli([], root, { CODEX_LSP_LOG: level });
        expect(r.code, `CODEX_LSP_LOG=${level}: ${r.stderr}`).toBe(2);
        expect(r.stderr.match(c.said), `CODEX_LSP_LOG=${level}: ${r.stderr}`).toHaveLength(1);
        expect(r.stdout).toBe('');
      }
    }
    expect(session.fake.requests.length).toBe(0);
  });

  it('3 when the model cannot be reached: no key, a rejected key, an unknown model, a dead endpoint', async () => {
    const root = project({ 'a.ts': CLEAN });
    const noKey = await cli([], root, { CODEX_LSP_API_KEY: undefined, CODEX_LSP_BASE_URL: 'https://api.example.invalid/v1' });
    expect(noKey.code).toBe(3);
    expect(noKey.stderr).toMatch(/no API key\. Set CODEX_LSP_API_KEY/);
    session.fake.setDefault(() => openAIError(401, 'Incorrect API key provided'));
    const rejected = await cli([], root);
    expect(rejected.code).toBe(3);
    expect(rejected.stderr).toMatch(/rejected the API key/);
    session.fake.setDefault(() => openAIError(404, 'The model `nope` does not exist', { code: 'model_not_found' }));
    const unknown = await cli([], root, { CODEX_LSP_MODEL: 'nope' });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/"nope"/);
    const dead = await cli([], root, { CODEX_LSP_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(dead.code).toBe(3);
    expect(dead.stderr).toMatch(/cannot reach/);
  });

  it('130 on Ctrl-C while the model thinks: the requests in flight are dropped, no report, nothing cached', async () => {
    const root = project({ 'a.ts': BUGGY });
    session.fake.setDefault(() => ({ hang: true }));
    const child = spawn(process.execPath, [SERVER_BIN, 'review'], { cwd: root, env: cliEnv(session.fake, root, { env: env(root) }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await session.fake.waitForRequests(1);
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    expect(stderr).toContain('codex-lsp review: interrupted');
    expect(stdout).toBe('');
    // Nothing was answered, so nothing is remembered: the next run asks again.
    reviewer();
    const again = await cli([], root);
    expect(again.code).toBe(1);
    expect(reviews().length).toBe(2);
  });

  it('a rejected key quoted back by the endpoint is never printed', async () => {
    const root = project({ 'a.ts': CLEAN });
    session.fake.setDefault(() => openAIError(401, 'Incorrect API key provided: test-key-abcdef123456'));
    for (const level of [undefined, 'debug']) {
      const r = await cli([], root, { CODEX_LSP_LOG: level });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/rejected the API key/);
      expect(r.stdout + r.stderr).not.toContain('test-key-abcdef123456');
    }
  });

  it('3 when parts could not be reviewed for any reason (an outage, a timeout), never a green run', async () => {
    const root = project({ 'a.ts': CLEAN });
    session.fake.setDefault(() => openAIError(500, 'The server had an error'));
    const outage = await cli(['--format', 'sarif'], root, { CODEX_LSP_LOG: undefined });
    expect(outage.code).toBe(3);
    expect(JSON.parse(outage.stdout).runs[0].invocations[0].executionSuccessful).toBe(false);
    session.fake.setDefault(() => ({ hang: true }));
    writeFileSync(path.join(root, '.codex-lsp.json'), JSON.stringify({ timeoutMs: 1000 }));
    const slow = await cli([], root);
    expect(slow.code).toBe(3);
    expect(slow.stdout).toMatch(/a\.ts: partly reviewed: .*within 1000 ms/);
  });

  it('3 when a part stays cut off, naming its lines; nothing of it is cached, so the next run asks again', async () => {
    const root = project({ 'src/a.ts': BUGGY });
    const truncated =
      '{"diagnostics": [{"line": 2, "quote": "a = 1", "severity": "error", "message": "Assignment in condition", "replacement": "a === 1"}, {"line": 3, "qu';
    session.fake.setDefault(() => ({ text: truncated, cutOff: 'length' }));
    const cut = await cli(['--format', 'json'], root);
    expect(cut.code).toBe(3);
    const out = JSON.parse(cut.stdout) as { files: Array<{ path: string; incomplete?: string; findings: unknown[] }> };
    expect(out.files[0]).toMatchObject({ path: 'src/a.ts', findings: [] });
    expect(out.files[0]?.incomplete).toBe(
      `1 of 1 part not reviewed (lines 1-5: the model's answer was cut off by status "incomplete" (max_output_tokens), even with twice the output budget)`,
    );
    // Asked once more with twice the output budget.
    expect(reviews().length).toBe(2);
    const budgets = reviews().map((r) => (r.body as { max_output_tokens: number }).max_output_tokens);
    expect(budgets[1]).toBe(budgets[0]! * 2);
    // The next run asks the model again and, answered in full this time, reports the finding.
    reviewer();
    const whole = await cli([], root);
    expect(whole.code).toBe(1);
    expect(whole.stdout).toContain('src/a.ts:2:7 error Assignment in condition');
    expect(reviews().length).toBe(3);
  });

  it('a retired default model: the fallback answers, the switch is said once, and the next run remembers it', async () => {
    const review = reviewer();
    session.fake.setDefault((r) => (r.model === 'codex-mini' ? openAIError(404, 'The model `codex-mini` has been deprecated') : review(r)));
    const root = project({ 'src/a.ts': BUGGY });
    const first = await cli([], root);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/no longer serves the model "codex-mini".*"gpt-5-codex-mini" answers instead/);
    expect(reviews().map((r) => r.model)).toEqual(['codex-mini', 'gpt-5-codex-mini']);
    writeFileSync(path.join(root, 'src/b.ts'), NOISY);
    const second = await cli([], root);
    expect(second.code).toBe(1);
    // a.ts from the cache (filed under the model that answered), b.ts straight to the fallback.
    expect(reviews().map((r) => r.model)).toEqual(['codex-mini', 'gpt-5-codex-mini', 'gpt-5-codex-mini']);
    expect(second.stderr).not.toMatch(/no longer serves/);
  });

  it('no key is only a problem when a model call is needed', async () => {
    reviewer();
    const root = project({ 'a.ts': CLEAN }, true);
    expect((await cli(['--changed'], root, { CODEX_LSP_API_KEY: undefined })).code).toBe(0);
    await cli([], root);
    // Answers in the cache need no key either.
    const cached = await cli([], root, { CODEX_LSP_API_KEY: undefined });
    expect(cached.code).toBe(0);
    expect(cached.stderr).not.toMatch(/no API key/);
  });

  it('0 for a clean run, and --help', async () => {
    reviewer();
    const root = project({ 'c.ts': CLEAN });
    const r = await cli([], root);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no problems/);
    const help = await cli(['--help'], root);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--changed [BASE]');
  });
});
