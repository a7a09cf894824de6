/**
 * `npm run bench`: codex-lsp against its floor, measured side by side in one run, on
 * loopback against the fake model server. Medians and ratios, never a lone absolute time:
 * these machines are noisy. Prints a Markdown table and writes it to BENCHMARKS.md.
 */
import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeOpenAI } from '../support/fake-openai';
import { fileUri, spawnServer, type LspTestClient } from '../support/lsp-client';
import { REPO_ROOT } from '../support/paths';
import { fmtMs, median, percentile, time } from './stats';

interface Row {
  what: string;
  value: string;
  floor: string;
  ratio: string;
  goal: string;
  met: boolean | undefined;
}

const rows: Row[] = [];
const KEY = 'bench-key-0123456789';

function bigFile(lines: number): string {
  const out = ["import { readFile } from 'node:fs/promises';", "import * as path from 'node:path';", ''];
  for (let i = out.length; i < lines; i++) {
    if (i % 20 === 3) out.push(`export async function load${i}(dir: string): Promise<number> {`);
    else if (i % 20 === 19) out.push('}');
    else out.push(`  const v${i} = (await readFile(path.join(dir, 'f${i}.txt'), 'utf8')).length * ${i};`);
  }
  return out.join('\n') + '\n';
}

async function cachedHoverVsFloor(fake: FakeOpenAI): Promise<void> {
  const floor = await spawnServer({ serverModule: path.join(__dirname, 'floor-server.js'), args: ['--stdio'] });
  // Default settings: the grace delay stays on, a cached answer must skip it.
  const ours = await spawnServer({ env: { CODEX_LSP_API_KEY: KEY, CODEX_LSP_BASE_URL: fake.baseUrl } });
  try {
    const text = 'export function total(items: Item[]): number {\n  return items.reduce((sum, item) => sum + item.price, 0);\n}\n';
    const uri = fileUri('/bench/cart.ts');
    await floor.open(uri, text, 'typescript');
    await ours.open(uri, text, 'typescript');
    const pos = { line: 1, character: 17 };
    const first = await ours.hover(uri, pos);
    if (!first) throw new Error('the first hover got no answer');
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 600; i++) {
      // Alternate which goes first, so drift in the machine's load hits both alike.
      if (i % 2) {
        a.push(await time(() => ours.hover(uri, pos)));
        b.push(await time(() => floor.hover(uri, pos)));
      } else {
        b.push(await time(() => floor.hover(uri, pos)));
        a.push(await time(() => ours.hover(uri, pos)));
      }
    }
    const w = 100; // warm-up rounds dropped
    const ma = median(a.slice(w));
    const mb = median(b.slice(w));
    rows.push({
      what: `cached hover (median of ${a.length - w}; p90 ${fmtMs(percentile(a.slice(w), 90))})`,
      value: fmtMs(ma),
      floor: `${fmtMs(mb)} (fixed-answer vscode-languageserver)`,
      ratio: `${(ma / mb).toFixed(2)}x`,
      goal: '<= 1.5x',
      met: ma / mb <= 1.5,
    });
    if (fake.requests.length !== 1) throw new Error(`cached hovers made ${fake.requests.length - 1} model calls`);
  } finally {
    await floor.dispose();
    await ours.dispose();
  }
}

