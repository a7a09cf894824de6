import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { formatJson, formatSarif, formatText, summaryLine, type CliFinding, type FileResult, type RunSummary, type Severity } from '../../server/cli/format';

const ROOT = path.resolve('/tmp/codex-lsp-format-root');
const uriOf = (rel: string): string => pathToFileURL(path.join(ROOT, rel)).href;

/** A finding on the first occurrence of `quote` in `text`, its range computed by the LSP library. */
function on(text: string, quote: string, severity: Severity, message: string, replacement?: string): CliFinding {
  const i = text.indexOf(quote);
  if (i < 0) throw new Error(`no ${quote}`);
  const doc = TextDocument.create('file:///x', 'plaintext', 1, text);
  const f: CliFinding = { range: { start: doc.positionAt(i), end: doc.positionAt(i + quote.length) }, severity, message };
  if (replacement !== undefined) f.replacement = replacement;
  return f;
}

// Line 1 has an emoji (2 UTF-16 units) and CJK (1 unit each) before the finding.
const A_TEXT = 'const s = "😀 日本語"; if (a = b) {}\nlet 变量 = "🎉🎉"; eval(x);\n';
const B_TEXT = 'import x from "y";\nexport function f() {\n  return x == 1;\n}\n';

function fixture(): FileResult[] {
  return [
    {
      path: 'src/b.ts',
      uri: uriOf('src/b.ts'),
      // Deliberately not in order: the formats sort.
      findings: [on(B_TEXT, 'x == 1', 'warning', 'Loose equality', 'x === 1'), on(B_TEXT, 'import x', 'hint', 'Unused import?')],
    },
    {
      path: 'src/a.ts',
      uri: uriOf('src/a.ts'),
      findings: [
        on(A_TEXT, 'a = b', 'error', 'Assignment in condition', 'a === b'),
        on(A_TEXT, 'eval(x)', 'warning', 'eval of user input'),
        on(A_TEXT, '变量', 'information', 'Non-ASCII identifier', ''),
      ],
    },
    { path: 'src/clean.ts', uri: uriOf('src/clean.ts'), findings: [] },
    { path: 'src/locked.ts', uri: uriOf('src/locked.ts'), findings: [], error: "EACCES: permission denied, open 'src/locked.ts'" },
    {
      path: 'src/big.ts',
      uri: uriOf('src/big.ts'),
      findings: [{ range: { start: { line: 99, character: 0 }, end: { line: 101, character: 4 } }, severity: 'error', message: 'Off by one' }],
      incomplete: '2 of 5 parts: the model could not be reached',
    },
    { path: 'vendor/lib.min.js', uri: uriOf('vendor/lib.min.js'), findings: [], skipped: 'too large' },
  ];
}

function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    files: 6,
    reviewed: 4,
    findings: { error: 2, warning: 2, information: 1, hint: 1 },
    modelCalls: 14,
    cacheHits: 20,
    tokens: { input: 48210, cachedInput: 12000, output: 3100 },
    usd: 0.0912,
    failOn: 'error',
    failed: true,
    ...over,
  };
}

