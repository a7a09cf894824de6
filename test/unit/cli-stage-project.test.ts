/**
 * The project stage of `codex-lsp review` (server/cli/stages/project.ts) and the settings
 * loader it shares with doctor: real folders and repositories, no model.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useScratchGit } from '../support/scratch-git';
import { readArguments } from '../../server/cli/stages/arguments';
import { commonFolder, openProject, type Project } from '../../server/cli/stages/project';
import { EXIT, isStop, type Stop } from '../../server/cli/stages/stage';
import { configurationErrors, loadCliSettings } from '../../server/cli/load-settings';

const sg = useScratchGit('stage-project');
const { git, write } = sg;

/** An environment with nothing of the machine's: settings come from the project file alone. */
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ HOME: sg.base, CODEX_LSP_CACHE_DIR: path.join(sg.base, 'cache'), ...extra });

function tree(files: Record<string, string>, repo = false): string {
  const dir = sg.scratch();
  for (const [rel, content] of Object.entries(files)) write(dir, rel, content);
  if (repo) {
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'x');
  }
  return dir;
}

async function open(paths: string[], cwd: string, e = env()): Promise<Project> {
  const p = await openProject(paths, cwd, e);
  if (isStop(p)) throw new Error(`stopped: ${(p.stderr ?? []).join('\n')}`);
  return p;
}

async function stopped(paths: string[], cwd: string, e = env()): Promise<Stop> {
  const p = await openProject(paths, cwd, e);
  if (!isStop(p)) throw new Error('the project stage did not stop');
  return p;
}

describe('project stage: folders', () => {
  it('a package of a monorepo: its .codex-lsp.json, prompts from the top of the repository, globs from the package', async () => {
    const repo = tree(
      { 'packages/web/.codex-lsp.json': '{"ignore": ["fixtures/**"], "model": "gpt-5-mini"}', 'packages/web/src/a.ts': 'x\n', 'b.ts': 'y\n' },
      true,
    );
    const p = await open(['packages/web'], repo);
    const web = path.join(repo, 'packages', 'web');
    expect(p).toMatchObject({ cwd: repo, projectFile: path.join(web, '.codex-lsp.json'), repo, projectDir: web, top: repo, roots: [repo, web] });
    expect(p.snapshot.settings.ignore).toEqual(['fixtures/**']);
    expect(p.notes).toEqual([`codex-lsp review: model "gpt-5-mini" (from ${path.join(web, '.codex-lsp.json')})`]);
    // CODEX_LSP_MODEL wins over the file: nothing to say then.
    expect((await open(['packages/web'], repo, env({ CODEX_LSP_MODEL: 'other' }))).notes).toEqual([]);
    // Paths in two packages: the file above both (none here), the repository's defaults.
    const both = await open(['packages/web/src/a.ts', 'b.ts'], repo);
    expect(both).toMatchObject({ projectFile: undefined, projectDir: repo, top: repo, roots: [repo] });
    expect(both.snapshot.settings.ignore).toEqual([]);
  });

  it("outside git: the project file's folder, else the current folder", async () => {
    const dir = tree({ 'sub/a.ts': 'x\n' });
    expect(await open([], path.join(dir, 'sub'))).toMatchObject({
      repo: undefined,
      projectFile: undefined,
      projectDir: path.join(dir, 'sub'),
      top: path.join(dir, 'sub'),
    });
    write(dir, '.codex-lsp.json', '{}');
    expect(await open([], path.join(dir, 'sub'))).toMatchObject({ repo: undefined, projectDir: dir, top: dir, roots: [dir] });
  });

  it('commonFolder: the deepest folder holding every path; globs play no part in choosing it', async () => {
    const dir = tree({ 'a/b/c.ts': '', 'a/d.ts': '', 'ab/e.ts': '' });
    expect(commonFolder([path.join(dir, 'a/b/c.ts'), path.join(dir, 'a/d.ts')])).toBe(path.join(dir, 'a'));
    // "a" is not a prefix folder of "ab".
    expect(commonFolder([path.join(dir, 'a/d.ts'), path.join(dir, 'ab/e.ts')])).toBe(dir);
    expect(commonFolder([path.join(dir, 'a/b')])).toBe(path.join(dir, 'a/b'));
    expect(commonFolder([])).toBeUndefined();
    write(dir, 'a/.codex-lsp.json', '{"ignore": ["x"]}');
    expect((await open(['a/**/*.ts'], dir)).projectFile).toBeUndefined();
  });
});

