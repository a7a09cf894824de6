/**
 * `npm run package -w clients/vscode` (what `npm run package:vscode` runs after the build)
 * produces a .vsix that carries the server: the test lists the zip, unpacks the bundled server
 * and drives it over stdio with exactly what VS Code sends for the contributed defaults.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explicitSection, launchArgv, manifestSettings } from '../../clients/vscode/src/options';
import { fileUri, position } from '../support/lsp-client';
import { REPO_ROOT } from '../support/paths';
import { useSession } from '../support/session';
import { packageVsix } from '../support/vsix';
import { WASM_FILES } from '../../server/syntax/grammars';

const run = promisify(execFile);
const EXT_DIR = path.join(REPO_ROOT, 'clients', 'vscode');

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The central directory of a zip (a .vsix is one); enough of the format for vsce's output. */
function zipEntries(zip: Buffer): ZipEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip file');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const out: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory');
    const nameLen = zip.readUInt16LE(at + 28);
    out.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLen),
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localOffset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLen + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return out;
}

function unzipEntry(zip: Buffer, e: ZipEntry): Buffer {
  const start = e.localOffset + 30 + zip.readUInt16LE(e.localOffset + 26) + zip.readUInt16LE(e.localOffset + 28);
  const data = zip.subarray(start, start + e.compressedSize);
  if (e.method === 0) return Buffer.from(data);
  if (e.method === 8) return zlib.inflateRawSync(data);
  throw new Error(`unsupported zip method ${e.method} for ${e.name}`);
}

