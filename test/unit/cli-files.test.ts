import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useScratchGit } from '../support/scratch-git';
import { findFiles, isGlobPattern, isProbablyText, type FindFilesOptions } from '../../server/cli/files';

const sg = useScratchGit('files');
const { git, write } = sg;
const scratch = (name = 'tree'): string => sg.scratch(name);

function tree(files: Record<string, string | Buffer>): string {
  const dir = scratch();
  for (const [rel, content] of Object.entries(files)) write(dir, rel, content);
  return dir;
}

function repo(files: Record<string, string | Buffer>, commit = true): string {
  const dir = tree(files);
  git(dir, 'init', '-q');
  if (commit) {
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'x');
  }
  return dir;
}

function opts(root: string, extra: Partial<FindFilesOptions> = {}): FindFilesOptions {
  return { cwd: root, root, ignore: [], ...extra };
}

/** Relative, posix paths for readable expectations. */
const rel = (root: string, files: string[]): string[] => files.map((f) => path.relative(root, f).split(path.sep).join('/'));

const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01]);

describe('findFiles in a git repository', () => {
  it('walks a directory with git semantics: nested .gitignore, info/exclude, excludesFile, untracked files', async () => {
    const root = repo({
      'src/a.ts': '',
      'src/gen/skip.ts': '',
      'src/gen/keep.ts': '',
      'src/.gitignore': 'gen/*\n!gen/keep.ts\n',
      '.gitignore': 'dist/\n*.log\n',
      'dist/out.js': '',
      'README.md': '',
    });
    // untracked, not ignored
    write(root, 'src/new file ü.ts');
    // ignored untracked
    write(root, 'debug.log');
    write(root, 'local-only.ts');
    fs.appendFileSync(path.join(root, '.git', 'info', 'exclude'), 'local-only.ts\n');
    const excludes = path.join(scratch('cfg'), 'excludes');
    fs.writeFileSync(excludes, '*.swp\n');
    git(root, 'config', 'core.excludesFile', excludes);
    write(root, 'src/a.ts.swp');
    // a tracked file that matches a .gitignore pattern is still listed (git semantics)
    write(root, 'tracked.log');
    git(root, 'add', '-f', 'tracked.log');

    const set = await findFiles([], opts(root));
    expect(rel(root, set.files)).toEqual(['.gitignore', 'README.md', 'src/.gitignore', 'src/a.ts', 'src/gen/keep.ts', 'src/new file ü.ts', 'tracked.log']);
    expect(set.missing).toEqual([]);
    expect(set.ignored).toEqual([]);
  });

  it('applies the built-in and user ignore globs, skips binaries and untracked node_modules', async () => {
    const root = repo({
      'src/a.ts': '',
      'src/a.gen.ts': '',
      '.env': 'SECRET=1\n',
      '.env.example': 'SECRET=\n',
      'certs/server.pem': '',
      'fixtures/big.json': '{}',
      'logo.png': BINARY,
    });
    write(root, 'node_modules/pkg/index.js'); // not gitignored, not tracked
    const set = await findFiles(['.'], opts(root, { ignore: ['*.gen.ts', 'fixtures/'] }));
    expect(rel(root, set.files)).toEqual(['.env.example', 'src/a.ts']);
    expect(set.ignored).toEqual([]);
    expect(set.binary).toEqual([]);
  });

  it('includes an explicitly named gitignored file, but reports files matching ignore globs as ignored', async () => {
    const root = repo({ '.gitignore': 'build/\nlocal.ts\n', 'src/a.ts': '' });
    write(root, 'build/bundle.js');
    write(root, 'local.ts');
    write(root, '.env');
    write(root, 'src/skip.gen.ts');
    write(root, 'logo.png', BINARY);
    const set = await findFiles(['build/bundle.js', 'local.ts', '.env', 'src/skip.gen.ts', 'logo.png', 'src/a.ts'], opts(root, { ignore: ['*.gen.ts'] }));
    expect(rel(root, set.files)).toEqual(['build/bundle.js', 'local.ts', 'src/a.ts']);
    expect(rel(root, set.ignored)).toEqual(['.env', 'src/skip.gen.ts']);
    expect(rel(root, set.binary)).toEqual(['logo.png']);
    expect(set.missing).toEqual([]);
  });

  it('walks a directory git ignores as a whole when it is named', async () => {
    const root = repo({ '.gitignore': 'dist/\n', 'src/a.ts': '' });
    write(root, 'dist/a.js');
    write(root, 'dist/sub/b.js');
    write(root, 'dist/.env');
    write(root, 'dist/.gitignore', '*.map\n');
    write(root, 'dist/a.js.map');
    const set = await findFiles(['dist'], opts(root));
    expect(rel(root, set.files)).toEqual(['dist/.gitignore', 'dist/a.js', 'dist/sub/b.js']);
    // but the walk of the whole tree leaves it out
    expect(rel(root, (await findFiles([], opts(root))).files)).toEqual(['.gitignore', 'src/a.ts']);
  });

  it('expands globs relative to cwd, honouring .gitignore and the ignore globs', async () => {
    const root = repo({
      '.gitignore': 'out/\n',
      'a.py': '',
      'b.py': '',
      'c.py': '',
      'src/x.ts': '',
      'src/deep/y.ts': '',
      'src/deep/y.js': '',
      'src/.hidden/z.ts': '',
      'src/skip.gen.ts': '',
      'lib/w.ts': '',
      'top.ts': '',
    });
    write(root, 'out/gen.ts');
    const o = opts(root, { ignore: ['*.gen.ts'] });
    expect(rel(root, (await findFiles(['**/*.ts'], o)).files)).toEqual(['lib/w.ts', 'src/.hidden/z.ts', 'src/deep/y.ts', 'src/x.ts', 'top.ts']);
    expect(rel(root, (await findFiles(['{a,b}.py'], o)).files)).toEqual(['a.py', 'b.py']);
    expect(rel(root, (await findFiles(['src/**/*.ts'], o)).files)).toEqual(['src/.hidden/z.ts', 'src/deep/y.ts', 'src/x.ts']);
    expect(rel(root, (await findFiles(['./src/*.ts'], o)).files)).toEqual(['src/x.ts']);
    expect(rel(root, (await findFiles(['*.ts'], o)).files)).toEqual(['top.ts']);
    // relative to a cwd below the root
    const sub = await findFiles(['*.ts', '../lib/*.ts'], { ...o, cwd: path.join(root, 'src') });
    expect(rel(root, sub.files)).toEqual(['lib/w.ts', 'src/x.ts']);

    const none = await findFiles(['**/*.rs', 'nope/*.ts', 'src/*.gen.ts'], o);
    expect(none.files).toEqual([]);
    expect(none.missing).toEqual(['**/*.rs', 'nope/*.ts', 'src/*.gen.ts']);
    // a glob whose static base is a directory git ignores names that directory: it is walked
    expect(rel(root, (await findFiles(['out/*.ts'], o)).files)).toEqual(['out/gen.ts']);
  });

  it('treats an existing path with glob characters as a path', async () => {
    const root = repo({ 'app/[id]/page.tsx': '', 'app/i/page.tsx': '', 'what?.ts': '' });
    const set = await findFiles(['app/[id]', 'what?.ts'], opts(root));
    expect(rel(root, set.files)).toEqual(['app/[id]/page.tsx', 'what?.ts']);
  });

  it('handles spaces and unicode in names', async () => {
    const root = repo({ 'my dir/naïve café.ts': '', 'my dir/日本語.ts': '', 'sp ace.ts': '' });
    write(root, 'my dir/untracked ü.ts');
    const all = await findFiles(['my dir', 'sp ace.ts'], opts(root));
    expect(rel(root, all.files)).toEqual(['my dir/naïve café.ts', 'my dir/untracked ü.ts', 'my dir/日本語.ts', 'sp ace.ts']);
    const globbed = await findFiles(['my dir/*.ts'], opts(root));
    expect(globbed.files).toHaveLength(3);
  });

  it('does not follow symlinked directories (loops), skips broken links, keeps links to files', async () => {
    const root = repo({ 'src/a.ts': '' });
    fs.symlinkSync('..', path.join(root, 'src', 'loop'), 'dir');
    fs.symlinkSync('a.ts', path.join(root, 'src', 'link.ts'));
    fs.symlinkSync('missing.ts', path.join(root, 'src', 'broken.ts'));
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'links');
    fs.symlinkSync('../src', path.join(root, 'src', 'untracked-loop'), 'dir');
    const set = await findFiles([], opts(root));
    expect(rel(root, set.files)).toEqual(['src/a.ts', 'src/link.ts']);
  });

  it('works in a repository without commits and skips tracked files deleted from disk', async () => {
    const root = repo({ 'a.ts': '', 'b.ts': '' }, false);
    git(root, 'add', 'a.ts');
    expect(rel(root, (await findFiles([], opts(root))).files)).toEqual(['a.ts', 'b.ts']);

    const committed = repo({ 'a.ts': '', 'gone.ts': '' });
    fs.rmSync(path.join(committed, 'gone.ts'));
    expect(rel(committed, (await findFiles([], opts(committed))).files)).toEqual(['a.ts']);
  });
});

