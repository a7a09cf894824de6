/**
 * `codex-lsp review` as a gate, tried as a new user would in real git repositories: the gate
 * fails exactly on new findings in the lines being committed, and writes nothing outside
 * the repository.
 */
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../support/fake-openai';
import { IS_ROOT, runCli, useReviewer } from '../support/cli-run';
import { useScratchGit } from '../support/scratch-git';
import { useFake } from '../support/session';

const session = useFake();
const sg = useScratchGit('gate');

const BUGGY = 'export function f(a: number): number {\n  if (a = 1) return 0;\n  return a;\n}\n';
const CLEAN = 'export function f(a: number): number {\n  if (a === 1) return 0;\n  return a;\n}\n';

/** A repository (in its own holder folder, next to which the cache goes) with `files` committed. */
function repo(files: Record<string, string>): string {
  const root = path.join(sg.scratch('holder'), 'repo');
  mkdirSync(root);
  sg.git(root, 'init', '-q');
  for (const [rel, text] of Object.entries(files)) sg.write(root, rel, text);
  sg.git(root, 'add', '-A');
  sg.git(root, 'commit', '-qm', 'first', '--allow-empty');
  return root;
}

const cli = (args: string[], cwd: string, env?: Record<string, string | undefined>) => runCli(session.fake, args, cwd, { env });
const reviews = (): RecordedRequest[] => session.fake.requests.filter((r) => r.schemaName === 'diagnostics');
const sent = (needle: string): boolean => session.fake.requests.some((r) => r.raw.includes(needle));

describe('all at once, as a pre-commit hook sees a real change', () => {
  it('fails exactly on the new finding in the lines being committed, and writes nothing outside the repository', async () => {
    useReviewer(session.fake, (n, t) => (t.includes('invented()') ? [{ line: n, quote: 'eval(danger)', severity: 'error', message: 'Invented' }] : []));
    const pad = (body: string): string => `export function f(a: number): number {\n${body}${'  a += 1;\n'.repeat(12)}  return a;\n}\n`;
    const root = repo({
      'real.ts': pad(''),
      'old.ts': pad('  if (a = 1) return 0;\n'),
      'known.ts': pad('  if (a = 1) return 0;\n'),
      'sup.ts': pad(''),
      'inv.ts': pad(''),
    });
    symlinkSync('real.ts', path.join(root, 'alias.ts'));
    const outside = path.join(path.dirname(root), 'outside.ts');
    writeFileSync(outside, pad('  if (a = 1) return 0;\n'));
    symlinkSync(outside, path.join(root, 'out.ts'));
    sg.git(root, 'add', '-A');
    sg.git(root, 'commit', '-qm', 'links');
    // The baseline: today's findings (old.ts and known.ts).
    const before = await cli(['--format', 'json'], root);
    writeFileSync(path.join(root, '..', 'baseline.json'), before.stdout);

    writeFileSync(path.join(root, 'real.ts'), pad('  if (a = 1) return 0;\n')); // the new bug
    writeFileSync(path.join(root, 'old.ts'), pad('  if (a = 1) return 0;\n').replace('  return a;', '  return a + 1;')); // far from the old bug
    writeFileSync(path.join(root, 'known.ts'), pad('  if (a = 1) return 1;\n')); // the known bug's line, touched
    writeFileSync(path.join(root, 'sup.ts'), pad('  // codex-lsp-ignore: a is a flag\n  if (a = 1) return 0;\n'));
    writeFileSync(path.join(root, 'inv.ts'), pad('  invented();\n'));
    sg.git(root, 'add', '-A');
    // A clean edit on top of the staged bug, not staged.
    writeFileSync(path.join(root, 'real.ts'), pad('  if (a === 1) return 0;\n'));
    const outsideBefore = readFileSync(outside, 'utf8');

    const r = await cli(['--staged', '--baseline', '../baseline.json', '--fix', '--format', 'json'], root);
    expect(r.code).toBe(2); // --fix: the working tree differs from the index for real.ts
    const gate = await cli(['--staged', '--baseline', '../baseline.json', '--format', 'json'], root);
    const j = JSON.parse(gate.stdout) as {
      summary: { findings: Record<string, number>; failed: boolean; unlocated: number; suppressed: number; known: number; outsideChange: number };
      files: Array<{ path: string; skipped?: string; findings: Array<{ line: number; located?: false }> }>;
    };
    const counted = j.files.flatMap((f) => f.findings.filter((x) => x.located !== false).map((x) => `${f.path}:${x.line}`));
    expect(counted).toEqual(['real.ts:2']);
    expect(j.summary).toMatchObject({ failed: true, findings: { error: 1 }, unlocated: 1, suppressed: 1, known: 1, outsideChange: 1 });
    expect(j.files.find((f) => f.path === 'out.ts')?.skipped).toMatch(/outside the repository/);
    expect(gate.code).toBe(1);
    expect(readFileSync(outside, 'utf8')).toBe(outsideBefore);
  });
});