const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('formatText', () => {
  it('prints one grep-able line per finding by path then position, then file problems, then the summary', () => {
    const out = formatText(fixture(), summary(), { color: false });
    expect(out).toBe(
      [
        'src/a.ts:1:25 error Assignment in condition (fix: "a === b")',
        'src/a.ts:2:5 information Non-ASCII identifier (fix: delete)',
        'src/a.ts:2:18 warning eval of user input',
        'src/b.ts:1:1 hint Unused import?',
        'src/b.ts:3:10 warning Loose equality (fix: "x === 1")',
        'src/big.ts:100:1 error Off by one',
        'src/big.ts: partly reviewed: 2 of 5 parts: the model could not be reached',
        "src/locked.ts: not reviewed: EACCES: permission denied, open 'src/locked.ts'",
        'vendor/lib.min.js: skipped: too large',
        '6 files (4 reviewed), 6 problems (2 errors, 2 warnings, 1 info, 1 hint); 14 model calls, 20 answers from the cache; 48,210 tokens in (12,000 cached), 3,100 out; about $0.09',
        '',
      ].join('\n'),
    );
  });

  it('columns are UTF-16 code units + 1 (emoji count 2, CJK 1), lines 1-based', () => {
    const out = formatText(fixture(), summary(), { color: false });
    const line1 = A_TEXT.split('\n')[0]!;
    const line2 = A_TEXT.split('\n')[1]!;
    expect(out).toContain(`src/a.ts:1:${line1.indexOf('a = b') + 1} error`);
    expect(out).toContain(`src/a.ts:2:${line2.indexOf('eval') + 1} warning`);
    // The same in code points would be smaller: make sure we did not count those.
    expect([...line1.slice(0, line1.indexOf('a = b'))].length + 1).toBe(24);
  });

  it('every finding line starts with path:line:col severity', () => {
    const out = formatText(fixture(), summary(), { color: false });
    const findingLines = out.split('\n').filter((l) => /^\S+:\d+:\d+ /.test(l));
    expect(findingLines).toHaveLength(6);
    for (const l of findingLines) expect(l).toMatch(/^[^\s:]+:\d+:\d+ (error|warning|information|hint) \S/);
  });

  it('colours only when asked: bold path, red/yellow/blue/dim severity; stripping the colour gives the plain text', () => {
    const plain = formatText(fixture(), summary(), { color: false });
    const colored = formatText(fixture(), summary(), { color: true });
    expect(plain).not.toContain('\x1b');
    expect(colored).toContain('\x1b[1msrc/a.ts\x1b[0m:1:25 \x1b[31merror\x1b[0m Assignment');
    expect(colored).toContain('\x1b[33mwarning\x1b[0m eval');
    expect(colored).toContain('\x1b[34minformation\x1b[0m');
    expect(colored).toContain('\x1b[2mhint\x1b[0m');
    expect(stripAnsi(colored)).toBe(plain);
  });

  it('keeps each finding on one line and escapes control characters from the model', () => {
    const r: FileResult[] = [
      {
        path: 'x.ts',
        uri: uriOf('x.ts'),
        findings: [
          { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, severity: 'warning', message: 'two\nlines\r\nand \x1b[2J clear' },
        ],
      },
    ];
    const out = formatText(r, summary({ files: 1, reviewed: 1, findings: { error: 0, warning: 1, information: 0, hint: 0 } }), { color: false });
    expect(out.split('\n')[0]).toBe('x.ts:1:1 warning two lines and \\x1b[2J clear');
    expect(out).not.toContain('\x1b');
  });

  it('shows long or multi-line fixes as "(fix available)"', () => {
    const r: FileResult[] = [
      {
        path: 'x.ts',
        uri: uriOf('x.ts'),
        findings: [
          { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, severity: 'hint', message: 'm', replacement: 'a\nb' },
          { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, severity: 'hint', message: 'm', replacement: 'x'.repeat(200) },
        ],
      },
    ];
    const lines = formatText(r, summary(), { color: false }).split('\n');
    expect(lines[0]).toBe('x.ts:1:1 hint m (fix available)');
    expect(lines[1]).toBe('x.ts:2:1 hint m (fix available)');
  });

  it('no findings at all: only the summary', () => {
    const s = summary({
      files: 3,
      reviewed: 3,
      findings: { error: 0, warning: 0, information: 0, hint: 0 },
      modelCalls: 0,
      cacheHits: 3,
      tokens: { input: 0, cachedInput: 0, output: 0 },
      usd: 0,
      failed: false,
    });
    const r: FileResult[] = ['a', 'b', 'c'].map((p) => ({ path: p, uri: uriOf(p), findings: [] }));
    expect(formatText(r, s, { color: false })).toBe('3 files, no problems; no model calls, 3 answers from the cache; 0 tokens in, 0 out; $0.00\n');
    expect(formatText(r, s, { color: true })).not.toContain('\x1b[31m');
  });
});

