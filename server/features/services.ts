import type { ClientCapabilities } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ConfigSnapshot } from '../config/store';
import type { Settings } from '../config/settings';
import type { ContextService } from '../context/context-service';
import type { LspClient } from '../lsp/client';
import type { ModelGateway, ProblemReporter } from '../model/gateway';
import type { UsageLedger } from '../model/usage-ledger';
import type { Pipeline } from '../pipeline/pipeline';
import type { Privacy } from '../privacy/privacy';
import type { Logger } from '../util/log';

/**
 * What serves one workspace folder: its settings (its own `.codex-lsp.json` over the editor's)
 * and its model stack. A file outside every folder is served by the first folder's scope.
 */
export interface Scope {
  /** The folder, or undefined when the editor opened no folder. */
  readonly root: string | undefined;
  /** Folders a file name is made relative to in prompts: this folder first. */
  readonly roots: readonly string[];
  readonly config: { readonly current: ConfigSnapshot; readonly settings: Settings };
  readonly gateway: ModelGateway;
  readonly pipeline: Pipeline;
  readonly privacy: Privacy;
  /** Syntax trees and definitions from other files of the folder. */
  readonly context: ContextService;
}

/** What a feature may use. No feature sees the connection: the client seam is its only way out. */
export interface Services {
  log: Logger;
  client: LspClient;
  /** The scope serving a document (by its URI); without one, the first folder's. */
  scopeFor(uri?: string): Scope;
  /** Every folder's scope (the first is the one `scopeFor()` gives without a URI). */
  scopes(): readonly Scope[];
  /** One ledger for the whole server: one budget, whatever folder spent it. */
  usage: UsageLedger;
  /** Problems the user must act on: shown once each until the configuration changes. */
  problems: ProblemReporter;
  documents: { get(uri: string): TextDocument | undefined };
  /** Filled in at initialize. */
  capabilities: ClientCapabilities;
  /** The client's name from `clientInfo` at initialize ("helix", "Eglot", "Neovim", ...), when it sent one. */
  clientName?: string;
  /** Resolves once the first workspace/configuration pull is in (at once for clients without it). */
  ready: Promise<void>;
  /**
   * For requests the user waits on: true once the settings are in, waiting at most `ms` for
   * them at start-up; false means answer without the model (the user's ignore globs and
   * endpoint are not known yet).
   */
  settled(ms?: number): boolean | Promise<boolean>;
}
