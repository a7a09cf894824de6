/**
 * `codex-lsp review --show-prompts`: what a review would send, exactly, and nothing sent.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, useReviewer } from '../support/cli-run';
import { useFake } from '../support/session';

const session = useFake();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const KEY = 'AKIAZ7QWERTYUIOPASDF';
function project(): string {
  const holder = mkdtempSync(path.join(tmpdir(), 'codex-show-'));
  dirs.push(holder);
  const root = path.join(holder, 'repo');
  const files: Record<string, string> = {
    '.env': 'API_TOKEN=abcdefghijklmnopqrstuvwxyz012345\n',
    '.codex-lsp.json': JSON.stringify({ ignore: ['generated/**'] }),
    'src/aws.ts': `export const accessKeyId = '${KEY}';\nexport function region(): string {\n  return 'eu-west-1';\n}\n`,
    'generated/big.ts': 'export const generated = 1;\n',
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe('codex-lsp review --show-prompts', () => {
  it('prints each request exactly, with the key masked and ignored files absent, and calls no model, even without a key', async () => {
    const root = project();
    const r = await runCli(session.fake, ['--show-prompts', '.'], root, { env: { CODEX_LSP_API_KEY: undefined } });
    expect(r.code).toBe(0);
    expect(session.fake.requests).toHaveLength(0);
    expect(r.stdout).toContain('── src/aws.ts lines 1-5: would be sent');
    expect(r.stdout).toMatch(
      /POST http:\/\/127\.0\.0\.1:\d+\/v1\/responses {2}\(model codex-mini, review; [\d.]+ KB, about [\d,]+ tokens in, about \$0\.\d+ for the input, at most \$0\.\d+ for the answer\)/,
    );
    expect(r.stdout).toContain('"instructions": "You are codex-lsp, reviewing code');
    expect(r.stdout).not.toContain(KEY);
    expect(r.stdout).not.toMatch(/abcdefghijklmnop|generated/);
    expect(r.stdout).toMatch(/1 request; would send 1: [\d.]+ KB, about [\d,]+ tokens in, about \$0\.\d+ before the answers\. No model was called\.\n$/);
  });

  it('--format json gives the same as data, and says which requests the cache would answer', async () => {
    useReviewer(session.fake);
    const root = project();
    const cache = path.join(root, '..', 'cache');
    await runCli(session.fake, ['src'], root, { cacheDir: cache });
    expect(session.fake.requests).toHaveLength(1);
    writeFileSync(path.join(root, 'src/more.ts'), 'export const more = (n: number): number => n + 1;\n');
    const r = await runCli(session.fake, ['--show-prompts', '--format', 'json', 'src'], root, { cacheDir: cache });
    expect(r.code).toBe(0);
    expect(session.fake.requests).toHaveLength(1);
    const out = JSON.parse(r.stdout) as {
      requests: Array<{ path: string; cached: boolean; bytes: number; body: { input: string } }>;
      total: { requests: number; cached: number; bytes: number };
    };
    expect(out.requests.map((q) => [q.path, q.cached])).toEqual([
      ['src/aws.ts', true],
      ['src/more.ts', false],
    ]);
    expect(out.requests[1]!.body.input).toContain('export const more');
    expect(out.total).toMatchObject({ requests: 2, cached: 1, bytes: out.requests[1]!.bytes });
  });

  it('goes with neither --fix nor SARIF', async () => {
    const root = project();
    expect((await runCli(session.fake, ['--show-prompts', '--fix'], root)).code).toBe(2);
    expect((await runCli(session.fake, ['--show-prompts', '--format', 'sarif'], root)).code).toBe(2);
  });
});
