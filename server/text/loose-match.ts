import { isSpace } from './lines';

/**
 * Whitespace-insensitive matching: the one matcher behind placing a review finding by the
 * text it quotes (review/anchor.ts) and placing an edit by the text it replaces
 * (edits/locate.ts), so that both read a quote the same way.
 *
 * The rule: whitespace, line breaks included, is ignored, except between two word
 * characters, where "some whitespace" and "none" must agree. `a=b` matches `a = b`,
 * `foo( x )` matches `foo(x)`, a tab matches four spaces, a quote wrapped over two lines
 * matches the one line it came from, but `returnx` never matches `return x`. Word characters
 * are ASCII letters, digits, `_` and `$`, Unicode letters, marks and digits, and astral
 * characters (emoji, rare scripts; counted as word characters to stay strict). Punctuation
 * and symbols outside ASCII (`—`, `→`, `«`) are not: spaces around them never split a word.
 *
 * A match covers the document from its first to its last matched non-whitespace character,
 * so it never starts or ends on whitespace. What to do with several matches (take the
 * nearest, refuse as ambiguous) is the caller's choice; this module only finds them.
 *
 * Cost: a compact copy is one pass over the text; the search is an `indexOf` loop over the
 * compact copy, and every candidate position and gap check is paid from a {@link Budget}, so
 * a quote like `a a a` against a file full of `a`s stays bounded.
 */

/** Whitespace as the matcher ignores it: line breaks and the horizontal spaces of {@link isSpace}. */
export function isBreakOrSpace(c: number): boolean {
  return c === 10 || c === 13 || isSpace(c);
}

const WORD_NON_ASCII = /[\p{L}\p{M}\p{N}]/u;

/** A character that glues to its neighbours into a word (see the module comment). */
function isWordCode(c: number): boolean {
  if (c < 128) {
    return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
  }
  if (c >= 0xd800 && c <= 0xdfff) return true;
  return WORD_NON_ASCII.test(String.fromCharCode(c));
}

/** Number of characters of `s` that are not whitespace (line breaks count as whitespace). */
export function nonSpaceCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (!isBreakOrSpace(s.charCodeAt(i))) n++;
  return n;
}

/** A whitespace-free copy of text[from, to) and, per character, its offset in the text. */
export interface Compact {
  chars: string;
  /** chars[k] is text[pos[k]]. */
  pos: Int32Array;
}

/** A quote without whitespace, and what the gaps between its word characters must look like. */
export interface LooseQuote {
  chars: string;
  /** Indices k (>= 1) where chars[k-1] and chars[k] are both word characters. */
  checkAt: number[];
  /** Whether the quote had whitespace just before chars[checkAt[i]]. */
  checkGap: boolean[];
}

/** Work left for one search: each candidate position costs 1, each gap check 1. */
export interface Budget {
  left: number;
}

/** Work budget of one search (a few tens of milliseconds at worst). */
export const LOOSE_BUDGET = 5_000_000;

export function compactText(text: string, from = 0, to = text.length): Compact {
  const pos = new Int32Array(Math.max(0, to - from));
  const parts: string[] = [];
  let n = 0;
  let runStart = -1;
  for (let i = from; i < to; i++) {
    if (isBreakOrSpace(text.charCodeAt(i))) {
      if (runStart >= 0) {
        parts.push(text.slice(runStart, i));
        runStart = -1;
      }
    } else {
      if (runStart < 0) runStart = i;
      pos[n++] = i;
    }
  }
  if (runStart >= 0) parts.push(text.slice(runStart, to));
  return { chars: parts.join(''), pos: pos.subarray(0, n) };
}

export function looseQuote(q: string): LooseQuote {
  const chars: string[] = [];
  const checkAt: number[] = [];
  const checkGap: boolean[] = [];
  let gap = false;
  let prevWord = false;
  let n = 0;
  for (let i = 0; i < q.length; i++) {
    const c = q.charCodeAt(i);
    if (isBreakOrSpace(c)) {
      gap = true;
      continue;
    }
    const word = isWordCode(c);
    if (n > 0 && word && prevWord) {
      checkAt.push(n);
      checkGap.push(gap);
    }
    chars.push(q[i]!);
    n++;
    prevWord = word;
    gap = false;
  }
  return { chars: chars.join(''), checkAt, checkGap };
}

/**
 * Index in `c.chars` of the next match at or after `from` whose word gaps agree with the
 * quote's; -1 when there is none, or when the budget ran out (the caller tells the two
 * apart by `budget.left <= 0`). An empty quote never matches.
 */
export function nextLooseMatch(c: Compact, q: LooseQuote, from: number, budget: Budget): number {
  if (q.chars.length === 0) return -1;
  const pos = c.pos;
  const checks = q.checkAt.length;
  for (let k = c.chars.indexOf(q.chars, from); k >= 0; k = c.chars.indexOf(q.chars, k + 1)) {
    budget.left -= 1 + checks;
    if (budget.left < 0) return -1;
    let ok = true;
    for (let i = 0; i < checks; i++) {
      const j = k + q.checkAt[i]!;
      // Only whitespace is left out of the compact copy, so a hole in `pos` is a gap.
      if (pos[j]! - pos[j - 1]! > 1 !== q.checkGap[i]) {
        ok = false;
        break;
      }
    }
    if (ok) return k;
  }
  return -1;
}

/** The text offsets a match at compact index `k` covers: first to just past the last matched character. */
export function looseSpan(c: Compact, q: LooseQuote, k: number): { start: number; end: number } {
  return { start: c.pos[k]!, end: c.pos[k + q.chars.length - 1]! + 1 };
}
