/**
 * Validation against OpenAI's official OpenAPI description (test/fixtures/openai-api): every
 * request our server sends and every answer the fake server gives is checked, so that neither
 * can drift from the real API without a test turning red.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';
import { REPO_ROOT } from './paths';

export type SchemaRoot = 'CreateChatCompletionRequest' | 'CreateResponse' | 'CreateChatCompletionResponse' | 'Response' | 'ErrorResponse';

const FILE = path.join(REPO_ROOT, 'test', 'fixtures', 'openai-api', 'openai-schemas.json');

/**
 * OpenAPI 3.1 as plain JSON Schema 2020-12: the spec's `oneOf` alternatives overlap in places
 * (two message shapes accept the same typed message), so they are read as `anyOf`; OpenAPI's
 * `nullable: true` becomes "or null".
 */
function asJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  let nullable = false;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    // OpenAPI's discriminator only selects among oneOf alternatives; with anyOf it has nothing to do.
    if (k === 'discriminator') continue;
    if (k === 'nullable') {
      nullable = v === true;
      continue;
    }
    out[k === 'oneOf' ? 'anyOf' : k] = asJsonSchema(v);
  }
  return nullable ? { anyOf: [out, { type: 'null' }] } : out;
}

let validators: Map<SchemaRoot, ValidateFunction> | undefined;

function load(): Map<SchemaRoot, ValidateFunction> {
  if (validators) return validators;
  const file = JSON.parse(readFileSync(FILE, 'utf8')) as { roots: SchemaRoot[]; schemas: Record<string, unknown> };
  // OpenAPI keywords (nullable, format: unixtime, ...) are not JSON Schema's: not strict, no formats.
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
  ajv.addSchema({ $id: 'openai', components: { schemas: asJsonSchema(file.schemas) } });
  validators = new Map();
  for (const root of file.roots) validators.set(root, ajv.compile({ $ref: `openai#/components/schemas/${root}` }));
  return validators;
}

/** Why `value` is not a valid `root`, or undefined when it is. */
export function schemaProblem(root: SchemaRoot, value: unknown): string | undefined {
  const validate = load().get(root);
  if (!validate) throw new Error(`no schema ${root}`);
  if (validate(value)) return undefined;
  const errors = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  return `${root}: ${errors.join('; ')}`;
}

/**
 * Violations seen by fake servers in this test worker. A setup file fails the test that
 * caused them (test/support/schema-guard.ts).
 */
const seen: string[] = [];

export function reportViolation(what: string): void {
  seen.push(what);
}

export function drainViolations(): string[] {
  return seen.splice(0, seen.length);
}
