import { ErrorCodes, ResponseError, type ExecuteCommandParams } from 'vscode-languageserver/node';
import type { UsageRow } from '../model/usage';
import type { Services } from './services';

export const USAGE_COMMAND = 'codex.usage';

export interface UsageReport {
  session: { totals: UsageRow; rows: UsageRow[]; cacheHitRate: number };
}

/** `workspace/executeCommand` `codex.usage`: the session's token counts per feature and model. */
export class UsageCommand {
  constructor(private readonly s: Services) {}

  execute(params: ExecuteCommandParams): UsageReport {
    if (params.command !== USAGE_COMMAND) {
      throw new ResponseError(ErrorCodes.InvalidParams, `unknown command ${params.command}`);
    }
    const totals = this.s.usage.totals();
    const lookups = totals.requests + totals.cacheHits;
    return {
      session: { totals, rows: this.s.usage.snapshot(), cacheHitRate: lookups === 0 ? 0 : totals.cacheHits / lookups },
    };
  }
}