describe('summaryLine', () => {
  it('pluralises', () => {
    const one = summary({
      files: 1,
      reviewed: 1,
      findings: { error: 1, warning: 0, information: 0, hint: 0 },
      modelCalls: 1,
      cacheHits: 1,
      tokens: { input: 1, cachedInput: 1, output: 1 },
      usd: 0.001,
    });
    expect(summaryLine(one)).toBe('1 file, 1 problem (1 error); 1 model call, 1 answer from the cache; 1 token in (1 cached), 1 out; under $0.01');
    const many = summary({
      findings: { error: 0, warning: 0, information: 2, hint: 3 },
      cacheHits: 0,
      tokens: { input: 1234567, cachedInput: 0, output: 0 },
      usd: 1234.5,
    });
    expect(summaryLine(many)).toBe('6 files (4 reviewed), 5 problems (2 info, 3 hints); 14 model calls; 1,234,567 tokens in, 0 out; about $1,234.50');
  });

  it('leaves the dollars out when the price is unknown', () => {
    expect(summaryLine(summary({ usd: undefined }))).toMatch(/3,100 out$/);
  });

  it('colours the error and warning counts only with colour', () => {
    expect(summaryLine(summary(), { color: true })).toContain('\x1b[31m2 errors\x1b[0m');
    expect(summaryLine(summary(), { color: true })).toContain('\x1b[33m2 warnings\x1b[0m');
    expect(stripAnsi(summaryLine(summary(), { color: true }))).toBe(summaryLine(summary()));
  });
});

