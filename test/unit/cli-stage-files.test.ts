/**
 * The files stage of `codex-lsp review` (server/cli/stages/files.ts): which files, which of
 * their lines, the baseline, and the wrong arguments that stop the run. Real folders and
 * repositories, no model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useScratchGit } from '../support/scratch-git';
import type { ReviewArgs } from '../../server/cli/args';
import { readArguments } from '../../server/cli/stages/arguments';
import { chooseFiles, type FileChoice } from '../../server/cli/stages/files';
import { openProject, type Project } from '../../server/cli/stages/project';
import { EXIT, isStop, type Stop } from '../../server/cli/stages/stage';

const sg = useScratchGit('stage-files');
const { git, write } = sg;
const env = (): NodeJS.ProcessEnv => ({ HOME: sg.base, CODEX_LSP_CACHE_DIR: path.join(sg.base, 'cache') });

function repo(files: Record<string, string | Buffer>): string {
  const dir = sg.scratch();
  for (const [rel, content] of Object.entries(files)) write(dir, rel, content);
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'x');
  return dir;
}

/** The stages before, as the command runs them: arguments, then project. */
async function before(argv: string[], cwd: string): Promise<{ args: ReviewArgs; project: Project }> {
  const args = await readArguments(argv, cwd);
  if (isStop(args)) throw new Error(`arguments stopped: ${(args.stderr ?? []).join('')}`);
  const project = await openProject(args.paths, cwd, env());
  if (isStop(project)) throw new Error(`project stopped: ${(project.stderr ?? []).join('')}`);
  return { args, project };
}

async function choose(argv: string[], cwd: string): Promise<FileChoice | Stop> {
  const { args, project } = await before(argv, cwd);
  return chooseFiles(args, project);
}

async function chosen(argv: string[], cwd: string): Promise<FileChoice> {
  const c = await choose(argv, cwd);
  if (isStop(c)) throw new Error(`files stopped: ${(c.stderr ?? []).join('\n')}`);
  return c;
}

const rel = (root: string, files: readonly string[]): string[] => files.map((f) => path.relative(root, f).split(path.sep).join('/'));
const lines = (n: number, edit?: number): string => Array.from({ length: n }, (_, i) => (i + 1 === edit ? `changed ${i + 1}\n` : `line ${i + 1}\n`)).join('');

describe('files stage: whole files', () => {
  it('the tree as git sees it, minus the ignore globs; named ignored and binary files reported as skipped, never read', async () => {
    const root = repo({
      'a.ts': 'a\n',
      'src/b.ts': 'b\n',
      'fixtures/f.ts': 'f\n',
      'img.png': Buffer.from([0x89, 0x50, 0, 0, 1]),
      '.codex-lsp.json': '{"ignore": ["fixtures/**"]}',
      '.gitignore': 'dist/\n',
      'dist/out.js': 'x',
    });
    const all = await chosen([], root);
    expect(rel(root, all.files)).toEqual(['.codex-lsp.json', '.gitignore', 'a.ts', 'src/b.ts']);
    expect(all.plans).toBeUndefined();
    expect(all.baseline).toBeUndefined();
    expect(all.skipped).toEqual([]);
    const named = await chosen(['fixtures/f.ts', 'img.png', 'a.ts'], root);
    expect(rel(root, named.files)).toEqual(['a.ts']);
    expect(named.skipped.map((s) => [s.path, s.skipped])).toEqual([
      ['fixtures/f.ts', 'matches an "ignore" glob; never sent'],
      ['img.png', 'binary'],
    ]);
  });

  it('paths shown relative to where the command runs', async () => {
    const root = repo({ 'src/x/a.ts': 'a\n', 'src/secret.ts': 's\n', '.codex-lsp.json': '{"ignore": ["src/secret.ts"]}' });
    const c = await chosen(['../secret.ts', '.'], path.join(root, 'src', 'x'));
    expect(rel(root, c.files)).toEqual(['src/x/a.ts']);
    expect(c.skipped.map((s) => s.path)).toEqual(['../secret.ts']);
  });

  it('a link out of the repository is listed as skipped, naming its target', async () => {
    const outside = sg.scratch('outside');
    write(outside, 'secret.ts', 'x\n');
    const root = repo({ 'a.ts': 'a\n' });
    fs.symlinkSync(path.join(outside, 'secret.ts'), path.join(root, 'link.ts'));
    const c = await chosen([], root);
    expect(rel(root, c.files)).toEqual(['a.ts']);
    expect(c.skipped).toHaveLength(1);
    expect(c.skipped[0]).toMatchObject({ path: 'link.ts', findings: [], skipped: expect.stringContaining(path.join(outside, 'secret.ts')) });
  });
});

