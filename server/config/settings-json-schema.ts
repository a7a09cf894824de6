/**
 * JSON Schemas generated from the settings declaration (settings-schema.ts): one for the
 * project file `.codex-lsp.json` (shipped as schema/codex-lsp.schema.json, written by
 * `npm run schema`), and one per setting for the VS Code extension's contributed settings
 * (clients/vscode/scripts/sync-settings.js). Used by those scripts and the tests, not by the
 * running server.
 *
 * The schemas describe the settings as documented. The reader is more lenient in two ways a
 * JSON editor need not teach: numbers and booleans sent as strings ("5000", "true": a habit of
 * some Lua and Emacs Lisp clients) and null (taken as "not set").
 */
import { z } from 'zod';
import { PROJECT_FILE, USER_ONLY_KEYS } from './project';
import { SETTINGS, settingsSchema, type SettingSpec } from './settings';

/** Draft 7: the draft every JSON language server (VS Code's, vscode-json-languageserver in other editors, JetBrains) reads fully. */
const DRAFT = 'http://json-schema.org/draft-07/schema#';
/** Where the published schema lives: the repository's copy on its default branch (codex-lsp is not on the npm registry). */
export const SCHEMA_PATH = 'schema/codex-lsp.schema.json';
export const SCHEMA_URL = `https://raw.githubusercontent.com/codex-lsp/codex-lsp/main/${SCHEMA_PATH}`;

type JsonSchema = Record<string, unknown>;

function toJson(schema: z.ZodType): JsonSchema {
  // "input": what a user writes (defaults optional), not what the server makes of it.
  const { $schema: _draft, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as JsonSchema;
  return rest;
}

/** One setting's JSON Schema: type, bounds, enum, items, pattern and description. */
export function settingJsonSchema(spec: SettingSpec): JsonSchema {
  return toJson(spec.schema);
}

function userOnly(key: string): boolean {
  return (USER_ONLY_KEYS as readonly string[]).includes(key.split('.')[0] as string);
}

/**
 * The JSON Schema of `.codex-lsp.json`: the settings the project file may hold, nested
 * (`{"hover": {"enabled": false}}`) or dotted (`{"hover.enabled": false}`, as the settings table
 * writes them), at the top level or under `"codex"` as in editor settings files. Unknown keys
 * and the user-only keys are refused, as the reader refuses them.
 */
export function projectFileSchema(): JsonSchema {
  // Spelled out for zod's typed omit; `satisfies` keeps it equal to USER_ONLY_KEYS.
  const omitted = { apiKey: true, baseUrl: true, prices: true, budget: true } as const satisfies Record<(typeof USER_ONLY_KEYS)[number], true>;
  const nested = toJson(settingsSchema.omit(omitted));
  const properties = nested.properties as Record<string, JsonSchema>;
  const dotted = Object.fromEntries(SETTINGS.filter((s) => s.key.includes('.') && !userOnly(s.key)).map((s) => [s.key, settingJsonSchema(s)]));
  const settings: JsonSchema = {
    ...nested,
    properties: {
      $schema: { type: 'string', description: 'The JSON Schema of this file, for editors.' },
      ...properties,
      ...dotted,
    },
  };
  return {
    $schema: DRAFT,
    $id: SCHEMA_URL,
    title: PROJECT_FILE,
    description: `codex-lsp project settings, committed with the code. Editor settings and the environment override them; ${USER_ONLY_KEYS.join(', ')} are never taken from this file.`,
    anyOf: [
      { $ref: '#/definitions/settings' },
      {
        type: 'object',
        properties: { $schema: { type: 'string' }, codex: { $ref: '#/definitions/settings' } },
        required: ['codex'],
        additionalProperties: false,
      },
    ],
    definitions: { settings },
  };
}

/** The file's text as committed: stable key order, two-space indent, final newline. */
export function projectFileSchemaText(): string {
  return JSON.stringify(projectFileSchema(), null, 2) + '\n';
}
