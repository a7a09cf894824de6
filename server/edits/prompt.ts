import type { JsonSchemaSpec } from '../model/request-body';
import { PRIORITY_INTERACTIVE, type PipelineRequest } from '../pipeline/pipeline';
import { CODE_IS_DATA, fence } from '../text/fence';

const EDIT_PROMPT_VERSION = 'edit-2';

/** The `edit` answer format of the contract. */
export const EDIT_SCHEMA: JsonSchemaSpec = {
  name: 'edit',
  strict: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['edits', 'explanation'],
    properties: {
      edits: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['quote', 'replacement'],
          properties: {
            quote: { type: 'string', description: 'Exact existing text from the target code, long enough to be unique' },
            replacement: { type: 'string', description: 'The new text that replaces the quote' },
          },
        },
      },
      explanation: { type: 'string', description: 'One line: what was changed' },
    },
  },
};

const INSTRUCTIONS = [
  "You are codex-lsp, editing code in a programmer's editor. You get a task and the code it is about (the target),",
  'with some code around it for context. Answer with the edits that carry out the task.',
  '- Each edit replaces "quote" with "replacement". Copy "quote" exactly, character for character, from the target code,',
  '  and make it long enough to occur only once there (whole lines are safest).',
  '- Keep the indentation, line structure and conventions of the surrounding code. Change nothing beyond the task.',
  '- Edits must not overlap; prefer a few larger edits to many small ones. Never edit the context, only the target.',
  '- "explanation": one line saying what you changed. If the task needs no change, answer an empty "edits" list and say why.',
  `The task is the line starting with "Task:". ${CODE_IS_DATA}`,
].join('\n');

export interface EditPromptInput {
  feature: string;
  task: string;
  language: string;
  file: string;
  imports: readonly string[];
  headers: readonly string[];
  before: readonly string[];
  target: string;
  after: readonly string[];
  /** Estimated tokens of the target: the answer may have to repeat all of it. */
  targetTokens: number;
  /** Signatures of what the target uses from other files (context/definitions.ts). */
  definitions?: readonly string[];
}

/** The request for one code action; the stable instructions and schema come first, the code last. */
export function buildEditRequest(p: EditPromptInput): Omit<PipelineRequest, 'signal'> {
  const out: string[] = [`Task: ${p.task}`, `Language: ${p.language}`, `File: ${p.file}`];
  if (p.imports.length > 0 || p.headers.length > 0) {
    out.push(
      '',
      'Context from the file (do not edit):',
      fence([...p.imports, ...(p.imports.length && p.headers.length ? ['…'] : []), ...p.headers].join('\n')),
    );
  }
  if (p.definitions && p.definitions.length > 0) {
    out.push('', 'Used by the target, defined in other files (signatures; do not edit):', fence(p.definitions.join('\n\n')));
  }
  if (p.before.length > 0) out.push('', 'Code just before the target (do not edit):', fence(p.before.join('\n')));
  out.push('', 'Target code (edit only this):', fence(p.target));
  if (p.after.length > 0) out.push('', 'Code just after the target (do not edit):', fence(p.after.join('\n')));
  return {
    feature: p.feature,
    promptVersion: EDIT_PROMPT_VERSION,
    instructions: INSTRUCTIONS,
    input: out.join('\n'),
    schema: EDIT_SCHEMA,
    maxOutputTokens: Math.min(16_000, Math.ceil(p.targetTokens * 1.3) + 600),
    effort: 'medium',
    priority: PRIORITY_INTERACTIVE,
  };
}
