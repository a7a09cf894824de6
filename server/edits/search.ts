import { compactText, LOOSE_BUDGET, looseQuote, looseSpan, nextLooseMatch, type Budget, type Compact, type LooseQuote } from '../text/loose-match';

/**
 * Where an edit's quote is in the document, for locate.ts: exactly or whitespace-insensitively
 * (text/loose-match.ts), in the target region or in the whole file, or ambiguous, or missing.
 */

/** Where a loose match sits: the compact copy and the index of its first character. */
export interface LooseMatch {
  compact: Compact;
  at: number;
  cq: LooseQuote;
}

export type Hit =
  | { kind: 'found'; start: number; end: number; loose: LooseMatch | null }
  | { kind: 'ambiguous'; count: number | null; inRegion?: boolean }
  | { kind: 'missing' };

export class Searcher {
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
