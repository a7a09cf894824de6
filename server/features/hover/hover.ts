import {
  HoverRequest,
  LSPErrorCodes,
  MarkupKind,
  ResponseError,
  type CancellationToken,
  type Hover,
  type HoverParams,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { LRUCache } from 'lru-cache';
import { ModelError } from '../../model/gateway';
import { AbortedError, sleep } from '../../model/retry';
import { PRIORITY_INTERACTIVE, type PipelineRequest } from '../../pipeline/pipeline';
import { CODE_IS_DATA, fence } from '../../text/fence';
import { buildHoverContext, type HoverContext } from '../../text/hover-context';
import { languageOf } from '../../text/language';
import { documentBinaryReason } from '../../privacy/binary';
import { maskedView } from '../../privacy/masked-view';
import { shortHash } from '../../util/text';
import { displayPath } from '../../util/uri';
import { abortOn } from '../cancel';
import { answerByMs, clientLimit, LATE, orLate, type ClientLimit } from '../client-limits';
import { thinking } from '../progress';
import { request, type Feature } from '../feature';
import type { Services } from '../services';

const HOVER_PROMPT_VERSION = 'hover-3';
/** Lines around the hovered one whose names may bring definitions from other files. */
const NEARBY_LINES = 12;
/** Lines below the hovered one that a hover can show (the excerpt takes 12): only those are masked. */
const HOVER_LINES_AFTER = 32;
/** How long a hover waits at start-up for the client's settings before answering null. */
const SETTINGS_WAIT_MS = 1000;

/** Each opened document object gets its own id: a file closed and reopened at version 1 is not the same text. */
const docIds = new WeakMap<TextDocument, number>();
let nextDocId = 0;
function docId(doc: TextDocument): number {
  let id = docIds.get(doc);
  if (id === undefined) {
    id = ++nextDocId;
    docIds.set(doc, id);
  }
  return id;
}

const INSTRUCTIONS = [
  "You are codex-lsp: you explain code in a programmer's editor, in the hover shown under the mouse.",
  'Explain what the code under the cursor does: the symbol named below on the line marked with →, or that whole line if no symbol is named.',
  'Say what it is, what it does here, and what it returns or changes; mention anything non-obvious (side effects, error cases, pitfalls).',
  'Answer in Markdown: at most 5 short sentences or bullets, no preamble, no headings, no repetition of the code.',
  'Use `inline code` for identifiers. If the answer depends on code you cannot see, say so in a few words instead of guessing.',
  CODE_IS_DATA,
].join('\n');

/** The model request for a hover; pure, so tests and the benchmark can inspect the exact prompt. */
export function buildHoverRequest(
  doc: TextDocument,
  ctx: HoverContext,
  roots: readonly string[],
  definitions: readonly string[] = [],
): Omit<PipelineRequest, 'signal'> {
  const file = displayPath(doc.uri, roots);
  const language = languageOf(doc.languageId, file);
  // Stable first (language, file), the code next, the question last: prompts share prefixes.
  const lines = [`Language: ${language}`, `File: ${file}`, '', 'Code (file line numbers; → marks the cursor line):', fence(ctx.excerpt), ''];
  if (definitions.length > 0) lines.push('Used here, defined in other files (signatures):', fence(definitions.join('\n\n')), '');
  if (ctx.enclosing) lines.push('Inside (enclosing code):', fence(ctx.enclosing.trim()), '');
  lines.push(ctx.symbol ? `Explain: \`${ctx.symbol}\` on line ${ctx.line + 1}` : `Explain: line ${ctx.line + 1}`);
  return {
    feature: 'hover',
    promptVersion: HOVER_PROMPT_VERSION,
    instructions: INSTRUCTIONS,
    input: lines.join('\n'),
    maxOutputTokens: 400,
    effort: 'low',
    // Providers route requests with the same key to the same prompt cache: per file.
    cacheKey: `codex-lsp-hover-${shortHash(file)}`,
    priority: PRIORITY_INTERACTIVE,
  };
}

function isTextDocumentPosition(p: unknown): p is HoverParams {
  const r = p as { textDocument?: { uri?: unknown }; position?: { line?: unknown; character?: unknown } } | null;
  return typeof r?.textDocument?.uri === 'string' && Number.isInteger(r.position?.line) && Number.isInteger(r.position?.character);
}

export class HoverFeature implements Feature {
  readonly id = 'hover';
  /**
   * Document version + position + configuration generation -> cache key of the prompt built
   * there. A repeated hover skips context, redaction and hashing: the version number stands
   * for the text, as long as the document and the settings stay the same.
   */
  private readonly keys = new LRUCache<string, string>({ max: 1000 });
  constructor(private readonly s: Services) {}

  capabilities(): Partial<ServerCapabilities> {
    return { hoverProvider: true };
  }

  // Bound as a plain request: the onHover sugar takes `workDoneToken` out of the params, and the
  // hover shows its progress on the client's own token.
  readonly requests = [request(HoverRequest.type, (params, token) => this.hover(params, token))];

  private markupKind(): MarkupKind {
    const formats = this.s.capabilities.textDocument?.hover?.contentFormat;
    return !formats || formats.includes(MarkupKind.Markdown) ? MarkupKind.Markdown : MarkupKind.PlainText;
  }

  /** Answers every hover: an explanation, null (nothing to explain, or the model is unavailable), or RequestCancelled. */
  async hover(params: HoverParams, token: CancellationToken): Promise<Hover | null> {
    // A hover that arrives before the editor's settings are in waits for them, briefly; without
    // them (a client slow to answer workspace/configuration) nothing is sent.
    const settled = this.s.settled(SETTINGS_WAIT_MS);
    if (settled !== true && !(await settled)) return null;
    // Clients send what they send: a request without a usable position is answered, not crashed on.
    if (!isTextDocumentPosition(params)) return null;
    const scope = this.s.scopeFor(params.textDocument.uri);
    const settings = scope.config.settings;
    if (!settings.hover.enabled) return null;
    const doc = this.s.documents.get(params.textDocument.uri);
    if (!doc) return null;
    const fastKey = `${docId(doc)}\u0000${doc.version}\u0000${params.position.line}\u0000${params.position.character}\u0000${scope.config.current.generation}`;
    const known = this.keys.get(fastKey);
    if (known !== undefined) {
      const hit = scope.pipeline.peekMemory(known, 'hover');
      if (hit) return this.toHover(hit.text);
    }
    if (scope.privacy.isIgnored(doc.uri)) {
      this.s.log.debug(() => `hover: ${doc.uri} matches an ignore glob; not sent`);
      return null;
    }
    const binary = documentBinaryReason(doc);
    if (binary) {
      this.s.log.debug(() => `hover: ${doc.uri}: ${binary}`);
      return null;
    }
    // Secrets are masked before lines are chosen, cut or numbered; positions stay valid.
    const view = maskedView(doc, scope.privacy, 'hover', params.position, HOVER_LINES_AFTER);
    // The syntax tree (where a grammar exists) gives the enclosing function or class exactly.
    const parsed = await scope.context.parse(doc.getText(), doc.languageId, doc.uri);
    const line = params.position.line;
    const ctx = buildHoverContext(view, params.position, undefined, parsed?.headers(line));
    if (!ctx) return null;
    // What the hovered line uses from other files first, then what the lines around it use.
    const definitions = scope.context.definitions(
      doc.uri,
      doc.getText(),
      parsed,
      [
        [line, line],
        [Math.max(0, line - NEARBY_LINES), line + NEARBY_LINES],
      ],
      false,
      // The hovered name itself first: `a.b.format` is about `format`.
      ctx.symbol?.split(/\.|::|\?\./).pop(),
    );

    // Raw text: the pipeline redacts every prompt before its cache key and before it leaves.
    const req: PipelineRequest = { ...buildHoverRequest(doc, ctx, scope.roots, definitions), source: doc.uri };
    this.keys.set(fastKey, scope.pipeline.keyOf(req));
    const { signal, dispose, abort } = abortOn(token);
    let progress: { done(): void } | undefined;
    try {
      const cached = await scope.pipeline.peek(req);
      if (cached) return this.toHover(cached.text);
      // No key, rejected key...: the user has been told; a hover stays quiet.
      if (scope.gateway.blockedReason()) return null;
      // A hover the editor cancels within the grace delay never reaches the model.
      if (settings.hover.delayMs > 0) await sleep(settings.hover.delayMs, signal);
      progress = thinking(this.s.client, 'codex: explaining…', { workDoneToken: params.workDoneToken, onCancel: abort });
      const work = scope.pipeline.run({ ...req, signal });
      const limit = clientLimit(settings.clientTimeoutMs, this.s.clientName);
      const answer = limit ? await orLate(work, answerByMs(limit)) : await work;
      if (answer === LATE) return this.tooLate(limit!, abort, settings.cache.enabled);
      this.s.log.debug(() => `hover answered (${answer.cached || 'model'}) for ${doc.uri}:${ctx.line + 1}, ${req.input.length} chars sent`);
      return this.toHover(answer.text);
    } catch (err) {
      // Cancelled with the progress bar's button, not by the client: the hover is answered, empty.
      if (signal.aborted && !token.isCancellationRequested) return null;
      if (token.isCancellationRequested || err instanceof AbortedError || (err instanceof ModelError && err.kind === 'cancelled')) {
        throw new ResponseError(LSPErrorCodes.RequestCancelled, 'hover cancelled');
      }
      if (err instanceof ModelError && err.kind === 'cut-off') {
        // What came is shown only with a visible note that it is not all (and never cached).
        this.s.log.warn(`hover: ${err.message}`);
        const partial = err.partial?.trim();
        return partial
          ? this.toHover(
              `${partial}\n\n${this.markupKind() === MarkupKind.Markdown ? '*(cut off: the answer is incomplete)*' : '(cut off: the answer is incomplete)'}`,
            )
          : null;
      }
      if (err instanceof ModelError) this.s.log.warn(`hover: ${err.message}`);
      else this.s.log.error(`hover failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return null;
    } finally {
      progress?.done();
      dispose();
    }
  }

  /**
   * The client is about to give up on the hover: say so in it. With the cache on, the model's
   * answer is kept for the next hover; without it, the call is closed.
   */
  private tooLate(limit: ClientLimit, abort: () => void, kept: boolean): Hover {
    if (!kept) abort();
    const waited = Math.round(answerByMs(limit) / 100) / 10;
    return this.toHover(
      `codex: the model has not answered within ${waited} s, and ${limit.who} stops waiting after ${limit.ms / 1000} s. ` +
        (kept ? 'Its answer is kept: hover again in a moment.' : 'Hover again to retry.'),
    );
  }

  private toHover(text: string): Hover {
    return { contents: { kind: this.markupKind(), value: text } };
  }
}
