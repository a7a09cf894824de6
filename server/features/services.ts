import type { ClientCapabilities } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ConfigStore } from '../config/store';
import type { ContextService } from '../context/context-service';
import type { LspClient } from '../lsp/client';
import type { ModelGateway, ProblemReporter } from '../model/gateway';
import type { UsageLedger } from '../model/usage-ledger';
import type { Pipeline } from '../pipeline/pipeline';
import type { Privacy } from '../privacy/privacy';
import type { Logger } from '../util/log';

/** What a feature may use. No feature sees the connection: the client seam is its only way out. */
export interface Services {
  config: ConfigStore;
  log: Logger;
  client: LspClient;
  gateway: ModelGateway;
  pipeline: Pipeline;
  privacy: Privacy;
  /** Syntax trees and definitions from other files of the workspace. */
  context: ContextService;
  usage: UsageLedger;
  /** Problems the user must act on: shown once each until the configuration changes. */
  problems: ProblemReporter;
  documents: { get(uri: string): TextDocument | undefined };
  /** Filled in at initialize. */
  capabilities: ClientCapabilities;
  /** The client's name from `clientInfo` at initialize ("helix", "Eglot", "Neovim", ...), when it sent one. */
  clientName?: string;
  /** Workspace folders as file system paths (prompts name files relative to them). */
  roots: readonly string[];
  /** Resolves once the first workspace/configuration pull is in (at once for clients without it). */
  ready: Promise<void>;
  /**
   * For requests the user waits on: true once the settings are in, waiting at most `ms` for
   * them at start-up; false means answer without the model (the user's ignore globs and
   * endpoint are not known yet).
   */
  settled(ms?: number): boolean | Promise<boolean>;
}
