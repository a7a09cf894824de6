/**
 * clients/helix/languages.toml parses (Python 3.11+'s tomllib, so no TOML dependency; skipped
 * without it), starts the right command, and its `config` is what the server reads: Helix sends
 * it as initializationOptions, and answers workspace/configuration for section "codex" with
 * `config.codex` (nothing), so the flat keys must be valid server settings on their own.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../server/config/settings';
import { fileUri, position } from '../support/lsp-client';
import { REPO_ROOT } from '../support/paths';
import { useSession } from '../support/session';

const FILE = path.join(REPO_ROOT, 'clients', 'helix', 'languages.toml');

function parseToml(file: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const probe = spawnSync('python3', ['-c', 'import tomllib'], { encoding: 'utf8' });
  if (probe.error) return { ok: false, reason: `no python3 (${probe.error.message})` };
  if (probe.status !== 0) return { ok: false, reason: `python3 has no tomllib (Python 3.11+): ${probe.stderr.trim().split('\n').pop() ?? ''}` };
  const res = spawnSync('python3', ['-c', 'import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], "rb"))))', file], {
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`languages.toml does not parse:\n${res.stderr}`);
  return { ok: true, value: JSON.parse(res.stdout) as unknown };
}

const parsed = parseToml(FILE);
if (!parsed.ok) process.stderr.write(`helix-languages.test.ts: skipped, ${parsed.reason}\n`);

interface HelixLanguages {
  'language-server': Record<string, { command: string; args?: string[]; config?: Record<string, unknown> }>;
  language: Array<{ name: string; 'language-servers': Array<string | { name: string; 'only-features'?: string[]; 'except-features'?: string[] }> }>;
}
const toml = (parsed.ok ? parsed.value : {}) as HelixLanguages;

describe.skipIf(!parsed.ok)('Helix languages.toml', () => {
  const session = useSession({});

  it('starts `codex-lsp --stdio`, the command the package installs', () => {
    const server = toml['language-server'].codex;
    expect(server?.command).toBe('codex-lsp');
    expect(server?.args).toEqual(['--stdio']);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(pkg.bin)).toContain('codex-lsp');
  });

  it('has a config the server accepts as initializationOptions, keys flat (not under "codex"), the values shown the defaults', () => {
    const config = toml['language-server'].codex?.config;
    expect(Object.keys(config ?? {}).sort()).toEqual(['codeActions', 'diagnostics', 'hover', 'ignore']);
    const { problems, blocking, settings } = resolveSettings([{ source: 'initializationOptions', values: config }]);
    expect(problems).toEqual([]);
    expect(blocking).toBeUndefined();
    expect(settings.codeActions.custom.map((a) => a.title)).toEqual(['Add type annotations']);
    // The file says "the values shown are the defaults": apart from its example action, it changes nothing.
    const defaults = resolveSettings([]).settings;
    expect({ ...settings, codeActions: { ...settings.codeActions, custom: defaults.codeActions.custom } }).toEqual(defaults);
  });

  // A `language-servers` line replaces Helix's own list for the language: one that forgot a
  // default server would turn off, say, rust-analyzer for whoever copies it. Checked against
  // Helix's defaults as its own languages.toml lists them (the fixture names the release).
  it("adds codex last beside Helix's own servers for each language, and the README shows the same line", () => {
    const helix = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'helix', 'default-language-servers.json'), 'utf8')) as {
      'language-servers': Record<string, string[]>;
    };
    const servers = (l: HelixLanguages['language'][number]): string[] => l['language-servers'].map((s) => (typeof s === 'string' ? s : s.name));
    expect(toml.language.map((l) => l.name)).toEqual(Object.keys(helix['language-servers']));
    for (const l of toml.language) expect(servers(l), l.name).toEqual([...(helix['language-servers'][l.name] ?? []), 'codex']);
    // The README's Helix section shows one of these lines to copy: it must be the file's.
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Helix'), readme.indexOf('\n### ', readme.indexOf('### Helix') + 1));
    const shown = [...section.matchAll(/^name = "(\w+)"\nlanguage-servers = (\[[^\]]*\])/gm)];
    expect(shown.length).toBeGreaterThan(0);
    for (const [, name, list] of shown) {
      const inFile = toml.language.find((l) => l.name === name);
      expect(inFile && servers(inFile), `README's ${name ?? ''} line`).toEqual(JSON.parse(list ?? 'null'));
    }
  });

  it('works as Helix runs it: config as initializationOptions, an empty codex section', async () => {
    const config = toml['language-server'].codex?.config;
    const c = await session.start({ initializationOptions: config, settings: {} });
    const text = 'fn main() {\n    let total = add(2, 3);\n}\n';
    const uri = fileUri('/work/project/src/main.rs');
    await c.open(uri, text, 'rust');
    // The config turns reviews on, so the fake's default answers serve both; its hover answer names the symbol.
    expect(JSON.stringify(await c.hover(uri, position(text, 'add(')))).toContain('Explain: `add`');
    expect(c.messages.map((m) => m.message).join('\n')).not.toMatch(/setting/i);
    expect(c.logs.map((m) => m.message).join('\n')).not.toMatch(/unknown setting|must be/);
  });
});
