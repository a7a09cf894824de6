import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Privacy } from './privacy';

/** Documents up to this size are masked whole (once per version); larger ones around the position asked for. */
export const WHOLE_MASK_LIMIT = 512 * 1024;
/** Lines around the focus (and at the top, for imports) that a windowed view keeps. */
const WINDOW_LINES = 320;
/** Characters of a very long line kept around the focus (or from its start); the rest become spaces. */
const LONG_LINE_KEEP = 8 * 1024;

const cache = new WeakMap<TextDocument, { version: number; view: TextDocument }>();

/**
 * The document as the model may see it: secrets masked with `*` before any line is cut,
 * numbered or chosen (so a cut or a line-number gutter cannot hide a secret from the
 * detectors), with every line and column where it was, so positions and ranges computed on
 * the view are valid on the document.
 */
export function maskedView(doc: TextDocument, privacy: Privacy, what: string, focus?: { line: number; character: number }): TextDocument {
  const text = doc.getText();
  if (text.length <= WHOLE_MASK_LIMIT) {
    const hit = cache.get(doc);
    if (hit && hit.version === doc.version) return hit.view;
    const view = TextDocument.create(doc.uri, doc.languageId, doc.version, privacy.mask(text, what));
    cache.set(doc, { version: doc.version, view });
    return view;
  }
  // A big file: mask the lines a prompt can use (the top for imports, a window around the
  // focus); other lines are left empty, which keeps their numbering.
  const focusLine = focus?.line ?? 0;
  const keep = (i: number): boolean => i < WINDOW_LINES || Math.abs(i - focusLine) <= WINDOW_LINES;
  const lines: string[] = [];
  for (let i = 0; i < doc.lineCount; i++) {
    if (!keep(i)) {
      lines.push('');
      continue;
    }
    let line = doc.getText({ start: { line: i, character: 0 }, end: { line: i, character: Number.MAX_SAFE_INTEGER } });
    if (line.length > LONG_LINE_KEEP * 2) {
      const center = i === focusLine ? (focus?.character ?? 0) : 0;
      const from = Math.max(0, center - LONG_LINE_KEEP);
      const to = Math.min(line.length, center + LONG_LINE_KEEP);
      // Same length, so the focus column stays valid; the far parts are never shown anyway.
      line = ' '.repeat(from) + line.slice(from, to) + ' '.repeat(line.length - to);
    }
    lines.push(line);
  }
  return TextDocument.create(doc.uri, doc.languageId, doc.version, privacy.mask(lines.join('\n'), what));
}
