import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Language, Parser } from 'web-tree-sitter';
import type { Logger } from '../util/log';

/**
 * Canonical language (server/text/language.ts) -> grammar file in `tree-sitter-wasms`.
 *
 * Why that package: it ships prebuilt grammars for every language we need (C and Lua
 * included, which `@vscode/tree-sitter-wasm` lacks) as plain .wasm files that the current
 * `web-tree-sitter` loads, with no install step and no download.
 */
const GRAMMARS: Record<string, string> = {
  typescript: 'typescript',
  typescriptreact: 'tsx',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  python: 'python',
  go: 'go',
  rust: 'rust',
  java: 'java',
  c: 'c',
  cpp: 'cpp',
  csharp: 'c_sharp',
  ruby: 'ruby',
  php: 'php',
  lua: 'lua',
  shellscript: 'bash',
};

export function hasGrammar(language: string): boolean {
  return GRAMMARS[language] !== undefined;
}

/** The .wasm files the server loads: every grammar, and web-tree-sitter's runtime (the VS Code build ships these). */
export const WASM_FILES: readonly string[] = ['tree-sitter.wasm', ...new Set(Object.values(GRAMMARS).map((g) => `tree-sitter-${g}.wasm`))];

/**
 * Where a .wasm file is: next to a bundled server (`grammars/`, as the VS Code extension ships
 * it), else in the npm packages.
 */
function wasmPath(file: string): string {
  const bundled = path.join(__dirname, '..', 'grammars', file);
  if (existsSync(bundled)) return bundled;
  return file === 'tree-sitter.wasm'
    ? path.join(path.dirname(require.resolve('web-tree-sitter')), file)
    : path.join(path.dirname(require.resolve('tree-sitter-wasms/package.json')), 'out', file);
}

type TreeSitter = typeof import('web-tree-sitter');

/**
 * Grammars are loaded lazily, per language, once: the first file of a language pays a few
 * milliseconds (more for the large grammars), the rest nothing. A grammar that fails to load
 * is not tried again; callers fall back to the line heuristics.
 */
export class Grammars {
  private runtime: Promise<TreeSitter> | undefined;
  private readonly languages = new Map<string, Promise<Language | undefined>>();
  private readonly ready = new Map<string, Language | undefined>();
  private parser: Parser | undefined;

  constructor(private readonly log: Logger) {}

  /** The loaded grammar, synchronously, or undefined while it loads (or when there is none). */
  loaded(language: string): Language | undefined {
    return this.ready.get(language);
  }

  /** Loads the grammar for a language; undefined when there is none or it failed to load. */
  load(language: string): Promise<Language | undefined> {
    const file = GRAMMARS[language];
    if (!file) return Promise.resolve(undefined);
    let p = this.languages.get(language);
    if (!p) {
      p = this.loadFile(file).then(
        (lang) => {
          this.ready.set(language, lang);
          return lang;
        },
        (err: unknown) => {
          this.ready.set(language, undefined);
          this.log.info(`syntax: the ${language} grammar did not load (${String(err)}); using line heuristics for ${language}`);
          return undefined;
        },
      );
      this.languages.set(language, p);
    }
    return p;
  }

  /** One parser for the process: parsing is synchronous, so it is never shared across awaits. */
  parserFor(language: Language): Parser | undefined {
    if (!this.parser) return undefined;
    this.parser.setLanguage(language);
    return this.parser;
  }

  private async loadFile(file: string): Promise<Language> {
    this.runtime ??= (async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const ts = require('web-tree-sitter') as TreeSitter;
      await ts.Parser.init({ locateFile: (file: string) => wasmPath(file) });
      this.parser = new ts.Parser();
      return ts;
    })();
    const ts = await this.runtime;
    return ts.Language.load(wasmPath(`tree-sitter-${file}.wasm`));
  }
}
