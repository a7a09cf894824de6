import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver';
import { ELLIPSIS, isHighSurrogate, isSpace } from '../text/lines';
import { compactText, isBreakOrSpace, LOOSE_BUDGET, looseQuote, looseSpan, nextLooseMatch, nonSpaceCount, type Budget, type Compact, type LooseQuote } from '../text/loose-match';

/**
 * Placing a model's proposed edits on the document, exactly or not at all.
 *
 * The model answers `{"edits": [{"quote", "replacement"}], "explanation"}`. Every quote is
 * located in the document; an edit whose quote cannot be located without guessing makes
 * the whole answer fail with a sentence for the user that names the edit by the first
 * line of its quote. Nothing is ever applied at a guessed place. All offsets are UTF-16
 * code units (plain JS string indices), as LSP uses them.
 *
 * Rules, per edit, in the order given:
 * 1. Line endings of quote and replacement are normalised to the document's (`\r\n` if the
 *    text contains one, else `\n`, unless `options.eol` says otherwise). A lone `\r` is
 *    kept as it is.
 * 2. An empty quote is an error. A replacement equal to its quote is a no-op: skipped and
 *    counted in `skipped`. A located edit whose new text equals the text it covers (after
 *    the adjustments of a whitespace-insensitive match) is a no-op too.
 * 3. A replacement with a run of 8+ `*` (a masked secret from the prompt) whose quote has
 *    no such run is an error: it would write the mask into the code.
 * 4. Locating: exact occurrences inside the target region; one -> taken; several -> the
 *    first starting at or after the end of the previous located edit (models list edits
 *    in document order), else the first. None in the region -> exact occurrences in the
 *    whole file: one -> taken, several -> error. None at all -> the same two steps
 *    whitespace-insensitively (see below). Still none -> error.
 * 5. Located edits that overlap (intersecting ranges) are an error; touching is fine.
 *
 * Whitespace-insensitive matching is text/loose-match.ts, the same matcher that places
 * review findings: whitespace (line breaks included) is ignored except between two word
 * characters (`a=b` matches `a = b`, but `returnx` never matches `return x`). The range
 * runs from the first to the last matched non-whitespace character of the document,
 * covering the whole original text in between. Since that range starts and ends on non-whitespace, the
 * replacement is adjusted to fit it: the quote's leading/trailing whitespace is removed
 * from the replacement when the replacement starts/ends with it, and the indentation of
 * the replacement's following lines is translated with the quote -> document indentation
 * seen on the matched lines (longest matching prefix; unknown indentation is kept).
 *
 * Cost: the region is sliced once per call and the whitespace-free copies (with offset
 * maps) of the region and the file are built at most once per call, lazily; every search
 * is an `indexOf` loop, and the candidate checks of the loose search have a work budget,
 * so a 2 MB document with 200 edits stays well under a second.
 */

export interface ProposedEdit {
  quote: string;
  replacement: string;
}

export interface LocatedEdit {
  /** Offset (UTF-16) of the first replaced character. */
  start: number;
  /** Offset just past the last replaced character. */
  end: number;
  newText: string;
}

export type LocateResult =
  | { ok: true; edits: LocatedEdit[]; skipped: number }
  | { ok: false; reason: string };

/** More edits than this in one answer is an error. */
export const MAX_EDITS = 200;
/** Longer quotes are an error. */
export const MAX_QUOTE_CHARS = 100_000;
/** A run of this many `*` is a masked secret. */
export const SECRET_MASK_RUN = 8;
/** A quote is named in messages by its first non-blank line, cut to this many characters. */
const LABEL_CHARS = 60;

const MASK_RUN = '*'.repeat(SECRET_MASK_RUN);

// ---------------------------------------------------------------------------
// parsing the model's answer

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks the shape of the model's (already JSON-parsed) answer. An empty edit list is
 * fine (the caller reports "no change"); a missing or non-string explanation becomes ''.
 */
