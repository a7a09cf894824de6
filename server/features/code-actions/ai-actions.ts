import {
  CodeActionKind,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type CodeAction,
  type Diagnostic,
  type ProgressToken,
  type Range,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { targetRegion } from '../../edits/block';
import { locateEdits, parseEditAnswer, toTextEdits } from '../../edits/locate';
import { buildEditRequest } from '../../edits/prompt';
import { ModelError } from '../../model/gateway';
import { documentBinaryReason } from '../../privacy/binary';
import { maskedView } from '../../privacy/masked-view';
import { estimateTokens } from '../../review/chunker';
import { findEnclosing, findImports } from '../../text/structure';
import { languageOf } from '../../text/language';
import { LineReader } from '../../text/lines';
import { displayPath } from '../../util/uri';
import { clip, messageOf } from '../../util/text';
import { abortOn } from '../cancel';
import { answerByMs, clientLimit, LATE, orLate, type ClientLimit } from '../client-limits';
import { thinking } from '../progress';
import type { Services } from '../services';

export const APPLY_COMMAND = 'codex.applyCodeAction';

export type AiActionKind = 'fix' | 'refactor' | 'document' | 'custom';

/** What an AI action carries between listing and resolving (or the command). Kept small. */
export interface AiActionData {
  codex: 'ai-action';
  action: AiActionKind;
  title: string;
  uri: string;
  version: number;
  range: Range;
  /** The text of the first line of `range` when listed: finds the place again if the document changed. */
  anchor: string;
  diagnostic?: { message: string; code?: string | number; source?: string; range: Range };
  prompt?: string;
}

function isAiActionData(v: unknown): v is AiActionData {
  const d = v as Partial<AiActionData> | null;
  return (
    d?.codex === 'ai-action' &&
    typeof d.uri === 'string' &&
    typeof d.title === 'string' &&
    typeof d.version === 'number' &&
    typeof d.range?.start?.line === 'number' &&
    typeof d.range.end?.line === 'number' &&
    ['fix', 'refactor', 'document', 'custom'].includes(d.action ?? '')
  );
}

const CONTEXT_LINES = 30;
/** The largest target one action sends: a prompt stays bounded, and the answer can repeat it. */
const MAX_TARGET_LINES = 300;
const MAX_TARGET_CHARS = 24_000;
const CONTEXT_CHARS = 4000;
const MAX_DIAGNOSTIC_FIXES = 5;

const TASKS: Record<Exclude<AiActionKind, 'fix' | 'custom'>, string> = {
  refactor: 'Improve this code: make it clearer, simpler and more robust, without changing what it does.',
  document:
    'Add a documentation comment to the function, method, class or block in the target, in the idiomatic style of the language ' +
    '(JSDoc, a docstring, ///, ...), saying what it does, its parameters and what it returns. Do not change the code itself.',
};

type Outcome = { edit: WorkspaceEdit; explanation: string } | { message: string; severity: 'warning' | 'error' };

/**
 * AI code actions: listed from local state (no model call), their edit computed on
 * `codeAction/resolve` or, for clients without resolve support, by a command that ends in
 * `workspace/applyEdit`. Edits are located by their quotes in the current text; an edit
 * that cannot be placed exactly rejects the whole action with a message.
 */
export class AiActionFeature {
  constructor(
    private readonly s: Services,
    private readonly workspaceEdit: (doc: TextDocument, edits: ReturnType<typeof toTextEdits>) => WorkspaceEdit,
  ) {}

  /** Resolve needs both: the edit computed on resolve, and `data` kept by the client until then. */
  private get resolveEdits(): boolean {
    const ca = this.s.capabilities.textDocument?.codeAction;
    return ca?.resolveSupport?.properties.includes('edit') === true && ca.dataSupport === true;
  }

  /** Without resolve, the command path ends in workspace/applyEdit, which the client must support. */
  private get canApply(): boolean {
    return this.resolveEdits || this.s.capabilities.workspace?.applyEdit === true;
  }

  /**
   * Advertised at initialize, before the user's settings are in: the base kinds, so custom
   * actions of any kind (quickfix.x, refactor.x, source.x) are asked for.
   */
  kinds(): string[] {
    return [CodeActionKind.QuickFix, CodeActionKind.Refactor, CodeActionKind.RefactorRewrite, CodeActionKind.Source];
  }

  /** The AI actions for a position or selection: computed from the request alone, in microseconds. */
  list(doc: TextDocument, range: Range, diagnostics: readonly Diagnostic[], allowed: (kind: string) => boolean): CodeAction[] {
    const settings = this.s.scopeFor(doc.uri).config.settings.codeActions;
    if (!settings.enabled || !this.canApply) return [];
    const out: CodeAction[] = [];
    const anchor = lineText(doc, range.start.line);
    const base = { codex: 'ai-action' as const, uri: doc.uri, version: doc.version };
    if (allowed(CodeActionKind.QuickFix)) {
      let n = 0;
      for (const d of diagnostics) {
        // Codex findings with a replacement already have an instant fix.
        if (d.source === 'codex' && typeof (d.data as { replacement?: unknown } | undefined)?.replacement === 'string') continue;
        if (typeof d.message !== 'string' || !d.range || n++ >= MAX_DIAGNOSTIC_FIXES) continue;
        const diagnostic: AiActionData['diagnostic'] = { message: d.message, range: d.range };
        if (d.code !== undefined) diagnostic.code = d.code;
        if (d.source !== undefined) diagnostic.source = d.source;
        const title = `Fix with codex: ${clip(d.message, 60)}`;
        out.push(
          this.action(
            title,
            CodeActionKind.QuickFix,
            { ...base, action: 'fix', title, range: d.range, anchor: lineText(doc, d.range.start.line), diagnostic },
            [d],
          ),
        );
      }
    }
    if (allowed(CodeActionKind.RefactorRewrite)) {
      out.push(
        this.action('Refactor with codex', CodeActionKind.RefactorRewrite, { ...base, action: 'refactor', title: 'Refactor with codex', range, anchor }),
      );
      out.push(
        this.action('Add documentation (codex)', CodeActionKind.RefactorRewrite, {
          ...base,
          action: 'document',
          title: 'Add documentation (codex)',
          range,
          anchor,
        }),
      );
    }
    for (const c of settings.custom) {
      if (!allowed(c.kind)) continue;
      out.push(this.action(c.title, c.kind, { ...base, action: 'custom', title: c.title, range, anchor, prompt: c.prompt }));
    }
    return out;
  }

  private action(title: string, kind: string, data: AiActionData, diagnostics?: Diagnostic[]): CodeAction {
    const a: CodeAction = { title, kind };
    if (diagnostics) a.diagnostics = diagnostics;
    if (this.resolveEdits) a.data = data;
    else a.command = { title, command: APPLY_COMMAND, arguments: [data] };
    return a;
  }

  /** `codeAction/resolve`: the action with its edit; without one (and a message) when no exact edit exists. */
  async resolve(action: CodeAction, token: CancellationToken): Promise<CodeAction> {
    if (!isAiActionData(action.data)) {
      if (!action.edit && !action.command) this.s.log.warn(`codeAction/resolve for "${action.title}" arrived without its data; nothing to compute`);
      return action;
    }
    const outcome = await this.run(action.data, token);
    if ('edit' in outcome) return { ...action, edit: outcome.edit };
    this.s.client.showMessage(outcome.severity, outcome.message);
    return action;
  }

  /** The command path, for clients without resolve support: compute, then `workspace/applyEdit`. */
  async execute(args: unknown[] | undefined, token: CancellationToken, workDoneToken?: ProgressToken): Promise<null> {
    const data = args?.[0];
    if (!isAiActionData(data)) throw new ResponseError(-32602, `${APPLY_COMMAND} needs the action's data as its argument`);
    const outcome = await this.run(data, token, workDoneToken);
    if (!('edit' in outcome)) {
      this.s.client.showMessage(outcome.severity, outcome.message);
      return null;
    }
    // Cancelled while the model answered: nothing is applied.
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'code action cancelled');
    try {
      const result = await this.s.client.applyEdit({ label: data.title, edit: outcome.edit });
      if (!result.applied) {
        this.s.client.showMessage(
          'warning',
          `codex: ${data.title}: the editor did not apply the edit${result.failureReason ? ` (${result.failureReason})` : ''}.`,
        );
      }
    } catch (err) {
      this.s.client.showMessage('warning', `codex: ${data.title}: the editor refused the edit (${messageOf(err)}).`);
    }
    return null;
  }

  private async run(data: AiActionData, token: CancellationToken, workDoneToken?: ProgressToken): Promise<Outcome> {
    const { signal, dispose, abort } = abortOn(token);
    const progress = thinking(this.s.client, 'codex: writing the fix…', { message: data.title, workDoneToken, onCancel: abort });
    const settings = this.s.scopeFor(data.uri).config.settings;
    const limit = clientLimit(settings.clientTimeoutMs, this.s.clientName);
    try {
      const work = this.compute(data, signal);
      if (!limit) return await work;
      const outcome = await orLate(work, answerByMs(limit));
      return outcome === LATE ? this.tooLate(data, limit, abort, settings.cache.enabled) : outcome;
    } catch (err) {
      if (token.isCancellationRequested || (err instanceof ModelError && err.kind === 'cancelled')) {
        throw new ResponseError(LSPErrorCodes.RequestCancelled, 'code action cancelled');
      }
      // A cut-off edit list may lack the edits that make the others correct: none is applied.
      if (err instanceof ModelError && err.kind === 'cut-off')
        return { severity: 'error', message: `codex: ${data.title}: refused: ${err.message}; nothing was changed.` };
      if (err instanceof ModelError) return { severity: 'error', message: `codex: ${data.title}: ${err.message}` };
      this.s.log.error(`code action failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return { severity: 'error', message: `codex: ${data.title} failed: ${messageOf(err)}` };
    } finally {
      progress.done();
      dispose();
    }
  }

  /**
   * The client is about to give up on the request: answer now, with what happened. With the
   * answer cache on, the model call goes on (it is paid for already) and its answer is kept, so
   * choosing the action again is instant; without it, the call is closed.
   */
  private tooLate(data: AiActionData, limit: ClientLimit, abort: () => void, kept: boolean): Outcome {
    if (!kept) abort();
    const waited = Math.round(answerByMs(limit) / 100) / 10;
    return {
      severity: 'warning',
      message:
        `codex: ${data.title}: the model has not answered within ${waited} s, and ${limit.who} stops waiting after ${limit.ms / 1000} s; nothing was changed. ` +
        (kept ? 'The model is still answering and its answer is kept: choose the action again in a moment.' : 'Try again, or select less code.') +
        ` ("codex.clientTimeoutMs" sets the limit.)`,
    };
  }

  private async compute(data: AiActionData, signal: AbortSignal): Promise<Outcome> {
    const doc = this.s.documents.get(data.uri);
    const fail = (message: string, severity: 'warning' | 'error' = 'warning'): Outcome => ({ severity, message: `codex: ${data.title}: ${message}` });
    if (!doc) return fail('the file is no longer open.');
    const scope = this.s.scopeFor(doc.uri);
    if (scope.privacy.isIgnored(doc.uri)) return fail('this file matches an "ignore" glob and is never sent to the model.');
    const binary = documentBinaryReason(doc);
    if (binary) return fail(`this file has ${binary}.`);
    const settings = scope.config.settings.codeActions;
    if (!settings.enabled) return fail('AI code actions are turned off ("codeActions.enabled").');
    if (data.action === 'custom' && !settings.custom.some((c) => c.title === data.title && c.prompt === data.prompt)) {
      return fail('this action is no longer in "codeActions.custom"; open the menu again.');
    }
    const blocked = scope.gateway.blockedReason();
    if (blocked) return fail(blocked.message, 'error');

    // The document may have changed since the menu was shown: find the place again, or refuse.
    const moved = doc.version === data.version ? { delta: 0 } : this.relocate(doc, data.anchor, data.range.start.line);
    if (!moved) return fail('the code changed since the menu was shown; open it again.');
    const selection = shift(data.range, moved.delta);
    const diagnosticRange = data.diagnostic ? shift(data.diagnostic.range, moved.delta) : undefined;
    // The syntax tree (where a grammar exists) gives the exact function or class around the cursor.
    const syntax = await scope.context.parse(doc.getText(), doc.languageId, doc.uri);
    const region = targetRegion(doc, selection, undefined, syntax);
    const lineCount = region.range.end.line - region.range.start.line + 1;
    if (lineCount > MAX_TARGET_LINES || region.end - region.start > MAX_TARGET_CHARS) {
      return fail(
        `the code is too large for one action (${lineCount} lines, ${region.end - region.start} characters; at most ${MAX_TARGET_LINES} lines and ${MAX_TARGET_CHARS} characters): select less.`,
      );
    }
    // Secrets are masked in everything the prompt shows; positions stay those of the document.
    const view = maskedView(doc, scope.privacy, 'code action', region.range.start);
    const file = displayPath(doc.uri, scope.roots);
    const reader = new LineReader(view);
    const first = region.range.start.line;
    const last = region.range.end.line;
    const imports = findImports(reader, 300, 25)
      .filter((l) => l < first)
      .map((l) => reader.display(l, 240));
    const headers = (syntax?.headers(first) ?? findEnclosing(reader, first, 300))
      .filter((h) => h.startLine < first)
      .reverse()
      .map((h) => reader.display(h.startLine, 240));
    const before = contextLines(reader, Math.max(0, first - CONTEXT_LINES), first, 'end');
    const after = contextLines(reader, last + 1, Math.min(view.lineCount, last + 1 + CONTEXT_LINES), 'start');
    const target = view.getText(region.range);
    // Text that is not code (another tool's message, a custom prompt) may quote a masked secret too.
    const secrets = maskedStrings(doc, view, Math.max(0, first - CONTEXT_LINES), Math.min(doc.lineCount, last + 1 + CONTEXT_LINES));
    const base = buildEditRequest({
      feature: data.action,
      task: scrub(this.task(data, view, diagnosticRange, first), secrets),
      language: languageOf(doc.languageId, file),
      file,
      imports: imports.filter((l) => !before.includes(l)),
      headers,
      before,
      target,
      after,
      targetTokens: estimateTokens(target),
      definitions: scope.context.definitions(doc.uri, doc.getText(), syntax, [[first, last]]),
    });
    const req = { ...base, signal, source: doc.uri };
    const answer = await scope.pipeline.run(req);
    // An answer that cannot be used is not kept: asking again asks the model again.
    const refuse = async (message: string): Promise<Outcome> => {
      await scope.pipeline.forget(req);
      return fail(message);
    };
    const parsed = parseEditAnswer(answer.json);
    if ('error' in parsed) return refuse(`the model's answer was unusable (${parsed.error}); nothing was changed.`);
    if (parsed.explanation) this.s.log.info(`${data.title}: ${clip(parsed.explanation, 200)}`);
    if (parsed.edits.length === 0) return fail(`no change proposed${parsed.explanation ? `: ${clip(parsed.explanation, 160)}` : '.'}`);
    const current = this.s.documents.get(data.uri);
    if (!current) return fail('the file is no longer open.');
    // Located in the text as it is now: it may have changed while the model thought.
    let now = region;
    if (current.version !== doc.version) {
      const again = this.relocate(current, lineText(doc, first), first);
      if (!again) return fail('the code changed while the model was answering; try again.');
      now = targetRegion(current, shift(region.range, again.delta), undefined, await scope.context.parse(current.getText(), current.languageId, current.uri));
    }
    const located = locateEdits(current.getText(), { start: now.start, end: now.end }, parsed.edits);
    if (!located.ok) return refuse(`${located.reason.replace(/; not applied$/, '')}; nothing was changed.`);
    if (located.edits.length === 0) return refuse('the proposed edits change nothing.');
    return { edit: this.workspaceEdit(current, toTextEdits(current, located.edits)), explanation: parsed.explanation };
  }

  private task(data: AiActionData, view: TextDocument, diagnosticRange: Range | undefined, targetStart: number): string {
    if (data.action === 'fix' && data.diagnostic) {
      const d = data.diagnostic;
      const by = d.source ? `${d.source}${d.code !== undefined ? ` (${String(d.code)})` : ''}` : d.code !== undefined ? `a tool (${String(d.code)})` : 'a tool';
      const range = diagnosticRange ?? d.range;
      const at = clip(view.getText(range), 200);
      const line = range.start.line - targetStart + 1;
      return `Fix this problem reported by ${by}: "${clip(d.message, 400)}"${at ? `, at \`${at}\`` : ''} (line ${line} of the target).`;
    }
    if (data.action === 'custom') return clip(data.prompt ?? data.title, 2000);
    return TASKS[data.action === 'document' ? 'document' : 'refactor'];
  }

  /**
   * How far a line moved: the nearest line (within 30) whose text equals the one listed.
   * Undefined when it is gone: then the action refuses rather than guess.
   */
  private relocate(doc: TextDocument, anchor: string, line: number): { delta: number } | undefined {
    if (anchor.trim() === '') return line < doc.lineCount ? { delta: 0 } : undefined;
    for (let d = 0; d <= 30; d++) {
      for (const l of d === 0 ? [line] : [line - d, line + d]) {
        if (l >= 0 && l < doc.lineCount && lineText(doc, l) === anchor) return { delta: l - line };
      }
    }
    return undefined;
  }
}

function shift(r: Range, delta: number): Range {
  return { start: { line: r.start.line + delta, character: r.start.character }, end: { line: r.end.line + delta, character: r.end.character } };
}

/** The original strings the masked view hides in lines [from, to): to take them out of free text. */
function maskedStrings(doc: TextDocument, view: TextDocument, from: number, to: number): string[] {
  if (doc === view) return [];
  const out = new Set<string>();
  const range = { start: { line: from, character: 0 }, end: { line: to, character: 0 } };
  const a = doc.getText(range);
  const b = view.getText(range);
  if (a === b || a.length !== b.length) return [];
  for (let i = 0; i < a.length; i++) {
    if (b[i] !== '*' || a[i] === '*') continue;
    let j = i;
    while (j < a.length && b[j] === '*' && a[j] !== '*') j++;
    if (j - i >= 4) out.add(a.slice(i, j));
    i = j;
  }
  return [...out];
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('*'.repeat(s.length));
  return out;
}

/** A line's text (up to 1,000 characters: enough to tell lines apart, bounded for minified files). */
function lineText(doc: TextDocument, line: number): string {
  if (line < 0 || line >= doc.lineCount) return '';
  return doc
    .getText({ start: { line, character: 0 }, end: { line, character: Number.MAX_SAFE_INTEGER } })
    .replace(/\r?\n$/, '')
    .slice(0, 1000);
}

/** Lines [from, to) of the view, trimmed at the end, at most CONTEXT_CHARS in all (keeping the side next to the target). */
function contextLines(reader: LineReader, from: number, to: number, keep: 'start' | 'end'): string[] {
  const out: string[] = [];
  let chars = 0;
  const order =
    keep === 'start' ? [...Array(Math.max(0, to - from)).keys()].map((i) => from + i) : [...Array(Math.max(0, to - from)).keys()].map((i) => to - 1 - i);
  for (const l of order) {
    const t = reader.display(l, 240);
    chars += t.length + 1;
    if (chars > CONTEXT_CHARS) break;
    out.push(t);
  }
  return keep === 'start' ? out : out.reverse();
}
