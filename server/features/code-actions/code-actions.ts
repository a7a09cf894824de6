import {
  CodeActionKind,
  CodeActionRequest,
  CodeActionResolveRequest,
  CodeActionTriggerKind,
  type CodeAction,
  type Command,
  type CodeActionParams,
  type Diagnostic,
  type Range,
  type ServerCapabilities,
  type TextEdit,
  type ExecuteCommandParams,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { AiActionFeature, APPLY_COMMAND } from './ai-actions';
import type { StoredFinding } from '../../review/review-document';
import { ignoreComment } from '../../review/suppress';
import type { FindingData, ReviewFeature } from '../review/review';
import { request, type CommandHandler, type Feature } from '../feature';
import type { Services } from '../services';
import { clip } from '../../util/text';

const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.codex`;
/** For clients without code-action literals: an edit delivered as a command argument. */
const APPLY_EDIT_COMMAND = 'codex.applyEdit';

/** Whether an action of `kind` may be offered when the client asked only for `only`. */
function kindAllowed(kind: string, only: readonly string[] | undefined): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => o === '' || kind === o || kind.startsWith(`${o}.`));
}

function isFindingData(v: unknown): v is FindingData {
  const d = v as Partial<FindingData> | null;
  return typeof d?.replacement === 'string' && typeof d.text === 'string' && typeof d.version === 'number' && Array.isArray(d.lines);
}

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Range['start'], q: Range['start']): boolean => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/**
 * Code actions. Listing never waits for the model: review findings that carry a replacement
 * become quick fixes with their edit computed here, from local state, in microseconds.
 */
export class CodeActionFeature implements Feature {
  readonly id = 'code-actions';
  readonly ai: AiActionFeature;

  constructor(
    private readonly s: Services,
    private readonly review: ReviewFeature,
  ) {
    this.ai = new AiActionFeature(s, (doc, edits) => this.workspaceEdit(doc, edits));
  }

  capabilities(): Partial<ServerCapabilities> {
    return {
      codeActionProvider: { codeActionKinds: [...this.ai.kinds(), FIX_ALL_KIND], resolveProvider: true },
    };
  }

  readonly requests = [
    // Listing waits (briefly, at start-up) for the user's settings: their ignore globs decide what may be offered.
    request(CodeActionRequest.type, async (params) => ((await this.s.settled()) ? this.codeActions(params) : [])),
    request(CodeActionResolveRequest.type, (action, token) => this.ai.resolve(action, token)),
  ];

  readonly commands: Record<string, CommandHandler> = {
    [APPLY_COMMAND]: (params, token) => this.ai.execute(params.arguments, token, params.workDoneToken),
    [APPLY_EDIT_COMMAND]: (params) => this.applyEdit(params),
  };

  /** The edit a command-only client got as the command's argument (no model call). */
  private async applyEdit(params: ExecuteCommandParams): Promise<null> {
    const edit = params.arguments?.[0] as WorkspaceEdit | undefined;
    if (edit) await this.s.client.applyEdit({ edit });
    return null;
  }

  /** Answers from local state only: never waits for the model. */
  codeActions(params: CodeActionParams): Array<CodeAction | Command> {
    const actions = this.collect(params);
    if (this.s.capabilities.textDocument?.codeAction?.codeActionLiteralSupport) return actions;
    // A client from before code-action literals understands only commands.
    return actions.map((a) => a.command ?? { title: a.title, command: APPLY_EDIT_COMMAND, arguments: [a.edit] });
  }

  private collect(params: CodeActionParams): CodeAction[] {
    const doc = this.s.documents.get(params.textDocument?.uri);
    if (!doc || this.s.scopeFor(doc.uri).privacy.isIgnored(doc.uri) || !params.range) return [];
    const only = params.context?.only;
    const actions: CodeAction[] = [];
    // Computed once per listing (it re-anchors if the document changed since the review).
    let shown: ReturnType<ReviewFeature['findingsFor']>;

    if (kindAllowed(CodeActionKind.QuickFix, only)) {
      const seen = new Set<string>();
      // The client's diagnostics first (they carry the data back), then ours under the cursor
      // for clients that do not send `data` back.
      for (const d of params.context?.diagnostics ?? []) {
        if (d.source !== 'codex' || !isFindingData(d.data)) continue;
        const fix = this.quickFix(doc, d, d.data);
        if (fix && !seen.has(key(fix.range))) {
          seen.add(key(fix.range));
          actions.push(fix.action);
        }
      }
      shown ??= this.review.findingsFor(doc);
      for (const f of shown?.findings ?? []) {
        if (f.replacement === undefined || !overlaps(f.range, params.range) || seen.has(key(f.range))) continue;
        const fix = this.quickFix(doc, this.diagnosticOf(f), {
          replacement: f.replacement,
          text: f.text,
          version: shown?.version ?? doc.version,
          lines: f.lines,
        });
        if (fix) {
          seen.add(key(f.range));
          actions.push(fix.action);
        }
      }
    }

    if (kindAllowed(CodeActionKind.QuickFix, only)) {
      // "Ignore this finding": one per codex finding here, the client's diagnostics first, then ours under the cursor.
      shown ??= this.review.findingsFor(doc);
      const lines = new Set<number>();
      const found = [
        ...(params.context?.diagnostics ?? []).filter((d) => d.source === 'codex'),
        ...(shown?.findings ?? []).filter((f) => overlaps(f.range, params.range)).map((f) => this.diagnosticOf(f)),
      ];
      for (const d of found) {
        if (lines.has(d.range.start.line)) continue;
        lines.add(d.range.start.line);
        actions.push(this.ignoreAction(doc, d));
      }
    }

    // Not on automatic triggers (an editor's "fix all on save"): AI replacements are applied
    // when the user asks for them, never silently.
    if (kindAllowed(FIX_ALL_KIND, only) && params.context?.triggerKind !== CodeActionTriggerKind.Automatic) {
      shown ??= this.review.findingsFor(doc);
      const all = this.fixAll(doc, shown);
      // Offered in the menu only when it does more than the single fix there; always when asked for by kind.
      if (all && (only !== undefined || all.count > 1)) actions.push(all.action);
    }
    actions.push(...this.ai.list(doc, params.range, params.context?.diagnostics ?? [], (k) => kindAllowed(k, only)));
    return actions;
  }

  /** Inserts `codex-lsp-ignore` above the finding's line, in the file's comment syntax, at that line's indentation. */
  private ignoreAction(doc: TextDocument, d: Diagnostic): CodeAction {
    const line = d.range.start.line;
    const text = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
    const indent = /^[ \t]*/.exec(text)?.[0] ?? '';
    // The finding's message as the reason (the user may edit it); nothing that would close the comment early.
    const reason = clip(d.message.replace(/\*\/|-->|\*\)|[\r\n]+/g, ' ').trim(), 60);
    const edit: TextEdit = {
      range: { start: { line, character: 0 }, end: { line, character: 0 } },
      newText: withEol(`${ignoreComment(doc.languageId, indent, reason)}\n`, doc),
    };
    return { title: 'Ignore this finding (codex)', kind: CodeActionKind.QuickFix, diagnostics: [d], edit: this.workspaceEdit(doc, [edit]) };
  }

  private diagnosticOf(f: StoredFinding): Diagnostic {
    return { range: f.range, message: f.message, source: 'codex' };
  }

  /**
   * The fix, if the text it replaces is still exactly there: at the diagnostic's range when the
   * document is as it was, else found again by its text on the current document.
   */
  private quickFix(doc: TextDocument, d: Diagnostic, data: FindingData): { action: CodeAction; range: Range } | undefined {
    let range: Range | undefined = d.range;
    if (data.version !== doc.version) range = this.review.relocate(doc, { range: d.range, text: data.text, lines: data.lines });
    if (!range || !sameText(doc.getText(range), data.text)) return undefined;
    const edit: TextEdit = { range, newText: withEol(data.replacement, doc) };
    const title = data.replacement === '' ? `Remove \`${clip(data.text, 40)}\` (codex)` : `Replace with \`${clip(data.replacement, 50)}\` (codex)`;
    return {
      range,
      action: { title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: this.workspaceEdit(doc, [edit]) },
    };
  }

  private fixAll(doc: TextDocument, shown: ReturnType<ReviewFeature['findingsFor']>): { action: CodeAction; count: number } | undefined {
    const edits: TextEdit[] = [];
    const taken: Range[] = [];
    const fixes = (shown?.findings ?? []).filter((f) => f.replacement !== undefined);
    for (const f of [...fixes].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character)) {
      if (!sameText(doc.getText(f.range), f.text) || taken.some((r) => overlaps(r, f.range))) continue;
      taken.push(f.range);
      edits.push({ range: f.range, newText: withEol(f.replacement as string, doc) });
    }
    if (edits.length === 0) return undefined;
    return {
      count: edits.length,
      action: {
        title: `Apply all ${edits.length} codex fix${edits.length === 1 ? '' : 'es'} in this file`,
        kind: FIX_ALL_KIND,
        edit: this.workspaceEdit(doc, edits),
      },
    };
  }

  /** Versioned `documentChanges` where the client supports them, so an edit for an old version is refused. */
  workspaceEdit(doc: TextDocument, edits: TextEdit[]): WorkspaceEdit {
    if (this.s.capabilities.workspace?.workspaceEdit?.documentChanges) {
      return { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits }] };
    }
    return { changes: { [doc.uri]: edits } };
  }
}

/** Text equality that does not care which line ending the document uses. */
function sameText(a: string, b: string): boolean {
  return a === b || a.replace(/\r\n?/g, '\n') === b.replace(/\r\n?/g, '\n');
}

/** A replacement written with the document's own line ending. */
function withEol(text: string, doc: TextDocument): string {
  if (!text.includes('\n')) return text;
  const sample = doc.getText({ start: { line: 0, character: 0 }, end: { line: Math.min(doc.lineCount - 1, 50), character: 0 } });
  return sample.includes('\r\n') ? text.replace(/\r?\n/g, '\r\n') : text;
}

function key(r: Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}
