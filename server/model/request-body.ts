import { readUsage, type TokenUsage } from './usage';

export type ApiKind = 'chat' | 'responses';
export type Effort = 'low' | 'medium' | 'high';

export interface JsonSchemaSpec {
  /** Named so that proxies, logs and test servers can tell the features apart. */
  name: string;
  schema: Record<string, unknown>;
  strict?: boolean;
}

export interface PromptParts {
  /** The stable part (instructions, schema): first, so providers can cache the prefix. */
  instructions: string;
  /** The changing part: the code and the question. */
  input: string;
  schema?: JsonSchemaSpec;
  /** Budget for the visible answer; reasoning models get an allowance on top. */
  maxOutputTokens: number;
  effort?: Effort;
  /**
   * Sent as `prompt_cache_key`: requests that share a long prefix (the instructions, a file's
   * header) are routed to the same cache, so providers bill the repeated part at the cached rate.
   */
  cacheKey?: string;
}

/** What we learned about one endpoint + model + API: parameters it refused. */
export interface ParamState {
  dropped: Set<string>;
}

/** Reasoning models (o-series, gpt-5, codex) reject temperature and max_tokens. */
export function isReasoningModel(model: string): boolean {
  const m = model.toLowerCase().split('/').pop() ?? '';
  return /^o\d/.test(m) || m.startsWith('gpt-5') || m.includes('codex');
}

/** OpenAI serves codex models only on /responses; everything else starts on chat, which every local server has. */
export function initialApi(model: string): ApiKind {
  return model.toLowerCase().includes('codex') ? 'responses' : 'chat';
}

const REASONING_ALLOWANCE: Record<Effort, number> = { low: 2000, medium: 6000, high: 12000 };

export function schemaInstructions(schema: JsonSchemaSpec): string {
  return (
    `\n\nAnswer with a single JSON object and nothing else (no prose, no Markdown fence). ` +
    `It must match this JSON schema, named "${schema.name}":\n${JSON.stringify(schema.schema)}`
  );
}

/**
 * The request body for one attempt. Parameters the endpoint refused before are left out;
 * a refused token limit falls back to the other spelling (max_tokens <-> max_completion_tokens).
 */
export function buildBody(api: ApiKind, model: string, p: PromptParts, state: ParamState, schemaInPrompt: boolean): Record<string, unknown> {
  const reasoning = isReasoningModel(model);
  const effort = p.effort ?? 'medium';
  const limit = p.maxOutputTokens + (reasoning ? REASONING_ALLOWANCE[effort] : 0);
  const instructions = p.schema && schemaInPrompt ? p.instructions + schemaInstructions(p.schema) : p.instructions;
  const body: Record<string, unknown> = { model };
  const put = (key: string, value: unknown): void => {
    if (!state.dropped.has(key)) body[key] = value;
  };
  if (api === 'chat') {
    body.messages = [
      { role: 'system', content: instructions },
      { role: 'user', content: p.input },
    ];
    const tokenKey = reasoning ? 'max_completion_tokens' : 'max_tokens';
    const other = reasoning ? 'max_tokens' : 'max_completion_tokens';
    if (!state.dropped.has(tokenKey)) body[tokenKey] = limit;
    else if (!state.dropped.has(other)) body[other] = limit;
    if (reasoning) put('reasoning_effort', effort);
    else put('temperature', 0.2);
    if (p.cacheKey) put('prompt_cache_key', p.cacheKey);
    if (p.schema && !schemaInPrompt) {
      put('response_format', { type: 'json_schema', json_schema: { name: p.schema.name, schema: p.schema.schema, strict: p.schema.strict ?? false } });
    }
  } else {
    body.instructions = instructions;
    body.input = p.input;
    put('max_output_tokens', limit);
    if (reasoning) put('reasoning', { effort });
    else put('temperature', 0.2);
    // The code we send is not kept on the provider's side for later retrieval.
    put('store', false);
    if (p.cacheKey) put('prompt_cache_key', p.cacheKey);
    if (p.schema && !schemaInPrompt) {
      put('text', { format: { type: 'json_schema', name: p.schema.name, schema: p.schema.schema, strict: p.schema.strict ?? false } });
    }
  }
  return body;
}

/** Body keys that may be dropped when an endpoint refuses them; the prompt itself never is. */
export function optionalKeys(body: Record<string, unknown>): string[] {
  return Object.keys(body).filter((k) => !['model', 'messages', 'input', 'instructions'].includes(k));
}

export interface ParsedAnswer {
  text: string;
  usage: TokenUsage;
  /** Why the answer is unusable, when it is (cut off, refused, empty). */
  problem?: string;
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        const r = rec(part);
        return typeof r?.text === 'string' ? r.text : '';
      })
      .join('');
  }
  return '';
}

export function parseAnswer(api: ApiKind, raw: unknown): ParsedAnswer {
  const r = rec(raw);
  const usage = readUsage(r?.usage);
  if (!r) return { text: '', usage, problem: 'the endpoint answered with something that is not a completion' };
  if (api === 'chat') {
    const choices = Array.isArray(r.choices) ? r.choices : [];
    const choice = rec(choices[0]);
    const message = rec(choice?.message);
    if (!message) return { text: '', usage, problem: 'the answer has no choices[0].message' };
    const text = contentText(message.content).trim();
    if (typeof message.refusal === 'string' && message.refusal !== '' && text === '') return { text, usage, problem: `the model refused: ${message.refusal}` };
    if (text === '') {
      const reason = choice?.finish_reason === 'length' ? 'it ran out of output tokens' : 'it was empty';
      return { text, usage, problem: `the model's answer was unusable: ${reason}` };
    }
    return { text, usage };
  }
  let text = typeof r.output_text === 'string' ? r.output_text : '';
  if (text === '' && Array.isArray(r.output)) {
    for (const item of r.output) {
      const it = rec(item);
      if (it?.type === 'message') text += contentText(it.content);
    }
  }
  text = text.trim();
  if (text === '') {
    const details = rec(r.incomplete_details);
    const reason =
      r.status === 'incomplete'
        ? `it was cut off (${typeof details?.reason === 'string' ? details.reason : 'incomplete'})`
        : r.object !== undefined && r.object !== 'response'
          ? `the endpoint answered a ${String(r.object)}, not a response`
          : 'it was empty';
    return { text, usage, problem: `the model's answer was unusable: ${reason}` };
  }
  return { text, usage };
}