describe('formatJson', () => {
  it('is pretty JSON with version, summary and sorted files, usd null when unknown', () => {
    const out = formatJson(fixture(), summary({ usd: undefined }));
    expect(out.endsWith('}\n')).toBe(true);
    expect(out).toContain('\n  "summary": {');
    const j = JSON.parse(out) as { version: number; summary: Record<string, unknown>; files: { path: string }[] };
    expect(j.version).toBe(1);
    expect(j.summary['usd']).toBeNull();
    expect(j.summary['failOn']).toBe('error');
    expect(j.files.map((f) => f.path)).toEqual(['src/a.ts', 'src/b.ts', 'src/big.ts', 'src/clean.ts', 'src/locked.ts', 'vendor/lib.min.js']);
  });

  it('adds 1-based line/column/endLine/endColumn (end exclusive) next to the LSP range', () => {
    const j = JSON.parse(formatJson(fixture(), summary())) as { files: { path: string; findings: Record<string, unknown>[] }[] };
    const a = j.files[0]!;
    const first = a.findings[0]!;
    const line1 = A_TEXT.split('\n')[0]!;
    expect(first).toEqual({
      line: 1,
      column: line1.indexOf('a = b') + 1,
      endLine: 1,
      endColumn: line1.indexOf('a = b') + 'a = b'.length + 1,
      severity: 'error',
      message: 'Assignment in condition',
      replacement: 'a === b',
      range: { start: { line: 0, character: 24 }, end: { line: 0, character: 29 } },
    });
    expect(Object.keys(first)).toEqual(['line', 'column', 'endLine', 'endColumn', 'severity', 'message', 'replacement', 'range']);
    expect('replacement' in a.findings[2]!).toBe(false);
    const big = j.files[2]!.findings[0]!;
    expect([big['line'], big['column'], big['endLine'], big['endColumn']]).toEqual([100, 1, 102, 5]);
  });

  it('round-trips: dropping the 1-based fields gives back the results and the summary', () => {
    const results = fixture();
    const s = summary();
    const j = JSON.parse(formatJson(results, s)) as { summary: RunSummary; files: (Omit<FileResult, 'findings'> & { findings: Record<string, unknown>[] })[] };
    expect(j.summary).toEqual(s);
    const back: FileResult[] = j.files.map((f) => ({
      ...f,
      findings: f.findings.map(({ line: _l, column: _c, endLine: _el, endColumn: _ec, ...rest }) => rest as unknown as CliFinding),
    }));
    const expected = [...results]
      .sort((x, y) => (x.path < y.path ? -1 : 1))
      .map((r) => ({
        ...r,
        findings: [...r.findings].sort((p, q) => p.range.start.line - q.range.start.line || p.range.start.character - q.range.start.character),
      }));
    expect(back).toEqual(expected);
  });

  it('keeps error, incomplete and skipped', () => {
    const j = JSON.parse(formatJson(fixture(), summary())) as { files: FileResult[] };
    const by = (p: string): FileResult => j.files.find((f) => f.path === p)!;
    expect(by('src/locked.ts').error).toMatch(/EACCES/);
    expect(by('src/big.ts').incomplete).toMatch(/2 of 5/);
    expect(by('vendor/lib.min.js').skipped).toBe('too large');
    expect('error' in by('src/clean.ts')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------
// SARIF: the schema's required fields and constraints, checked by hand.

const LEVELS = ['none', 'note', 'warning', 'error'];
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/** The problems of a SARIF 2.1.0 log (empty when it passes). */
function sarifProblems(log: unknown): string[] {
  const p: string[] = [];
  const need = (ok: boolean, what: string): void => {
    if (!ok) p.push(what);
  };
  if (!isObj(log)) return ['log is not an object'];
  need(log['version'] === '2.1.0', 'version must be "2.1.0"');
  need(log['$schema'] === undefined || typeof log['$schema'] === 'string', '$schema must be a string');
  const runs = log['runs'];
  if (!Array.isArray(runs)) return [...p, 'runs must be an array'];
  runs.forEach((run: unknown, ri) => {
    const at = `runs[${ri}]`;
    if (!isObj(run)) return void p.push(`${at} is not an object`);
    const driver = isObj(run['tool']) ? run['tool']['driver'] : undefined;
    if (!isObj(driver)) return void p.push(`${at}.tool.driver missing`);
    need(typeof driver['name'] === 'string' && driver['name'] !== '', `${at}.tool.driver.name missing`);
    const rules = driver['rules'] ?? [];
    need(Array.isArray(rules), `${at}.tool.driver.rules must be an array`);
    const ruleIds: string[] = [];
    (Array.isArray(rules) ? rules : []).forEach((rule: unknown, k) => {
      if (!isObj(rule) || typeof rule['id'] !== 'string') return void p.push(`${at} rule ${k} has no id`);
      need(!ruleIds.includes(rule['id']), `${at} rule id ${rule['id']} twice`);
      ruleIds.push(rule['id']);
      if (rule['shortDescription'] !== undefined)
        need(isObj(rule['shortDescription']) && typeof rule['shortDescription']['text'] === 'string', `rule ${k} shortDescription.text`);
      const dc = rule['defaultConfiguration'];
      if (dc !== undefined) need(isObj(dc) && LEVELS.includes(dc['level'] as string), `rule ${k} defaultConfiguration.level`);
    });
    if (run['columnKind'] !== undefined) need(['utf16CodeUnits', 'unicodeCodePoints'].includes(run['columnKind'] as string), `${at}.columnKind`);
    const bases = isObj(run['originalUriBaseIds']) ? run['originalUriBaseIds'] : {};
    for (const [k, v] of Object.entries(bases)) {
      need(
        isObj(v) && typeof v['uri'] === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(v['uri']) && v['uri'].endsWith('/'),
        `base ${k} must be an absolute URI ending in /`,
      );
    }
    const artifact = (loc: unknown, where: string): void => {
      if (!isObj(loc) || typeof loc['uri'] !== 'string') return void p.push(`${where}.uri missing`);
      const uri = loc['uri'];
      need(!/\s|\\/.test(uri), `${where}.uri has spaces or backslashes: ${uri}`);
      need(/^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*$/.test(uri), `${where}.uri not a valid URI reference: ${uri}`);
      if (loc['uriBaseId'] !== undefined) {
        need(typeof loc['uriBaseId'] === 'string' && loc['uriBaseId'] in bases, `${where}.uriBaseId unknown`);
        need(!/^[a-z][a-z0-9+.-]*:/i.test(uri) && !uri.startsWith('/'), `${where}.uri must be relative: ${uri}`);
      }
    };
    const regionOk = (r: unknown, where: string): void => {
      if (!isObj(r)) return void p.push(`${where} missing`);
      for (const k of ['startLine', 'startColumn', 'endLine', 'endColumn']) need(isPosInt(r[k]), `${where}.${k} must be an integer >= 1`);
      need((r['endLine'] as number) >= (r['startLine'] as number), `${where} ends before it starts`);
      if (r['endLine'] === r['startLine']) need((r['endColumn'] as number) >= (r['startColumn'] as number), `${where} ends before it starts`);
    };
    const results = run['results'];
    need(Array.isArray(results), `${at}.results must be an array`);
    (Array.isArray(results) ? results : []).forEach((res: unknown, i) => {
      const w = `${at}.results[${i}]`;
      if (!isObj(res)) return void p.push(`${w} not an object`);
      need(isObj(res['message']) && typeof res['message']['text'] === 'string', `${w}.message.text missing`);
      need(typeof res['ruleId'] === 'string' && ruleIds.includes(res['ruleId']), `${w}.ruleId does not name a rule`);
      need(isPosInt((res['ruleIndex'] as number) + 1) && ruleIds[res['ruleIndex'] as number] === res['ruleId'], `${w}.ruleIndex does not match ruleId`);
      need(res['level'] === undefined || LEVELS.includes(res['level'] as string), `${w}.level not allowed`);
      const locs = res['locations'];
      if (!Array.isArray(locs) || locs.length === 0) return void p.push(`${w}.locations missing`);
      const phys = isObj(locs[0]) ? locs[0]['physicalLocation'] : undefined;
      if (!isObj(phys)) return void p.push(`${w} physicalLocation missing`);
      artifact(phys['artifactLocation'], `${w}.artifactLocation`);
      regionOk(phys['region'], `${w}.region`);
      if (res['fixes'] !== undefined) {
        if (!Array.isArray(res['fixes'])) return void p.push(`${w}.fixes must be an array`);
        (res['fixes'] as unknown[]).forEach((fx, fi) => {
          if (!isObj(fx)) return void p.push(`${w}.fixes[${fi}]`);
          const changes = fx['artifactChanges'];
          if (!Array.isArray(changes) || changes.length === 0) return void p.push(`${w}.fixes[${fi}].artifactChanges missing`);
          for (const ch of changes as unknown[]) {
            if (!isObj(ch)) return void p.push(`${w} artifactChange`);
            artifact(ch['artifactLocation'], `${w}.fix.artifactLocation`);
            const reps = ch['replacements'];
            if (!Array.isArray(reps) || reps.length === 0) return void p.push(`${w} replacements missing`);
            for (const rp of reps as unknown[]) {
              if (!isObj(rp)) return void p.push(`${w} replacement`);
              regionOk(rp['deletedRegion'], `${w}.deletedRegion`);
              if (rp['insertedContent'] !== undefined) need(isObj(rp['insertedContent']), `${w}.insertedContent`);
            }
          }
        });
      }
    });
    const invocations = run['invocations'];
    if (invocations !== undefined) {
      (invocations as unknown[]).forEach((inv, ii) => {
        if (!isObj(inv)) return void p.push('invocation');
        need(typeof inv['executionSuccessful'] === 'boolean', `invocations[${ii}].executionSuccessful required`);
        for (const n of (inv['toolExecutionNotifications'] as unknown[] | undefined) ?? []) {
          need(isObj(n) && isObj(n['message']) && typeof n['message']['text'] === 'string', 'notification message.text');
          need(isObj(n) && (n['level'] === undefined || LEVELS.includes(n['level'] as string)), 'notification level');
        }
      });
    }
  });
  return p;
}

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        informationUri: string;
        rules: { id: string; shortDescription: { text: string }; defaultConfiguration: { level: string } }[];
      };
    };
    columnKind: string;
    originalUriBaseIds: Record<string, { uri: string }>;
    invocations: {
      executionSuccessful: boolean;
      toolExecutionNotifications?: { level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    }[];
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation: {
          artifactLocation: { uri: string; uriBaseId?: string };
          region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
        };
      }[];
      fixes?: {
        description: { text: string };
        artifactChanges: { artifactLocation: { uri: string }; replacements: { deletedRegion: unknown; insertedContent: { text: string } }[] }[];
      }[];
    }[];
  }[];
}

