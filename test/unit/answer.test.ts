import { describe, expect, it } from 'vitest';
import { describeBody, parseAnswer, shapeProblem } from '../../server/model/answer';
import { EDIT_SCHEMA } from '../../server/edits/prompt';
import { DIAGNOSTICS_SCHEMA } from '../../server/review/prompt';

const usage = {
  input_tokens: 10,
  input_tokens_details: { cached_tokens: 2, cache_write_tokens: 0 },
  output_tokens: 30,
  output_tokens_details: { reasoning_tokens: 20 },
  total_tokens: 40,
};

function response(output: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'resp_1', object: 'response', status: 'completed', output, usage, ...extra };
}

const reasoning = { type: 'reasoning', id: 'rs_1', summary: [] };
const msg = (text: string, phase?: string): Record<string, unknown> => ({
  type: 'message',
  id: 'msg_1',
  role: 'assistant',
  status: 'completed',
  ...(phase ? { phase } : {}),
  content: [{ type: 'output_text', text, annotations: [] }],
});

describe('parseAnswer on /responses', () => {
  it('takes the final answer only: reasoning items and commentary are skipped, the SDK-style output_text is ignored', () => {
    const raw = response([reasoning, msg('Checking the loop…', 'commentary'), msg('It sums the list.', 'final_answer')], {
      output_text: 'Checking the loop…It sums the list.',
    });
    expect(parseAnswer('responses', raw)).toEqual({ text: 'It sums the list.', usage: { input: 10, cachedInput: 2, output: 30 } });
  });

  it('takes messages without a phase (older models, other providers)', () => {
    expect(parseAnswer('responses', response([reasoning, msg('Hello')])).text).toBe('Hello');
  });

  it('an incomplete answer is cut off, for any reason, with its partial text', () => {
    const cut = parseAnswer(
      'responses',
      response([reasoning, msg('{"diagnostics": [{"line": 1')], { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }),
    );
    expect(cut.cutOff).toBe('status "incomplete" (max_output_tokens)');
    expect(cut.text).toBe('{"diagnostics": [{"line": 1');
    expect(parseAnswer('responses', response([reasoning], { status: 'incomplete', incomplete_details: { reason: 'content_filter' } })).cutOff).toMatch(
      /content_filter/,
    );
    expect(parseAnswer('responses', response([], { status: 'incomplete', incomplete_details: null })).cutOff).toMatch(/no reason given/);
  });

  it('reports refusal parts with their text', () => {
    const raw = response([
      reasoning,
      { type: 'message', id: 'm', role: 'assistant', status: 'completed', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] },
    ]);
    expect(parseAnswer('responses', raw).problem).toBe('the model refused: I cannot help with that.');
  });

  it('an answer with only reasoning is empty; a failed one says why; an unfinished one says so', () => {
    expect(parseAnswer('responses', response([reasoning])).problem).toBe("the model's answer was empty");
    expect(parseAnswer('responses', response([], { status: 'failed', error: { code: 'server_error', message: 'boom' } })).problem).toBe(
      'the model failed: boom',
    );
    expect(parseAnswer('responses', response([], { status: 'queued' })).problem).toMatch(/not finished/);
  });
});

describe('parseAnswer on chat', () => {
  const chat = (message: Record<string, unknown>, finish = 'stop'): Record<string, unknown> => ({
    id: 'c',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
    usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11, prompt_tokens_details: { cached_tokens: 1 } },
  });

  it('reads the text and usage', () => {
    expect(parseAnswer('chat', chat({ content: ' ok ' }))).toEqual({ text: 'ok', usage: { input: 5, cachedInput: 1, output: 6 } });
  });
  it('finish_reason length and content_filter are cut off, even with text', () => {
    expect(parseAnswer('chat', chat({ content: 'It adds' }, 'length'))).toMatchObject({ text: 'It adds', cutOff: expect.stringMatching(/length/) });
    expect(parseAnswer('chat', chat({ content: '' }, 'content_filter')).cutOff).toMatch(/content_filter/);
  });
  it('a refusal keeps its text', () => {
    expect(parseAnswer('chat', chat({ content: null, refusal: 'No.' })).problem).toBe('the model refused: No.');
  });
});

describe('not an API', () => {
  it('names what came instead: an HTML page with its title, plain text, JSON of the wrong kind', () => {
    expect(parseAnswer('responses', '<!DOCTYPE html><html><head><title>Sign in</title></head></html>', 'text/html').notApi).toBe('an HTML page ("Sign in")');
    expect(parseAnswer('chat', '<html><body>hi</body></html>').notApi).toBe('an HTML page');
    expect(parseAnswer('chat', 'Bad Gateway').notApi).toBe('text that is not JSON ("Bad Gateway")');
    expect(parseAnswer('chat', '').notApi).toBe('an empty body');
    expect(parseAnswer('chat', { data: [] }).notApi).toMatch(/no "choices"/);
    expect(parseAnswer('responses', { choices: [] }).notApi).toMatch(/no "output"/);
    expect(parseAnswer('chat', [1, 2]).notApi).toMatch(/not an answer/);
    expect(describeBody('x'.repeat(500))).toMatch(/…"\)$/);
  });
});

describe('shapeProblem', () => {
  it('a diagnostics answer needs its top-level list; an edit answer its edits', () => {
    expect(shapeProblem({ diagnostics: [] }, DIAGNOSTICS_SCHEMA)).toBeUndefined();
    expect(shapeProblem({ line: 3, quote: 'a' }, DIAGNOSTICS_SCHEMA)).toBe('the "diagnostics" answer has no "diagnostics" list');
    expect(shapeProblem({ diagnostics: {} }, DIAGNOSTICS_SCHEMA)).toMatch(/no "diagnostics" list/);
    expect(shapeProblem([{ line: 1 }], DIAGNOSTICS_SCHEMA)).toBe('the "diagnostics" answer is not a JSON object');
    expect(shapeProblem({ edits: [], explanation: 'x' }, EDIT_SCHEMA)).toBeUndefined();
    // The explanation is nice to have; the edits are the answer.
    expect(shapeProblem({ edits: [] }, EDIT_SCHEMA)).toBeUndefined();
    expect(shapeProblem({ quote: 'a', replacement: 'b' }, EDIT_SCHEMA)).toBe('the "edit" answer has no "edits" list');
  });
});