async function uncachedHover(fake: FakeOpenAI): Promise<void> {
  fake.reset();
  const floor = await spawnServer({ serverModule: path.join(__dirname, 'floor-server.js'), args: ['--stdio'] });
  // The grace delay is a deliberate wait for cancellations; it is set to 0 to measure the work itself.
  const ours = await spawnServer({ env: { CODEX_LSP_API_KEY: KEY, CODEX_LSP_BASE_URL: fake.baseUrl }, settings: { hover: { delayMs: 0 } } });
  try {
    const text = bigFile(2000);
    const uri = fileUri('/bench/big.ts');
    await ours.open(uri, text, 'typescript');
    await floor.open(uri, text, 'typescript');
    const lines = text.split('\n');
    const targets: number[] = [];
    for (let i = 100; i < 1990 && targets.length < 260; i++) if (/const v/.test(lines[i] ?? '')) targets.push(i);
    const hover: number[] = [];
    const bare: number[] = [];
    const lsp: number[] = [];
    let replay = '';
    for (const [n, line] of targets.entries()) {
      const pos = { line, character: 10 };
      const before = fake.requests.length;
      hover.push(await time(() => ours.hover(uri, pos)));
      if (fake.requests.length !== before + 1) throw new Error('an uncached hover did not call the model exactly once');
      replay = fake.requests[fake.requests.length - 1]!.raw;
      // One bare HTTP round trip with the same body to the same endpoint: the floor for a model call.
      bare.push(
        await time(async () => {
          const res = await fetch(`${fake.baseUrl}/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: replay });
          await res.json();
        }),
      );
      lsp.push(await time(() => floor.hover(uri, pos)));
      if (n === 0) {
        hover.length = 0;
        bare.length = 0;
        lsp.length = 0;
      }
    }
    const w = 30;
    const mh = median(hover.slice(w));
    const mbare = median(bare.slice(w));
    const mlsp = median(lsp.slice(w));
    rows.push({
      what: `uncached hover, 2,000-line file (median of ${hover.length - w})`,
      value: `${fmtMs(mh)}: adds ${fmtMs(mh - mbare)} over the HTTP call`,
      floor: `${fmtMs(mbare)} bare HTTP round trip; ${fmtMs(mlsp)} LSP round trip`,
      ratio: `${fmtMs(mh - mbare - mlsp)} of own work`,
      goal: 'adds < 5 ms',
      met: mh - mbare < 5,
    });
    const bytes = fake.requests.slice(1).map((r) => r.bytes);
    const mbytes = median(bytes);
    rows.push({
      what: 'bytes sent for a hover in a 2,000-line file (median request body)',
      value: `${(mbytes / 1024).toFixed(1)} KB`,
      floor: `${(Buffer.byteLength(text) / 1024).toFixed(0)} KB file`,
      ratio: `${((100 * mbytes) / Buffer.byteLength(text)).toFixed(1)}% of the file`,
      goal: '< 16 KB',
      met: mbytes < 16 * 1024,
    });
  } finally {
    await floor.dispose();
    await ours.dispose();
  }
}

function table(): string {
  const head = '| measure | codex-lsp | floor | ratio / margin | goal | met |\n|---|---|---|---|---|---|';
  return [head, ...rows.map((r) => `| ${r.what} | ${r.value} | ${r.floor} | ${r.ratio} | ${r.goal} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |`)].join('\n');
}

async function main(): Promise<void> {
  const fake = await FakeOpenAI.start();
  try {
    await cachedHoverVsFloor(fake);
    await uncachedHover(fake);
  } finally {
    await fake.close();
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const machine = `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node.js ${process.version}`;
  const out = table();
  process.stdout.write(`\n${out}\n\n${machine}\n`);
  const doc = [
    '# Benchmarks',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}.`,
    '',
    'Every figure is a median of many runs taken side by side with its floor in the same run, against the fake',
    'OpenAI-compatible server on 127.0.0.1 (no network, no model time): what is left is the time codex-lsp itself adds.',
    '',
    out,
    '',
    '- **cached hover**: the same hover asked again, answered from the memory cache; the floor is a minimal',
    '  `vscode-languageserver` server over the same stdio transport that answers a fixed hover. Default settings,',
    '  so a cached answer also shows that it skips the grace delay.',
    '- **uncached hover**: a hover on a new line of a 2,000-line file each time (a cache miss: context, prompt,',
    '  redaction, cache lookups, SDK call, HTTP to the fake). The floor is one bare `fetch` of the same request body',
    '  to the same endpoint; "own work" also subtracts an LSP round trip of the floor server. `hover.delayMs` is 0 here.',
    '',
    'Reproduce: `npm ci && npm run bench`.',
    '',
  ].join('\n');
  writeFileSync(path.join(REPO_ROOT, 'BENCHMARKS.md'), doc);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
