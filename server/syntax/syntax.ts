import type { Parser, Tree } from 'web-tree-sitter';
import type { Header } from '../text/structure';
import type { Logger } from '../util/log';
import { Grammars, hasGrammar } from './grammars';
import { definitionsIn, enclosingDefinitions, namesUsed, topLevelStarts, type Definition, type UsedName } from './outline';

/** A parsed text: answers the features' questions. */
export interface Parsed {
  definitions(): Definition[];
  enclosing(line: number): Definition[];
  /**
   * The definitions around `line` that start above it, as the headers the hover and the edit
   * prompts show: the nearest, and the outer ones up to four, the outermost always kept.
   */
  headers(line: number): Header[];
  /** Where top-level constructs start; undefined when the text does not parse cleanly. */
  topLevelStarts(): Set<number> | undefined;
  namesUsed(startLine: number, endLine: number, max?: number): UsedName[];
}

/** Texts above this are not parsed: the line heuristics serve them at a bounded cost. */
const MAX_PARSE_CHARS = 1_000_000;
/** Documents whose latest tree is kept, for incremental parsing after an edit. */
const KEEP_TREES = 16;
const MAX_HEADERS = 4;

/**
 * One document's tree. Trees live in wasm memory, which JavaScript's garbage collector does not
 * see, so they are deleted explicitly when a newer text replaces them; a holder that still asks
 * questions afterwards gets its answers from a fresh parse of its own text.
 */
class ParsedTree implements Parsed {
  private defs: Definition[] | undefined;
  private starts: Set<number> | undefined | null = null;

  constructor(
    private tree: Tree | undefined,
    readonly text: string,
    private readonly reparse: (text: string) => Tree | undefined,
  ) {}

  /** The tree, or (after release) a temporary one for `use`, deleted afterwards. */
  private with<T>(use: (tree: Tree) => T, fallback: T): T {
    if (this.tree) return use(this.tree);
    const tree = this.reparse(this.text);
    if (!tree) return fallback;
    try {
      return use(tree);
    } finally {
      tree.delete();
    }
  }

  get current(): Tree | undefined {
    return this.tree;
  }

  release(): void {
    this.tree?.delete();
    this.tree = undefined;
  }

  definitions(): Definition[] {
    this.defs ??= this.with((t) => definitionsIn(t, this.text), []);
    return this.defs;
  }
  enclosing(line: number): Definition[] {
    return this.with((t) => enclosingDefinitions(t, this.text, line), []);
  }
  headers(line: number): Header[] {
    const defs = this.enclosing(line).filter((d) => d.startLine < line);
    const all = defs.map((d) => ({ startLine: d.startLine, openerLine: Math.max(d.startLine, Math.min(d.bodyLine, line - 1)), definition: true }));
    return all.length <= MAX_HEADERS ? all : [...all.slice(0, MAX_HEADERS - 1), all[all.length - 1] as Header];
  }
  topLevelStarts(): Set<number> | undefined {
    // A text that does not parse (typing in progress) has its constructs moved around by error
    // recovery: cutting there would re-send the whole file after one broken line.
    if (this.starts === null) this.starts = this.with((t) => (t.rootNode.hasError ? undefined : topLevelStarts(t)), undefined);
    return this.starts;
  }
  namesUsed(startLine: number, endLine: number, max?: number): UsedName[] {
    return this.with((t) => namesUsed(t, startLine, endLine, max), []);
  }
}

/** The edit that turns `before` into `after`: their common prefix and suffix, as tree-sitter wants it. */
function diffEdit(before: string, after: string): Parameters<Tree['edit']>[0] {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  const point = (text: string, index: number): { row: number; column: number } => {
    let row = 0;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
      row++;
      lineStart = i + 1;
    }
    return { row, column: index - lineStart };
  };
  // web-tree-sitter counts in UTF-16 code units, as JavaScript strings do.
  return {
    startIndex: start,
    oldEndIndex: endBefore,
    newEndIndex: endAfter,
    startPosition: point(before, start),
    oldEndPosition: point(before, endBefore),
    newEndPosition: point(after, endAfter),
  } as Parameters<Tree['edit']>[0];
}

/**
 * Syntax trees from tree-sitter for the languages that have a grammar; undefined for the
 * others, for texts too large, and while a grammar failed to load, so callers keep their
 * line heuristics as the fallback. A document's next text is parsed incrementally from its
 * last tree, so an edit costs a few milliseconds, not a full parse.
 */
export class Syntax {
  private readonly grammars: Grammars;
  /** Latest tree per document (uri), most recently used last. */
  private readonly latest = new Map<string, ParsedTree>();

  constructor(log: Logger) {
    this.grammars = new Grammars(log);
  }

  supports(language: string): boolean {
    return hasGrammar(language);
  }

  /** Starts loading a language's grammar (on open), so the first hover does not wait for it. */
  warm(language: string): void {
    void this.grammars.load(language);
  }

  private parser(language: string): Parser | undefined {
    const lang = this.grammars.loaded(language);
    return lang ? this.grammars.parserFor(lang) : undefined;
  }

  /** A document's text parsed (incrementally from its previous text), loading the grammar first if needed. */
  async parse(language: string, text: string, key: string): Promise<Parsed | undefined> {
    if (!hasGrammar(language) || text.length > MAX_PARSE_CHARS) return undefined;
    await this.grammars.load(language);
    return this.parseNow(language, text, key);
  }

  /** The same, if the grammar is already loaded, without waiting. */
  parseNow(language: string, text: string, key: string): Parsed | undefined {
    if (!hasGrammar(language) || text.length > MAX_PARSE_CHARS) return undefined;
    const cacheKey = `${language}\u0000${key}`;
    const last = this.latest.get(cacheKey);
    if (last?.text === text && last.current) {
      this.latest.delete(cacheKey);
      this.latest.set(cacheKey, last);
      return last;
    }
    const parser = this.parser(language);
    if (!parser) return undefined;
    let tree: Tree | null;
    if (last?.current) {
      // Edit a copy: the previous tree may still be read by whoever holds it.
      const old = last.current.copy();
      old.edit(diffEdit(last.text, text));
      tree = parser.parse(text, old);
      old.delete();
    } else {
      tree = parser.parse(text);
    }
    if (!tree) return undefined;
    const parsed = new ParsedTree(tree, text, (t) => this.parser(language)?.parse(t) ?? undefined);
    last?.release();
    this.latest.delete(cacheKey);
    this.latest.set(cacheKey, parsed);
    if (this.latest.size > KEEP_TREES) {
      const [oldest, evicted] = this.latest.entries().next().value as [string, ParsedTree];
      this.latest.delete(oldest);
      evicted.release();
    }
    return parsed;
  }

  /** A document was closed: its tree is not needed any more. */
  forget(key: string): void {
    for (const [k, p] of this.latest) {
      if (k.endsWith(`\u0000${key}`)) {
        p.release();
        this.latest.delete(k);
      }
    }
  }

  /** Definitions of a text that is not kept (the workspace index): parsed, read, released. */
  async definitionsOf(language: string, text: string): Promise<Definition[] | undefined> {
    if (!hasGrammar(language) || text.length > MAX_PARSE_CHARS) return undefined;
    await this.grammars.load(language);
    const tree = this.parser(language)?.parse(text);
    if (!tree) return undefined;
    try {
      return definitionsIn(tree, text);
    } finally {
      tree.delete();
    }
  }
}
