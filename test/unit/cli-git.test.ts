import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useScratchGit } from '../support/scratch-git';
import { changedFiles, changedLines, GitError, gitRoot, hunkRange, isCommit, mergeRanges, parseNumstatZ } from '../../server/cli/git';

const sg = useScratchGit('git');
const { git, write } = sg;
const scratch = (name = 'repo'): string => sg.scratch(name);
let counter = 0;

function commitAll(dir: string, message = 'x'): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', message);
}

function newRepo(files: Record<string, string | Buffer> = {}): string {
  const dir = scratch();
  git(dir, 'init', '-q');
  for (const [rel, content] of Object.entries(files)) write(dir, rel, content);
  if (Object.keys(files).length > 0) commitAll(dir);
  return dir;
}

const lines = (n: number, prefix = 'line'): string => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}\n`).join('');

function replaceLine(text: string, index: number, value: string): string {
  const parts = text.split('\n');
  parts[index] = value;
  return parts.join('\n');
}

describe('gitRoot', () => {
  it('finds the work tree root from a subdirectory', async () => {
    const repo = newRepo({ 'src/deep/a.ts': 'x\n' });
    expect(await gitRoot(path.join(repo, 'src', 'deep'))).toBe(repo);
    expect(await gitRoot(repo)).toBe(repo);
  });

  it('keeps the caller spelling of a symlinked path', async () => {
    const repo = newRepo({ 'src/a.ts': 'x\n' });
    const link = path.join(sg.base, `link-${++counter}`);
    fs.symlinkSync(repo, link, 'dir');
    expect(await gitRoot(path.join(link, 'src'))).toBe(link);
  });

  it('is undefined outside a repository', async () => {
    expect(await gitRoot(scratch('plain'))).toBeUndefined();
  });

  it('is undefined for a directory that does not exist', async () => {
    expect(await gitRoot(path.join(sg.base, 'nope', 'nothing'))).toBeUndefined();
  });

  it('is undefined without git (missing binary)', async () => {
    const repo = newRepo({ 'a.ts': 'x\n' });
    expect(await gitRoot(repo, { gitBinary: path.join(sg.base, 'no-such-git') })).toBeUndefined();
  });

  it('is undefined without git (PATH pointing to an empty directory)', async () => {
    const repo = newRepo({ 'a.ts': 'x\n' });
    const empty = scratch('empty-bin');
    const oldPath = process.env.PATH;
    process.env.PATH = empty;
    try {
      expect(await gitRoot(repo)).toBeUndefined();
      await expect(changedFiles(repo)).rejects.toMatchObject({ name: 'GitError', code: 'not-found' });
      await expect(changedFiles(repo)).rejects.toThrow(/git was not found/);
    } finally {
      process.env.PATH = oldPath;
    }
  });
});

describe('isCommit', () => {
  it('accepts HEAD, branches and ids; refuses the rest', async () => {
    const repo = newRepo({ 'a.ts': 'x\n' });
    const sha = git(repo, 'rev-parse', 'HEAD').trim();
    expect(await isCommit('HEAD', repo)).toBe(true);
    expect(await isCommit('main', repo)).toBe(true);
    expect(await isCommit(sha, repo)).toBe(true);
    expect(await isCommit(sha.slice(0, 8), repo)).toBe(true);
    expect(await isCommit('main...', repo)).toBe(true);
    expect(await isCommit('no-such-branch', repo)).toBe(false);
    expect(await isCommit('no-such-branch...', repo)).toBe(false);
    expect(await isCommit('--output=/tmp/x', repo)).toBe(false);
    expect(await isCommit('', repo)).toBe(false);
    // a tree is not a commit
    expect(await isCommit('HEAD^{tree}', repo)).toBe(false);
  });

  it('is false in a repository without commits, outside git and without git', async () => {
    const empty = newRepo();
    expect(await isCommit('HEAD', empty)).toBe(false);
    expect(await isCommit('HEAD', scratch('plain'))).toBe(false);
    const repo = newRepo({ 'a.ts': 'x\n' });
    expect(await isCommit('HEAD', repo, { gitBinary: path.join(sg.base, 'no-such-git') })).toBe(false);
  });
});

describe('changedFiles without a base', () => {
  it('lists modified, staged, untracked and renamed files; not deleted, unchanged, ignored or binary ones', async () => {
    const repo = newRepo({
      'modified.ts': 'a\n',
      'staged.ts': 'b\n',
      'deleted.ts': 'c\n',
      'staged-deleted.ts': 'c\n',
      'unchanged.ts': 'd\n',
      'old name.ts': lines(20),
      'image.bin': Buffer.from([1, 0, 2, 3]),
      '.gitignore': 'ignored/\n*.log\n',
    });
    write(repo, 'modified.ts', 'a2\n');
    write(repo, 'staged.ts', 'b2\n');
    git(repo, 'add', 'staged.ts');
    fs.rmSync(path.join(repo, 'deleted.ts'));
    git(repo, 'rm', '-q', 'staged-deleted.ts');
    write(repo, 'untracked dir/ünïcödé file.ts', 'u\n');
    write(repo, 'ignored/x.ts', 'i\n');
    write(repo, 'debug.log', 'l\n');
    git(repo, 'mv', 'old name.ts', 'new name.ts');
    write(repo, 'image.bin', Buffer.from([1, 0, 2, 4]));
    write(repo, 'untracked.bin', Buffer.from([0, 0, 0]));
    write(repo, 'node_modules/pkg/index.js', 'module.exports = 1\n');

    const files = await changedFiles(repo);
    expect(files).toEqual(['modified.ts', 'new name.ts', 'staged.ts', 'untracked dir/ünïcödé file.ts'].map((f) => path.join(repo, f)).sort());
  });

  it('counts a rename with edits under the new path, and a type change to a symlink is left out', async () => {
    const repo = newRepo({ 'a.ts': lines(30), 'target.ts': 'x\n', 'will-link.ts': 'y\n' });
    git(repo, 'mv', 'a.ts', 'b.ts');
    write(repo, 'b.ts', replaceLine(lines(30), 3, 'changed'));
    fs.rmSync(path.join(repo, 'will-link.ts'));
    fs.symlinkSync('target.ts', path.join(repo, 'will-link.ts'));
    expect(await changedFiles(repo)).toEqual([path.join(repo, 'b.ts')]);
  });

  it('returns absolute paths for the whole repository when called from a subdirectory', async () => {
    const repo = newRepo({ 'src/a.ts': 'a\n', 'lib/b.ts': 'b\n' });
    write(repo, 'src/a.ts', 'a2\n');
    write(repo, 'lib/b.ts', 'b2\n');
    expect(await changedFiles(path.join(repo, 'src'))).toEqual([path.join(repo, 'lib/b.ts'), path.join(repo, 'src/a.ts')]);
  });

  it('skips submodules', async () => {
    const sub = newRepo({ 'inner.ts': '1\n' });
    const repo = newRepo({ 'r.ts': 'r\n' });
    git(repo, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub, 'sub');
    commitAll(repo);
    // move the submodule to a new commit and edit a file inside it
    write(path.join(repo, 'sub'), 'inner.ts', '2\n');
    git(path.join(repo, 'sub'), 'commit', '-qam', 'y');
    write(repo, 'r.ts', 'r2\n');
    expect(await changedFiles(repo)).toEqual([path.join(repo, 'r.ts')]);
  });

  it('treats every tracked or untracked file as changed in a repository without commits', async () => {
    const repo = newRepo();
    write(repo, 'a.ts', 'a\n');
    write(repo, 'b.ts', 'b\n');
    write(repo, '.gitignore', 'b.ts\n');
    write(repo, 'c.ts', 'c\n');
    git(repo, 'add', 'a.ts');
    expect(await changedFiles(repo)).toEqual([path.join(repo, '.gitignore'), path.join(repo, 'a.ts'), path.join(repo, 'c.ts')]);
  });

  it('keeps the caller spelling of a symlinked root', async () => {
    const repo = newRepo({ 'a.ts': 'a\n' });
    write(repo, 'a.ts', 'a2\n');
    const link = path.join(sg.base, `link-${++counter}`);
    fs.symlinkSync(repo, link, 'dir');
    expect(await changedFiles(link)).toEqual([path.join(link, 'a.ts')]);
  });

  it('throws a GitError quoting git outside a repository', async () => {
    const plain = scratch('plain');
    const err = await changedFiles(plain).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).message).toMatch(/not a git repository/i);
    expect((err as GitError).code).toBe('failed');
  });

  it('throws a not-found GitError without git', async () => {
    const repo = newRepo({ 'a.ts': 'a\n' });
    await expect(changedFiles(repo, undefined, { gitBinary: path.join(sg.base, 'no-such-git') })).rejects.toMatchObject({
      code: 'not-found',
    });
  });
});

describe('changedFiles with a base', () => {
  it('includes what was committed since the base, plus working tree changes and untracked files', async () => {
    const repo = newRepo({ 'a.ts': 'a\n', 'b.ts': 'b\n', 'c.ts': 'c\n', 'gone.ts': 'g\n' });
    const baseSha = git(repo, 'rev-parse', 'HEAD').trim();
    write(repo, 'a.ts', 'a2\n');
    write(repo, 'new.ts', 'n\n');
    fs.rmSync(path.join(repo, 'gone.ts'));
    commitAll(repo, 'second');
    write(repo, 'b.ts', 'b2\n');
    write(repo, 'untracked.ts', 'u\n');

    expect(await changedFiles(repo, baseSha)).toEqual(['a.ts', 'b.ts', 'new.ts', 'untracked.ts'].map((f) => path.join(repo, f)));
    expect(await changedFiles(repo, 'HEAD~1')).toEqual(await changedFiles(repo, baseSha));
    // against HEAD only the uncommitted ones
    expect(await changedFiles(repo, 'HEAD')).toEqual(['b.ts', 'untracked.ts'].map((f) => path.join(repo, f)));
  });

  it('supports `BASE...` as the merge base with HEAD', async () => {
    const repo = newRepo({ 'a.ts': 'a\n', 'b.ts': 'b\n' });
    git(repo, 'checkout', '-qb', 'feature');
    write(repo, 'a.ts', 'a-feature\n');
    commitAll(repo, 'feature');
    git(repo, 'checkout', '-q', 'main');
    write(repo, 'b.ts', 'b-main\n');
    commitAll(repo, 'main moves on');
    git(repo, 'checkout', '-q', 'feature');

    // plain `main` also shows b.ts (main changed it since), `main...` only what the branch did
    expect(await changedFiles(repo, 'main')).toEqual(['a.ts', 'b.ts'].map((f) => path.join(repo, f)));
    expect(await changedFiles(repo, 'main...')).toEqual([path.join(repo, 'a.ts')]);
  });

  it('throws a clear error for a base that is not a commit', async () => {
    const repo = newRepo({ 'a.ts': 'a\n' });
    await expect(changedFiles(repo, 'no-such-branch')).rejects.toThrow(/base "no-such-branch" is not a commit/);
    await expect(changedFiles(repo, '--output=x')).rejects.toThrow(/invalid base/);
    const empty = newRepo();
    write(empty, 'a.ts', 'a\n');
    await expect(changedFiles(empty, 'HEAD')).rejects.toThrow(/is not a commit/);
  });
});

describe('changedLines', () => {
  it('marks edited and inserted lines (0-based, merged, sorted)', async () => {
    const original = lines(40);
    const repo = newRepo({ 'a.ts': original });
    let text = replaceLine(original, 4, 'edited 5');
    text = replaceLine(text, 5, 'edited 6');
    text = replaceLine(text, 30, 'edited 31');
    write(repo, 'a.ts', text);
    expect(await changedLines(repo, path.join(repo, 'a.ts'))).toEqual([
      { start: 4, end: 6 },
      { start: 30, end: 31 },
    ]);

    // insert two lines after line 10 (they become lines 10 and 11, 0-based)
    const parts = original.split('\n');
    parts.splice(10, 0, 'new a', 'new b');
    write(repo, 'a.ts', parts.join('\n'));
    expect(await changedLines(repo, 'a.ts')).toEqual([{ start: 10, end: 12 }]);
  });

  it('marks the lines around a pure deletion, clamped at the top', async () => {
    const original = lines(20);
    const repo = newRepo({ 'a.ts': original, 'b.ts': original });
    const parts = original.split('\n');
    parts.splice(10, 3); // delete lines 11-13 (1-based): now line 10 (1-based) is followed by old line 14
    write(repo, 'a.ts', parts.join('\n'));
    expect(await changedLines(repo, 'a.ts')).toEqual([{ start: 9, end: 11 }]);

    write(repo, 'b.ts', original.split('\n').slice(2).join('\n')); // delete the first two lines
    expect(await changedLines(repo, 'b.ts')).toEqual([{ start: 0, end: 1 }]);
  });

  it('merges adjacent and overlapping hunks', async () => {
    const original = lines(20);
    const repo = newRepo({ 'a.ts': original });
    const parts = original.split('\n');
    parts[3] = 'edit';
    parts.splice(5, 1); // deletion right after: marks 3..5
    write(repo, 'a.ts', parts.join('\n'));
    expect(await changedLines(repo, 'a.ts')).toEqual([{ start: 3, end: 6 }]);
  });

  it('returns [] for an unchanged file and "all" for untracked or newly added files', async () => {
    const repo = newRepo({ 'a.ts': 'a\n' });
    write(repo, 'untracked file é.ts', 'u\n');
    write(repo, 'staged.ts', 's\n');
    git(repo, 'add', 'staged.ts');
    write(repo, 'ignored.ts', 'i\n');
    write(repo, '.gitignore', 'ignored.ts\n');
    expect(await changedLines(repo, 'a.ts')).toEqual([]);
    expect(await changedLines(repo, 'untracked file é.ts')).toBe('all');
    expect(await changedLines(repo, 'staged.ts')).toBe('all');
    expect(await changedLines(repo, 'ignored.ts')).toBe('all');
  });

  it('handles CRLF files', async () => {
    const original = lines(10).replace(/\n/g, '\r\n');
    const repo = newRepo({ 'win.ts': original });
    write(repo, 'win.ts', original.replace('line 7\r\n', 'line seven\r\n'));
    expect(await changedLines(repo, 'win.ts')).toEqual([{ start: 6, end: 7 }]);
  });

  it('is not fooled by content that looks like diff headers', async () => {
    const original = lines(10);
    const repo = newRepo({ 'a.md': original });
    const parts = original.split('\n');
    parts.splice(2, 0, '++ b/fake', '@@ -1,1 +100,5 @@', 'diff --git a/x b/x');
    write(repo, 'a.md', parts.join('\n'));
    expect(await changedLines(repo, 'a.md')).toEqual([{ start: 2, end: 5 }]);
  });

  it('compares a renamed file with its old path', async () => {
    const original = lines(30);
    const repo = newRepo({ 'old.ts': original });
    git(repo, 'mv', 'old.ts', 'new name.ts');
    write(repo, 'new name.ts', replaceLine(original, 20, 'changed'));
    expect(await changedLines(repo, 'new name.ts')).toEqual([{ start: 20, end: 21 }]);
    expect(await changedFiles(repo)).toEqual([path.join(repo, 'new name.ts')]);
  });

  it('uses the base when given (committed changes count)', async () => {
    const original = lines(30);
    const repo = newRepo({ 'a.ts': original });
    const baseSha = git(repo, 'rev-parse', 'HEAD').trim();
    write(repo, 'a.ts', replaceLine(original, 2, 'committed'));
    commitAll(repo);
    write(repo, 'a.ts', replaceLine(replaceLine(original, 2, 'committed'), 25, 'uncommitted'));
    write(repo, 'added.ts', 'x\n');
    commitAll(repo);
    write(repo, 'a.ts', replaceLine(replaceLine(original, 2, 'committed'), 25, 'uncommitted'));

    expect(await changedLines(repo, 'a.ts', baseSha)).toEqual([
      { start: 2, end: 3 },
      { start: 25, end: 26 },
    ]);
    expect(await changedLines(repo, 'a.ts', 'HEAD~1')).toEqual([{ start: 25, end: 26 }]);
    expect(await changedLines(repo, 'a.ts')).toEqual([]);
    expect(await changedLines(repo, 'added.ts', baseSha)).toBe('all');
    expect(await changedLines(repo, 'added.ts')).toEqual([]);
  });

  it('returns "all" in a repository without commits, [] for a deleted file, throws outside the repository', async () => {
    const empty = newRepo();
    write(empty, 'a.ts', 'a\n');
    expect(await changedLines(empty, 'a.ts')).toBe('all');

    const repo = newRepo({ 'gone.ts': 'g\n' });
    fs.rmSync(path.join(repo, 'gone.ts'));
    expect(await changedLines(repo, 'gone.ts')).toEqual([]);

    const outside = path.join(scratch('plain'), 'x.ts');
    fs.writeFileSync(outside, 'x\n');
    await expect(changedLines(repo, outside)).rejects.toThrow(/outside the git work tree/);
  });

  it('handles names with glob characters, spaces and a leading dash', async () => {
    const original = lines(5);
    const repo = newRepo({ '[id] *.ts': original, '-dash.ts': original, 'i.ts': original });
    write(repo, '[id] *.ts', replaceLine(original, 1, 'x'));
    write(repo, '-dash.ts', replaceLine(original, 2, 'x'));
    expect(await changedLines(repo, '[id] *.ts')).toEqual([{ start: 1, end: 2 }]);
    expect(await changedLines(repo, '-dash.ts')).toEqual([{ start: 2, end: 3 }]);
    expect(await changedFiles(repo)).toEqual([path.join(repo, '-dash.ts'), path.join(repo, '[id] *.ts')]);
  });
});

describe('parsers', () => {
  it('hunkRange reads the new side', () => {
    expect(hunkRange('@@ -3,2 +3,2 @@ function x() {')).toEqual({ start: 2, end: 4 });
    expect(hunkRange('@@ -3 +3 @@')).toEqual({ start: 2, end: 3 });
    expect(hunkRange('@@ -0,0 +1,4 @@')).toEqual({ start: 0, end: 4 });
    expect(hunkRange('@@ -5,2 +4,0 @@')).toEqual({ start: 3, end: 5 });
    expect(hunkRange('@@ -1,2 +0,0 @@')).toEqual({ start: 0, end: 1 });
    expect(hunkRange('@@@ -1,2 -1,2 +1,3 @@@')).toEqual({ start: 0, end: 3 });
    expect(hunkRange('not a hunk')).toBeUndefined();
  });

  it('mergeRanges sorts and merges overlapping and adjacent ranges', () => {
    expect(
      mergeRanges([
        { start: 10, end: 12 },
        { start: 0, end: 1 },
        { start: 12, end: 13 },
        { start: 11, end: 11 },
        { start: 1, end: 3 },
        { start: 20, end: 21 },
      ]),
    ).toEqual([
      { start: 0, end: 3 },
      { start: 10, end: 13 },
      { start: 20, end: 21 },
    ]);
  });

  it('parseNumstatZ keeps new paths of renames and drops binaries', () => {
    expect(parseNumstatZ('1\t2\ta b.ts\0-\t-\timg.png\x003\t0\t\0old.ts\0new\tname.ts\0')).toEqual(['a b.ts', 'new\tname.ts']);
  });
});