export function parseEditAnswer(json: unknown): { edits: ProposedEdit[]; explanation: string } | { error: string } {
  if (!isRecord(json) || !Array.isArray(json.edits)) return { error: "the model's answer has no edit list" };
  const explanation = typeof json.explanation === 'string' ? json.explanation.trim() : '';
  const edits: ProposedEdit[] = [];
  for (const item of json.edits as unknown[]) {
    if (!isRecord(item) || typeof item.quote !== 'string') {
      return { error: "the model's answer has an edit without a quote" };
    }
    if (typeof item.replacement !== 'string') {
      return { error: `the model's answer has an edit without a replacement text (the quote "${label(item.quote)}")` };
    }
    edits.push({ quote: item.quote, replacement: item.replacement });
  }
  return { edits, explanation };
}

// ---------------------------------------------------------------------------
// locating

/**
 * Locates every proposed edit (see the rules above). `target` is the region (offsets) the
 * code action is about. Never throws.
 */
export function locateEdits(
  text: string,
  target: { start: number; end: number },
  proposed: readonly ProposedEdit[],
  options?: { eol?: '\n' | '\r\n' },
): LocateResult {
  try {
    return locate(text, target, proposed, options);
  } catch {
    return { ok: false, reason: 'the edits could not be placed (internal error); not applied' };
  }
}

interface Found {
  start: number;
  end: number;
  newText: string;
  label: string;
}

function locate(
  text: string,
  target: { start: number; end: number },
  proposed: readonly ProposedEdit[],
  options: { eol?: '\n' | '\r\n' } | undefined,
): LocateResult {
  if (typeof text !== 'string') return { ok: false, reason: 'there is no document text to edit' };
  if (!Array.isArray(proposed)) return { ok: false, reason: "the model's answer has no edit list" };
  if (proposed.length > MAX_EDITS) {
    return { ok: false, reason: `the answer has ${proposed.length} edits, more than the ${MAX_EDITS} allowed; not applied` };
  }
  const eol = options?.eol === '\r\n' || options?.eol === '\n' ? options.eol : text.includes('\r\n') ? '\r\n' : '\n';
  const searcher = new Searcher(text, clampRegion(target, text.length));

  const found: Found[] = [];
  let skipped = 0;
  let prevEnd = -1;
  // A quote the answer uses several times means its occurrences in order.
  const uses = new Map<string, number>();
  for (const e of proposed) {
    if (isRecord(e) && typeof e.quote === 'string') uses.set(normaliseEol(e.quote, eol), (uses.get(normaliseEol(e.quote, eol)) ?? 0) + 1);
  }
  for (const edit of proposed) {
    const rawQuote: unknown = isRecord(edit) ? edit.quote : undefined;
    const rawReplacement: unknown = isRecord(edit) ? edit.replacement : undefined;
    if (typeof rawQuote !== 'string') return { ok: false, reason: "the model's answer has an edit without a quote" };
    if (typeof rawReplacement !== 'string') {
      return { ok: false, reason: `the edit of the quote "${label(rawQuote)}" has no replacement text; not applied` };
    }
    if (rawQuote.length > MAX_QUOTE_CHARS) {
      return { ok: false, reason: `the quote "${label(rawQuote)}" is longer than ${MAX_QUOTE_CHARS} characters; not applied` };
    }
    const quote = normaliseEol(rawQuote, eol);
    const replacement = normaliseEol(rawReplacement, eol);
    const name = label(quote);
    if (quote.length === 0) return { ok: false, reason: 'an edit has an empty quote, so it cannot be located; not applied' };
    if (replacement === quote) {
      skipped++;
      continue;
    }
    if (replacement.includes(MASK_RUN) && !quote.includes(MASK_RUN)) {
      return { ok: false, reason: `an edit would write a masked secret into the code (the quote "${name}"); not applied` };
    }

    const hit = searcher.find(quote, prevEnd, (uses.get(quote) ?? 0) > 1);
    if (hit.kind === 'missing') {
      const masked = quote.includes(MASK_RUN) ? ' (it contains masked secret text)' : '';
      return { ok: false, reason: `the quote "${name}" is not in the file${masked}` };
    }
    if (hit.kind === 'ambiguous') {
      const times = hit.count === null ? 'many times' : `${hit.count} times`;
      return hit.inRegion
        ? { ok: false, reason: `the quote "${name}" occurs ${times} in the selected code and nothing says which; not applied` }
        : { ok: false, reason: `the quote "${name}" occurs ${times} in the file, none in the selected code; not applied` };
    }
    prevEnd = hit.end;
    const newText = hit.loose ? fitReplacement(text, quote, replacement, hit.loose) : replacement;
    if (hit.loose && text.slice(hit.start, hit.end) === newText) {
      skipped++;
      continue;
    }
    found.push({ start: hit.start, end: hit.end, newText, label: name });
  }

  found.sort((a, b) => a.start - b.start || a.end - b.end);
  for (let k = 1; k < found.length; k++) {
    const a = found[k - 1]!;
    const b = found[k]!;
    if (a.end > b.start) {
      return { ok: false, reason: `two edits overlap ("${a.label}" and "${b.label}"); not applied` };
    }
  }
  return { ok: true, edits: found.map(({ start, end, newText }) => ({ start, end, newText })), skipped };
}