describe('findFiles outside git', () => {
  it('walks the tree, skipping .git, node_modules and dot-directories, applying .gitignore files', async () => {
    const root = tree({
      '.gitignore': 'build/\n*.tmp\n/only-root.ts\n',
      'src/a.ts': '',
      'src/b.tmp': '',
      'src/only-root.ts': '',
      'only-root.ts': '',
      'src/nested/.gitignore': 'secret-*.ts\n',
      'src/nested/secret-1.ts': '',
      'src/nested/ok.ts': '',
      'build/out.js': '',
      'node_modules/pkg/index.js': '',
      '.cache/x.ts': '',
      '.git/config': '',
      '.eslintrc.js': '',
      '.env': '',
      'logo.png': BINARY,
    });
    const set = await findFiles([], opts(root));
    expect(rel(root, set.files)).toEqual(['.eslintrc.js', '.gitignore', 'src/a.ts', 'src/nested/.gitignore', 'src/nested/ok.ts', 'src/only-root.ts']);
  });

  it('applies the root .gitignore to a subdirectory walk and walks a named ignored directory', async () => {
    const root = tree({ '.gitignore': '*.tmp\nbuild/\n', 'src/a.ts': '', 'src/b.tmp': '', 'build/c.js': '', 'build/d.tmp': '' });
    expect(rel(root, (await findFiles(['src'], opts(root))).files)).toEqual(['src/a.ts']);
    expect(rel(root, (await findFiles(['build'], opts(root))).files)).toEqual(['build/c.js', 'build/d.tmp']);
    // a named dot-directory is walked
    write(root, '.github/workflows/ci.yml');
    expect(rel(root, (await findFiles(['.github'], opts(root))).files)).toEqual(['.github/workflows/ci.yml']);
  });

  it('prunes directories excluded by the ignore globs and expands globs', async () => {
    const root = tree({ 'vendor/x.ts': '', 'src/a.ts': '', 'src/b.py': '', 'a.py': '', 'b.py': '', 'c.py': '' });
    const o = opts(root, { ignore: ['vendor/'] });
    expect(rel(root, (await findFiles([], o)).files)).toEqual(['a.py', 'b.py', 'c.py', 'src/a.ts', 'src/b.py']);
    expect(rel(root, (await findFiles(['**/*.ts'], o)).files)).toEqual(['src/a.ts']);
    expect(rel(root, (await findFiles(['{a,b}.py'], o)).files)).toEqual(['a.py', 'b.py']);
  });

  it('survives symlink loops and broken links; handles spaces and unicode', async () => {
    const root = tree({ 'a b/ç.ts': '', 'a b/x.ts': '' });
    fs.symlinkSync('..', path.join(root, 'a b', 'loop'), 'dir');
    fs.symlinkSync(root, path.join(root, 'self'), 'dir');
    fs.symlinkSync('nowhere.ts', path.join(root, 'broken.ts'));
    fs.symlinkSync('a b/x.ts', path.join(root, 'link.ts'));
    const set = await findFiles([], opts(root));
    expect(rel(root, set.files)).toEqual(['a b/x.ts', 'a b/ç.ts', 'link.ts']);
    expect(rel(root, (await findFiles(['**/*.ts'], opts(root))).files)).toEqual(['a b/x.ts', 'a b/ç.ts', 'link.ts']);
  });

  it('falls back to walking when git is absent', async () => {
    const root = repo({ '.gitignore': 'ignored.ts\n', 'a.ts': '' });
    write(root, 'ignored.ts');
    const set = await findFiles([], opts(root, { gitBinary: path.join(sg.base, 'no-such-git') }));
    expect(rel(root, set.files)).toEqual(['.gitignore', 'a.ts']);

    const oldPath = process.env.PATH;
    process.env.PATH = scratch('empty-bin');
    try {
      expect(rel(root, (await findFiles([], opts(root))).files)).toEqual(['.gitignore', 'a.ts']);
    } finally {
      process.env.PATH = oldPath;
    }
  });
});

