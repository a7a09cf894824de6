import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver';
import { ELLIPSIS, isHighSurrogate } from '../text/lines';
import { fitReplacement } from './fit';
import { Searcher } from './search';

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

export type LocateResult = { ok: true; edits: LocatedEdit[]; skipped: number } | { ok: false; reason: string };

/** More edits than this in one answer is an error. */
export const MAX_EDITS = 200;
/** Longer quotes are an error. */
const MAX_QUOTE_CHARS = 100_000;
/** A run of this many `*` is a masked secret. */
const SECRET_MASK_RUN = 8;
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
  const int = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.min(length, Math.max(0, Math.floor(v))) : fallback);
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