describe('symbolic links', () => {
  it('a changed file is reviewed even when a link that sorts first points to it', async () => {
    useReviewer(session.fake);
    const root = repo({ 'real.ts': CLEAN });
    symlinkSync('real.ts', path.join(root, 'alias.ts'));
    sg.git(root, 'add', '-A');
    sg.git(root, 'commit', '-qm', 'link');
    writeFileSync(path.join(root, 'real.ts'), BUGGY);
    const changed = await cli(['--changed'], root);
    expect(changed.stdout).toContain('real.ts:2:7 error Assignment in condition');
    expect(changed.code).toBe(1);
    expect(reviews().length).toBe(1);
    sg.git(root, 'add', 'real.ts');
    const staged = await cli(['--staged'], root);
    expect(staged.code).toBe(1);
    expect(staged.stdout).toContain('real.ts:2:7 error');
    // Named through the link: the real file, once.
    session.fake.reset();
    useReviewer(session.fake);
    const named = await cli(['alias.ts', 'real.ts', '--format', 'json'], root);
    expect(JSON.parse(named.stdout).files.map((f: { path: string }) => f.path)).toEqual(['real.ts']);
  });

  it('a link to a file outside the repository is never read, sent or written, and is reported naming its target', async () => {
    useReviewer(session.fake);
    const root = repo({ 'a.ts': CLEAN });
    const outside = path.join(path.dirname(root), 'outside.ts');
    writeFileSync(outside, `${BUGGY}// OUTSIDE-SECRET\n`);
    symlinkSync(outside, path.join(root, 'out.ts'));
    const r = await cli(['--fix'], root);
    expect(sent('OUTSIDE-SECRET')).toBe(false);
    expect(readFileSync(outside, 'utf8')).toContain('if (a = 1)');
    expect(r.stdout).toContain(`out.ts: skipped: symbolic link to ${outside}, outside the repository`);
    expect(r.code).toBe(0);
    // A linked folder leading out, named explicitly: its files are skipped the same way.
    mkdirSync(path.join(path.dirname(root), 'elsewhere'));
    writeFileSync(path.join(path.dirname(root), 'elsewhere', 'x.ts'), `${BUGGY}// ELSEWHERE\n`);
    symlinkSync(path.join(path.dirname(root), 'elsewhere'), path.join(root, 'linked'));
    const dir = await cli(['linked', '--fix'], root);
    expect(sent('ELSEWHERE')).toBe(false);
    expect(readFileSync(path.join(path.dirname(root), 'elsewhere', 'x.ts'), 'utf8')).toContain('if (a = 1)');
    expect(dir.stdout).toMatch(/linked\/x\.ts: skipped: symbolic link to .*elsewhere\/x\.ts, outside the repository/);
    expect(dir.code).toBe(0);
    // Also when the link is what changed; and a staged link's blob (a path) is not code to review.
    symlinkSync('gone.ts', path.join(root, 'dangling.ts'));
    sg.git(root, 'add', '-A');
    session.fake.reset();
    const staged = await cli(['--staged'], root);
    expect(session.fake.requests.length).toBe(0);
    expect(staged.code).toBe(0);
  });

  it('ignore globs apply to a link and to its target', async () => {
    useReviewer(session.fake);
    const root = repo({ '.codex-lsp.json': JSON.stringify({ ignore: ['private/**'] }), 'private/keys.ts': `${BUGGY}// PRIVATE-KEYS\n`, 'a.ts': CLEAN });
    symlinkSync('private/keys.ts', path.join(root, 'pub.ts'));
    const r = await cli([], root);
    expect(sent('PRIVATE-KEYS')).toBe(false);
    expect(r.stdout).toContain('pub.ts: skipped: symbolic link to private/keys.ts, which matches an "ignore" glob');
    expect(r.code).toBe(0);
  });
});

