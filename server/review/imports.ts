/** Words that make up import syntax, not names the code uses. */
const SYNTAX = new Set([
  'import',
  'from',
  'as',
  'type',
  'typeof',
  'export',
  'require',
  'const',
  'let',
  'var',
  'use',
  'using',
  'include',
  'package',
  'static',
  'default',
  'mod',
  'pub',
  'crate',
  'self',
  'super',
  'extern',
  'namespace',
  'local',
  'in',
  'with',
  'async',
  'h',
  'hpp',
  'js',
  'ts',
  'index',
  'lib',
  'src',
  'main',
]);

/** The longest statement taken as an import: a half-typed `import {` must not swallow the file. */
const MAX_STATEMENT_LINES = 12;

function candidates(statement: string): Set<string> {
  const words = new Set<string>();
  // Module paths: their last segment is often the name used (Go's "net/http" -> http, <stdio.h> -> stdio).
  const stripped = statement.replace(/(['"`<])([^'"`>]*)(['"`>])/g, (_m, _o: string, path: string) => {
    const last = path.split(/[/:\\]/).pop() ?? '';
    for (const w of last.split(/[^A-Za-z0-9_$]+/)) if (w.length >= 2) words.add(w);
    return ' ';
  });
  for (const m of stripped.matchAll(/[A-Za-z_$][\w$]*/g)) {
    const w = m[0];
    if (w.length >= 2 && !SYNTAX.has(w)) words.add(w);
  }
  for (const w of SYNTAX) words.delete(w);
  return words;
}

/** Groups import lines into statements by bracket balance (a multi-line `import {` ... `}` is one). */
function statements(lines: readonly string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let depth = 0;
  for (const line of lines) {
    cur.push(line);
    for (const ch of line.replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '')) {
      if (ch === '{' || ch === '(' || ch === '[') depth++;
      else if ((ch === '}' || ch === ')' || ch === ']') && depth > 0) depth--;
    }
    if (depth === 0) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * The import lines worth showing above a chunk: the statements that bring in a name the
 * chunk uses. So adding, removing or reordering one import changes the prompt (and so costs
 * a new review) only of the chunks that use it, not of every chunk in the file.
 */
export function relevantImports(importLines: readonly string[], chunkLines: readonly string[]): string[] {
  if (importLines.length === 0) return [];
  const used = new Set<string>();
  for (const line of chunkLines) for (const m of line.matchAll(/[A-Za-z_$][\w$]*/g)) used.add(m[0]);
  const out: string[] = [];
  for (const st of statements(importLines)) {
    if (st.length > MAX_STATEMENT_LINES) continue;
    for (const w of candidates(st.join('\n'))) {
      if (used.has(w)) {
        out.push(...st);
        break;
      }
    }
  }
  return out;
}
