import type { ApiKind, JsonSchemaSpec } from './request-body';
import { readUsage, type TokenUsage } from './usage';
import { clip } from '../util/text';

/** One model answer as the endpoint gave it, read from the raw body (never the SDK's joined `output_text`). */
export interface ParsedAnswer {
  /** The answer's text: on /responses only from messages meant as the answer. */
  text: string;
  usage: TokenUsage;
  /**
   * Set when the answer was cut off (the output limit, a content filter): `text` is only what
   * came before the cut. Never to be shown or used as whole, never cached.
   */
  cutOff?: string;
  /** Why the answer is unusable (refused, empty, failed). */
  problem?: string;
  /** Set when the body is not an OpenAI-compatible answer at all: what came instead. */
  notApi?: string;
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** What a body that is not an API answer is, in words a user can act on. */
export function describeBody(raw: string, contentType = ''): string {
  const head = raw.trimStart().slice(0, 2000);
  if (/html/i.test(contentType) || /^<(!doctype\s+html|html|head|body)\b/i.test(head)) {
    const title = /<title[^>]*>([^<]{1,80})/i.exec(head)?.[1]?.trim();
    return title ? `an HTML page ("${title}")` : 'an HTML page';
  }
  if (head.trim() === '') return 'an empty body';
  return `text that is not JSON ("${clip(head.replace(/\s+/g, ' '), 60)}")`;
}

/**
 * Reads a raw chat completion or response. A body of the wrong kind (HTML, plain text, JSON
 * without `choices`/`output`) is `notApi`; a cut-off answer keeps its partial text in `text`.
 */
export function parseAnswer(api: ApiKind, raw: unknown, contentType = ''): ParsedAnswer {
  if (typeof raw === 'string') return { text: '', usage: readUsage(undefined), notApi: describeBody(raw, contentType) };
  const r = rec(raw);
  const usage = readUsage(r?.usage);
  if (!r) return { text: '', usage, notApi: `JSON that is not an answer (${clip(JSON.stringify(raw) ?? '', 60)})` };
  return api === 'chat' ? parseChat(r, usage) : parseResponse(r, usage);
}

function parseChat(r: Record<string, unknown>, usage: TokenUsage): ParsedAnswer {
  if (!Array.isArray(r.choices)) return { text: '', usage, notApi: 'JSON that is not a chat completion (no "choices")' };
  const choice = rec(r.choices[0]);
  const message = rec(choice?.message);
  if (!message) return { text: '', usage, problem: 'the answer has no choices[0].message' };
  const text = contentText(message.content).trim();
  const finish = choice?.finish_reason;
  if (finish === 'length' || finish === 'content_filter')
    return { text, usage, cutOff: finish === 'length' ? 'the output limit (finish_reason "length")' : 'a content filter (finish_reason "content_filter")' };
  if (typeof message.refusal === 'string' && message.refusal !== '' && text === '') return { text, usage, problem: `the model refused: ${message.refusal}` };
  if (text === '') return { text, usage, problem: "the model's answer was empty" };
  return { text, usage };
}

function parseResponse(r: Record<string, unknown>, usage: TokenUsage): ParsedAnswer {
  if (!Array.isArray(r.output)) return { text: '', usage, notApi: 'JSON that is not a /responses answer (no "output")' };
  let text = '';
  const refusals: string[] = [];
  for (const item of r.output) {
    const it = rec(item);
    // Reasoning items and commentary (a model's progress notes) are not the answer.
    if (it?.type !== 'message' || (it.role !== undefined && it.role !== 'assistant')) continue;
    if (it.phase !== undefined && it.phase !== null && it.phase !== 'final_answer') continue;
    for (const part of Array.isArray(it.content) ? it.content : []) {
      const p = rec(part);
      if (p?.type === 'refusal' && typeof p.refusal === 'string') refusals.push(p.refusal);
      else if (typeof p?.text === 'string' && (p.type === 'output_text' || p.type === undefined)) text += p.text;
    }
  }
  text = text.trim();
  if (r.status === 'incomplete') {
    const reason = rec(r.incomplete_details)?.reason;
    return { text, usage, cutOff: `status "incomplete" (${typeof reason === 'string' ? reason : 'no reason given'})` };
  }
  if (r.status === 'failed') {
    const error = rec(r.error);
    return { text: '', usage, problem: `the model failed: ${typeof error?.message === 'string' ? error.message : 'no reason given'}` };
  }
  if (r.status === 'cancelled' || r.status === 'queued' || r.status === 'in_progress')
    return { text: '', usage, problem: `the answer is not finished (status "${String(r.status)}")` };
  if (refusals.length > 0 && text === '') return { text, usage, problem: `the model refused: ${refusals.join(' ')}` };
  if (text === '') return { text, usage, problem: "the model's answer was empty" };
  return { text, usage };
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (typeof rec(part)?.text === 'string' ? (rec(part)?.text as string) : '')).join('');
}

/**
 * Whether a structured answer has the structure its schema asks for: an object, with every
 * required list and object present and of that type (a `diagnostics` answer its top-level
 * array, an `edit` answer its `edits`). The items inside are checked by the feature, which
 * drops the unusable ones. Undefined when it fits.
 */
export function shapeProblem(value: unknown, spec: JsonSchemaSpec): string | undefined {
  const schema = spec.schema as { type?: unknown; required?: unknown; properties?: Record<string, { type?: unknown }> };
  if (schema.type === 'object' && rec(value) === undefined) return `the "${spec.name}" answer is not a JSON object`;
  const obj = rec(value) ?? {};
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  for (const key of required) {
    const type = schema.properties?.[key]?.type;
    if (type === 'array' && !Array.isArray(obj[key])) return `the "${spec.name}" answer has no "${key}" list`;
    if (type === 'object' && rec(obj[key]) === undefined) return `the "${spec.name}" answer has no "${key}" object`;
  }
  return undefined;
}