function clampRegion(target: { start: number; end: number }, length: number): { start: number; end: number } {
  const int = (v: unknown, fallback: number): number =>
    typeof v === 'number' && Number.isFinite(v) ? Math.min(length, Math.max(0, Math.floor(v))) : fallback;
  const t: unknown = target;
  const a = int(isRecord(t) ? t.start : undefined, 0);
  const b = int(isRecord(t) ? t.end : undefined, length);
  return a <= b ? { start: a, end: b } : { start: b, end: a };
}

function normaliseEol(s: string, eol: '\n' | '\r\n'): string {
  if (!s.includes('\n')) return s;
  return eol === '\n' ? s.replace(/\r\n/g, '\n') : s.replace(/\r?\n/g, '\r\n');
}

/** The quote's first non-blank line, trimmed and cut, for messages. */
function label(quote: string): string {
  let from = 0;
  let line = '';
  while (from <= quote.length) {
    let to = quote.indexOf('\n', from);
    if (to < 0) to = quote.length;
    line = quote.slice(from, Math.min(to, from + 4 * LABEL_CHARS)).trim();
    if (line !== '' || to >= quote.length) break;
    from = to + 1;
  }
  if (line === '') return quote.length > 0 ? '(only whitespace)' : '';
  if (line.length <= LABEL_CHARS) return line;
  let cut = LABEL_CHARS - 1;
  if (isHighSurrogate(line.charCodeAt(cut - 1))) cut--;
  return line.slice(0, cut) + ELLIPSIS;
}

// ---------------------------------------------------------------------------
// searching

/** Where a loose match sits: the compact copy and the index of its first character. */
interface LooseMatch {
  compact: Compact;
  at: number;
  cq: LooseQuote;
}

type Hit =
  | { kind: 'found'; start: number; end: number; loose: LooseMatch | null }
  | { kind: 'ambiguous'; count: number | null; inRegion?: boolean }
  | { kind: 'missing' };

class Searcher {
  private regionText: string | null = null;
  private regionCompact: Compact | null = null;
  private fileCompact: Compact | null = null;

  constructor(
    private readonly text: string,
    private readonly region: { start: number; end: number },
  ) {}

  /**
   * Where a quote is, in this order: exactly in the region, ignoring whitespace in the region,
   * exactly in the file, ignoring whitespace in the file. In the region, several occurrences
   * are only told apart by an earlier edit of the same answer (models list edits in order: the
   * next occurrence after it); otherwise the quote is ambiguous. In the file it must be unique.
   */
  find(q: string, prevEnd: number, repeated: boolean): Hit {
    const budget = { left: LOOSE_BUDGET };
    const cq = looseQuote(q);
    return this.exactInRegion(q, prevEnd, repeated) ?? this.looseInRegion(cq, prevEnd, budget) ?? this.exactInFile(q) ?? this.looseInFile(cq, budget);
  }

