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

/**
 * How a structured answer is asked for, best first: a JSON schema the endpoint enforces, then
 * plain JSON mode (with the schema in the prompt, which must say "JSON"), then only the prompt.
 */
export type StructuredMode = 'json_schema' | 'json_object' | 'prompt';
export const NEXT_STRUCTURED: Record<StructuredMode, StructuredMode | undefined> = { json_schema: 'json_object', json_object: 'prompt', prompt: undefined };

/** What we learned about one endpoint + model + API: what it refused, and what it takes instead. */
export interface ParamState {
  dropped: Set<string>;
  structured: StructuredMode;
  /** Reasoning efforts it refused, each mapped to the value it named as supported. */
  effort: Map<string, string>;
}

export function newParamState(): ParamState {
  return { dropped: new Set(), structured: 'json_schema', effort: new Map() };
}

/** Reasoning models (o-series, gpt-5, codex) reject temperature and max_tokens. */
function isReasoningModel(model: string): boolean {
  const m = model.toLowerCase().split('/').pop() ?? '';
  return /^o\d/.test(m) || m.startsWith('gpt-5') || m.includes('codex');
}

/** OpenAI serves codex models only on /responses; everything else starts on chat, which every local server has. */
export function initialApi(model: string): ApiKind {
  return model.toLowerCase().includes('codex') ? 'responses' : 'chat';
}

const REASONING_ALLOWANCE: Record<Effort, number> = { low: 2000, medium: 6000, high: 12000 };

function schemaInstructions(schema: JsonSchemaSpec): string {
  return (
    `\n\nAnswer with a single JSON object and nothing else (no prose, no Markdown fence). ` +
    `It must match this JSON schema, named "${schema.name}":\n${JSON.stringify(schema.schema)}`
  );
}

/**
 * The request body for one attempt. Parameters the endpoint refused before are left out;
 * a refused token limit falls back to the other spelling (max_tokens <-> max_completion_tokens).
 * `budgetScale` multiplies the output limit (reasoning allowance included): a cut-off answer is
 * asked again with twice the room.
 */
export function buildBody(api: ApiKind, model: string, p: PromptParts, state: ParamState, budgetScale = 1): Record<string, unknown> {
  const reasoning = isReasoningModel(model);
  const wanted = p.effort ?? 'medium';
  const effort = state.effort.get(wanted) ?? wanted;
  const limit = (p.maxOutputTokens + (reasoning ? REASONING_ALLOWANCE[wanted] : 0)) * budgetScale;
  const mode: StructuredMode | undefined = p.schema ? state.structured : undefined;
  const instructions = p.schema && mode !== 'json_schema' ? p.instructions + schemaInstructions(p.schema) : p.instructions;
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
    if (p.schema && mode === 'json_schema') {
      put('response_format', { type: 'json_schema', json_schema: { name: p.schema.name, schema: p.schema.schema, strict: p.schema.strict ?? false } });
    } else if (mode === 'json_object') {
      put('response_format', { type: 'json_object' });
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
    if (p.schema && mode === 'json_schema') {
      put('text', { format: { type: 'json_schema', name: p.schema.name, schema: p.schema.schema, strict: p.schema.strict ?? false } });
    } else if (mode === 'json_object') {
      put('text', { format: { type: 'json_object' } });
    }
  }
  return body;
}

/** Body keys that may be dropped when an endpoint refuses them; the prompt itself never is. */
export function optionalKeys(body: Record<string, unknown>): string[] {
  return Object.keys(body).filter((k) => !['model', 'messages', 'input', 'instructions'].includes(k));
}
