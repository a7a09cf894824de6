/**
 * `codex.showLastRequest`: the last request sent for a file, exactly as it left the machine.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileUri, position, type LspTestClient, type SpawnOptions } from '../support/lsp-client';
import { useSession } from '../support/session';

const DEFAULTS = { hover: { delayMs: 0 }, diagnostics: { enabled: false } };
const session = useSession(DEFAULTS);
const start = (opts: SpawnOptions = {}): Promise<LspTestClient> => session.start({ ...opts, settings: { ...DEFAULTS, ...opts.settings } });

const KEY = 'AKIAZ7QWERTYUIOPASDF';
const TEXT = `const accessKeyId = '${KEY}';\nexport function region(): string {\n  return 'eu-west-1';\n}\n`;
const URI = fileUri('/work/project/src/aws.ts');
const OTHER = fileUri('/work/project/src/other.ts');

interface Result {
  text: string | null;
  shown?: string;
}

describe('codex.showLastRequest', () => {
  it('returns the last request for the file: endpoint, size, cost and the exact body, with the secret masked', async () => {
    const c = await start();
    expect(c.initializeResult?.capabilities.executeCommandProvider?.commands).toContain('codex.showLastRequest');
    await c.open(URI, TEXT, 'typescript');
    await c.open(OTHER, 'export const other = 1;\n', 'typescript');
    const none = await c.request<Result>('workspace/executeCommand', { command: 'codex.showLastRequest', arguments: [URI] });
    expect(none.text).toBeNull();
    await c.waitForMessage(/No request has been sent to the model for aws\.ts yet/);
    await c.hover(URI, position(TEXT, 'region'));
    await c.hover(OTHER, position('export const other = 1;\n', 'other'));
    const r = await c.request<Result>('workspace/executeCommand', { command: 'codex.showLastRequest', arguments: [URI] });
    expect(r.text).toMatch(
      /^codex-lsp: the last request sent for aws\.ts, \d{4}-\d\d-\d\dT[\d:.]+Z \(answered\)\nPOST http:\/\/127\.0\.0\.1:\d+\/v1\/responses {2}\(model codex-mini, hover; /,
    );
    const body = JSON.parse(r.text!.slice(r.text!.indexOf('\n{'))) as { input: string; model: string };
    // Exactly what the endpoint received.
    expect(body).toEqual(session.fake.requests[0]!.body);
    expect(r.text).not.toContain(KEY);
    // Without a file: the last request of all.
    const last = await c.request<Result>('workspace/executeCommand', { command: 'codex.showLastRequest' });
    expect(last.text).toContain('the last request sent for other.ts');
  });

  it('opens it as a read-only document where the client can show documents', async () => {
    const c = await start({ capabilities: { window: { showDocument: { support: true } } } });
    await c.open(URI, TEXT, 'typescript');
    await c.hover(URI, position(TEXT, 'region'));
    const r = await c.request<Result>('workspace/executeCommand', { command: 'codex.showLastRequest', arguments: [URI] });
    // A read-only file in the server's cache folder, opened in the client.
    expect(r.shown).toBe(fileUri(path.join(c.cacheDir, 'requests', 'last-request.json.txt')));
    expect(c.shownDocuments.map((d) => d.uri)).toEqual([r.shown]);
    const file = fileURLToPath(r.shown!);
    expect(readFileSync(file, 'utf8')).toBe(`${r.text}\n`);
    expect(statSync(file).mode & 0o222).toBe(0);
  });
});
