/**
 * The gateway's policy after a call without a usable answer, as a table: the trouble and what
 * was tried in, the next step out. The gateway's end-to-end tests (test/model/gateway.test.ts)
 * check that each step is carried out against a real HTTP server.
 */
import { describe, expect, it } from 'vitest';
import type { Failure } from '../../server/model/failure';
import { MAX_RETRIES, nextStep, type NextStep, type Tried, type Trouble } from '../../server/model/next-step';

const fail = (status: number | undefined, message: string, extra: Partial<Failure> = {}): Failure => ({
  ...(status === undefined ? {} : { status }),
  message,
  network: false,
  aborted: false,
  ...extra,
});
const failed = (failure: Failure): Trouble => ({ kind: 'failed', failure });

const NOW = 1_000_000;
const base: Tried = {
  mode: 'auto',
  api: 'chat',
  model: 'codex-mini',
  body: { model: 'codex-mini', messages: [], max_completion_tokens: 800, reasoning_effort: 'minimal', response_format: { type: 'json_schema' } },
  structured: 'json_schema',
  structuredNow: 'json_schema',
  switched: false,
  missingModel: undefined,
  tried: new Set(),
  retries: 0,
  budgetScale: 1,
  hasFallback: false,
  now: NOW,
  deadline: NOW + 30_000,
  backoffMs: 250,
};