describe('--staged: what is being committed', () => {
  it('fails on a staged bug under a clean working-tree edit, and passes a clean stage under a dirty tree', async () => {
    useReviewer(session.fake);
    const root = repo({ 'a.ts': 'export const x = 1;\n', 'b.ts': CLEAN });
    writeFileSync(path.join(root, 'a.ts'), BUGGY);
    sg.git(root, 'add', 'a.ts');
    writeFileSync(path.join(root, 'a.ts'), CLEAN);
    const hook = await cli(['--staged'], root);
    expect(hook.stdout).toContain('a.ts:2:7 error Assignment in condition');
    expect(hook.code).toBe(1);
    // The working tree alone looks clean: that is what --changed sees.
    expect((await cli(['--changed'], root)).code).toBe(0);

    sg.git(root, 'add', 'a.ts');
    writeFileSync(path.join(root, 'b.ts'), BUGGY);
    session.fake.reset();
    useReviewer(session.fake);
    const clean = await cli(['--staged'], root);
    expect(clean.code).toBe(0);
    expect(sent('if (a = 1)')).toBe(false);
  });

  it('--fix with --staged is refused when the working tree differs from the index, and works when they agree', async () => {
    useReviewer(session.fake);
    const root = repo({ 'a.ts': 'export const x = 1;\n' });
    writeFileSync(path.join(root, 'a.ts'), BUGGY);
    sg.git(root, 'add', 'a.ts');
    writeFileSync(path.join(root, 'a.ts'), `${BUGGY}// more\n`);
    const refused = await cli(['--staged', '--fix'], root);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/differs from what is staged in: a\.ts/);
    expect(refused.stdout).toBe('');
    sg.git(root, 'add', 'a.ts');
    const fixed = await cli(['--staged', '--fix'], root);
    expect(readFileSync(path.join(root, 'a.ts'), 'utf8')).toContain('if (a === 1)');
    expect(fixed.code).toBe(0);
  });

  it('--staged follows a staged rename: only the lines edited since count', async () => {
    useReviewer(session.fake);
    const body = `export function f(a: number): number {\n  if (a = 1) return 0;\n${'  a += 1;\n'.repeat(8)}  return a;\n}\n`;
    const root = repo({ 'old-name.ts': body });
    sg.git(root, 'mv', 'old-name.ts', 'new-name.ts');
    expect((await cli(['--staged'], root)).code).toBe(0);
    writeFileSync(path.join(root, 'new-name.ts'), body.replace('  return a;', '  if (a = 1) return a;'));
    sg.git(root, 'add', 'new-name.ts');
    const r = await cli(['--staged', '--format', 'json'], root);
    const j = JSON.parse(r.stdout) as { files: Array<{ path: string; findings: Array<{ line: number }> }> };
    expect(j.files.map((f) => `${f.path}:${f.findings.map((x) => x.line).join(',')}`)).toEqual(['new-name.ts:11']);
    expect(r.code).toBe(1);
  });

  it('--staged in a repository without commits reviews the index', async () => {
    useReviewer(session.fake);
    const root = path.join(sg.scratch('holder'), 'repo');
    mkdirSync(root);
    sg.git(root, 'init', '-q');
    sg.write(root, 'a.ts', BUGGY);
    expect((await cli(['--staged'], root)).code).toBe(0);
    sg.git(root, 'add', 'a.ts');
    expect((await cli(['--staged'], root)).code).toBe(1);
  });
});