describe('files stage: --changed and --staged', () => {
  it('--changed: only changed files, each with the lines that changed', async () => {
    const root = repo({ 'a.ts': lines(30), 'b.ts': lines(5) });
    write(root, 'a.ts', lines(30, 20));
    const c = await chosen(['--changed'], root);
    expect(rel(root, c.files)).toEqual(['a.ts']);
    expect(c.plans?.get(path.join(root, 'a.ts'))).toEqual({ review: [{ start: 19, end: 20 }], decide: [{ start: 19, end: 20 }] });
    const wide = await chosen(['--changed', '--filter-mode', 'file'], root);
    expect(wide.plans?.get(path.join(root, 'a.ts'))).toEqual({ review: 'all', decide: 'all' });
  });

  it('--staged: what the index holds, not the working tree', async () => {
    const root = repo({ 'a.ts': lines(10), 'b.ts': lines(10) });
    write(root, 'a.ts', lines(10, 3));
    git(root, 'add', 'a.ts');
    write(root, 'b.ts', lines(10, 5)); // not staged
    const c = await chosen(['--staged'], root);
    expect(rel(root, c.files)).toEqual(['a.ts']);
    expect(c.plans?.get(path.join(root, 'a.ts'))?.decide).toEqual([{ start: 2, end: 3 }]);
  });
});

describe('files stage: wrong arguments stop the run (exit 2) before any model call', () => {
  it('a missing path, a glob that matches nothing; a bare --changed WORD that is neither a revision nor a file', async () => {
    const root = repo({ 'a.ts': 'a\n' });
    expect(await choose(['nope.ts', '*.py', 'a.ts'], root)).toEqual({
      stop: EXIT.usage,
      stderr: ['codex-lsp review: no such file or nothing matches: nope.ts', 'codex-lsp review: no such file or nothing matches: *.py'],
    });
    expect(await choose(['--changed', 'mian'], root)).toEqual({
      stop: EXIT.usage,
      stderr: [
        'codex-lsp review: "mian" is neither a git revision (a branch, tag or commit here) nor a file; for a base that is also a path, write --changed=mian',
      ],
    });
  });

  it('--changed outside git; --staged --fix over a working tree that differs from the index', async () => {
    const plain = sg.scratch();
    write(plain, 'a.ts', 'a\n');
    expect(await choose(['--changed'], plain)).toEqual({ stop: EXIT.usage, stderr: ['codex-lsp review: --changed needs a git repository'] });
    const root = repo({ 'a.ts': lines(5) });
    write(root, 'a.ts', lines(5, 1));
    git(root, 'add', 'a.ts');
    write(root, 'a.ts', lines(5, 2));
    const s = await choose(['--staged', '--fix'], root);
    expect(s).toMatchObject({ stop: EXIT.usage, stderr: [expect.stringMatching(/differs from what is staged in: a\.ts; stage or stash/)] });
  });

  it('--baseline: read once here; a missing or foreign file stops the run', async () => {
    const root = repo({ 'a.ts': 'a\n' });
    write(root, '../old.json', JSON.stringify({ files: [{ path: 'a.ts', findings: [{ fingerprint: 'abc123' }] }] }));
    const c = await chosen(['--baseline', '../old.json'], root);
    expect([...(c.baseline ?? [])]).toEqual(['abc123']);
    const missing = await choose(['--baseline', 'gone.json'], root);
    expect(missing).toMatchObject({ stop: EXIT.usage, stderr: [expect.stringMatching(/^codex-lsp review: cannot read the baseline .*gone\.json/)] });
    write(root, 'not.json', 'hello');
    expect(await choose(['--baseline', 'not.json'], root)).toMatchObject({ stop: EXIT.usage, stderr: [expect.stringMatching(/is not JSON/)] });
  });
});