const sarif = (results: FileResult[], over: Partial<{ root: string; executionSuccessful: boolean }> = {}): SarifLog =>
  JSON.parse(formatSarif(results, { toolVersion: '0.1.0', root: ROOT, ...over })) as SarifLog;

describe('formatSarif', () => {
  it('passes the hand-written schema check (and the check catches broken logs)', () => {
    const log = sarif(fixture());
    expect(sarifProblems(log)).toEqual([]);
    expect(sarifProblems(sarif([]))).toEqual([]);
    // The checker is not a rubber stamp.
    const broken = JSON.parse(JSON.stringify(log)) as SarifLog;
    const r0 = broken.runs[0]!.results[0]!;
    r0.ruleIndex = 3;
    r0.level = 'fatal';
    r0.locations[0]!.physicalLocation.region.startColumn = 0;
    r0.locations[0]!.physicalLocation.artifactLocation.uri = 'file:///abs/x.ts';
    delete (r0 as { message?: unknown }).message;
    const problems = sarifProblems(broken);
    expect(problems.join('\n')).toMatch(/ruleIndex/);
    expect(problems.join('\n')).toMatch(/level not allowed/);
    expect(problems.join('\n')).toMatch(/startColumn/);
    expect(problems.join('\n')).toMatch(/must be relative/);
    expect(problems.join('\n')).toMatch(/message\.text/);
    expect(sarifProblems({ runs: [] })).toEqual(['version must be "2.1.0"']);
  });

  it('has the top level, driver, column kind and base URI', () => {
    const log = sarif(fixture());
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0]!;
    expect(run.tool.driver).toMatchObject({ name: 'codex-lsp', version: '0.1.0', informationUri: 'https://github.com/codex-lsp/codex-lsp' });
    expect(run.columnKind).toBe('utf16CodeUnits');
    expect(run.originalUriBaseIds['SRCROOT']!.uri).toBe(`${pathToFileURL(ROOT).href}/`);
  });

  it('one rule per severity used, in severity order, with matching ruleIndex and levels', () => {
    const run = sarif(fixture()).runs[0]!;
    expect(run.tool.driver.rules.map((r) => [r.id, r.defaultConfiguration.level])).toEqual([
      ['codex/error', 'error'],
      ['codex/warning', 'warning'],
      ['codex/information', 'note'],
      ['codex/hint', 'note'],
    ]);
    for (const r of run.tool.driver.rules) expect(r.shortDescription.text).not.toBe('');
    for (const res of run.results) expect(run.tool.driver.rules[res.ruleIndex]!.id).toBe(res.ruleId);
    expect(run.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['codex/error', 'error'],
      ['codex/information', 'note'],
      ['codex/warning', 'warning'],
      ['codex/hint', 'note'],
      ['codex/warning', 'warning'],
      ['codex/error', 'error'],
    ]);

    const only = sarif([{ path: 'x.ts', uri: uriOf('x.ts'), findings: [on(B_TEXT, 'x == 1', 'hint', 'h'), on(B_TEXT, 'import', 'warning', 'w')] }]).runs[0]!;
    expect(only.tool.driver.rules.map((r) => r.id)).toEqual(['codex/warning', 'codex/hint']);
    expect(only.results.map((r) => [r.ruleId, r.ruleIndex])).toEqual([
      ['codex/warning', 0],
      ['codex/hint', 1],
    ]);
  });

  it('regions are 1-based, UTF-16 columns, end exclusive: emoji and CJK before a finding', () => {
    const run = sarif(fixture()).runs[0]!;
    const first = run.results[0]!;
    const line1 = A_TEXT.split('\n')[0]!;
    const col = line1.indexOf('a = b') + 1;
    expect(first.message.text).toBe('Assignment in condition');
    expect(first.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'src/a.ts', uriBaseId: 'SRCROOT' },
      region: { startLine: 1, startColumn: col, endLine: 1, endColumn: col + 'a = b'.length },
    });
    expect(col).toBe(25);
    // "变量" on line 2: 2 UTF-16 units, columns 5..7 (exclusive).
    expect(run.results[1]!.locations[0]!.physicalLocation.region).toEqual({ startLine: 2, startColumn: 5, endLine: 2, endColumn: 7 });
    // A multi-line range.
    expect(run.results[5]!.locations[0]!.physicalLocation.region).toEqual({ startLine: 100, startColumn: 1, endLine: 102, endColumn: 5 });
  });

  it('fixes from replacements replace the same region; none without a replacement', () => {
    const run = sarif(fixture()).runs[0]!;
    const first = run.results[0]!;
    expect(first.fixes).toEqual([
      {
        description: { text: 'Replace with "a === b"' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'src/a.ts', uriBaseId: 'SRCROOT' },
            replacements: [{ deletedRegion: first.locations[0]!.physicalLocation.region, insertedContent: { text: 'a === b' } }],
          },
        ],
      },
    ]);
    expect(run.results[1]!.fixes![0]!.description.text).toBe('Delete the flagged text');
    expect(run.results[1]!.fixes![0]!.artifactChanges[0]!.replacements[0]!.insertedContent).toEqual({ text: '' });
    expect(run.results[2]!.fixes).toBeUndefined();
  });

  it('artifact URIs are relative to the root, "/"-separated and percent-encoded; they resolve back to the file', () => {
    const rel = 'src/dir with space/ü#1%.ts';
    const r: FileResult[] = [{ path: rel, uri: pathToFileURL(path.join(ROOT, rel)).href, findings: [on('x\n', 'x', 'warning', 'w')] }];
    const run = sarif(r).runs[0]!;
    expect(sarifProblems({ ...sarif(r) })).toEqual([]);
    const loc = run.results[0]!.locations[0]!.physicalLocation.artifactLocation;
    expect(loc.uri).toBe('src/dir%20with%20space/%C3%BC%231%25.ts');
    const resolved = new URL(loc.uri, run.originalUriBaseIds['SRCROOT']!.uri);
    expect(fileURLToPath(resolved)).toBe(path.join(ROOT, rel));
  });

  it('a file outside the root keeps its absolute file: URI, without a base', () => {
    const outside = path.resolve(ROOT, '..', 'elsewhere', 'x.ts');
    const run = sarif([{ path: '../elsewhere/x.ts', uri: pathToFileURL(outside).href, findings: [on('x\n', 'x', 'error', 'e')] }]).runs[0]!;
    expect(run.results[0]!.locations[0]!.physicalLocation.artifactLocation).toEqual({ uri: pathToFileURL(outside).href });
  });

  it('no findings: empty rules and results, a successful invocation without notifications', () => {
    const run = sarif([{ path: 'a.ts', uri: uriOf('a.ts'), findings: [] }]).runs[0]!;
    expect(run.tool.driver.rules).toEqual([]);
    expect(run.results).toEqual([]);
    expect(run.invocations).toEqual([{ executionSuccessful: true }]);
  });

  it('files not (fully) reviewed become tool execution notifications', () => {
    const run = sarif(fixture()).runs[0]!;
    const notes = run.invocations[0]!.toolExecutionNotifications!;
    expect(notes.map((n) => [n.level, n.message.text, n.locations[0]!.physicalLocation.artifactLocation.uri])).toEqual([
      ['error', 'src/big.ts: partly reviewed: 2 of 5 parts: the model could not be reached', 'src/big.ts'],
      ['error', "src/locked.ts: not reviewed: EACCES: permission denied, open 'src/locked.ts'", 'src/locked.ts'],
      ['note', 'vendor/lib.min.js: skipped: too large', 'vendor/lib.min.js'],
    ]);
    expect(run.invocations[0]!.executionSuccessful).toBe(true);
    expect(sarif(fixture(), { executionSuccessful: false }).runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
  });

  it('clamps junk positions to valid regions (never 0, never ending before the start)', () => {
    const r: FileResult[] = [
      {
        path: 'j.ts',
        uri: uriOf('j.ts'),
        findings: [
          { range: { start: { line: -1, character: -3 }, end: { line: 0, character: 0 } }, severity: 'hint', message: 'h' },
          { range: { start: { line: 4, character: 9 }, end: { line: 4, character: 2 } }, severity: 'hint', message: 'h', replacement: 'r' },
        ],
      },
    ];
    const log = sarif(r);
    expect(sarifProblems(log)).toEqual([]);
    expect(log.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.region)).toEqual([
      { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
      { startLine: 5, startColumn: 10, endLine: 5, endColumn: 10 },
    ]);
  });
});