  private exactInRegion(q: string, prevEnd: number, repeated: boolean): Hit | null {
    const rs = this.region.start;
    if (q.length > this.region.end - rs) return null;
    this.regionText ??= this.text.slice(rs, this.region.end);
    const r = this.regionText;
    const first = r.indexOf(q);
    if (first < 0) return null;
    if (r.indexOf(q, first + 1) < 0) return { kind: 'found', start: rs + first, end: rs + first + q.length, loose: null };
    const next = prevEnd > rs + first ? r.indexOf(q, prevEnd - rs) : repeated ? first : -1;
    if (next >= 0) return { kind: 'found', start: rs + next, end: rs + next + q.length, loose: null };
    let count = 0;
    for (let i = first; i >= 0; i = r.indexOf(q, i + q.length)) count++;
    return { kind: 'ambiguous', count: Math.max(2, count), inRegion: true };
  }

  private exactInFile(q: string): Hit | null {
    const t = this.text;
    const first = t.indexOf(q);
    if (first < 0) return null;
    if (t.indexOf(q, first + 1) < 0) return { kind: 'found', start: first, end: first + q.length, loose: null };
    // Several (possibly overlapping) occurrences: count the non-overlapping ones for the message.
    let count = 0;
    for (let i = first; i >= 0; i = t.indexOf(q, i + q.length)) count++;
    return { kind: 'ambiguous', count: Math.max(2, count) };
  }

  private looseInRegion(cq: LooseQuote, prevEnd: number, budget: Budget): Hit | null {
    if (cq.chars.length === 0) return null;
    this.regionCompact ??= compactText(this.text, this.region.start, this.region.end);
    const rc = this.regionCompact;
    const first = nextLooseMatch(rc, cq, 0, budget);
    if (first < 0) return budget.left <= 0 ? { kind: 'ambiguous', count: null, inRegion: true } : null;
    const second = nextLooseMatch(rc, cq, first + 1, budget);
    if (second < 0) return budget.left <= 0 ? { kind: 'ambiguous', count: null, inRegion: true } : looseHit(rc, cq, first);
    if (prevEnd > rc.pos[first]!) {
      for (let k = second; k >= 0; k = nextLooseMatch(rc, cq, k + 1, budget)) {
        if (rc.pos[k]! >= prevEnd) return looseHit(rc, cq, k);
      }
    }
    let count = 1;
    for (let k = nextLooseMatch(rc, cq, first + cq.chars.length, budget); k >= 0; k = nextLooseMatch(rc, cq, k + cq.chars.length, budget)) count++;
    return { kind: 'ambiguous', count: budget.left <= 0 ? null : Math.max(2, count), inRegion: true };
  }

  private looseInFile(cq: LooseQuote, budget: Budget): Hit {
    if (cq.chars.length === 0) return { kind: 'missing' };
    this.fileCompact ??= compactText(this.text, 0, this.text.length);
    const fc = this.fileCompact;
    const a = nextLooseMatch(fc, cq, 0, budget);
    if (a < 0) return budget.left <= 0 ? { kind: 'ambiguous', count: null } : { kind: 'missing' };
    const b = nextLooseMatch(fc, cq, a + 1, budget);
    if (b < 0) return budget.left <= 0 ? { kind: 'ambiguous', count: null } : looseHit(fc, cq, a);
    let count = 1;
    for (let k = nextLooseMatch(fc, cq, a + cq.chars.length, budget); k >= 0; k = nextLooseMatch(fc, cq, k + cq.chars.length, budget)) {
      count++;
    }
    return { kind: 'ambiguous', count: budget.left <= 0 ? null : Math.max(2, count) };
  }
}

function looseHit(compact: Compact, cq: LooseQuote, at: number): Hit {
  return { kind: 'found', ...looseSpan(compact, cq, at), loose: { compact, at, cq } };
}