describe('project stage: configuration problems stop the run (exit 2), each named once', () => {
  it('a project file that is not JSON: a problem the file reader finds, not the settings', async () => {
    const dir = tree({ '.codex-lsp.json': '{\n  "ignore": ["a",]\n}\n' });
    const s = await stopped([], dir);
    expect(s.stop).toBe(EXIT.usage);
    expect(s.stderr).toEqual([expect.stringMatching(/^codex-lsp review: configuration error: .*\.codex-lsp\.json: not valid JSON at line 2/)]);
  });

  it('a user-only key, a bad value and an unknown key in the file, all said', async () => {
    const dir = tree({ '.codex-lsp.json': '{"apiKey": "sk-x", "diagnostics": {"trigger": "never"}, "modle": "x"}' });
    const s = await stopped([], dir);
    const file = path.join(dir, '.codex-lsp.json');
    expect(s.stderr).toEqual([
      `codex-lsp review: configuration error: ${file}: "apiKey" is not taken from a project file: it decides where your key is sent. Set it in the environment (CODEX_LSP_API_KEY) or your editor settings.`,
      expect.stringMatching(
        new RegExp(`^codex-lsp review: configuration error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: setting "diagnostics\\.trigger" must be`),
      ),
      expect.stringMatching(/unknown setting "modle" ignored: did you mean "model"\?$/),
    ]);
  });

  it('the model a project file chose is said before its problems', async () => {
    const dir = tree({ '.codex-lsp.json': '{"model": "m1", "maxConcurrency": "many"}' });
    const s = await stopped([], dir);
    expect(s.stderr?.[0]).toMatch(/^codex-lsp review: model "m1"/);
    expect(s.stderr?.[1]).toMatch(/configuration error: .*"maxConcurrency"/);
  });

  it('an unusable base URL in the environment: the problem and what it blocks', async () => {
    const dir = tree({ 'a.ts': '' });
    const s = await stopped([], dir, env({ CODEX_LSP_BASE_URL: 'not a url' }));
    expect(s.stderr).toHaveLength(2);
    expect(s.stderr?.[0]).toMatch(/environment: setting "baseUrl" must be .*; model calls are off until it is fixed$/);
    expect(s.stderr?.[1]).toMatch(/environment: setting "baseUrl" must be .*"not a url"$/);
  });
});

describe('loadCliSettings (review and doctor)', () => {
  it('defaults < nearest .codex-lsp.json < environment, with the problems as data', () => {
    const dir = tree({ '.codex-lsp.json': '{"model": "from-file", "maxConcurrency": 2, "bogus": 1}', 'deep/er/x.ts': '' });
    const loaded = loadCliSettings(path.join(dir, 'deep', 'er'), env({ CODEX_LSP_MODEL: 'from-env' }));
    expect(loaded.projectFile).toBe(path.join(dir, '.codex-lsp.json'));
    expect(loaded.projectValues).toEqual({ model: 'from-file', maxConcurrency: 2, bogus: 1 });
    expect(loaded.snapshot.settings.model).toBe('from-env');
    expect(loaded.snapshot.settings.maxConcurrency).toBe(2);
    expect(configurationErrors(loaded.snapshot)).toEqual([expect.stringMatching(/unknown setting "bogus"/)]);
    const none = loadCliSettings(sg.scratch(), env());
    expect(none).toMatchObject({ projectFile: undefined, projectValues: undefined });
    expect(none.snapshot.problems).toEqual([]);
  });
});

describe('arguments stage', () => {
  it('--help stops with the help on stdout (exit 0); a usage error with the message and the help on stderr (exit 2)', async () => {
    const dir = sg.scratch();
    const help = await readArguments(['--help'], dir);
    expect(help).toMatchObject({ stop: EXIT.clean, stdout: expect.stringMatching(/^Usage: codex-lsp review/) });
    const bad = await readArguments(['--format', 'xml'], dir);
    expect(bad).toMatchObject({
      stop: EXIT.usage,
      stderr: ['codex-lsp review: --format must be text, json or sarif, not "xml"\n', expect.stringMatching(/^Usage:/)],
    });
    expect(await readArguments(['src', '--fail-on', 'warning'], dir)).toMatchObject({ paths: ['src'], failOn: 'warning' });
  });
});
