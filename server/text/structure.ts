import type { LineReader } from './lines';

/**
 * A file's imports and the headers of the blocks around a line, found by line heuristics
 * (indentation, openers such as `{`, `:`, `=> {`, definition keywords), for files without a
 * grammar; syntax/ gives the same from a syntax tree when one is loaded. Used by hovers,
 * review chunks, AI actions and edit blocks. Bounded: only the lines scanned are read.
 */

/** How many characters of a line we look at to classify it (import, opener, comment…). */
export const CLASSIFY_CHARS = 200;
/** Header lists: nearest opener plus at most this many more (definition-like ancestors). */
const MAX_HEADERS = 4;
/** How far up we walk from `): T {` / a lone `{` to the signature's first line. */
const MAX_SIGNATURE_WALK = 30;

// --- imports ---------------------------------------------------------------

interface ImportRule {
  start: RegExp;
  /** When the start line also matches `opens`, following lines belong to it until `close` matches. */
  opens?: RegExp;
  close?: RegExp;
}

const IMPORT_RULES: readonly ImportRule[] = [
  // Go `import (` … `)` blocks
  { start: /^import\s*\($/, opens: /^import\s*\($/, close: /^\)/ },
  // JS/TS/Python/Java/Kotlin/Scala/Swift/Haskell/Go/C++20 `import …` (not a dynamic `import(`)
  { start: /^import(?!\s*\()\b/, opens: /^import\b[^'"]*\{[^}]*$/, close: /\}/ },
  // JS/TS re-exports `export … from '…'`, possibly `export {` spanning lines
  { start: /^export\b.*\bfrom\s*['"]/ },
  { start: /^export\s+(?:type\s+)?\{[^}]*$/, opens: /^export/, close: /\}/ },
  // Python `from x import …`, possibly `(` spanning lines
  { start: /^from\s+\S+\s+import\b/, opens: /\(\s*[^)]*$/, close: /\)/ },
  // JS/Ruby/Lua require: `const x = require('x')`, `require 'x'`, `local x = require "x"`
  { start: /^(?:(?:const|let|var|local)\s+[^=]+=\s*)?require(?:_relative)?\b\s*[('"\s]/ },
  // Rust `use`, `pub use`, `extern crate`, `mod x;` (also PHP/Perl `use`)
  { start: /^(?:pub(?:\([^)]*\))?\s+)?use\s/, opens: /\{[^}]*$/, close: /;\s*$/ },
  { start: /^extern\s+crate\b/ },
  { start: /^(?:pub(?:\([^)]*\))?\s+)?mod\s+[\w$]+\s*;/ },
  // C/C++/Objective-C `#include`, `#import`
  { start: /^#\s*(?:include|import)\b/ },
  // Java/Kotlin/Scala/Go `package`
  { start: /^package\s+[\w$.]+\s*;?\s*$/ },
  // C# `using X;`, `using static X;`, `using A = B;`, `global using X;`
  { start: /^(?:global\s+)?using\s+(?:static\s+)?[\w$.]+\s*(?:=\s*[^;]+)?;/ },
  // CSS / Objective-C `@import`
  { start: /^@import\b/ },
];

/**
 * Import-like lines among the first `scanLimit` lines, in file order, at most
 * `maxLines`. Only lines starting in column 0 start an import (so nested
 * Python `import` inside functions or `using (…)` statements are not taken);
 * continuation lines of a multi-line import are taken whatever their indent.
 * A shebang on the first line is skipped.
 */
export function findImports(reader: LineReader, scanLimit: number, maxLines: number): number[] {
  const out: number[] = [];
  if (maxLines <= 0) return out;
  const stop = Math.min(scanLimit, reader.lineCount);
  let close: RegExp | null = null;
  for (let i = 0; i < stop && out.length < maxLines; i++) {
    if (reader.isBlank(i)) continue;
    const head = reader.head(i, CLASSIFY_CHARS);
    if (close !== null) {
      out.push(i);
      if (close.test(head)) close = null;
      continue;
    }
    if (reader.firstNonSpace(i) !== reader.bounds(i).start) continue; // indented
    if (i === 0 && head.startsWith('#!')) continue;
    for (const rule of IMPORT_RULES) {
      if (!rule.start.test(head)) continue;
      out.push(i);
      // By construction of the rules, a line matching `opens` does not close itself.
      if (rule.opens && rule.close && rule.opens.test(head)) close = rule.close;
      break;
    }
  }
  return out;
}

// --- enclosing headers -----------------------------------------------------

export interface Header {
  /** First line of the header (the signature's first line). */
  startLine: number;
  /** The line that opens the block (`{`, `:`, `): T {` …); equals startLine for one-line headers. */
  openerLine: number;
  definition: boolean;
}

const COMMENT_START = /^(?:\/\/|\/\*|\*|#(?!\[)|--|;;|%|'|<!--|"""|''')/;
const TRAILING_COMMENT = /\s(?:\/\/|#)\s.*$/;
const OPENER_END = /(?:[{([:]|=>|->|\bdo(?:\s*\|[^|]*\|)?|\bthen|\bbegin|\bwhere)$/;
const DEFINITION_START =
  /^(?:@[\w$.]+(?:\([^)]*\))?\s+)*(?:def|function\*?|fn|func|fun|class|struct|impl|interface|enum|module|namespace|trait|object|record|union|async|export|public|private|protected|internal|static|abstract|final|sealed|override|pub|sub|procedure|defmodule|defp?|defn|macro_rules!|local\s+function|data|newtype)\b/;
const CONTROL_START =
  /^(?:\}\s*)?(?:if|else|elif|elsif|for|foreach|while|until|unless|do|switch|case|default|when|match|try|catch|except|finally|with|return|loop|select|begin|rescue|ensure)\b/;
/** First line of a C-like signature: `void Foo(int a)`, `static std::string bar(` */
const SIGNATURE_LIKE = /^[\p{L}_$][\p{L}\p{N}_$.<>,\s*&:[\]]*\(/u;
/** `name(args) {`, `name<T>(args): R {` */
const METHOD_LIKE = /^[\p{L}_$][\p{L}\p{N}_$.]*\s*(?:<[^>]*>)?\s*\([^)]*\)\s*(?::[^{]*)?\{$/u;

function classify(reader: LineReader, line: number): { opener: boolean; definition: boolean; head: string } {
  const head = reader.head(line, CLASSIFY_CHARS);
  let tail = reader.tail(line, 120);
  const stripped = tail.replace(TRAILING_COMMENT, '').trimEnd();
  if (stripped.length > 0) tail = stripped;
  const control = CONTROL_START.test(head);
  const startsDef = !control && DEFINITION_START.test(head);
  const opener = OPENER_END.test(tail) || startsDef;
  const definition = opener && !control && (startsDef || /=>\s*\{?$/.test(tail) || /\bfunction\b/.test(head) || METHOD_LIKE.test(head));
  return { opener, definition, head };
}

/**
 * Scan up from the hovered line (at most `scanLimit` lines) for the chain of
 * enclosing block openers, nearest first. A line belongs to the chain when its
 * indentation is strictly smaller than the current threshold (initially the
 * hovered line's indentation) and it looks like a block opener; every
 * non-blank, non-comment line with smaller indentation lowers the threshold
 * (an opener must be less indented than anything between it and us), so the
 * scan stops early at top-level code. Returned: the nearest opener plus the
 * definition-like ancestors (function/class/method headers), at most
 * MAX_HEADERS, always including the outermost definition.
 */
export function findEnclosing(reader: LineReader, line: number, scanLimit: number): Header[] {
  let threshold = reader.indent(line);
  const chain: Header[] = [];
  const floor = Math.max(0, line - scanLimit);
  for (let i = line - 1; i >= floor && threshold > 0; i--) {
    if (reader.isBlank(i)) continue;
    const ind = reader.indent(i);
    if (ind >= threshold) continue;
    const { opener, definition, head } = classify(reader, i);
    if (COMMENT_START.test(head)) continue; // comments and preprocessor lines neither open nor close
    threshold = ind;
    if (!opener) continue;
    const openerLine = i;
    let startLine = i;
    let isDef = definition;
    if (/^[)\]]/.test(head) || head === '{') {
      // `): void {` or an Allman `{`: walk up to the signature's first line.
      const limit = Math.max(floor, i - MAX_SIGNATURE_WALK);
      for (let j = i - 1; j >= limit; j--) {
        if (reader.isBlank(j) || reader.indent(j) > ind) continue;
        const h = reader.head(j, CLASSIFY_CHARS);
        if (/^[)\]]/.test(h) || COMMENT_START.test(h)) continue;
        startLine = j;
        isDef = !CONTROL_START.test(h) && (classify(reader, j).definition || DEFINITION_START.test(h) || SIGNATURE_LIKE.test(h));
        break;
      }
      i = startLine; // continue the scan above the signature
    }
    chain.push({ startLine, openerLine, definition: isDef });
  }
  if (chain.length === 0) return chain;
  const selected = [chain[0]!, ...chain.slice(1).filter((h) => h.definition)];
  if (selected.length <= MAX_HEADERS) return selected;
  return [...selected.slice(0, MAX_HEADERS - 1), selected[selected.length - 1]!];
}
