/**
 * What the gateway does after a call that did not give a usable answer: the whole policy in
 * one pure function, so it can be read, and tested, as a table. The gateway does the I/O
 * (sending, sleeping, remembering what was learned, telling the user) and applies the step.
 *
 * In order, for a failed call:
 * 1. in `api: auto`, the other API, once, when this one does not exist or does not know the
 *    model (a retired model is retired on both; a rejected key is rejected on both);
 * 2. structured output one step down (json_schema → json_object → prompt) when refused (or
 *    the mode another call stepped down to meanwhile);
 * 3. a reasoning effort the endpoint names as supported, instead of the refused one (once per value);
 * 4. without an optional parameter the endpoint refuses (once per parameter);
 * 5. the same request again after a wait, for what is worth retrying, while the deadline allows;
 * 6. the next model of `fallbackModels` when this one is gone;
 * 7. give up (the gateway turns the failure into a ModelError and tells the user).
 * An answer that is not an API answer (an HTML page) tries the other API in `auto` mode; an
 * answer cut off by the output limit is asked once more with twice the budget.
 */
import type { ApiMode } from '../config/settings';
import {
  isAuth,
  isModelGone,
  isModelNotFound,
  isModelRetired,
  isRetryable,
  isSchemaUnsupported,
  isWrongEndpoint,
  supportedValues,
  unsupportedParam,
  type Failure,
} from './failure';
import { NEXT_STRUCTURED, optionalKeys, type ApiKind, type StructuredMode } from './request-body';
import { retryAfterMs } from './retry';

export const MAX_RETRIES = 3;

/** Why the last call gave no usable answer. */
export type Trouble = { kind: 'failed'; failure: Failure } | { kind: 'not-api'; what: string } | { kind: 'cut-off'; by: string };

/** The call that just failed, and what has been tried for this request so far. */
export interface Tried {
  /** The configured API setting (`auto` lets the gateway switch). */
  mode: ApiMode;
  /** The API this call went to. */
  api: ApiKind;
  model: string;
  /** The body that was sent (its optional keys, its reasoning effort). */
  body: Record<string, unknown>;
  /** The structured-output mode this call asked for (undefined without a schema) ... */
  structured: StructuredMode | undefined;
  /** ... and the one now in use for this endpoint (another call may have stepped it down already). */
  structuredNow: StructuredMode;
  /** The other API was tried already. */
  switched: boolean;
  /** The "unknown model" that made us try the other API. */
  missingModel: Failure | undefined;
  /** Refused reasoning efforts (`effort:<value>`) and parameters already given up. */
  tried: ReadonlySet<string>;
  retries: number;
  /** 2 once the output budget was doubled. */
  budgetScale: number;
  /** Another model of `fallbackModels` follows this one. */
  hasFallback: boolean;
  now: number;
  deadline: number;
  /** The jittered backoff for the next retry, when the endpoint names no wait. */
  backoffMs: number;
}

export type NextStep =
  | { step: 'other-api'; api: ApiKind; missingModel: Failure | undefined }
  | { step: 'structured'; from: StructuredMode; to: StructuredMode }
  /** The same request, built again from what was learned meanwhile. */
  | { step: 'resend' }
  | { step: 'effort'; from: string; to: string }
  | { step: 'drop-param'; param: string }
  | { step: 'retry'; waitMs: number }
  | { step: 'double-budget' }
  | { step: 'next-model'; failure: Failure }
  /** Give up with this failure, as answered by this API. */
  | { step: 'give-up'; failure: Failure; api: ApiKind }
  | { step: 'give-up-not-api'; what: string }
  | { step: 'give-up-cut-off'; by: string; doubled: boolean };

export function nextStep(trouble: Trouble, t: Tried): NextStep {
  const canSwitch = t.mode === 'auto' && !t.switched;
  if (trouble.kind === 'not-api') {
    return canSwitch ? { step: 'other-api', api: otherApi(t.api), missingModel: t.missingModel } : { step: 'give-up-not-api', what: trouble.what };
  }
  if (trouble.kind === 'cut-off') {
    // Reasoning tokens count against the same limit as the answer: twice the room, once.
    if (t.budgetScale === 1 && t.now < t.deadline - 500) return { step: 'double-budget' };
    return { step: 'give-up-cut-off', by: trouble.by, doubled: t.budgetScale > 1 };
  }

  const f = trouble.failure;
  if (canSwitch && (isWrongEndpoint(f) || (isModelNotFound(f) && !isModelRetired(f, t.model))) && !isAuth(f)) {
    return { step: 'other-api', api: otherApi(t.api), missingModel: isModelNotFound(f) ? f : t.missingModel };
  }
  const sent = optionalKeys(t.body);
  const refused = unsupportedParam(f, sent);
  const structured = t.structured;
  if (structured && structured !== 'prompt' && (isSchemaUnsupported(f) || refused === 'response_format' || refused === 'text')) {
    // Another call has stepped down meanwhile: send again as it learned, rather than drop the
    // answer format below as if it were any optional parameter.
    if (t.structuredNow !== structured) return { step: 'resend' };
    return { step: 'structured', from: structured, to: NEXT_STRUCTURED[structured] as StructuredMode };
  }
  const effort = supportedEffort(f, t.body);
  if (effort && !t.tried.has(`effort:${effort.from}`)) return { step: 'effort', ...effort };
  if (refused && !t.tried.has(refused)) return { step: 'drop-param', param: refused };
  if (isRetryable(f) && t.retries < MAX_RETRIES) {
    const waitMs = retryAfterMs(f.headers, t.now) ?? t.backoffMs;
    if (t.now + waitMs < t.deadline - 50) return { step: 'retry', waitMs };
  }
  // A local server without /responses, asked there after "unknown model" on chat: the model is what is missing.
  const final = t.missingModel && isWrongEndpoint(f) ? t.missingModel : f;
  if (t.hasFallback && isModelGone(final, t.model)) return { step: 'next-model', failure: final };
  return { step: 'give-up', failure: final, api: final === f ? t.api : otherApi(t.api) };
}

function otherApi(api: ApiKind): ApiKind {
  return api === 'chat' ? 'responses' : 'chat';
}

const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];

/** A refused reasoning effort, and the supported value nearest to it that the endpoint named (the higher on a tie). */
function supportedEffort(f: Failure, body: Record<string, unknown>): { from: string; to: string } | undefined {
  const sent = (body.reasoning as { effort?: unknown } | undefined)?.effort ?? body.reasoning_effort;
  if (typeof sent !== 'string') return undefined;
  const values = supportedValues(f, 'reasoning.effort');
  if (!values || values.includes(sent)) return undefined;
  const at = EFFORTS.indexOf(sent);
  const distance = (v: string): number => Math.abs(EFFORTS.indexOf(v) - at);
  const ranked = values.filter((v) => EFFORTS.includes(v)).sort((a, b) => distance(a) - distance(b) || EFFORTS.indexOf(b) - EFFORTS.indexOf(a));
  const to = ranked[0] ?? values[0];
  return to === undefined ? undefined : { from: sent, to };
}
