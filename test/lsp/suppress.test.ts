/**
 * Suppression comments in the editor, over the built server: `codex-lsp-ignore` hides a
 * finding, `codex-lsp-ignore-file` skips the file, and "Ignore this finding (codex)" writes
 * the comment in the file's syntax at the line's indentation.
 */
import { describe, expect, it } from 'vitest';
import type { CodeAction, TextDocumentEdit, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import type { RecordedRequest } from '../support/fake-openai';
import { applyTextEdits, fileUri } from '../support/lsp-client';
import { useSession } from '../support/session';

const session = useSession({ hover: { delayMs: 0 } });
const reviews = (): RecordedRequest[] => session.fake.requests.filter((r) => r.schemaName === 'diagnostics');

/** Flags every listing line holding `needle` as an error (quoting `needle`). */
function flag(needle: string): void {
  session.fake.setDefault((r) => {
    if (r.schemaName !== 'diagnostics') return { text: 'x' };
    const diagnostics: unknown[] = [];
    for (const m of r.prompt.matchAll(/^\s*(\d+)\| ?(.*)$/gm)) {
      if ((m[2] ?? '').includes(needle)) diagnostics.push({ line: Number(m[1]), quote: needle, severity: 'error', message: 'Suspicious */ code' });
    }
    return { json: { diagnostics } };
  });
}

function editsOf(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  if (edit?.documentChanges)
    return (edit.documentChanges as TextDocumentEdit[]).filter((d) => d.textDocument.uri === uri).flatMap((d) => d.edits as TextEdit[]);
  return edit?.changes?.[uri] ?? [];
}

const CAPS = {
  textDocument: {
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'source'] } },
      dataSupport: true,
      resolveSupport: { properties: ['edit'] },
    },
  },
  workspace: { configuration: true, applyEdit: true, workspaceEdit: { documentChanges: true } },
};

describe('suppression comments in the editor', () => {
  const cases = [
    {
      lang: 'typescript',
      file: 'src/a.ts',
      text: 'export function f(a: number) {\n  if (a > 0) {\n    if (a = 1) return 0;\n  }\n  return a;\n}\n',
      needle: 'a = 1',
      comment: '    // codex-lsp-ignore: Suspicious code',
    },
    {
      lang: 'python',
      file: 'src/b.py',
      text: 'def g(x):\n    if x:\n        return eval(x)\n    return None\n',
      needle: 'eval(x)',
      comment: '        # codex-lsp-ignore: Suspicious code',
    },
    {
      lang: 'css',
      file: 'src/c.css',
      text: 'a {\n  color: expression(red);\n}\n',
      needle: 'expression(red)',
      comment: '  /* codex-lsp-ignore: Suspicious code */',
    },
  ];
  for (const k of cases) {
    it(`"Ignore this finding (codex)" inserts the comment above the line in ${k.lang}, and the finding goes away`, async () => {
      flag(k.needle);
      const uri = fileUri(`/work/project/${k.file}`);
      const c = await session.start({ capabilities: CAPS });
      await c.open(uri, k.text, k.lang);
      const p = await c.waitForDiagnostics(uri, (d) => d.diagnostics.length === 1);
      const d = p.diagnostics[0]!;
      const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
      const ignore = actions.find((a) => a.title === 'Ignore this finding (codex)');
      expect(ignore?.kind).toBe('quickfix');
      const after = applyTextEdits(k.text, editsOf(ignore!.edit, uri));
      const lines = after.split('\n');
      expect(lines[d.range.start.line]).toBe(k.comment);
      expect(lines[d.range.start.line + 1]).toContain(k.needle);
      await c.change(uri, after);
      await c.save(uri);
      await c.waitForDiagnostics(uri, (x) => x.diagnostics.length === 0 && (x.version ?? 0) >= 2);
    });
  }

  it('a comment already in the file hides the finding; codex-lsp-ignore-file sends nothing', async () => {
    flag('a = 1');
    const c = await session.start({ capabilities: CAPS });
    const shown = fileUri('/work/project/src/shown.ts');
    const hidden = fileUri('/work/project/src/hidden.ts');
    const skipped = fileUri('/work/project/src/skipped.ts');
    await c.open(shown, 'export function f(a: number) {\n  if (a = 1) return 0;\n  return a;\n}\n', 'typescript');
    await c.open(hidden, 'export function f(a: number) {\n  if (a = 1) return 0; // codex-lsp-ignore a is a flag here\n  return a;\n}\n', 'typescript');
    await c.open(skipped, '// codex-lsp-ignore-file: generated\nexport function f(a: number) {\n  if (a = 1) return 0;\n  return a;\n}\n', 'typescript');
    await c.waitForDiagnostics(shown, (d) => d.diagnostics.length === 1);
    await c.waitForDiagnostics(hidden, (d) => d.diagnostics.length === 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(reviews().some((r) => r.prompt.includes('generated'))).toBe(false);
    expect(reviews().length).toBe(2);
  });
});
