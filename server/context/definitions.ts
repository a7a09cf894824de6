import * as path from 'node:path';
import type { Parsed } from '../syntax/syntax';
import { splitLines } from '../text/lines';
import type { UsedName } from '../syntax/outline';
import type { IndexedDefinition } from './workspace-index';

/** What the context for one target needs to know; no LSP, no I/O. */
export interface DefinitionsQuery {
  /** Absolute path of the file the target is in. */
  file: string;
  /** The file's text, for its names when there is no syntax tree. */
  text: string;
  parsed: Parsed | undefined;
  /** 0-based, inclusive: the lines whose names are looked up, the first ones first. */
  lines: ReadonlyArray<readonly [number, number]>;
  lookup(name: string): readonly IndexedDefinition[];
  /** The files this file imports (context/imports.ts): their definitions are the likeliest meant. */
  imported: ReadonlySet<string>;
  /** Files open in the editor: their definitions go before the index's. */
  isOpen(file: string): boolean;
  /** Shown paths relative to the workspace. */
  display(file: string): string;
  maxBytes: number;
  /** Only called names (a review chunk wants the functions it calls); default: all names. */
  callsOnly?: boolean;
  /** A name to look up before all others (the hovered symbol). */
  first?: string;
}

/** Definitions per name at most: a name defined in many files is too ambiguous to spend bytes on. */
const PER_NAME = 2;
const AMBIGUOUS = 6;
const WORD = /[\p{L}_$][\p{L}\p{N}_$]*/gu;
const KEYWORDS = new Set(
  (
    'if else for while do return function const let var new class this self super def import from export async await try catch ' +
    'finally throw switch case break continue true false null nil None True False undefined typeof instanceof in of and or not ' +
    'pass with as lambda yield static public private protected void int string bool fn pub mut impl struct enum match use mod ' +
    'package func go defer chan map type interface end then local elif begin rescue module require echo printf'
  ).split(' '),
);

/**
 * Signatures and short docs of the names a target uses that are defined in other files:
 * open documents first, then the index, nearest by import path, then by folder; within
 * `maxBytes`. Each block names its file and line, so the model knows where it comes from.
 */
/** Room kept in the budget for the heading that introduces the blocks in a prompt. */
const HEADING_BYTES = 80;

export function definitionsContext(q: DefinitionsQuery): string[] {
  const budget = q.maxBytes - HEADING_BYTES;
  if (budget <= 0) return [];
  const local = new Set((q.parsed?.definitions() ?? []).map((d) => d.name));
  const out: string[] = [];
  let bytes = 0;
  const seen = new Set<string>();
  for (const used of namesIn(q)) {
    if (local.has(used.name) || KEYWORDS.has(used.name) || seen.has(used.name)) continue;
    seen.add(used.name);
    const found = q.lookup(used.name).filter((d) => d.file !== q.file && sameFamily(d.file, q.file));
    if (found.length === 0 || found.length > AMBIGUOUS) continue;
    // Ties by path and line: the same files give the same prompt, whatever order they were read in.
    const ranked = [...found].sort((a, b) => score(b, q) - score(a, q) || a.file.localeCompare(b.file) || a.startLine - b.startLine);
    // `obj.get()` could be any `get`: only one from a file this file imports is worth the bytes.
    if (used.member && !q.imported.has((ranked[0] as IndexedDefinition).file)) continue;
    for (const d of ranked.slice(0, PER_NAME)) {
      const block = render(d, q.display(d.file));
      // Blocks are joined by a blank line.
      const size = Buffer.byteLength(block) + 2;
      if (bytes + size > budget) return out;
      out.push(block);
      bytes += size;
    }
  }
  return out;
}

function namesIn(q: DefinitionsQuery): UsedName[] {
  const all: UsedName[] = q.first ? [{ name: q.first, called: true }] : [];
  for (const [start, end] of q.lines) {
    const names = q.parsed ? q.parsed.namesUsed(start, end) : wordsIn(q.text, start, end);
    // Calls first within each group of lines: they are what a signature explains.
    all.push(...names.filter((n) => n.called), ...names.filter((n) => !n.called && !q.callsOnly));
  }
  return all;
}

/** Without a grammar: the words of the lines, a word followed by `(` counting as a call. */
function wordsIn(text: string, start: number, end: number): UsedName[] {
  const lines = splitLines(text)
    .slice(start, end + 1)
    .join('\n');
  const out = new Map<string, UsedName>();
  for (const m of lines.matchAll(WORD)) {
    const name = m[0];
    if (name.length < 3) continue;
    const at = m.index ?? 0;
    const called = /^\s*\(/.test(lines.slice(at + name.length, at + name.length + 3));
    const member = at > 0 && lines[at - 1] === '.';
    const known = out.get(name);
    if (known) {
      known.called ||= called;
      if (!member) delete known.member;
    } else out.set(name, member ? { name, called, member } : { name, called });
  }
  return [...out.values()];
}

/** Languages that call each other's definitions: a TypeScript call never means a Python function. */
const FAMILIES: Record<string, string> = {
  ts: 'js',
  tsx: 'js',
  mts: 'js',
  cts: 'js',
  js: 'js',
  jsx: 'js',
  mjs: 'js',
  cjs: 'js',
  c: 'c',
  h: 'c',
  cc: 'c',
  cpp: 'c',
  cxx: 'c',
  hpp: 'c',
  hh: 'c',
  py: 'py',
  pyi: 'py',
  sh: 'sh',
  bash: 'sh',
};

function familyOf(file: string): string {
  const ext = /\.([^./\\]+)$/.exec(file)?.[1]?.toLowerCase() ?? '';
  return FAMILIES[ext] ?? ext;
}

function sameFamily(a: string, b: string): boolean {
  return familyOf(a) === familyOf(b);
}

function score(d: IndexedDefinition, q: DefinitionsQuery): number {
  const imported = q.imported.has(d.file);
  // Folders apart: 0 in the same folder, 1 next door, ...
  const rel = path.relative(path.dirname(q.file), path.dirname(d.file));
  const distance = rel === '' ? 0 : rel.split(path.sep).length;
  return (imported ? 1000 : 0) + (q.isOpen(d.file) ? 100 : 0) + (d.kind === 'function' ? 5 : 0) - Math.min(distance, 50);
}

function render(d: IndexedDefinition, file: string): string {
  const lines = [`${file}:${d.startLine + 1}`];
  if (d.doc) lines.push(d.doc);
  lines.push(d.signature);
  return lines.join('\n');
}