describe('only changed lines decide', () => {
  const OLD =
    'export function f(a: number): number {\n  if (a = 1) return 0;\n  let t = a;\n  t += 1;\n  t += 2;\n  t += 3;\n  t += 4;\n  t += 5;\n  return t;\n}\n';

  it('an old finding far from the change does not fail the gate; --filter-mode diff_context and file widen what counts', async () => {
    useReviewer(session.fake);
    const root = repo({ 'a.ts': OLD });
    writeFileSync(path.join(root, 'a.ts'), OLD.replace('t += 5;', 't += 50;'));
    const added = await cli(['--changed', '--format', 'json'], root);
    expect(added.code).toBe(0);
    // The model saw the part around the change, old bug included.
    expect(sent('if (a = 1)')).toBe(true);
    expect(JSON.parse(added.stdout).summary).toMatchObject({ failed: false, outsideChange: 1 });
    expect((await cli(['--changed', '--filter-mode', 'diff_context'], root)).code).toBe(0);
    expect((await cli(['--changed', '--filter-mode=file'], root)).code).toBe(1);
    // A change within git's 3 lines of context of the old bug: diff_context counts it, added does not.
    writeFileSync(path.join(root, 'a.ts'), OLD.replace('t += 1;', 't += 10;'));
    expect((await cli(['--changed'], root)).code).toBe(0);
    expect((await cli(['--changed', '--filter-mode', 'diff_context'], root)).code).toBe(1);
    // The bug itself changed: it counts.
    writeFileSync(path.join(root, 'a.ts'), OLD.replace('if (a = 1) return 0;', 'if (a = 1) return -1;'));
    expect((await cli(['--changed'], root)).code).toBe(1);
  });

  it('--filter-mode needs --changed or --staged, and a known mode', async () => {
    const root = repo({ 'a.ts': CLEAN });
    const r = await cli(['--filter-mode', 'added'], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--filter-mode goes with --changed or --staged/);
    expect((await cli(['--staged', '--filter-mode', 'nofilter'], root)).stderr).toMatch(/--filter-mode must be one of added, diff_context, file/);
  });
});

describe('invented quotes', () => {
  it("a finding whose quote is not in the file is a note at the model's line and never fails the gate", async () => {
    useReviewer(session.fake, (n, t) => (t.includes('return a;') ? [{ line: n, quote: 'eval(userInput)', severity: 'error', message: 'Code injection' }] : []));
    const root = repo({ 'a.ts': CLEAN });
    const r = await cli(['--fail-on', 'hint'], root);
    expect(r.stdout).toMatch(/^a\.ts:3:\d+ note Code injection \(error from the model at this line, but its quote is not in the file; not counted\)$/m);
    expect(r.stdout).toMatch(/no problems; not counted: 1 note whose quote is not in the file/);
    expect(r.code).toBe(0);
    const j = JSON.parse((await cli(['--format', 'json'], root)).stdout);
    expect(j.files[0].findings[0]).toMatchObject({ line: 3, located: false, severity: 'error' });
    expect(j.summary).toMatchObject({ failed: false, unlocated: 1 });
  });
});