describe('the packaged VS Code extension', () => {
  let tmp = '';
  let zip = Buffer.alloc(0);
  let entries: ZipEntry[] = [];
  const session = useSession({});

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-vsix-'));
    const out = path.join(tmp, 'codex.vsix');
    await packageVsix(out);
    zip = fs.readFileSync(out);
    entries = zipEntries(zip);
  }, 150_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('holds the bundled extension and server, its grammars, the manifest, the docs and the licence, and nothing else', () => {
    const names = entries.map((e) => e.name).sort();
    expect(names).toEqual(
      [
        '[Content_Types].xml',
        'extension.vsixmanifest',
        'extension/LICENSE.txt',
        'extension/THIRD_PARTY_NOTICES.txt',
        'extension/dist/extension.js',
        'extension/package.json',
        'extension/readme.md',
        'extension/server/bin/codex-lsp.js',
        ...WASM_FILES.map((f) => `extension/server/grammars/${f}`),
        'extension/server/package.json',
      ].sort(),
    );
    // The grammars are most of it (about 21 MB unpacked, compressed in the zip).
    expect(zip.length).toBeLessThan(10 * 1024 * 1024);
    // The repository's LICENSE, as vsce names it, and named by the manifest the marketplace reads.
    const license = unzipEntry(zip, entries.find((e) => e.name === 'extension/LICENSE.txt')!).toString('utf8');
    expect(license).toBe(fs.readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf8'));
    expect(unzipEntry(zip, entries.find((e) => e.name === 'extension.vsixmanifest')!).toString('utf8')).toContain('<License>extension/LICENSE.txt</License>');
  });

  it('bundles vscode-languageclient into the extension, leaving only `vscode` to the editor', () => {
    const ext = unzipEntry(zip, entries.find((e) => e.name === 'extension/dist/extension.js')!).toString('utf8');
    const required = new Set([...ext.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
    expect(required.has('vscode')).toBe(true);
    expect([...required].filter((r) => !r?.startsWith('node:') && !NODE_BUILTINS.has(r!) && r !== 'vscode')).toEqual([]);
    const manifest = JSON.parse(unzipEntry(zip, entries.find((e) => e.name === 'extension/package.json')!).toString('utf8'));
    expect(manifest.main).toBe('./dist/extension.js');
  });

  it('carries a server that runs with plain node and answers as the repository server does', async () => {
    const root = path.join(tmp, 'unpacked');
    for (const e of entries.filter((x) => x.name.startsWith('extension/server/'))) {
      const file = path.join(root, e.name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, unzipEntry(zip, e));
    }
    const module = path.join(root, 'extension', 'server', 'bin', 'codex-lsp.js');
    const { stdout } = await run(process.execPath, [module, '--version'], { cwd: tmp });
    const version = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(stdout.trim()).toBe(version);

    // What the extension answers workspace/configuration with when the user set two settings:
    // the endpoint and key still come from the environment (the fake model server here).
    const manifest = JSON.parse(unzipEntry(zip, entries.find((e) => e.name === 'extension/package.json')!).toString('utf8'));
    const userSet: Record<string, unknown> = { 'hover.delayMs': 0, 'diagnostics.enabled': false };
    const settings = explicitSection(manifestSettings(manifest).keys, {
      inspect: (key) => (key in userSet ? { globalValue: userSet[key] } : {}),
      get: (key) => userSet[key] ?? manifest.contributes.configuration.properties[`codex.${key}`].default,
    });
    expect(settings).toEqual({ hover: { delayMs: 0 }, diagnostics: { enabled: false } });
    const [, ...args] = launchArgv({ module, transport: 'stdio', args: [], options: { env: {} } }, process.pid);
    const c = await session.start({ serverModule: module, args, settings });
    expect(c.initializeResult?.serverInfo).toEqual({ name: 'codex-lsp', version });
    const text = 'def area(r):\n    return 3.14159 * r * r\n';
    const uri = fileUri('/work/project/geometry.py');
    await c.open(uri, text, 'python');
    session.fake.script({ text: '`area` computes the area of a circle.' });
    expect(JSON.stringify(await c.hover(uri, position(text, 'area')))).toContain('`area` computes the area of a circle.');
    // VS Code's defaults, as the extension sends them, raise no settings problem.
    expect(c.messages.map((m) => m.message).join('\n')).not.toMatch(/setting/i);
    expect(c.logs.map((m) => m.message).join('\n')).not.toMatch(/unknown setting|must be/);
    // The grammars travel with the bundled server: syntax works in VS Code as on the command line.
    expect(c.logs.map((m) => m.message).join('\n')).not.toMatch(/grammar did not load/);
  });

  it('activates from the unpacked .vsix and serves hover, code actions and usage through vscode-languageclient', async () => {
    // The whole extension folder as VS Code installs it, loaded against a stand-in `vscode` module.
    const root = path.join(tmp, 'installed');
    for (const e of entries.filter((x) => x.name.startsWith('extension/'))) {
      const target = path.join(root, e.name);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, unzipEntry(zip, e));
    }
    const file = path.join(tmp, 'geometry.py');
    fs.writeFileSync(file, 'def area(r):\n    return 3.14159 * r * r\n');
    session.fake.script({ text: '`area` computes the area of a circle.' }, { text: 'pi, to five decimals.' });
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['CODEX_LSP_API_KEY', 'COMETAPI_KEY', 'COMETAPI_API_KEY', 'OPENAI_API_KEY', 'CODEX_LSP_MODEL', 'OPENAI_BASE_URL']) delete env[k];
    Object.assign(env, {
      CODEX_LSP_API_KEY: 'test-key-abcdef123456',
      CODEX_LSP_BASE_URL: session.fake.baseUrl,
      CODEX_LSP_CACHE_DIR: path.join(tmp, 'cache'),
      SMOKE_NEW_KEY: 'sk-from-keychain',
    });
    const { stdout } = await run(process.execPath, [path.join(EXT_DIR, 'test', 'smoke.js'), path.join(root, 'extension'), file], {
      cwd: tmp,
      env,
      timeout: 60_000,
    });
    const result = JSON.parse(stdout) as {
      error?: string;
      activateMs: number;
      commands: string[];
      hover: string | null;
      actions: Array<{ title: string; kind: string }>;
      restarts: number;
      hoverAfterRestart: string | null;
      messages: string[];
      output: string;
    };
    expect(result.error).toBeUndefined();
    expect(result.activateMs).toBeLessThan(200);
    expect(result.commands).toEqual(expect.arrayContaining(['codex.restartServer', 'codex.setApiKey', 'codex.showUsage', 'codex.usage']));
    expect(result.hover).toContain('`area` computes the area of a circle.');
    expect(result.actions.length).toBeGreaterThan(0);
    expect(result.actions.every((a) => typeof a.title === 'string' && a.title.length > 0)).toBe(true);
    // The user's two settings arrived; the endpoint stayed the one from the environment.
    expect(result.output).toContain(`at ${session.fake.baseUrl}`);
    expect(result.output).not.toMatch(/unknown setting|must be/);
    expect(result.messages).toContainEqual(
      expect.stringMatching(
        /^info: Codex: This session: 1 model call, 0 from cache, tokens in \d+ \(cached \d+\) out \d+, about \$[\d.]+\. Today \(\d{4}-\d{2}-\d{2}\): 1 model call,/,
      ),
    );
    // "Codex: Set API Key" asked with a password box, stored the key, and the restarted server uses it.
    expect(result.messages).toContain('input: Codex: API key (password)');
    expect(result.restarts).toBe(2);
    expect(result.hoverAfterRestart).toContain('pi, to five decimals.');
    expect(session.fake.requests.map((r) => r.headers['authorization'])).toEqual(['Bearer test-key-abcdef123456', 'Bearer sk-from-keychain']);
  });
});

const NODE_BUILTINS = new Set([
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'events',
  'fs',
  'http',
  'https',
  'net',
  'os',
  'path',
  'stream',
  'string_decoder',
  'url',
  'util',
  'zlib',
]);
