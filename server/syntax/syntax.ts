import type { Tree } from 'web-tree-sitter';
import type { Header } from '../text/hover-context';
import type { Logger } from '../util/log';
import { Grammars, hasGrammar } from './grammars';
import { definitionsIn, enclosingDefinitions, namesUsed, topLevelStarts, type Definition, type UsedName } from './outline';

/** A parsed text: answers the features' questions, and must be released (trees live in wasm memory). */
export interface Parsed {
  definitions(): Definition[];
  enclosing(line: number): Definition[];
  /**
   * The definitions around `line` that start above it, as the headers the hover and the edit
   * prompts show: the nearest, and the outer ones up to four, the outermost always kept.
   */
  headers(line: number): Header[];
  topLevelStarts(): Set<number>;
  namesUsed(startLine: number, endLine: number, max?: number): UsedName[];
}

/** Texts above this are not parsed: the line heuristics serve them at a bounded cost. */
const MAX_PARSE_CHARS = 1_000_000;
const MAX_HEADERS = 4;
/** Trees kept for recently asked texts (hover after hover in one file reuses its tree). */
const KEEP_TREES = 8;

const released = new FinalizationRegistry<Tree>((tree) => tree.delete());

class ParsedTree implements Parsed {
  private defs: Definition[] | undefined;
  constructor(
    readonly tree: Tree,
    private readonly source: string,
  ) {}
  definitions(): Definition[] {
    this.defs ??= definitionsIn(this.tree, this.source);
    return this.defs;
  }
  enclosing(line: number): Definition[] {
    return enclosingDefinitions(this.tree, this.source, line);
  }
  headers(line: number): Header[] {
    const defs = this.enclosing(line).filter((d) => d.startLine < line);
    const all = defs.map((d) => ({ startLine: d.startLine, openerLine: Math.max(d.startLine, Math.min(d.bodyLine, line - 1)), definition: true }));
    return all.length <= MAX_HEADERS ? all : [...all.slice(0, MAX_HEADERS - 1), all[all.length - 1] as Header];
  }
  topLevelStarts(): Set<number> {
    return topLevelStarts(this.tree);
  }
  namesUsed(startLine: number, endLine: number, max?: number): UsedName[] {
    return namesUsed(this.tree, startLine, endLine, max);
  }
}

/**
 * Syntax trees from tree-sitter for the languages that have a grammar; undefined for the
 * others, for texts too large, and while a grammar failed to load, so callers keep their
 * line heuristics as the fallback.
 */
export class Syntax {
  private readonly grammars: Grammars;
  /** Keyed by the exact text: the same text parses the same, whatever document it came from. */
  private readonly recent = new Map<string, ParsedTree>();

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

  /** The parsed text, loading the grammar first if needed. */
  async parse(language: string, text: string): Promise<Parsed | undefined> {
    if (!hasGrammar(language) || text.length > MAX_PARSE_CHARS) return undefined;
    await this.grammars.load(language);
    return this.parseNow(language, text);
  }

  /** The parsed text if the grammar is already loaded, without waiting. */
  parseNow(language: string, text: string): Parsed | undefined {
    if (!hasGrammar(language) || text.length > MAX_PARSE_CHARS) return undefined;
    const key = `${language}\u0000${text}`;
    const hit = this.recent.get(key);
    if (hit) {
      this.recent.delete(key);
      this.recent.set(key, hit);
      return hit;
    }
    const lang = this.grammars.loaded(language);
    const parser = lang ? this.grammars.parserFor(lang) : undefined;
    const tree = parser?.parse(text);
    if (!tree) return undefined;
    const parsed = new ParsedTree(tree, text);
    // A tree lives in wasm memory: released once nothing holds its ParsedTree any more (a
    // review may still be reading one that dropped out of `recent`).
    released.register(parsed, tree);
    this.recent.set(key, parsed);
    if (this.recent.size > KEEP_TREES) this.recent.delete(this.recent.keys().next().value as string);
    return parsed;
  }

  /** Definitions of a text that is not kept (the workspace index): parsed, read, released. */
  async definitionsOf(language: string, text: string): Promise<Definition[] | undefined> {
    if (!hasGrammar(language) || text.length > MAX_PARSE_CHARS) return undefined;
    const lang = await this.grammars.load(language);
    const parser = lang ? this.grammars.parserFor(lang) : undefined;
    const tree = parser?.parse(text);
    if (!tree) return undefined;
    try {
      return definitionsIn(tree, text);
    } finally {
      tree.delete();
    }
  }
}
