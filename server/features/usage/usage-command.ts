import type { ExecuteCommandParams } from 'vscode-languageserver/node';
import type { Price } from '../../config/settings';
import { summarize, type UsageLedger, type UsageSummary } from '../../model/usage-ledger';
import type { Feature } from '../feature';
import type { Services } from '../services';

export const USAGE_COMMAND = 'codex.usage';

export interface UsageReport {
  session: UsageSummary;
  today: UsageSummary & { date: string; budgetUSD: number | null; budgetReached: boolean };
  prices: Record<string, Price>;
}

function usd(n: number | undefined): string {
  return n === undefined ? '?' : `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;
}

/** The report in one line, for clients that show messages but not command results. */
export function usageLine(r: UsageReport): string {
  const line = (label: string, t: UsageSummary['totals']): string =>
    `${label}: ${t.requests} call${t.requests === 1 ? '' : 's'}, ${t.cacheHits} cache hit${t.cacheHits === 1 ? '' : 's'}, tokens in ${t.input} (cached ${t.cachedInput}) out ${t.output}, about ${usd(t.usd)}`;
  const budget = r.today.budgetUSD !== null ? `; daily budget ${usd(r.today.budgetUSD)}${r.today.budgetReached ? ' (reached)' : ''}` : '';
  return `codex usage. ${line('This session', r.session.totals)}. ${line(`Today (${r.today.date}, this machine)`, r.today.totals)}${budget}.`;
}

/** The one line logged at shutdown. */
export function sessionSummary(ledger: UsageLedger, prices: Record<string, Price>): string {
  const s = summarize(ledger.session.snapshot(), prices);
  const t = s.totals;
  return (
    `session usage: ${t.requests} model call${t.requests === 1 ? '' : 's'}, ${t.cacheHits} cache hit${t.cacheHits === 1 ? '' : 's'}, ` +
    `tokens in ${t.input} (cached ${t.cachedInput}) out ${t.output}, about ${usd(t.usd)}`
  );
}

/**
 * `workspace/executeCommand` `codex.usage`: tokens (input, cached input, output) per feature
 * and model, cache hits and estimated dollars, for this session and for today (all servers
 * on this machine), with the daily budget.
 */
export class UsageCommand implements Feature {
  readonly id = 'usage';
  readonly commands = { [USAGE_COMMAND]: (params: ExecuteCommandParams) => this.execute(params) };

  constructor(private readonly s: Services) {}

  async execute(params: ExecuteCommandParams): Promise<UsageReport> {
    // Prices and the budget are the user's (a project file cannot set them): the same in every folder.
    const {
      prices,
      budget: { dailyUSD: budget },
    } = this.s.scopeFor().config.settings;
    const today = await this.s.usage.today();
    const daySummary = summarize(today.rows, prices);
    const report: UsageReport = {
      session: summarize(this.s.usage.session.snapshot(), prices),
      today: {
        ...daySummary,
        date: today.day,
        budgetUSD: budget > 0 ? budget : null,
        budgetReached: budget > 0 && daySummary.totals.usd !== undefined && daySummary.totals.usd >= budget,
      },
      prices,
    };
    // Some clients run a command but never show its result (Helix): there, and on request ("show"), say it too.
    if (params.arguments?.[0] === 'show' || /^helix$/i.test(this.s.clientName ?? '')) this.s.client.showMessage('info', usageLine(report));
    return report;
  }
}

/**
 * Whether today's spend on this machine reached the daily budget (when one is set). Spend
 * on a model without a price cannot be counted: then the budget cannot hold, and the user is
 * told so once (with what to do) rather than silently spending on.
 */
export async function budgetReached(s: Services): Promise<{ spent: number; budget: number } | undefined> {
  const {
    prices,
    budget: { dailyUSD: budget },
  } = s.scopeFor().config.settings;
  if (!(budget > 0)) return undefined;
  const today = await s.usage.today();
  const day = summarize(today.rows, prices);
  if (day.unpricedModels.length > 0) {
    s.problems.report(
      'budget',
      `codex-lsp: the daily budget cannot be applied: ${day.unpricedModels.map((m) => `"${m}"`).join(', ')} has no price. ` +
        `Add it to "codex.prices" ({"model": {"input": n, "cachedInput": n, "output": n}}, dollars per million tokens).`,
    );
  }
  // What can be priced is counted; unpriced spend was said above.
  const spent = day.rows.reduce((n, r) => n + (r.usd ?? 0), 0);
  return spent >= budget ? { spent, budget } : undefined;
}