describe('--baseline', () => {
  it('findings of an earlier json or sarif output are known after lines move above them; new ones still fail', async () => {
    useReviewer(session.fake);
    const root = repo({ 'a.ts': BUGGY });
    const json = await cli(['--format', 'json'], root);
    expect(json.code).toBe(1);
    writeFileSync(path.join(root, '..', 'base.json'), json.stdout);
    const sarif = await cli(['--format', 'sarif'], root);
    const fp = JSON.parse(sarif.stdout).runs[0].results[0].partialFingerprints['codexLsp/v1'];
    expect(fp).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(sarif.stdout).runs[0].results[0].baselineState).toBeUndefined();
    writeFileSync(path.join(root, '..', 'base.sarif'), sarif.stdout);

    writeFileSync(path.join(root, 'a.ts'), `// a header\n// and another line\n${BUGGY}`);
    const known = await cli(['--baseline', '../base.json'], root);
    expect(known.code).toBe(0);
    expect(known.stdout).not.toContain('Assignment in condition');
    expect(known.stdout).toContain('not counted: 1 already in the baseline');
    const knownSarif = JSON.parse((await cli(['--baseline', '../base.sarif', '--format', 'sarif'], root)).stdout);
    expect(knownSarif.runs[0].results).toMatchObject([
      { baselineState: 'unchanged', partialFingerprints: { 'codexLsp/v1': fp }, locations: [{ physicalLocation: { region: { startLine: 4 } } }] },
    ]);

    writeFileSync(path.join(root, 'a.ts'), `${BUGGY}export function g(a: number): number {\n  if (a = 1) return 1;\n  return 2;\n}\n`);
    const fresh = await cli(['--baseline', '../base.sarif', '--format', 'sarif'], root);
    expect(fresh.code).toBe(1);
    const states = JSON.parse(fresh.stdout).runs[0].results.map(
      (x: { baselineState: string; locations: Array<{ physicalLocation: { region: { startLine: number } } }> }) =>
        `${x.locations[0]!.physicalLocation.region.startLine}:${x.baselineState}`,
    );
    expect(states.sort()).toEqual(['2:unchanged', '6:new']);
  });

  it('a baseline that cannot be used stops the run (exit 2)', async () => {
    const root = repo({ 'a.ts': CLEAN });
    writeFileSync(path.join(root, '..', 'old.json'), JSON.stringify({ version: 1, files: [{ path: 'a.ts', findings: [{ line: 2, message: 'x' }] }] }));
    const old = await cli(['--baseline', '../old.json'], root);
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/without fingerprints/);
    expect((await cli(['--baseline', '../none.json'], root)).code).toBe(2);
    expect(session.fake.requests.length).toBe(0);
  });
});

describe('suppression comments', () => {
  it('codex-lsp-ignore on the line above or the line itself hides a finding, in any comment syntax', async () => {
    useReviewer(session.fake, (n, t) => (t.includes('eval(') ? [{ line: n, quote: 'eval(x)', severity: 'error', message: 'eval' }] : []));
    const root = repo({
      'a.ts': 'export function f(a: number): number {\n  // codex-lsp-ignore: a is always 1 here\n  if (a = 1) return 0;\n  return a;\n}\n',
      'b.py': 'def g(x):\n    return eval(x)  # codex-lsp-ignore trusted input\n',
      'c.ts': BUGGY,
    });
    const r = await cli(['--format', 'json'], root);
    const j = JSON.parse(r.stdout);
    expect(j.files.map((f: { path: string; findings: unknown[] }) => `${f.path}:${f.findings.length}`)).toEqual(['a.ts:0', 'b.py:0', 'c.ts:1']);
    expect(j.summary.suppressed).toBe(2);
    writeFileSync(path.join(root, 'c.ts'), `/* codex-lsp-ignore-file: generated */\n${BUGGY}`);
    session.fake.reset();
    useReviewer(session.fake);
    const skipped = await cli(['c.ts'], root);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain('c.ts: skipped: codex-lsp-ignore-file: generated');
    expect(session.fake.requests.length).toBe(0);
  });
});

