import { ErrorCodes, ResponseError, type CancellationToken, type ExecuteCommandParams, type ServerCapabilities } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CommandHandler, Feature, RequestBinding } from '../features/feature';

/** The features as one: what the server advertises, binds and routes. */
export interface MergedFeatures {
  capabilities(): Partial<ServerCapabilities>;
  readonly requests: readonly RequestBinding[];
  readonly commandNames: string[];
  execute(params: ExecuteCommandParams, token: CancellationToken): unknown;
  readonly documents: { opened(doc: TextDocument): void; changed(doc: TextDocument): void; saved(doc: TextDocument): void; closed(uri: string): void };
}

/**
 * Merges features, refusing at start what would be ambiguous at run time: two features that
 * answer one request, claim one command, or set one capability.
 */
export function mergeFeatures(features: readonly Feature[]): MergedFeatures {
  const ids = new Set<string>();
  const requests = new Map<string, RequestBinding>();
  const commands = new Map<string, CommandHandler>();
  for (const f of features) {
    if (ids.has(f.id)) throw new Error(`two features are called "${f.id}"`);
    ids.add(f.id);
    for (const r of f.requests ?? []) {
      if (requests.has(r.method)) throw new Error(`feature "${f.id}" answers ${r.method}, which another feature already answers`);
      requests.set(r.method, r);
    }
    for (const [name, run] of Object.entries(f.commands ?? {})) {
      if (commands.has(name)) throw new Error(`feature "${f.id}" claims the command ${name}, which another feature already has`);
      commands.set(name, run);
    }
  }
  const each = (event: 'opened' | 'changed' | 'saved', doc: TextDocument): void => {
    for (const f of features) f.documents?.[event]?.(doc);
  };
  return {
    capabilities() {
      const out: Partial<ServerCapabilities> = {};
      for (const f of features) {
        const part = f.capabilities?.() ?? {};
        for (const key of Object.keys(part) as Array<keyof ServerCapabilities>) {
          if (key in out) throw new Error(`feature "${f.id}" sets the capability ${key}, which another feature already set`);
        }
        Object.assign(out, part);
      }
      return out;
    },
    requests: [...requests.values()],
    commandNames: [...commands.keys()],
    execute(params, token) {
      const run = commands.get(params.command);
      if (!run) {
        throw new ResponseError(ErrorCodes.InvalidParams, `unknown command "${params.command}"; this server runs: ${[...commands.keys()].join(', ')}`);
      }
      return run(params, token);
    },
    documents: {
      opened: (doc) => each('opened', doc),
      changed: (doc) => each('changed', doc),
      saved: (doc) => each('saved', doc),
      closed: (uri) => {
        for (const f of features) f.documents?.closed?.(uri);
      },
    },
  };
}
