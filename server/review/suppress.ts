/**
 * Suppression comments, shared by the editor's review and `codex-lsp review`:
 *
 * - `codex-lsp-ignore` in a comment on a finding's first line or on the line above hides
 *   that finding; the text after it is the reason (`// codex-lsp-ignore: checked, a is 1`).
 * - `codex-lsp-ignore-file` in the first {@link FILE_MARK_LINES} lines skips the whole file:
 *   it is not sent to the model at all.
 *
 * "In any comment syntax": the marker is looked for as a word on the line, whatever the
 * comment leader (`//`, `#`, `--`, `;`, `/*`, `<!--`, `%`, ...), so no language table is
 * needed to honour it. Only inserting one needs the syntax (see `commentSyntax`).
 */
import type { Range } from 'vscode-languageserver';

const IGNORE_MARK = 'codex-lsp-ignore';
const IGNORE_FILE_MARK = 'codex-lsp-ignore-file';
/** How far from the top `codex-lsp-ignore-file` is honoured (a licence header may come first). */
export const FILE_MARK_LINES = 10;

const LINE_MARK = /(?<![\w-])codex-lsp-ignore(?![\w-])(.*)$/;
const FILE_MARK = /(?<![\w-])codex-lsp-ignore-file(?![\w-])/;

export interface Lines {
  readonly lineCount: number;
  line(i: number): string;
}

/** The reason given with a file-level marker ('' when none), or undefined when the file is not marked. */
export function fileSuppression(lines: Lines): string | undefined {
  for (let i = 0; i < Math.min(lines.lineCount, FILE_MARK_LINES); i++) {
    const text = lines.line(i);
    if (FILE_MARK.test(text)) return reasonAfter(text.slice(text.indexOf(IGNORE_FILE_MARK) + IGNORE_FILE_MARK.length));
  }
  return undefined;
}

/** The reason ('' when none) when a marker on the finding's first line or the line above hides it. */
export function suppressionOf(lines: Lines, range: Range): string | undefined {
  for (const i of [range.start.line, range.start.line - 1]) {
    if (i < 0 || i >= lines.lineCount) continue;
    const m = LINE_MARK.exec(lines.line(i));
    if (m) return reasonAfter(m[1] ?? '');
  }
  return undefined;
}

/** Splits findings into those shown and those hidden by a comment (with its reason). */
export function applySuppressions<T extends { range: Range }>(
  lines: Lines,
  findings: readonly T[],
): { kept: T[]; suppressed: Array<{ finding: T; reason: string }> } {
  const kept: T[] = [];
  const suppressed: Array<{ finding: T; reason: string }> = [];
  for (const f of findings) {
    const reason = suppressionOf(lines, f.range);
    if (reason === undefined) kept.push(f);
    else suppressed.push({ finding: f, reason });
  }
  return { kept, suppressed };
}

/** What follows the marker, without separators (`:`, `-`) and comment closers (`*` `/`, `-->`). */
function reasonAfter(rest: string): string {
  return rest
    .replace(/\s*(\*\/|-->|-\}|\*\)|%>|\?>)\s*$/, '')
    .replace(/^[\s:=\-–—(]+/, '')
    .trim();
}

/** How a line comment is written in a language: a leader, and a closer for block-only syntaxes. */
export interface CommentSyntax {
  open: string;
  close?: string;
}

const HASH = [
  'python',
  'ruby',
  'shellscript',
  'sh',
  'bash',
  'zsh',
  'fish',
  'perl',
  'r',
  'yaml',
  'toml',
  'makefile',
  'dockerfile',
  'elixir',
  'powershell',
  'nim',
  'julia',
  'coffeescript',
  'crystal',
  'terraform',
  'hcl',
  'nix',
  'cmake',
  'gdscript',
  'starlark',
  'graphql',
];
const DASHES = ['sql', 'lua', 'haskell', 'elm', 'ada', 'purescript', 'vhdl'];
const SEMI = ['clojure', 'lisp', 'commonlisp', 'scheme', 'racket', 'emacs-lisp', 'elisp', 'fennel', 'ini', 'asm', 'nasm'];
const PERCENT = ['erlang', 'latex', 'tex', 'matlab', 'prolog'];
const HTML = ['html', 'xml', 'markdown', 'vue', 'svelte', 'xhtml', 'svg'];
const BLOCK = ['css'];

/** The comment syntax for an LSP language id (`//` for the C family and anything unknown). */
export function commentSyntax(languageId: string): CommentSyntax {
  const id = languageId.toLowerCase();
  if (HASH.includes(id)) return { open: '#' };
  if (DASHES.includes(id)) return { open: '--' };
  if (SEMI.includes(id)) return { open: ';' };
  if (PERCENT.includes(id)) return { open: '%' };
  if (HTML.includes(id)) return { open: '<!--', close: '-->' };
  if (id === 'ocaml' || id === 'fsharp') return { open: '(*', close: '*)' };
  if (BLOCK.includes(id)) return { open: '/*', close: '*/' };
  if (id === 'vim' || id === 'viml') return { open: '"' };
  if (id === 'bat' || id === 'batch') return { open: 'REM' };
  if (id === 'vb' || id === 'vbnet') return { open: "'" };
  return { open: '//' };
}

/** The comment line to insert above a finding, e.g. `  # codex-lsp-ignore: reason`. */
export function ignoreComment(languageId: string, indent: string, reason: string): string {
  const c = commentSyntax(languageId);
  const body = `${IGNORE_MARK}${reason ? `: ${reason}` : ''}`;
  return `${indent}${c.open} ${body}${c.close ? ` ${c.close}` : ''}`;
}
