/**
 * What cross-file context buys and costs, measured on real open-source code (test/fixtures/corpus)
 * and on a generated 5,000-file workspace: recall of callee signatures in hover prompts, bytes
 * added per hover, latency added against no context, and the index's build time and memory.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Syntax } from '../../server/syntax/syntax';
import { languageOf } from '../../server/text/language';
import { Logger } from '../../server/util/log';
import type { FakeOpenAI } from '../support/fake-openai';
import { spawnServer, type LspTestClient } from '../support/lsp-client';
import { REPO_ROOT } from '../support/paths';
import { fmtMs, median, percentile, rssMB, time, type Row } from './stats';

const KEY = 'bench-key-0123456789';
const CORPUS = path.join(REPO_ROOT, 'test', 'fixtures', 'corpus');
const SITES_PER_LANGUAGE = 80;

interface CallSite {
  file: string;
  line: number;
  character: number;
  name: string;
  /** The callee's signatures in other files of the corpus: the prompt should hold one. */
  signatures: string[];
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (/\.(ts|py)$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** Call sites whose callee is defined in another file of the same project, spread over its files. */
async function callSites(root: string): Promise<CallSite[]> {
  const syntax = new Syntax(new Logger(() => undefined));
  const files = filesUnder(root);
  const defs = new Map<string, Array<{ file: string; signature: string }>>();
  const parsed = new Map<string, Awaited<ReturnType<Syntax['parse']>>>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const p = await syntax.parse(languageOf('', file), text, file);
    parsed.set(file, p);
    for (const d of p?.definitions() ?? []) {
      const list = defs.get(d.name) ?? [];
      list.push({ file, signature: d.signature });
      defs.set(d.name, list);
    }
  }
  const all: CallSite[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const p = parsed.get(file);
    const local = new Set((p?.definitions() ?? []).map((d) => d.name));
    for (let line = 0; line < lines.length; line++) {
      for (const used of p?.namesUsed(line, line) ?? []) {
        const elsewhere = (defs.get(used.name) ?? []).filter((d) => d.file !== file);
        if (!used.called || local.has(used.name) || elsewhere.length === 0 || elsewhere.length > 6) continue;
        const character = (lines[line] ?? '').search(new RegExp(`\\b${used.name}\\s*\\(`));
        if (character < 0) continue;
        all.push({ file, line, character, name: used.name, signatures: elsewhere.map((d) => d.signature) });
      }
    }
  }
  // Spread evenly over the sites found.
  const step = Math.max(1, all.length / SITES_PER_LANGUAGE);
  return Array.from({ length: Math.min(SITES_PER_LANGUAGE, all.length) }, (_, i) => all[Math.floor(i * step)] as CallSite);
}

async function startIn(fake: FakeOpenAI, root: string, context: boolean): Promise<LspTestClient> {
  const uri = pathToFileURL(root).href;
  const c = await spawnServer({
    env: { CODEX_LSP_API_KEY: KEY, CODEX_LSP_BASE_URL: fake.baseUrl },
    rootUri: uri,
    workspaceFolders: [{ uri, name: path.basename(root) }],
    settings: { hover: { delayMs: 0 }, diagnostics: { enabled: false }, cache: { enabled: false }, context: { workspace: context } },
  });
  return c;
}

function definitionsSection(prompt: string): string {
  const at = prompt.indexOf('Used here, defined in other files');
  if (at < 0) return '';
  const end = prompt.indexOf('\nExplain:', at);
  const inside = prompt.indexOf('\nInside', at);
  return prompt.slice(at, inside >= 0 && inside < end ? inside : end);
}

