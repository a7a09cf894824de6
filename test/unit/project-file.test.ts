import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findProjectFile, jsonErrorOffset, readProjectFile } from '../../server/config/project';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tree(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'proj-'));
  dirs.push(d);
  mkdirSync(path.join(d, 'a', 'b', 'c'), { recursive: true });
  return d;
}

describe('project file', () => {
  it('is found by walking up from a file or a folder', () => {
    const d = tree();
    writeFileSync(path.join(d, 'a', '.codex-lsp.json'), '{}');
    expect(findProjectFile(path.join(d, 'a', 'b', 'c'))).toBe(path.join(d, 'a', '.codex-lsp.json'));
    expect(findProjectFile(path.join(d, 'a', 'b', 'c', 'x.ts'))).toBe(path.join(d, 'a', '.codex-lsp.json'));
    expect(findProjectFile(d)).toBeUndefined();
  });

  it('takes the settings at the top level or under "codex", never the endpoint or the key', () => {
    const d = tree();
    const f = path.join(d, '.codex-lsp.json');
    writeFileSync(f, JSON.stringify({ codex: { ignore: ['x/**'], baseUrl: 'https://elsewhere/v1' } }));
    const p = readProjectFile(f);
    expect(p.values).toEqual({ ignore: ['x/**'] });
    expect(p.problems[0]).toMatch(/"baseUrl" is not taken from a project file/);
    writeFileSync(f, JSON.stringify({ ignore: ['y/**'], apiKey: 'k' }));
    const q = readProjectFile(f);
    expect(q.values).toEqual({ ignore: ['y/**'] });
    expect(q.problems[0]).toMatch(/CODEX_LSP_API_KEY/);
    // Nor what the user is told they spend, or may spend.
    writeFileSync(f, JSON.stringify({ prices: { x: { input: 0, output: 0 } }, budget: { dailyUSD: 1e5 }, model: 'm' }));
    const r = readProjectFile(f);
    expect(r.values).toEqual({ model: 'm' });
    expect(r.problems.join('\n')).toMatch(/"prices" is not taken/);
    expect(r.problems.join('\n')).toMatch(/"budget" is not taken/);
  });

  it('reports broken JSON with its line and column, and a non-object', () => {
    const d = tree();
    const f = path.join(d, '.codex-lsp.json');
    writeFileSync(f, '{\n  "ignore": [\n    "a"\n  ]\n  "model": "m"\n}');
    expect(readProjectFile(f).problems[0]).toMatch(/not valid JSON at line 5, column 3/);
    writeFileSync(f, '["a"]');
    expect(readProjectFile(f).problems[0]).toMatch(/must hold a JSON object/);
    writeFileSync(f, '');
    expect(readProjectFile(f)).toMatchObject({ values: {}, problems: [] });
  });

  it('finds the first invalid place in JSON text', () => {
    expect(jsonErrorOffset('{"a": [1, 2]}')).toBeUndefined();
    expect(jsonErrorOffset('{"a": [1, 2,]}')).toBe(12);
    expect(jsonErrorOffset('{"a": tru}')).toBe(6);
    expect(jsonErrorOffset('{"a": "x"} extra')).toBe(11);
    expect(jsonErrorOffset('{"a": "unterminated')).toBe(19);
  });
});
