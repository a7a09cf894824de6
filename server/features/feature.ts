import type { CancellationToken, ExecuteCommandParams, ProtocolRequestType, RequestType, ServerCapabilities } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';

/** Runs one `workspace/executeCommand`; the token is cancelled by `$/cancelRequest`. */
export type CommandHandler = (params: ExecuteCommandParams, token: CancellationToken) => unknown;

// The protocol's request types carry five type parameters; a feature names only params and result.
// biome-ignore lint/suspicious/noExplicitAny: the other three (partial result, error data, registration options) vary by request and are not used here
type AnyRequestType<P, R> = ProtocolRequestType<P, R, any, any, any> | RequestType<P, R, any>;

/** One LSP request a feature answers. Built with `request()`, which keeps params and result typed. */
export interface RequestBinding {
  readonly method: string;
  readonly type: AnyRequestType<unknown, unknown>;
  readonly handle: (params: unknown, token: CancellationToken) => unknown;
}

export function request<P, R>(type: AnyRequestType<P, R>, handle: (params: P, token: CancellationToken) => R | Promise<R>): RequestBinding {
  return { method: type.method, type: type as AnyRequestType<unknown, unknown>, handle: handle as RequestBinding['handle'] };
}

/** What happens to the open documents, for features that follow them. */
export interface DocumentEvents {
  opened?(doc: TextDocument): void;
  changed?(doc: TextDocument): void;
  saved?(doc: TextDocument): void;
  closed?(uri: string): void;
}

/**
 * A feature as the server sees it: one object with everything it adds to the protocol. The
 * server merges the capability fragments, binds the requests, routes commands by name and
 * passes document events on. A feature never sees the connection (it talks to the editor
 * through `Services.client`).
 */
export interface Feature {
  /** For messages ("hover", "review"): unique. */
  readonly id: string;
  /** Its part of `InitializeResult.capabilities`. Pure: called once, after initialize. */
  capabilities?(): Partial<ServerCapabilities>;
  /** Requests it answers; two features may not answer the same method. */
  readonly requests?: readonly RequestBinding[];
  /** Commands by name, advertised in `executeCommandProvider.commands`. */
  readonly commands?: Readonly<Record<string, CommandHandler>>;
  readonly documents?: DocumentEvents;
  /** The settings in effect for some folder changed. */
  configurationChanged?(): void;
}