async function recallFor(fake: FakeOpenAI, language: string, root: string, push: (r: Row) => void): Promise<void> {
  const sites = await callSites(root);
  const on = await startIn(fake, root, true);
  const off = await startIn(fake, root, false);
  try {
    const opened = new Set<string>();
    for (const s of sites) {
      if (opened.has(s.file)) continue;
      opened.add(s.file);
      const text = readFileSync(s.file, 'utf8');
      await on.open(pathToFileURL(s.file).href, text, language);
      await off.open(pathToFileURL(s.file).href, text, language);
    }
    await on.waitFor(() => on.logs.some((l) => /^index: \d+ files/.test(l.message)), 60_000, 'the index');
    let hits = 0;
    const added: number[] = [];
    const withCtx: number[] = [];
    const without: number[] = [];
    for (const [i, s] of sites.entries()) {
      const uri = pathToFileURL(s.file).href;
      const pos = { line: s.line, character: s.character };
      // Alternate which goes first, so drift in the machine's load hits both alike.
      const a = async (): Promise<void> => void withCtx.push(await time(() => on.hover(uri, pos)));
      const b = async (): Promise<void> => void without.push(await time(() => off.hover(uri, pos)));
      const before = fake.requests.length;
      if (i % 2) {
        await a();
        await b();
      } else {
        await b();
        await a();
      }
      const prompts = fake.requests.slice(before).map((r) => r.prompt);
      const mine = prompts.find((p) => p.includes('Used here, defined in other files')) ?? prompts.find((p) => definitionsSection(p) === '') ?? '';
      if (s.signatures.some((sig) => mine.includes(sig))) hits++;
      added.push(Buffer.byteLength(definitionsSection(mine)));
    }
    const recall = sites.length ? hits / sites.length : 0;
    push({
      what: `context recall, ${language}: hovers on call sites whose prompt holds the callee's signature (${sites.length} sites in ${path.basename(root)})`,
      value: `${(recall * 100).toFixed(0)}% (${hits}/${sites.length})`,
      floor: '0% without context',
      ratio: '',
      goal: '>= 90%',
      met: recall >= 0.9,
    });
    const mb = median(added);
    push({
      what: `bytes added per hover by cross-file context, ${language} (median; p90; max)`,
      value: `${(mb / 1024).toFixed(2)} KB; ${(percentile(added, 90) / 1024).toFixed(2)} KB; ${(Math.max(...added) / 1024).toFixed(2)} KB`,
      floor: '0 without context',
      ratio: '',
      goal: '<= 2 KB',
      met: Math.max(...added) <= 2048,
    });
    const w = 5;
    const dt = median(withCtx.slice(w)) - median(without.slice(w));
    push({
      what: `hover latency with cross-file context, index warm, ${language} (median of ${withCtx.length - w}; model call included)`,
      value: `${fmtMs(median(withCtx.slice(w)))}`,
      floor: `${fmtMs(median(without.slice(w)))} with context.workspace off`,
      ratio: `adds ${fmtMs(dt)}`,
      goal: 'adds < 5 ms',
      met: dt < 5,
    });
  } finally {
    await on.dispose();
    await off.dispose();
  }
}

/** A workspace of `n` files (TypeScript and Python, half each), each with a few functions and a class. */
function generatedWorkspace(n: number): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'codex-bench-ws-'));
  for (let i = 0; i < n; i++) {
    const dir = path.join(root, `pkg${i % 50}`);
    mkdirSync(dir, { recursive: true });
    if (i % 2) {
      const body = [`/** Module ${i}. */`, `import { f${i - 1}a } from './m${i - 1}';`, ''];
      for (const s of ['a', 'b', 'c'])
        body.push(
          `/** Computes ${s} of ${i}. */`,
          `export function f${i}${s}(x: number, y: string): number {`,
          `  return f${i - 1}a(x) + y.length * ${i};`,
          '}',
          '',
        );
      body.push(`export class C${i} {`, `  run(n: number): number {`, `    return f${i}a(n, 'x');`, '  }', '}', '');
      writeFileSync(path.join(dir, `m${i}.ts`), body.join('\n'));
    } else {
      const body = [`"""Module ${i}."""`, 'import os', ''];
      for (const s of ['a', 'b', 'c'])
        body.push(`def g${i}${s}(x, y="z"):`, `    """Computes ${s} of ${i}."""`, `    return len(os.path.join(y, str(x))) + ${i}`, '', '');
      body.push(`class K${i}:`, '    def run(self, n):', `        return g${i}a(n)`, '');
      writeFileSync(path.join(dir, `m${i}.py`), body.join('\n'));
    }
  }
  return root;
}

async function indexBench(fake: FakeOpenAI, push: (r: Row) => void): Promise<void> {
  const n = 5000;
  const root = generatedWorkspace(n);
  try {
    const c = await startIn(fake, root, true);
    try {
      const first = path.join(root, 'pkg1', 'm1.ts');
      // Settled before the build starts: the figure is what the index adds.
      await new Promise((r) => setTimeout(r, 500));
      const before = rssMB(c.pid);
      const t0 = Date.now();
      await c.open(pathToFileURL(first).href, readFileSync(first, 'utf8'), 'typescript');
      await c.waitFor(() => c.logs.some((l) => /^index: \d+ files/.test(l.message)), 120_000, 'the index of 5,000 files');
      const wall = Date.now() - t0;
      const line = c.logs.find((l) => /^index: \d+ files/.test(l.message))?.message ?? '';
      const after = rssMB(c.pid);
      // The server answers while it builds: a request in the middle of the build is not held up.
      push({
        what: `index build, generated workspace of ${n.toLocaleString('en')} files (${statSync(root).isDirectory() ? 'TypeScript and Python' : ''}; ${line.replace(/^index: /, '')})`,
        value: `${(wall / 1000).toFixed(1)} s, +${(after - before).toFixed(0)} MB RSS`,
        floor: `${before.toFixed(0)} MB RSS before`,
        ratio: '',
        goal: '< 10 s in the background, < 100 MB',
        met: wall < 10_000 && after - before < 100,
      });
    } finally {
      await c.dispose();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export async function contextBench(fake: FakeOpenAI, push: (r: Row) => void): Promise<void> {
  fake.reset();
  await recallFor(fake, 'typescript', path.join(CORPUS, 'typescript-cheerio'), push);
  fake.reset();
  await recallFor(fake, 'python', path.join(CORPUS, 'python-stdlib'), push);
  fake.reset();
  await indexBench(fake, push);
}
