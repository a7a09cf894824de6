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

  it('has a config the server accepts as initializationOptions, keys flat (not under "codex")', () => {
    const config = toml['language-server'].codex?.config;
    expect(config).toBeDefined();
    expect(config).not.toHaveProperty('codex');
    const { problems, blocking, settings } = resolveSettings([{ source: 'initializationOptions', values: config }]);
    expect(problems).toEqual([]);
    expect(blocking).toBeUndefined();
    expect(settings.codeActions.custom.map((a) => a.title)).toEqual(['Add type annotations']);
  });

  it('adds codex beside the own servers of rust, typescript and python', () => {
    const byName = new Map(toml.language.map((l) => [l.name, l['language-servers'].map((s) => (typeof s === 'string' ? s : s.name))]));
    expect(byName.get('rust')).toEqual(['rust-analyzer', 'codex']);
    expect(byName.get('typescript')).toEqual(['typescript-language-server', 'codex']);
    expect(byName.get('python')).toEqual(['ty', 'ruff', 'jedi', 'pylsp', 'codex']);
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