describe('findFiles arguments', () => {
  it('reports nonexistent paths, empty directories and directories with nothing reviewable as missing', async () => {
    const root = tree({ 'a.ts': '', 'bin/x.png': BINARY, 'secrets/.env': '' });
    fs.mkdirSync(path.join(root, 'empty'));
    const set = await findFiles(['a.ts', 'nope.ts', 'empty', 'bin', 'secrets', 'a.ts'], opts(root));
    expect(rel(root, set.files)).toEqual(['a.ts']);
    expect(set.missing).toEqual(['nope.ts', 'empty', 'bin', 'secrets']);
  });

  it('resolves relative arguments against cwd and accepts absolute ones; results are unique and sorted', async () => {
    const root = tree({ 'src/b.ts': '', 'src/a.ts': '', 'lib/c.ts': '' });
    const set = await findFiles(['b.ts', '.', path.join(root, 'lib', 'c.ts'), 'a.ts'], {
      cwd: path.join(root, 'src'),
      root,
      ignore: [],
    });
    expect(set.files).toEqual([path.join(root, 'lib/c.ts'), path.join(root, 'src/a.ts'), path.join(root, 'src/b.ts')]);
  });
});

describe('helpers', () => {
  it('isProbablyText looks for a NUL byte in the first 8000 bytes', async () => {
    const root = tree({
      'text.ts': 'const a = 1;\n',
      'bin.dat': BINARY,
      'late-nul.txt': Buffer.concat([Buffer.alloc(9000, 0x61), Buffer.from([0])]),
      'empty.txt': '',
    });
    expect(await isProbablyText(path.join(root, 'text.ts'))).toBe(true);
    expect(await isProbablyText(path.join(root, 'bin.dat'))).toBe(false);
    expect(await isProbablyText(path.join(root, 'late-nul.txt'))).toBe(true);
    expect(await isProbablyText(path.join(root, 'empty.txt'))).toBe(true);
    // unreadable: the caller reports the read error
    expect(await isProbablyText(path.join(root, 'missing.txt'))).toBe(true);
  });

  it('isGlobPattern', () => {
    expect(isGlobPattern('src/**/*.ts')).toBe(true);
    expect(isGlobPattern('{a,b}.py')).toBe(true);
    expect(isGlobPattern('file?.ts')).toBe(true);
    expect(isGlobPattern('[ab].ts')).toBe(true);
    expect(isGlobPattern('src/a.ts')).toBe(false);
  });
});