// ---------------------------------------------------------------------------
// fitting a replacement to a loose match

function leadingSpace(s: string, breaks: boolean): number {
  let i = 0;
  while (i < s.length && (breaks ? isBreakOrSpace(s.charCodeAt(i)) : isSpace(s.charCodeAt(i)))) i++;
  return i;
}

function trailingSpaceStart(s: string): number {
  let i = s.length;
  while (i > 0 && isBreakOrSpace(s.charCodeAt(i - 1))) i--;
  return i;
}

/**
 * The replacement as it should be written over a loose match's range (which starts and
 * ends on non-whitespace): without the quote's leading/trailing whitespace, and with the
 * indentation of its following lines translated quote -> document.
 */
function fitReplacement(text: string, quote: string, replacement: string, m: LooseMatch): string {
  let r = replacement;
  const lead = quote.slice(0, leadingSpace(quote, true));
  if (lead !== '' && r.startsWith(lead)) {
    r = r.slice(lead.length);
  } else if (lead !== '') {
    // The model kept the first line's indentation but not the blank lines before it.
    const indent = lead.slice(lead.lastIndexOf('\n') + 1);
    if (indent !== '' && r.startsWith(indent) && !isBreakOrSpace(r.charCodeAt(indent.length))) r = r.slice(indent.length);
  }
  const trail = quote.slice(trailingSpaceStart(quote));
  if (trail !== '' && r.length >= trail.length && r.endsWith(trail)) r = r.slice(0, r.length - trail.length);
  if (!r.includes('\n')) return r;

  // Indentation seen on the matched lines: quote line indentation -> document line indentation.
  const indents = new Map<string, string>();
  let compactIndex = 0; // compact index of the current quote line's first non-space character
  let lineStart = 0;
  while (lineStart <= quote.length) {
    let lineEnd = quote.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = quote.length;
    const line = quote.slice(lineStart, lineEnd);
    const ind = leadingSpace(line, false);
    const nonSpace = nonSpaceCount(line);
    if (ind < line.length && nonSpace > 0) {
      const qIndent = line.slice(0, ind);
      const d = m.compact.pos[m.at + compactIndex]!;
      let ls = d;
      while (ls > 0 && isSpace(text.charCodeAt(ls - 1))) ls--;
      // Only when the character starts its document line (after indentation).
      if ((ls === 0 || text.charCodeAt(ls - 1) === 10) && !indents.has(qIndent)) indents.set(qIndent, text.slice(ls, d));
    }
    compactIndex += nonSpace;
    lineStart = lineEnd + 1;
  }
  let identity = true;
  for (const [k, v] of indents) if (k !== v) identity = false;
  if (identity) return r;

  const keys = [...indents.keys()].sort((a, b) => b.length - a.length);
  const lines = r.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    const ind = leadingSpace(l, false);
    if (ind === l.length || (ind === l.length - 1 && l.endsWith('\r'))) continue; // blank line
    const w = l.slice(0, ind);
    const key = keys.find((k) => w.startsWith(k));
    if (key === undefined) continue;
    lines[i] = indents.get(key)! + l.slice(key.length);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// applying

/** Applies located edits (sorted or not, non-overlapping) to `text`. Never throws. */
export function applyLocatedEdits(text: string, edits: readonly LocatedEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: string[] = [];
  let cursor = 0;
  for (const e of sorted) {
    const s = Math.max(cursor, Math.min(e.start, text.length));
    const t = Math.max(s, Math.min(e.end, text.length));
    out.push(text.slice(cursor, s), e.newText);
    cursor = t;
  }
  out.push(text.slice(cursor));
  return out.join('');
}

/** LSP text edits for located edits (positions from `doc.positionAt`). */
export function toTextEdits(doc: TextDocument, edits: readonly LocatedEdit[]): TextEdit[] {
  return edits.map((e) => ({
    range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) },
    newText: e.newText,
  }));
}
