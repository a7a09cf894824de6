import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** At most this many files are followed from one file's imports. */
const MAX_IMPORTED_FILES = 24;

const JS_EXTS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.d.ts'];
const C_EXTS = ['.h', '.hpp', '.hh', '.c', '.cc', '.cpp'];

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The first of `candidates` that is a file. */
function first(candidates: readonly string[]): string | undefined {
  return candidates.find(isFile);
}

/** `./x` -> x.ts, x/index.ts ... (an explicit `.js` of a TypeScript source may mean its `.ts`). */
function resolveJs(dir: string, spec: string): string | undefined {
  const base = path.resolve(dir, spec);
  const noJs = base.replace(/\.(m|c)?js$/, '');
  return first([base, ...JS_EXTS.map((e) => noJs + e), ...JS_EXTS.map((e) => path.join(base, `index${e}`))]);
}

/** `a.b.c` -> a/b/c.py or a/b/c/__init__.py under each root (and its src/ folder). */
function resolvePython(dir: string, spec: string, roots: readonly string[]): string | undefined {
  const dots = /^\.+/.exec(spec)?.[0].length ?? 0;
  const rel = spec.slice(dots).split('.').filter(Boolean).join('/');
  const bases = dots > 0 ? [path.resolve(dir, ...Array<string>(dots - 1).fill('..'))] : roots.flatMap((r) => [r, path.join(r, 'src')]);
  for (const b of bases) {
    const hit = first(rel === '' ? [path.join(b, '__init__.py')] : [path.join(b, `${rel}.py`), path.join(b, rel, '__init__.py')]);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * The files of the workspace that a file imports, resolved the way its language does, in the
 * order of the imports: what its calls most likely refer to. Go's files of the same package
 * count too (they need no import). Files that do not exist are skipped; nothing is read here.
 */
export function importedFiles(file: string, text: string, language: string, roots: readonly string[]): string[] {
  const dir = path.dirname(file);
  const head = text.slice(0, 30_000);
  const out: string[] = [];
  const add = (p: string | undefined): void => {
    if (p && p !== file && !out.includes(p) && out.length < MAX_IMPORTED_FILES) out.push(p);
  };
  const each = (re: RegExp, fn: (m: RegExpMatchArray) => void): void => {
    for (const m of head.matchAll(re)) fn(m);
  };
  switch (language) {
    case 'typescript':
    case 'typescriptreact':
    case 'javascript':
    case 'javascriptreact':
      each(/(?:\bfrom\s+|\bimport\s*\(?\s*|\brequire\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g, (m) => add(resolveJs(dir, m[1] as string)));
      break;
    case 'python':
      each(/^\s*from\s+(\.*[\w.]*)\s+import\s+([\w, ()*]+)/gm, (m) => {
        const mod = m[1] as string;
        const resolved = resolvePython(dir, mod, roots);
        if (resolved && !resolved.endsWith('__init__.py')) add(resolved);
        // `from . import util`, `from pkg import module`: the names may be modules themselves.
        for (const name of (m[2] as string)
          .replace(/[()]/g, '')
          .split(',')
          .map((n) => n.trim().split(/\s+/)[0] ?? '')) {
          if (/^\w+$/.test(name)) add(resolvePython(dir, `${mod}${mod.endsWith('.') ? '' : '.'}${name}`, roots));
        }
        if (resolved?.endsWith('__init__.py')) add(resolved);
      });
      each(/^\s*import\s+([\w.]+)/gm, (m) => add(resolvePython(dir, m[1] as string, roots)));
      break;
    case 'go':
      try {
        for (const f of readdirSync(dir).sort()) if (f.endsWith('.go') && !f.endsWith('_test.go')) add(path.join(dir, f));
      } catch {
        // An unreadable folder: no same-package files.
      }
      break;
    case 'c':
    case 'cpp':
      each(/^\s*#\s*include\s+"([^"]+)"/gm, (m) =>
        add(
          first([
            path.resolve(dir, m[1] as string),
            ...roots.map((r) => path.join(r, m[1] as string)),
            ...roots.map((r) => path.join(r, 'include', m[1] as string)),
          ]),
        ),
      );
      // A source file's own header, and the header's source.
      add(first(C_EXTS.map((e) => file.replace(/\.[^./]+$/, e))));
      break;
    case 'rust':
      each(/^\s*(?:pub\s+)?mod\s+(\w+)\s*;/gm, (m) => add(first([path.join(dir, `${m[1]}.rs`), path.join(dir, m[1] as string, 'mod.rs')])));
      each(/^\s*use\s+crate::([\w:]+)/gm, (m) => {
        const parts = (m[1] as string).split('::');
        for (let n = parts.length; n > 0; n--) {
          const rel = parts.slice(0, n).join('/');
          const hit = roots.map((r) => first([path.join(r, 'src', `${rel}.rs`), path.join(r, 'src', rel, 'mod.rs')])).find(Boolean);
          if (hit) {
            add(hit);
            break;
          }
        }
      });
      break;
    case 'java':
      each(/^\s*import\s+(?:static\s+)?([\w.]+)\s*;/gm, (m) => {
        const rel = (m[1] as string).split('.').join('/');
        add(
          roots
            .map((r) => first([path.join(r, `${rel}.java`), path.join(r, 'src', 'main', 'java', `${rel}.java`), path.join(r, 'src', `${rel}.java`)]))
            .find(Boolean),
        );
      });
      break;
    case 'ruby':
      each(/\brequire_relative\s+['"]([^'"]+)['"]/g, (m) => add(first([path.resolve(dir, m[1] as string), path.resolve(dir, `${m[1]}.rb`)])));
      break;
    case 'php':
      each(/\b(?:require|include)(?:_once)?\s*\(?\s*(?:__DIR__\s*\.\s*)?['"]\/?([^'"]+\.php)['"]/g, (m) => add(first([path.resolve(dir, m[1] as string)])));
      break;
    case 'lua':
      each(/\brequire\s*\(?\s*['"]([\w.]+)['"]/g, (m) =>
        add(roots.map((r) => first([path.join(r, `${(m[1] as string).split('.').join('/')}.lua`)])).find(Boolean)),
      );
      break;
    case 'shellscript':
      each(/^\s*(?:source|\.)\s+['"]?([^\s'"]+)/gm, (m) => add(first([path.resolve(dir, (m[1] as string).replace(/^\$\(dirname "\$0"\)\//, ''))])));
      break;
    default:
      break;
  }
  return out.filter((p) => existsSync(p));
}
