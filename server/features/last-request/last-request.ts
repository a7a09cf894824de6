import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, ResponseError, type ExecuteCommandParams } from 'vscode-languageserver/node';
import { factsOf, renderRequest } from '../../preview/request-report';
import { makeDir } from '../../util/make-dir';
import { displayPath } from '../../util/uri';
import type { Feature } from '../feature';
import type { Services } from '../services';

const SHOW_LAST_REQUEST_COMMAND = 'codex.showLastRequest';

export interface LastRequestResult {
  /** The request as text (also what the opened document holds); null when nothing was sent yet. */
  text: string | null;
  /** The file opened with window/showDocument, when the client could show it. */
  shown?: string;
}

/**
 * `codex.showLastRequest [uri]`: the last request sent to the model for that file (or the last
 * of all), exactly as it left the machine: after redaction, with its size and estimated cost.
 * Shown as a read-only document where the client supports window/showDocument, and returned.
 */
export class LastRequestCommand implements Feature {
  readonly id = 'last-request';
  readonly commands = { [SHOW_LAST_REQUEST_COMMAND]: (params: ExecuteCommandParams) => this.execute(params) };

  constructor(private readonly s: Services) {}

  async execute(params: ExecuteCommandParams): Promise<LastRequestResult> {
    const arg = params.arguments?.[0];
    const uri = typeof arg === 'string' ? arg : typeof (arg as { uri?: unknown } | undefined)?.uri === 'string' ? (arg as { uri: string }).uri : undefined;
    if (arg !== undefined && uri === undefined)
      throw new ResponseError(ErrorCodes.InvalidParams, `${SHOW_LAST_REQUEST_COMMAND} takes a document uri, or nothing`);
    const scope = this.s.scopeFor(uri);
    const sent = uri ? scope.gateway.lastSent(uri) : latest(this.s.scopes().map((sc) => sc.gateway.lastSent(undefined)));
    if (!sent) {
      const what = uri ? displayPath(uri, scope.roots) : 'this session';
      this.s.client.showMessage('info', `No request has been sent to the model for ${what} yet (answers from the cache send nothing).`);
      return { text: null };
    }
    const facts = factsOf(sent, scope.config.settings.prices);
    const about = sent.source ? displayPath(sent.source, this.s.scopeFor(sent.source).roots) : 'no file';
    const text = renderRequest(facts, `codex-lsp: the last request sent for ${about}, ${sent.at.toISOString()} (${sent.outcome})`);
    const shown = await this.show(text);
    return shown ? { text, shown } : { text };
  }

  /** Written to a read-only file in the cache folder and opened there, where the client can. */
  private async show(text: string): Promise<string | undefined> {
    if (this.s.capabilities.window?.showDocument?.support !== true) return undefined;
    try {
      const dir = path.join(this.s.scopeFor().config.current.cacheDir, 'requests');
      await makeDir(dir);
      const file = path.join(dir, 'last-request.json.txt');
      await fs.rm(file, { force: true });
      await fs.writeFile(file, text + '\n', { mode: 0o400 });
      const uri = pathToFileURL(file).href;
      const ok = await this.s.client.showDocument(uri);
      return ok ? uri : undefined;
    } catch (err) {
      this.s.log.warn(`${SHOW_LAST_REQUEST_COMMAND}: could not open the request: ${String(err)}`);
      return undefined;
    }
  }
}

/** The most recent of the folders' last requests. */
function latest<T extends { at: Date }>(all: ReadonlyArray<T | undefined>): T | undefined {
  let best: T | undefined;
  for (const s of all) if (s && (!best || s.at > best.at)) best = s;
  return best;
}
