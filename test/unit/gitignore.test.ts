/**
 * `.gitignore` outside git (the CLI's walk, the workspace index's walk) must agree with git:
 * every verdict here is checked against `git check-ignore` in a real repository made from the
 * same tree afterwards.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findFiles } from '../../server/cli/files';
import { listFiles } from '../../server/context/workspace-index';
import { isGitignored, parseGitignore } from '../../server/privacy/gitignore';
import { createIgnoreMatcher } from '../../server/privacy/ignore';
import { useScratchGit } from '../support/scratch-git';

const sg = useScratchGit('gitignore');

/** The root `.gitignore` and the files of each case; a case's files are all under its own folder. */
const ROOT_GITIGNORE = [
  // negation
  'neg/*.log',
  '!neg/keep.log',
  // a directory pattern: folders named build at any depth, not a file named build
  'build/',
  // anchored to the root
  '/only-root.txt',
  // git: a file inside an excluded folder cannot be re-included (the privacy matcher re-includes it)
  'logs/',
  '!logs/keep.txt',
  // git: a pattern with a slash is anchored to the .gitignore's folder (the privacy matcher matches it at any depth)
  'docs/notes.txt',
  // the nested cases: a deeper .gitignore overrides this one
  'nested/*.tmp',
  'gen/',
].join('\n');

const FILES: Record<string, string> = {
  '.gitignore': `${ROOT_GITIGNORE}\n`,
  'neg/a.log': '',
  'neg/keep.log': '',
  // letter case as git on this system (core.ignorecase: off on Linux)
  'neg/SHOUT.LOG': '',
  'build/out.js': '',
  'src/build/deep.js': '',
  'other/build': '',
  'only-root.txt': '',
  'sub/only-root.txt': '',
  'logs/keep.txt': '',
  'logs/other.txt': '',
  'docs/notes.txt': '',
  'sub/docs/notes.txt': '',
  'nested/.gitignore': '!keep.tmp\n/here.txt\n!gen/\n',
  'nested/a.tmp': '',
  'nested/keep.tmp': '',
  'nested/here.txt': '',
  'nested/deeper/here.txt': '',
  'nested/gen/made.ts': '',
  'gen/made.ts': '',
};

/** What git ignores among `rels`, asked in a repository made from the tree. */
function gitCheckIgnore(dir: string, rels: readonly string[]): Set<string> {
  sg.git(dir, 'init', '-q');
  const res = spawnSync('git', ['check-ignore', '--', ...rels], { cwd: dir, encoding: 'utf8' });
  // 0: some are ignored, 1: none is; anything else is an error.
  if (res.status !== 0 && res.status !== 1) throw new Error(`git check-ignore failed: ${res.stderr}`);
  return new Set(res.stdout.split('\n').filter((l) => l !== ''));
}

describe('.gitignore outside git, as git reads it', () => {
  it('lists exactly the files git check-ignore does not ignore: negation, directory, anchored and nested patterns', async () => {
    const root = sg.scratch();
    for (const [rel, content] of Object.entries(FILES)) sg.write(root, rel, content);
    const found = (await findFiles([], { cwd: root, root, ignore: [] })).files.map((f) => path.relative(root, f).split(path.sep).join('/'));
    const indexed = await listFiles(root, 1000);

    const all = Object.keys(FILES);
    const ignoredByGit = gitCheckIgnore(root, all);
    // The cases really are what they claim, according to git itself.
    expect([...ignoredByGit].sort()).toEqual(
      [
        'build/out.js',
        'docs/notes.txt',
        'gen/made.ts',
        'logs/keep.txt',
        'logs/other.txt',
        'nested/a.tmp',
        'nested/here.txt',
        'neg/a.log',
        'only-root.txt',
        'src/build/deep.js',
      ].sort(),
    );
    expect(found).toEqual(all.filter((f) => !ignoredByGit.has(f)).sort());
    // The workspace index reads only the root .gitignore (the nested one is not its business).
    const rootOnly = all.filter((f) => !f.startsWith('nested/'));
    expect(indexed.filter((f) => !f.startsWith('nested/')).sort()).toEqual(rootOnly.filter((f) => !ignoredByGit.has(f)).sort());
  });

  it('differs from the privacy matcher where git does: re-including inside an excluded folder, slashes anchored to the folder', () => {
    const root = sg.scratch();
    const rels = ['logs/keep.txt', 'sub/docs/notes.txt'];
    for (const rel of rels) sg.write(root, rel);
    sg.write(root, '.gitignore', `${ROOT_GITIGNORE}\n`);
    const ignoredByGit = gitCheckIgnore(root, rels);
    const privacy = createIgnoreMatcher(ROOT_GITIGNORE.split('\n'), [root]);
    const gitignore = [parseGitignore(root, ROOT_GITIGNORE)];
    for (const rel of rels) {
      const abs = path.join(root, rel);
      // Each case is one where the privacy matcher would be wrong about git.
      expect(privacy.ignores(abs)).not.toBe(ignoredByGit.has(rel));
      expect(isGitignored(gitignore, abs, false)).toBe(ignoredByGit.has(rel));
    }
  });

  it('takes the deepest .gitignore with an opinion, and a folder re-included below one excluded above', () => {
    const root = '/r';
    const files = [parseGitignore(root, 'gen/\n*.tmp\n'), parseGitignore('/r/sub', '!gen/\n!keep.tmp\n')];
    expect(isGitignored(files, '/r/gen', true)).toBe(true);
    expect(isGitignored(files, '/r/gen/a.ts', false)).toBe(true);
    expect(isGitignored(files, '/r/sub/gen', true)).toBe(false);
    expect(isGitignored(files, '/r/sub/gen/a.ts', false)).toBe(false);
    expect(isGitignored(files, '/r/sub/keep.tmp', false)).toBe(false);
    expect(isGitignored(files, '/r/sub/other.tmp', false)).toBe(true);
    // Outside a .gitignore's folder it has no say.
    expect(isGitignored(files, '/elsewhere/gen/a.ts', false)).toBe(false);
  });
});