const NOT_FOUND = fail(404, 'The model `codex-mini` does not exist', { code: 'model_not_found' });
const RETIRED = fail(404, 'The model `codex-mini` has been deprecated');
const NO_ROUTE = fail(404, 'Not Found');
const SCHEMA = fail(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", { param: 'response_format' });
const EFFORT = fail(400, "Unsupported value: 'minimal' is not supported with the 'codex-mini' model. Supported values are: 'low', 'medium', and 'high'.", {
  param: 'reasoning_effort',
});
const PARAM = fail(400, "Unsupported parameter: 'max_completion_tokens' is not supported with this model.", { param: 'max_completion_tokens' });
const BUSY = fail(503, 'overloaded');
const LIMITED = fail(429, 'slow down', { headers: { 'retry-after-ms': '1200' } });
const AUTH = fail(401, 'Incorrect API key provided');
const BAD = fail(400, 'bad request');
const FORBIDDEN_MODEL = fail(403, 'The model `codex-mini` does not exist or you do not have access to it.', { code: 'model_not_found' });
const RETIRED_UNKNOWN = fail(404, 'The model `codex-mini` has been deprecated', { code: 'model_not_found' });

const rows: Array<[string, Trouble, Partial<Tried>, NextStep]> = [
  // The other API, once, in auto mode only.
  ['unknown model in auto mode: the other API', failed(NOT_FOUND), {}, { step: 'other-api', api: 'responses', missingModel: NOT_FOUND }],
  ['no such endpoint in auto mode: the other API', failed(NO_ROUTE), { api: 'responses' }, { step: 'other-api', api: 'chat', missingModel: undefined }],
  ['the other API already tried: give up', failed(NO_ROUTE), { switched: true }, { step: 'give-up', failure: NO_ROUTE, api: 'chat' }],
  ['fixed API: no switch', failed(NO_ROUTE), { mode: 'chat' }, { step: 'give-up', failure: NO_ROUTE, api: 'chat' }],
  ['a rejected key is rejected on both APIs', failed(AUTH), {}, { step: 'give-up', failure: AUTH, api: 'chat' }],
  ['a model refused with 403 is about the key: no switch', failed(FORBIDDEN_MODEL), {}, { step: 'give-up', failure: FORBIDDEN_MODEL, api: 'chat' }],
  ['an unknown model that is retired: no switch', failed(RETIRED_UNKNOWN), {}, { step: 'give-up', failure: RETIRED_UNKNOWN, api: 'chat' }],
  // A retired model is retired on both APIs: straight to the fallback.
  ['retired model with a fallback: next model', failed(RETIRED), { hasFallback: true }, { step: 'next-model', failure: RETIRED }],
  ['retired model, no fallback: give up', failed(RETIRED), {}, { step: 'give-up', failure: RETIRED, api: 'chat' }],
  [
    'unknown on chat, then no /responses: the missing model is the truth, as answered by chat',
    failed(NO_ROUTE),
    { api: 'responses', switched: true, missingModel: NOT_FOUND, hasFallback: true },
    { step: 'next-model', failure: NOT_FOUND },
  ],
  [
    'unknown on chat, then no /responses, no fallback: give up with the missing model on chat',
    failed(NO_ROUTE),
    { api: 'responses', switched: true, missingModel: NOT_FOUND },
    { step: 'give-up', failure: NOT_FOUND, api: 'chat' },
  ],
  // Structured output steps down json_schema -> json_object -> prompt.
  ['json_schema refused: JSON mode', failed(SCHEMA), { mode: 'chat' }, { step: 'structured', from: 'json_schema', to: 'json_object' }],
  [
    'JSON mode refused: the schema in the prompt',
    failed(SCHEMA),
    { mode: 'chat', structured: 'json_object', structuredNow: 'json_object' },
    { step: 'structured', from: 'json_object', to: 'prompt' },
  ],
  // Not dropped as a mere parameter, which would lose JSON mode for good.
  ['another call stepped down meanwhile: send again as it learned', failed(SCHEMA), { mode: 'chat', structuredNow: 'json_object' }, { step: 'resend' }],
  // Reasoning effort: the nearest supported value, once per refused value.
  ['effort refused: the nearest value it names', failed(EFFORT), { mode: 'chat' }, { step: 'effort', from: 'minimal', to: 'low' }],
  [
    'effort refused again after switching: drop it',
    failed(EFFORT),
    { mode: 'chat', tried: new Set(['effort:minimal']) },
    { step: 'drop-param', param: 'reasoning_effort' },
  ],
  [
    'effort and its parameter tried: give up',
    failed(EFFORT),
    { mode: 'chat', tried: new Set(['effort:minimal', 'reasoning_effort']) },
    { step: 'give-up', failure: EFFORT, api: 'chat' },
  ],
  // Optional parameters are dropped once each.
  ['a refused parameter: without it', failed(PARAM), { mode: 'chat' }, { step: 'drop-param', param: 'max_completion_tokens' }],
  [
    'a parameter refused twice: give up',
    failed(PARAM),
    { mode: 'chat', tried: new Set(['max_completion_tokens']) },
    { step: 'give-up', failure: PARAM, api: 'chat' },
  ],
  // Retries: the endpoint's wait, else the backoff, while the deadline allows.
  ['busy: retry after the backoff', failed(BUSY), {}, { step: 'retry', waitMs: 250 }],
  ['rate-limited: retry after the wait it names', failed(LIMITED), {}, { step: 'retry', waitMs: 1200 }],
  ['retries used up: give up', failed(BUSY), { retries: MAX_RETRIES }, { step: 'give-up', failure: BUSY, api: 'chat' }],
  ['the wait would pass the deadline: give up', failed(LIMITED), { deadline: NOW + 1200 }, { step: 'give-up', failure: LIMITED, api: 'chat' }],
  ['network failure: retry', failed(fail(undefined, 'connect ECONNREFUSED', { network: true })), {}, { step: 'retry', waitMs: 250 }],
  ['a plain 400: give up', failed(BAD), {}, { step: 'give-up', failure: BAD, api: 'chat' }],
  // Answers that are not usable.
  ['an HTML page in auto mode: the other API', { kind: 'not-api', what: 'an HTML page' }, {}, { step: 'other-api', api: 'responses', missingModel: undefined }],
  [
    'an HTML page on the other API too: give up',
    { kind: 'not-api', what: 'an HTML page' },
    { switched: true },
    { step: 'give-up-not-api', what: 'an HTML page' },
  ],
  [
    'an HTML page with a fixed API: give up',
    { kind: 'not-api', what: 'an HTML page' },
    { mode: 'responses' },
    { step: 'give-up-not-api', what: 'an HTML page' },
  ],
  ['cut off: twice the budget', { kind: 'cut-off', by: 'max_output_tokens' }, {}, { step: 'double-budget' }],
  [
    'cut off with twice the budget: give up',
    { kind: 'cut-off', by: 'max_output_tokens' },
    { budgetScale: 2 },
    { step: 'give-up-cut-off', by: 'max_output_tokens', doubled: true },
  ],
  ['cut off near the deadline: give up', { kind: 'cut-off', by: 'length' }, { deadline: NOW + 400 }, { step: 'give-up-cut-off', by: 'length', doubled: false }],
];

describe('the next step after a call without a usable answer', () => {
  it.each(rows)('%s', (_name, trouble, tried, expected) => {
    expect(nextStep(trouble, { ...base, ...tried })).toEqual(expected);
  });
});
