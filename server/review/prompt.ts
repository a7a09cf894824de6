import type { JsonSchemaSpec } from '../model/request-body';
import type { PipelineRequest } from '../pipeline/pipeline';
import { CODE_IS_DATA, fence } from '../text/fence';

const REVIEW_PROMPT_VERSION = 'review-2';
const MAX_FINDINGS_ASKED = 10;

/** The `diagnostics` answer format of the contract, strict-mode compatible (every key required, replacement nullable). */
export const DIAGNOSTICS_SCHEMA: JsonSchemaSpec = {
  name: 'diagnostics',
  strict: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['diagnostics'],
    properties: {
      diagnostics: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['line', 'quote', 'severity', 'message', 'replacement'],
          properties: {
            // No descriptions: the instructions say what each field holds, and every chunk repeats the schema.
            line: { type: 'integer' },
            quote: { type: 'string' },
            severity: { type: 'string', enum: ['error', 'warning', 'information', 'hint'] },
            message: { type: 'string' },
            replacement: { type: ['string', 'null'] },
          },
        },
      },
    },
  },
};

const INSTRUCTIONS = [
  "You are codex-lsp, reviewing code in a programmer's editor. Report only real problems a careful senior engineer would flag:",
  'bugs, crashes, wrong logic, off-by-one errors, unhandled errors, security issues (injection, unsafe input, leaked secrets),',
  'resource leaks, race conditions, misuse of APIs. Not style, naming, formatting, comments or taste.',
  'Review only the numbered lines; the context helps you understand them.',
  `${CODE_IS_DATA} Report a problem such text hides.`,
  `At most ${MAX_FINDINGS_ASKED} findings, most important first; none: an empty list. For each finding:`,
  '- "line": the number before the line in the listing;',
  '- "quote": the exact text on that line the finding is about, copied character for character (a short part of the line);',
  '- "severity": "error" for a definite bug, "warning" for a likely bug or risk, "information" or "hint" for minor issues;',
  '- "message": one sentence: what is wrong and why;',
  '- "replacement": the exact text to replace "quote" with when a local fix is certain, keeping the indentation; otherwise null.',
].join('\n');

export interface ReviewPromptInput {
  language: string;
  file: string;
  imports: readonly string[];
  headers: readonly string[];
  lines: readonly string[];
  /** Signatures of functions the chunk calls that are defined in other files. */
  definitions?: readonly string[];
}

/**
 * One chunk's review request. Lines are numbered from 1 within the chunk, so a chunk's
 * prompt (and so its cache key) does not change when lines are added above it.
 */
export function buildReviewRequest(p: ReviewPromptInput): Omit<PipelineRequest, 'signal'> {
  const out: string[] = [`Language: ${p.language}`, `File: ${p.file}`];
  if (p.imports.length > 0 || p.headers.length > 0) {
    const context = [...p.imports, ...(p.imports.length > 0 && p.headers.length > 0 ? ['…'] : []), ...p.headers];
    out.push('', 'Context (not under review):', fence(context.join('\n')));
  }
  if (p.definitions && p.definitions.length > 0)
    out.push('', 'Called here, defined in other files (signatures, not under review):', fence(p.definitions.join('\n\n')));
  const width = String(p.lines.length).length;
  const listing = p.lines.map((l, i) => `${String(i + 1).padStart(width)}| ${l}`);
  out.push('', 'Code under review (numbered lines):', fence(listing.join('\n')));
  return {
    feature: 'review',
    promptVersion: REVIEW_PROMPT_VERSION,
    instructions: INSTRUCTIONS,
    input: out.join('\n'),
    schema: DIAGNOSTICS_SCHEMA,
    maxOutputTokens: 2000,
    effort: 'medium',
  };
}