describe('exit and output hygiene', () => {
  it('a closed stdout ends quietly', async () => {
    useReviewer(session.fake);
    // Far more output than a pipe holds (64 KB), so that writes meet the closed pipe.
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`f${i}.ts`] = `export function f(a: number): number {\n${'  if (a = 1) return 0;\n'.repeat(60)}  return a;\n}\n`;
    const root = repo(files);
    expect((await cli(['--format', 'json'], root)).stdout.length).toBeGreaterThan(200_000);
    const r = await runCli(session.fake, ['--format', 'json'], root, { pipeTo: '| head -c 10' });
    expect(r.stdout.length).toBe(10);
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
  });

  it('usage errors: --format with --fix --dry-run, an unknown revision; no summary is printed', async () => {
    const root = repo({ 'a.ts': CLEAN });
    const fmt = await cli(['--fix', '--dry-run', '--format', 'json'], root);
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toMatch(/--format does not go with --fix --dry-run/);
    const typo = await cli(['--changed', 'mian'], root);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/"mian" is neither a git revision .* nor a file/);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).not.toMatch(/files?,/);
    const missing = await cli(['nope.ts'], root);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(session.fake.requests.length).toBe(0);
  });

  it('overlapping fixes are reported in a dry run too, naming the line', async () => {
    session.fake.setDefault(() => ({
      json: {
        diagnostics: [
          { line: 1, quote: '"OVERLAP one two"', severity: 'error', message: 'first', replacement: '"A"' },
          { line: 1, quote: 'one two', severity: 'error', message: 'second', replacement: 'B' },
        ],
      },
    }));
    const root = repo({ 'ov.ts': 'const s = "OVERLAP one two";\n' });
    const r = await cli(['--fix', '--dry-run'], root);
    expect(r.stdout).toContain('+const s = "A";');
    expect(r.stderr).toMatch(/ov\.ts:1:\d+: fix not applied: it overlaps another fix \(second\)/);
  });

  it.skipIf(!IS_ROOT)('a failed --fix leaves no temporary file behind', async () => {
    useReviewer(session.fake);
    // A shared folder with the sticky bit, owned with its file by another user: anyone may create
    // the temporary file there, but not rename it over that user's file.
    const holder = sg.scratch('sticky');
    const dir = path.join(holder, 'shared');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'a.ts'), BUGGY);
    chmodSync(dir, 0o1777);
    if (IS_ROOT) for (const p of [dir, path.join(dir, 'a.ts')]) chownSync(p, 65534, 65534);
    const r = await runCli(session.fake, ['--fix'], dir, { unprivileged: true, cacheDir: path.join(holder, 'cache'), env: { HOME: holder } });
    expect(r.stderr).toMatch(/could not write a\.ts/);
    expect(readdirSync(dir)).toEqual(['a.ts']);
    expect(readFileSync(path.join(dir, 'a.ts'), 'utf8')).toBe(BUGGY);
    expect(r.code).toBe(1);
  });

  it('a cache folder that cannot be created: memory only, one warning, no hang', async () => {
    useReviewer(session.fake);
    const root = repo({ 'a.ts': BUGGY });
    writeFileSync(path.join(root, '..', 'plain-file'), 'x');
    // Under /proc, Node 20's recursive mkdir never returns; under a plain file it fails.
    for (const cacheDir of ['/proc/codex-lsp-no-such-folder/cache', path.join(root, '..', 'plain-file', 'cache')]) {
      const r = await runCli(session.fake, [], root, { cacheDir, timeoutMs: 8000 });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('a.ts:2:7 error');
      expect(r.stderr.match(/warning: the cache folder .* cannot be created .*; answers are kept in memory only/g)?.length).toBe(1);
    }
  }, 20_000);

  it('the disk cache is within cache.maxDiskMB when the command exits, even when nothing new was written', async () => {
    useReviewer(session.fake);
    const root = repo({ 'a.ts': BUGGY, '.codex-lsp.json': JSON.stringify({ cache: { maxDiskMB: 2 } }) });
    const cacheDir = path.join(root, '..', 'small-cache');
    await runCli(session.fake, [], root, { cacheDir });
    // Old entries from earlier runs: 1.5 MB, within the 2 MB of then, above the 1 MB of now.
    writeFileSync(path.join(root, '.codex-lsp.json'), JSON.stringify({ cache: { maxDiskMB: 1 } }));
    const old = path.join(cacheDir, 'answers', '00');
    mkdirSync(old, { recursive: true });
    const past = new Date('2020-01-01');
    for (let i = 0; i < 25; i++) {
      writeFileSync(path.join(old, `old${i}.json`), 'x'.repeat(60_000));
      utimesSync(path.join(old, `old${i}.json`), past, past);
    }
    session.fake.reset();
    const again = await runCli(session.fake, [], root, { cacheDir });
    expect(session.fake.requests.length).toBe(0);
    expect(again.code).toBe(1);
    const size = (dir: string): number =>
      readdirSync(dir, { withFileTypes: true }).reduce(
        (n, e) => n + (e.isDirectory() ? size(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).size),
        0,
      );
    expect(size(path.join(cacheDir, 'answers'))).toBeLessThanOrEqual(1024 * 1024);
  });
});
